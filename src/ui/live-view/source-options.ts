import { LitElement, css, html, nothing } from 'lit';
import { CaptureError } from '../../capture/errors.ts';
import type { SourceInfo } from '../../capture/master-playlist.ts';
import type { RecordRequest } from '../../capture/record-request.ts';
import { parseClockTime } from '../../capture/time-range.ts';
import { describeVariant, type VariantChoice } from '../../capture/variant-choice.ts';
import { formatDuration } from '../shared/format.ts';
import { sharedStyles } from '../shared/styles.ts';

/** Value of the quality select for the rules that are not one listed variant. */
const HIGHEST = 'highest';
const LOWEST = 'lowest';
const CAP = 'cap';

/**
 * `<td-source-options>`: what the source form shows once a URL is loaded, before recording:
 * for a master playlist, the variants (resolution, bandwidth, codecs) with Quality (highest by
 * default, lowest, a bandwidth cap in kb/s, or one listed variant) and its alternate audio and
 * subtitle renditions (recorded alongside unless unticked); for a VOD, its length and a time
 * range (From, To). Read the choice with {@link requestOptions}.
 */
export class SourceOptions extends LitElement {
  static override properties = {
    source: { attribute: false },
    disabled: { type: Boolean },
    quality: { state: true },
  };

  /** The loaded source, or null (nothing is shown). */
  declare source: SourceInfo | null;
  declare disabled: boolean;
  /** `highest`, `lowest`, `cap`, or a variant's URI. */
  declare quality: string;

  constructor() {
    super();
    this.source = null;
    this.disabled = false;
    this.quality = HIGHEST;
  }

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 0.5rem;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
      }
      label:not(.check) {
        display: grid;
        gap: 0.25rem;
        flex: 1 1 10rem;
        min-width: 0;
      }
      select,
      input {
        width: 100%;
      }
      p {
        margin: 0;
      }
    `,
  ];

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('source')) this.quality = HIGHEST;
  }

  override render() {
    const source = this.source;
    if (!source) return nothing;
    if (source.type === 'media') {
      if (!source.playlist.endList) return html`<p data-source-kind>Live stream (media playlist).</p>`;
      const totalSec = source.playlist.segments.reduce((sum, segment) => sum + segment.durationSec, 0);
      return html`<p data-source-kind>VOD, ${formatDuration(totalSec)} in ${source.playlist.segments.length} segments.</p>
        <div class="row">
          <label>From (optional) <input name="from" placeholder="0:00" inputmode="decimal" ?disabled=${this.disabled} /></label>
          <label>To (optional) <input name="to" placeholder=${formatDuration(totalSec)} inputmode="decimal" ?disabled=${this.disabled} /></label>
        </div>`;
    }
    const audio = source.renditions.filter((rendition) => rendition.type === 'audio');
    const subtitles = source.renditions.filter((rendition) => rendition.type === 'subtitles');
    return html`<p data-source-kind>Master playlist with ${source.variants.length} variants.</p>
      <div class="row">
        <label
          >Quality
          <select name="quality" ?disabled=${this.disabled} @change=${(e: Event) => (this.quality = (e.target as HTMLSelectElement).value)}>
            <option value=${HIGHEST} ?selected=${this.quality === HIGHEST}>Highest bandwidth</option>
            <option value=${LOWEST} ?selected=${this.quality === LOWEST}>Lowest bandwidth</option>
            <option value=${CAP} ?selected=${this.quality === CAP}>At most a bandwidth…</option>
            ${source.variants.map((variant) => html`<option value=${variant.uri} ?selected=${this.quality === variant.uri}>${describeVariant(variant)}</option>`)}
          </select>
        </label>
        ${this.quality === CAP
          ? html`<label>Bandwidth cap (kb/s) <input name="cap-kbps" type="number" min="1" step="1" required ?disabled=${this.disabled} /></label>`
          : nothing}
      </div>
      ${audio.length || subtitles.length
        ? html`<p data-renditions>
              ${audio.length ? html`Alternate audio: ${audio.map((r) => `${r.name}${r.isDefault ? ' (default)' : ''}`).join(', ')}. ` : nothing}
              ${subtitles.length ? html`Subtitles: ${subtitles.map((r) => r.name).join(', ')}.` : nothing}
            </p>
            <label class="check"><input type="checkbox" name="renditions" checked ?disabled=${this.disabled} /> Record alternate audio and subtitles too</label>`
        : nothing}`;
  }

  private input(name: string): HTMLInputElement | null {
    return this.renderRoot.querySelector<HTMLInputElement>(`[name=${name}]`);
  }

  /**
   * The choices made, as fields of a {@link RecordRequest}.
   * @throws CaptureError `bad-request` for a cap that is not a positive number, or a time that
   *   cannot be read.
   */
  requestOptions(): Pick<RecordRequest, 'variant' | 'renditions' | 'timeRange'> {
    const source = this.source;
    if (!source) return {};
    if (source.type === 'media') {
      if (!source.playlist.endList) return {};
      const startSec = parseClockTime(this.input('from')?.value ?? '') ?? 0;
      const endSec = parseClockTime(this.input('to')?.value ?? '');
      return startSec === 0 && endSec === null ? {} : { timeRange: { startSec, endSec } };
    }
    let variant: VariantChoice;
    if (this.quality === HIGHEST) variant = { kind: 'highest' };
    else if (this.quality === LOWEST) variant = { kind: 'lowest' };
    else if (this.quality === CAP) {
      const kbps = Number(this.input('cap-kbps')?.value);
      if (!(kbps > 0)) throw new CaptureError('bad-request', 'Enter the bandwidth cap in kb/s, a number above 0.', false);
      variant = { kind: 'max-bandwidth', maxBandwidthBps: kbps * 1000 };
    } else variant = { kind: 'uri', uri: this.quality };
    const renditions = this.input('renditions');
    return { variant, renditions: renditions ? renditions.checked : true };
  }
}

customElements.define('td-source-options', SourceOptions);

declare global {
  interface HTMLElementTagNameMap {
    'td-source-options': SourceOptions;
  }
}
