import { LitElement, css, html } from 'lit';
import { CaptureError } from '../../capture/errors.ts';
import { parseClockTime } from '../../capture/time-range.ts';
import { TEMPLATE_MARK, type UrlTemplate } from '../../capture/url-template.ts';
import { sharedStyles } from '../shared/styles.ts';

/**
 * `<td-url-template-form>`: the fields of URL template mode, for sites that expose numbered
 * segments without a usable playlist: Segment URL (with `(*)` where the number goes),
 * Zero-padding digits, First number, Segment duration, and where the segments end: Count, or
 * Total duration, and/or Stop at the first missing segment (404). Read it with {@link template}.
 */
export class UrlTemplateForm extends LitElement {
  static override properties = {
    disabled: { type: Boolean },
  };

  declare disabled: boolean;

  constructor() {
    super();
    this.disabled = false;
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
        flex: 1 1 9rem;
        min-width: 0;
      }
      label.url {
        flex-basis: 100%;
      }
      input {
        width: 100%;
      }
    `,
  ];

  override render() {
    return html`
      <label class="url"
        >Segment URL, with ${TEMPLATE_MARK} where the number goes
        <input name="template-url" type="url" placeholder="https://example.com/show/seg${TEMPLATE_MARK}.ts" ?disabled=${this.disabled} />
      </label>
      <div class="row">
        <label>Zero-padding digits <input name="pad-width" type="number" min="0" max="12" step="1" value="0" ?disabled=${this.disabled} /></label>
        <label>First number <input name="first-number" type="number" min="0" step="1" value="0" ?disabled=${this.disabled} /></label>
        <label>Segment duration (s) <input name="segment-sec" type="number" min="0.001" step="any" value="6" ?disabled=${this.disabled} /></label>
      </div>
      <div class="row">
        <label>Count <input name="count" type="number" min="1" step="1" placeholder="from the total duration" ?disabled=${this.disabled} /></label>
        <label>Total duration <input name="total" placeholder="e.g. 1:00:00" ?disabled=${this.disabled} /></label>
        <label class="check"><input type="checkbox" name="stop-404" ?disabled=${this.disabled} /> Stop at the first missing segment (404)</label>
      </div>
    `;
  }

  private field(name: string): HTMLInputElement {
    return this.renderRoot.querySelector<HTMLInputElement>(`[name=${name}]`)!;
  }

  /**
   * The template the fields describe (checked in full when recording starts).
   * @throws CaptureError `bad-request` for an empty URL or a field that is not a number.
   */
  template(): UrlTemplate {
    const url = this.field('template-url').value.trim();
    if (!url) throw new CaptureError('bad-request', `Enter the segment URL, with ${TEMPLATE_MARK} where the number goes.`, false);
    const number = (name: string, label: string) => {
      const value = Number(this.field(name).value);
      if (this.field(name).value.trim() === '' || !Number.isFinite(value)) throw new CaptureError('bad-request', `${label} must be a number.`, false);
      return value;
    };
    const countText = this.field('count').value.trim();
    return {
      url,
      padWidth: number('pad-width', 'Zero-padding digits'),
      firstNumber: number('first-number', 'First number'),
      segmentDurationSec: number('segment-sec', 'Segment duration'),
      count: countText ? number('count', 'Count') : null,
      totalDurationSec: parseClockTime(this.field('total').value),
      stopAtFirstMissing: this.field('stop-404').checked,
    };
  }
}

customElements.define('td-url-template-form', UrlTemplateForm);

declare global {
  interface HTMLElementTagNameMap {
    'td-url-template-form': UrlTemplateForm;
  }
}
