import { LitElement, css, html, nothing } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import type { CaptureConfig } from '../../config.ts';
import { AbortedError } from '../../capture/errors.ts';
import { describeProblem, HlsRecorder, type RecorderState } from '../../capture/hls-recorder.ts';
import { DEMO_PLAYLIST_PATH } from '../../capture/source-name.ts';
import { describeVodProgress, type VodProgress } from '../../capture/vod-progress.ts';
import { sharedStreamUrl } from '../../pwa/share-target.ts';
import { ScreenWakeLock } from '../../platform/wake-lock.ts';
import { attachLiveStream, type Detach } from '../../player/attach.ts';
import type { RecordingStore } from '../../storage/recording-store.ts';
import type { Recording } from '../../storage/types.ts';
import { formatBytes, formatDuration } from '../shared/format.ts';
import { sharedStyles } from '../shared/styles.ts';

/**
 * `<td-live-view>`: the stream URL field, live playback (Play) and capture (Record, Stop)
 * with elapsed time and stored size. Capture runs in an {@link HlsRecorder}, independent of
 * the player: recording does not need Play. The screen is kept awake (Screen Wake Lock, where
 * the browser allows) from the start of a recording until it ends.
 */
export class LiveView extends LitElement {
  static override properties = {
    store: { attribute: false },
    captureConfig: { attribute: false },
    url: { state: true },
    recorderState: { state: true },
    recording: { state: true },
    nowMs: { state: true },
    message: { state: true },
    playing: { state: true },
    stallMessage: { state: true },
    vodProgress: { state: true },
  };

  declare store: RecordingStore;
  declare captureConfig: CaptureConfig;
  declare url: string;
  declare recorderState: RecorderState;
  declare recording: Recording | null;
  declare nowMs: number;
  declare message: string;
  declare playing: boolean;
  /** The stall warning while a live stream brings no new segment, else ''. */
  declare stallMessage: string;
  /** Progress of a VOD download, null for a live stream. */
  declare vodProgress: VodProgress | null;

  private recorder: HlsRecorder | null = null;
  private detachPlayer: Detach | null = null;
  private clock: ReturnType<typeof setInterval> | null = null;
  private readonly video = createRef<HTMLVideoElement>();
  private readonly wakeLock = new ScreenWakeLock();
  /** Wake lock changes one after the other, so a release never overtakes a request still pending. */
  private wakeLockChange: Promise<void> = Promise.resolve();

  constructor() {
    super();
    // A stream shared from another app (manifest share target) comes first, else the demo.
    this.url = sharedStreamUrl(location.search) ?? new URL(DEMO_PLAYLIST_PATH, location.origin).href;
    this.recorderState = 'idle';
    this.recording = null;
    this.nowMs = Date.now();
    this.message = '';
    this.playing = false;
    this.stallMessage = '';
    this.vodProgress = null;
  }

  static override styles = [
    sharedStyles,
    css`
      form {
        display: grid;
        gap: 0.75rem;
      }
      .url-row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
      }
      label {
        display: grid;
        gap: 0.25rem;
        flex: 1 1 16rem;
        min-width: 0;
      }
      input {
        width: 100%;
      }
      .buttons {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      video {
        width: 100%;
        max-height: 40vh;
        background: #000;
        border-radius: 8px;
      }
      .status {
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopPlayback();
    this.stopClock();
    this.wakeLockChange = this.wakeLockChange.then(() => this.wakeLock.dispose());
  }

  override render() {
    const busy = this.recorderState === 'starting' || this.recorderState === 'recording' || this.recorderState === 'stopping';
    return html`
      <form @submit=${(event: Event) => event.preventDefault()}>
        <div class="url-row">
          <label>
            Stream URL
            <input type="url" name="url" required .value=${this.url} ?disabled=${busy} @input=${(e: Event) => (this.url = (e.target as HTMLInputElement).value)} />
          </label>
        </div>
        <div class="buttons">
          <button type="button" @click=${this.togglePlay}>${this.playing ? 'Stop playback' : 'Play'}</button>
          <button type="button" class="primary" ?disabled=${busy} @click=${this.record}>Record</button>
          <button type="button" ?disabled=${this.recorderState !== 'recording' && this.recorderState !== 'starting'} @click=${this.stop}>Stop</button>
        </div>
        ${this.renderStatus()}
        ${this.vodProgress ? html`<p class="status" data-vod-progress>${describeVodProgress(this.vodProgress)}</p>` : nothing}
        ${this.stallMessage ? html`<p class="status warning" aria-live="polite" data-stall>${this.stallMessage}</p>` : nothing}
        <p role="alert" class="error">${this.message || nothing}</p>
        <video ${ref(this.video)} controls playsinline ?hidden=${!this.playing} aria-label="Live stream"></video>
      </form>
    `;
  }

  private renderStatus() {
    const recording = this.recording;
    if (this.recorderState === 'starting') return html`<p class="status" role="status">Connecting…</p>`;
    if (!recording || this.recorderState === 'idle') return html`<p class="status" role="status"></p>`;
    const elapsedSec = ((recording.endedAtMs ?? this.nowMs) - recording.startedAtMs) / 1000;
    const label = this.recorderState === 'stopped' ? 'Recorded' : 'Recording';
    return html`<p class="status" role="status">
      ${label} <strong>${recording.title}</strong>: <span data-elapsed-sec=${Math.floor(elapsedSec)}>${formatDuration(elapsedSec)}</span> elapsed,
      ${formatBytes(recording.bytes)} stored, ${recording.segmentCount} segments${recording.gapCount ? html`, <span class="error">${recording.gapCount} missing</span>` : nothing}
    </p>`;
  }

  private currentUrl(): string | null {
    try {
      return new URL(this.url.trim()).href;
    } catch {
      this.message = 'Enter a full stream URL, starting with http:// or https://.';
      return null;
    }
  }

  private togglePlay = () => {
    if (this.playing) return this.stopPlayback();
    const url = this.currentUrl();
    const video = this.video.value;
    if (!url || !video) return;
    this.message = '';
    try {
      this.detachPlayer = attachLiveStream(video, url, (message) => {
        this.message = message;
        this.stopPlayback();
      });
      this.playing = true;
      void video.play().catch(() => undefined);
    } catch (error) {
      this.message = error instanceof Error ? error.message : String(error);
    }
  };

  private stopPlayback(): void {
    this.detachPlayer?.();
    this.detachPlayer = null;
    this.playing = false;
  }

  private record = async () => {
    const url = this.currentUrl();
    if (!url) return;
    this.message = '';
    const recorder = new HlsRecorder(this.store, this.captureConfig);
    this.recorder = recorder;
    recorder.on('state', ({ state }) => (this.recorderState = state));
    recorder.on('progress', ({ recording }) => (this.recording = recording));
    // A stall is a warning shown on its own line, cleared when segments flow again.
    recorder.on('problem', (problem) => {
      if (problem.code !== 'stalled') this.message = problem.message;
    });
    recorder.on('stall', (stall) => (this.stallMessage = stall.stalled ? stall.message : ''));
    recorder.on('vod-progress', (progress) => (this.vodProgress = progress));
    this.stallMessage = '';
    this.vodProgress = null;
    try {
      await recorder.start({ url });
      this.startClock();
      this.holdScreenAwake(true);
      await recorder.done;
    } catch (error) {
      if (!(error instanceof AbortedError)) this.message = describeProblem(error, true).message;
    } finally {
      this.stallMessage = '';
      this.stopClock();
      this.holdScreenAwake(false);
    }
  };

  private holdScreenAwake(wanted: boolean): void {
    this.wakeLockChange = this.wakeLockChange.then(() => this.wakeLock.hold(wanted));
  }

  private stop = async () => {
    await this.recorder?.stop();
  };

  private startClock(): void {
    this.stopClock();
    this.clock = setInterval(() => (this.nowMs = Date.now()), 1000);
  }

  private stopClock(): void {
    if (this.clock) clearInterval(this.clock);
    this.clock = null;
    this.nowMs = Date.now();
  }
}

customElements.define('td-live-view', LiveView);

declare global {
  interface HTMLElementTagNameMap {
    'td-live-view': LiveView;
  }
}
