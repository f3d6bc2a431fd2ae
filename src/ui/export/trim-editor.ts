import { LitElement, css, html, nothing } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import type { ExportRange } from '../../export/trim/range.ts';
import { playbackDurationSec } from '../../storage/playback-timeline.ts';
import { RecordingStore } from '../../storage/recording-store.ts';
import type { Recording } from '../../storage/types.ts';
import '../recording-player/recording-player.ts';
import type { RecordingPlayer } from '../recording-player/recording-player.ts';
import { formatDuration } from '../shared/format.ts';
import { sharedStyles } from '../shared/styles.ts';

/** In and out points with one decimal, in seconds. */
function roundSec(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * `<td-trim-editor>`: chooses the part of a recording to export. In and out points (seconds of
 * the recording), set by typing or from the preview player's position (**Set in here**, **Set
 * out here**); the preview (`<td-recording-player>`, from IndexedDB, no network) seeks to each
 * point as it is set. Mode: **At keyframes** (no re-encoding, may start up to one segment
 * early) or **Frame-exact** (re-encoded). The chosen range is {@link TrimEditor.range}; it
 * fires `td-trim-change` whenever it changes.
 */
export class TrimEditor extends LitElement {
  static override properties = {
    recording: { attribute: false },
    startSec: { state: true },
    endSec: { state: true },
    mode: { state: true },
    store: { state: true },
    message: { state: true },
  };

  declare recording: Recording;
  declare startSec: number;
  declare endSec: number;
  declare mode: ExportRange['mode'];
  declare store: RecordingStore | null;
  declare message: string;
  private readonly player = createRef<RecordingPlayer>();
  /**
   * Length of the recording's playback timeline (what the preview shows), in seconds: an upper
   * bound until the stored msns are read (see {@link playbackDurationSec}).
   */
  private timelineSec = 0;

  constructor() {
    super();
    this.startSec = 0;
    this.endSec = 0;
    this.mode = 'keyframe';
    this.store = null;
    this.message = '';
  }

  static override styles = [
    sharedStyles,
    css`
      fieldset {
        border: 1px solid #d1d5db;
        border-radius: 8px;
        margin: 0.5rem 0 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      input[type='number'] {
        width: 6rem;
      }
      td-recording-player {
        flex: 1 1 100%;
      }
    `,
  ];

  /** The range chosen, in seconds of the recording. */
  get range(): ExportRange {
    return { startSec: this.startSec, endSec: this.endSec, mode: this.mode };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.timelineSec = playbackDurationSec(this.recording, null);
    if (this.endSec === 0) this.endSec = roundSec(this.timelineSec);
    void RecordingStore.open().then(
      (store) => {
        if (!this.isConnected) return store.close();
        this.store = store;
        void this.readTimeline(store);
      },
      (error: unknown) => (this.message = `The preview cannot open the recordings: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.store?.close();
    this.store = null;
  }

  override render() {
    const lengthSec = Math.max(0, this.endSec - this.startSec);
    return html`<fieldset>
      <legend>Trim</legend>
      <label>In (s) <input type="number" min="0" step="0.1" .value=${String(this.startSec)} @change=${(e: Event) => this.setPoint('in', Number((e.target as HTMLInputElement).value))} /></label>
      <button type="button" @click=${() => this.setPoint('in', this.playerPositionSec())}>Set in here</button>
      <label>Out (s) <input type="number" min="0" step="0.1" .value=${String(this.endSec)} @change=${(e: Event) => this.setPoint('out', Number((e.target as HTMLInputElement).value))} /></label>
      <button type="button" @click=${() => this.setPoint('out', this.playerPositionSec())}>Set out here</button>
      <label
        >Cut
        <select .value=${this.mode} @change=${(e: Event) => this.update_({ mode: (e.target as HTMLSelectElement).value as ExportRange['mode'] })}>
          <option value="keyframe" ?selected=${this.mode === 'keyframe'}>At keyframes (fast, not re-encoded)</option>
          <option value="exact" ?selected=${this.mode === 'exact'}>Frame-exact (re-encoded)</option>
        </select></label
      >
      <span class="trim-length" aria-live="polite">${lengthSec.toFixed(1)} s from ${formatDuration(this.startSec)}</span>
      ${this.store
        ? html`<td-recording-player ${ref(this.player)} .store=${this.store} .recording=${this.recording} @td-close-player=${(e: Event) => e.stopPropagation()}></td-recording-player>`
        : nothing}
      <p role="alert" class="error">${this.message || nothing}</p>
    </fieldset>`;
  }

  /** Reads where the stored segments start and end, for the exact timeline length. */
  private async readTimeline(store: RecordingStore): Promise<void> {
    const msns = await store.listSegmentMsns(this.recording.id);
    if (msns.length === 0) return;
    this.timelineSec = playbackDurationSec(this.recording, { firstMsn: msns[0]!, lastMsn: msns.at(-1)! });
    if (this.endSec > this.timelineSec) this.update_({ endSec: roundSec(this.timelineSec), startSec: Math.min(this.startSec, Math.max(0, roundSec(this.timelineSec) - 0.1)) });
  }

  /** The preview's playback position, in seconds. */
  private playerPositionSec(): number {
    return this.player.value?.currentPositionSec ?? 0;
  }

  /** Sets the in or out point (clamped to the recording), seeks the preview there, and says so. */
  private setPoint(which: 'in' | 'out', valueSec: number): void {
    if (!Number.isFinite(valueSec)) return;
    const durationSec = this.timelineSec;
    const pointSec = roundSec(Math.min(Math.max(0, valueSec), durationSec));
    if (which === 'in') this.update_({ startSec: pointSec, endSec: Math.max(this.endSec, Math.min(durationSec, pointSec + 0.1)) });
    else this.update_({ endSec: pointSec, startSec: Math.min(this.startSec, Math.max(0, pointSec - 0.1)) });
    this.player.value?.seekTo(pointSec);
  }

  private update_(patch: Partial<Pick<TrimEditor, 'startSec' | 'endSec' | 'mode'>>): void {
    Object.assign(this, patch);
    this.message = this.endSec > this.startSec ? '' : 'The out point must come after the in point.';
    this.dispatchEvent(new CustomEvent<ExportRange>('td-trim-change', { detail: this.range, bubbles: true, composed: true }));
  }
}

customElements.define('td-trim-editor', TrimEditor);

declare global {
  interface HTMLElementTagNameMap {
    'td-trim-editor': TrimEditor;
  }
  interface HTMLElementEventMap {
    'td-trim-change': CustomEvent<ExportRange>;
  }
}
