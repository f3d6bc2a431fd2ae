import { LitElement, css, html, nothing } from 'lit';
import { defaultConfig, type ReviewConfig } from '../../config.ts';
import { CameraDayIndex, type DayTimeline, type ReviewCamera } from '../../cameras/day-index.ts';
import { saveToDownloads } from '../../export/exporter.ts';
import { WallClockMap } from '../../player/wall-clock.ts';
import type { RecordingStore } from '../../storage/recording-store.ts';
import type { Recording } from '../../storage/types.ts';
import { coalesced } from '../shared/coalesced.ts';
import { sharedStyles } from '../shared/styles.ts';
import './calendar/review-calendar.ts';
import './player/review-player.ts';
import type { ReviewPlayRequest } from './player/review-player.ts';
import { exportWallClockRange, planRangeExport, rangeExportTitle, type WallClockRange } from './range-export.ts';
import { clockToInstantMs, formatClock } from './review-format.ts';
import './timeline/day-timeline.ts';

/**
 * `<td-review>`: reviews a camera's day. Pick a camera (or any group of recordings sharing a
 * `cameraId`); the calendar marks the days with recordings; choosing a day draws its 24-hour
 * timeline; a tap or drag on it plays from that moment with the wall-clock time over the
 * picture; a range (dragged with **Select range**, typed in **From** and **To**, or set from the
 * picture) exports as MP4, optionally with the time burned into the picture. Only reads what is
 * stored.
 */
export class ReviewView extends LitElement {
  static override properties = {
    store: { attribute: false },
    config: { attribute: false },
    dbName: { attribute: false },
    cameras: { state: true },
    cameraId: { state: true },
    days: { state: true },
    dayKey: { state: true },
    timeline: { state: true },
    recordings: { state: true },
    playRequest: { state: true },
    playMap: { state: true },
    positionMs: { state: true },
    range: { state: true },
    burnWallClock: { state: true },
    exportFraction: { state: true },
    status: { state: true },
    message: { state: true },
  };

  declare store: RecordingStore;
  declare config: ReviewConfig;
  /** IndexedDB database name; tests pass their own. Undefined: Tapedeck's. */
  declare dbName: string | undefined;
  declare cameras: ReviewCamera[];
  declare cameraId: string | null;
  /** Days of the chosen camera with recordings, `YYYY-MM-DD`. */
  declare days: ReadonlySet<string>;
  declare dayKey: string | null;
  declare timeline: DayTimeline | null;
  declare recordings: Recording[];
  declare playRequest: ReviewPlayRequest | null;
  /** Wall-clock map of the recording playing, renewed as the recording grows. */
  declare playMap: WallClockMap | null;
  /** Wall clock of the picture playing, in ms since the Unix epoch. */
  declare positionMs: number | null;
  declare range: WallClockRange | null;
  declare burnWallClock: boolean;
  /** Share of the running export done, 0..1; null when none runs. */
  declare exportFraction: number | null;
  declare status: string;
  declare message: string;
  private index: CameraDayIndex | null = null;
  private unsubscribe: (() => void) | null = null;
  private exportAbort: AbortController | null = null;
  private readonly reload = coalesced(() => this.load());
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super();
    this.config = defaultConfig.review;
    this.dbName = undefined;
    this.cameras = [];
    this.cameraId = null;
    this.days = new Set();
    this.dayKey = null;
    this.timeline = null;
    this.recordings = [];
    this.playRequest = null;
    this.playMap = null;
    this.positionMs = null;
    this.range = null;
    this.burnWallClock = false;
    this.exportFraction = null;
    this.status = '';
    this.message = '';
  }

  static override styles = [
    sharedStyles,
    css`
      h2 {
        margin: 0 0 0.75rem;
        font-size: 1.2rem;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: end;
        margin: 0.75rem 0;
      }
      label.field {
        display: grid;
        gap: 0.25rem;
      }
      td-day-timeline,
      td-review-player {
        margin-top: 0.75rem;
      }
      progress {
        width: 12rem;
      }
    `,
  ];

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    try {
      this.index ??= await CameraDayIndex.open(this.dbName);
      this.unsubscribe = this.store.on('change', this.scheduleRefresh);
      await this.reload();
    } catch (error) {
      this.message = `Cannot read the camera recordings: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.exportAbort?.abort();
    this.index?.close();
    this.index = null;
  }

  /** Rereads after a change to the recordings, at most once per `config.refreshMinIntervalMs`. */
  private readonly scheduleRefresh = () => {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.reload().catch(() => undefined);
    }, this.config.refreshMinIntervalMs);
  };

  /** Rereads cameras, days and the chosen day's timeline (after any change to the recordings). */
  private async load(): Promise<void> {
    const index = this.index;
    if (!index) return;
    this.cameras = await index.listCameras();
    if (!this.cameraId || !this.cameras.some((camera) => camera.id === this.cameraId)) this.cameraId = this.cameras[0]?.id ?? null;
    this.days = this.cameraId ? await index.daysWithRecordings(this.cameraId) : new Set();
    if (this.cameraId && this.dayKey) {
      const { timeline, recordings } = await index.dayTimeline(this.cameraId, this.dayKey, { joinToleranceMs: this.config.spanJoinToleranceMs });
      this.timeline = timeline;
      this.recordings = recordings;
      const playing = this.playRequest && timeline.playbackByRecording.get(this.playRequest.recordingId);
      if (playing) this.playMap = new WallClockMap(playing);
    } else {
      this.timeline = null;
      this.recordings = [];
    }
  }

  override render() {
    return html`<h2 id="review-heading">Review</h2>
      ${this.cameras.length === 0
        ? html`<p>No camera recordings yet. Recordings of a camera show here by day.</p>`
        : html`<div class="row">
              <label class="field"
                >Camera
                <select @change=${this.onCameraChange}>
                  ${this.cameras.map((camera) => html`<option value=${camera.id} ?selected=${camera.id === this.cameraId}>${camera.name}</option>`)}
                </select>
              </label>
            </div>
            <td-review-calendar .daysWithRecordings=${this.days} .selectedDayKey=${this.dayKey} @td-day-selected=${this.onDaySelected}></td-review-calendar>
            ${this.timeline ? this.renderDay(this.timeline) : nothing}`}
      <p role="status">${this.status}</p>
      <p role="alert" class="error">${this.message || nothing}</p>`;
  }

  private renderDay(timeline: DayTimeline) {
    const exporting = this.exportFraction !== null;
    return html`<section aria-label="Day timeline">
      <td-day-timeline
        .timeline=${timeline}
        .positionMs=${this.positionMs}
        .range=${this.range}
        @td-timeline-seek=${(event: CustomEvent<{ timeMs: number }>) => this.playFrom(event.detail.timeMs)}
        @td-range-selected=${(event: CustomEvent<WallClockRange>) => (this.range = event.detail)}
      ></td-day-timeline>
      <td-review-player .store=${this.store} .request=${this.playRequest} .map=${this.playMap} @td-review-time=${(event: CustomEvent<{ wallClockMs: number }>) => (this.positionMs = event.detail.wallClockMs)}></td-review-player>
      ${timeline.spans.length > 0
        ? html`<fieldset>
            <legend>Export a range</legend>
            <div class="row">
              <label class="field">From <input type="time" step="1" .value=${this.range ? formatClock(this.range.startMs) : ''} @change=${(event: Event) => this.onClockInput('startMs', event)} /></label>
              <label class="field">To <input type="time" step="1" .value=${this.range ? formatClock(this.range.endMs) : ''} @change=${(event: Event) => this.onClockInput('endMs', event)} /></label>
              <button type="button" ?disabled=${this.positionMs === null} @click=${() => this.setRangeEnd('startMs')}>Start at picture</button>
              <button type="button" ?disabled=${this.positionMs === null} @click=${() => this.setRangeEnd('endMs')}>End at picture</button>
            </div>
            <div class="row">
              <label class="check"><input type="checkbox" .checked=${this.burnWallClock} @change=${(event: Event) => (this.burnWallClock = (event.target as HTMLInputElement).checked)} />Burn time into picture</label>
              <button type="button" class="primary" ?disabled=${!this.range || exporting} @click=${this.exportRange}>Export range</button>
              ${exporting
                ? html`<progress aria-label="Export progress" max="1" .value=${this.exportFraction ?? 0}></progress>
                    <button type="button" @click=${() => this.exportAbort?.abort()}>Cancel export</button>`
                : nothing}
            </div>
          </fieldset>`
        : nothing}
    </section>`;
  }

  private onCameraChange = async (event: Event) => {
    this.cameraId = (event.target as HTMLSelectElement).value;
    this.playRequest = null;
    this.playMap = null;
    this.positionMs = null;
    this.range = null;
    await this.reload();
  };

  private onDaySelected = async (event: CustomEvent<{ dayKey: string }>) => {
    this.dayKey = event.detail.dayKey;
    this.playRequest = null;
    this.playMap = null;
    this.positionMs = null;
    this.range = null;
    this.message = '';
    this.status = '';
    await this.reload();
  };

  /** Plays from a wall-clock instant: inside the span there, else from the next recorded moment. */
  private playFrom(timeMs: number): void {
    const timeline = this.timeline;
    if (!timeline) return;
    const span = timeline.spans.find((candidate) => candidate.startMs <= timeMs && timeMs < candidate.endMs) ?? timeline.spans.find((candidate) => candidate.startMs > timeMs);
    if (!span) {
      this.message = `Nothing was recorded at or after ${formatClock(timeMs)} on this day.`;
      return;
    }
    const map = new WallClockMap(timeline.playbackByRecording.get(span.recordingId) ?? []);
    const position = map.mediaSecAt(Math.max(timeMs, span.startMs));
    if (!position) return;
    this.message = '';
    this.status = timeMs < span.startMs ? `Nothing was recorded at ${formatClock(timeMs)}; playing from ${formatClock(span.startMs)}, the next recorded moment.` : `Playing from ${formatClock(timeMs)}.`;
    this.playMap = map;
    this.playRequest = { recordingId: span.recordingId, mediaSec: position.mediaSec };
  }

  private onClockInput(end: 'startMs' | 'endMs', event: Event): void {
    const timeline = this.timeline;
    const timeMs = timeline ? clockToInstantMs(timeline.startMs, (event.target as HTMLInputElement).value) : null;
    if (timeMs === null || !timeline) return;
    const other = this.range ?? { startMs: timeMs, endMs: timeMs };
    this.range = { ...other, [end]: timeMs };
  }

  private setRangeEnd(end: 'startMs' | 'endMs'): void {
    const timeMs = this.positionMs;
    if (timeMs === null) return;
    const other = this.range ?? { startMs: timeMs, endMs: timeMs };
    this.range = { ...other, [end]: timeMs };
  }

  private exportRange = async () => {
    const timeline = this.timeline;
    const range = this.range;
    if (!timeline || !range) return;
    const plan = planRangeExport(timeline, range);
    if ('message' in plan) {
      this.message = plan.message;
      return;
    }
    const recording = this.recordings.find((candidate) => candidate.id === plan.recordingId);
    if (!recording) return;
    this.message = '';
    this.status = `Exporting ${formatClock(plan.fromMs)}–${formatClock(plan.toMs)}…`;
    this.exportAbort = new AbortController();
    this.exportFraction = 0;
    try {
      const title = rangeExportTitle(recording, plan);
      const exported = await exportWallClockRange({ ...recording, title }, plan, {
        burnWallClock: this.burnWallClock,
        onProgress: (fraction) => (this.exportFraction = fraction),
        signal: this.exportAbort.signal,
        ...(this.dbName ? { dbName: this.dbName } : {}),
      });
      saveToDownloads(exported.file, exported.downloadName);
      this.status = `Exported ${formatClock(plan.fromMs)}–${formatClock(plan.toMs)} as ${exported.downloadName}.`;
    } catch (error) {
      this.status = '';
      this.message = error instanceof Error ? error.message : String(error);
    } finally {
      this.exportFraction = null;
      this.exportAbort = null;
    }
  };
}

customElements.define('td-review', ReviewView);

declare global {
  interface HTMLElementTagNameMap {
    'td-review': ReviewView;
  }
}
