import { LitElement, css, html, nothing } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import type { CaptureConfig } from '../../config.ts';
import { AbortedError } from '../../capture/errors.ts';
import { describeProblem, HlsRecorder, type RecorderState, type RecordRequest } from '../../capture/hls-recorder.ts';
import { loadSourceInfo, type SourceInfo } from '../../capture/master-playlist.ts';
import { DEMO_PLAYLIST_PATH } from '../../capture/source-name.ts';
import { describeVodProgress, type VodProgress } from '../../capture/vod-progress.ts';
import { sharedStreamUrl } from '../../pwa/share-target.ts';
import { ScreenWakeLock } from '../../platform/wake-lock.ts';
import { attachLiveStream, type Detach } from '../../player/attach.ts';
import type { RecordingStore } from '../../storage/recording-store.ts';
import type { Recording } from '../../storage/types.ts';
import { formatBytes, formatDuration } from '../shared/format.ts';
import { sharedStyles } from '../shared/styles.ts';
import type { ResumeRecordingDetail } from '../library/recording-item.ts';
import './source-options.ts';
import './url-template-form.ts';
import '../sources/relay-headers.ts';
import type { RelayHeaders } from '../sources/relay-headers.ts';
import type { SourceOptions } from './source-options.ts';
import type { UrlTemplateForm } from './url-template-form.ts';

/** Where the source form takes its segments from. */
type SourceMode = 'playlist' | 'template';

/**
 * `<td-live-view>`: the stream URL field, live playback (Play) and capture (Record, Pause,
 * Resume, Stop) with elapsed time and stored size. When the URL is entered the playlist is loaded
 * and `<td-source-options>` shows its variants, renditions or VOD time range before recording;
 * URL template mode (`<td-url-template-form>`) records numbered segments with no playlist.
 * **Resume** on an interrupted recording in the library (`td-resume-recording`, heard on the
 * document) continues it here. Capture runs in an {@link HlsRecorder}, independent of
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
    mode: { state: true },
    source: { state: true },
    checking: { state: true },
    paused: { state: true },
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
  declare mode: SourceMode;
  /** What the URL turned out to be once loaded, or null. */
  declare source: SourceInfo | null;
  /** The URL is being loaded to show its variants. */
  declare checking: boolean;
  /** Capture is paused. */
  declare paused: boolean;
  /** Cancels the load of the previous URL when another is entered. */
  private inspecting: AbortController | null = null;

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
    this.mode = 'playlist';
    this.source = null;
    this.checking = false;
    this.paused = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('td-resume-recording', this.onResumeRequest);
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
      fieldset {
        border: 0;
        padding: 0;
        margin: 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0 1rem;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('td-resume-recording', this.onResumeRequest);
    this.inspecting?.abort();
    this.stopPlayback();
    this.stopClock();
    this.wakeLockChange = this.wakeLockChange.then(() => this.wakeLock.dispose());
  }

  override render() {
    const busy = this.recorderState === 'starting' || this.recorderState === 'recording' || this.recorderState === 'stopping';
    // What the URL turned out to be (td-source-options) comes below the buttons: it appears when
    // the field loses focus, often by a press on Record, and must not move that button mid-click.
    return html`
      <form @submit=${(event: Event) => event.preventDefault()}>
        <fieldset ?disabled=${busy}>
          <legend class="visually-hidden">Source</legend>
          <label class="check"><input type="radio" name="mode" value="playlist" .checked=${this.mode === 'playlist'} @change=${() => (this.mode = 'playlist')} /> Playlist URL</label>
          <label class="check"><input type="radio" name="mode" value="template" .checked=${this.mode === 'template'} @change=${() => (this.mode = 'template')} /> URL template</label>
        </fieldset>
        ${this.mode === 'playlist'
          ? html`<div class="url-row">
                <label>
                  Stream URL
                  <input type="url" name="url" required .value=${this.url} ?disabled=${busy} @input=${(e: Event) => (this.url = (e.target as HTMLInputElement).value)} @change=${this.inspect} />
                </label>
              </div>`
          : html`<td-url-template-form ?disabled=${busy}></td-url-template-form>`}
        <div class="buttons">
          <button type="button" @click=${this.togglePlay} ?disabled=${this.mode !== 'playlist'}>${this.playing ? 'Stop playback' : 'Play'}</button>
          <button type="button" class="primary" ?disabled=${busy} @click=${() => void this.record()}>Record</button>
          <button type="button" ?disabled=${this.recorderState !== 'recording'} @click=${this.togglePause}>${this.paused ? 'Resume' : 'Pause'}</button>
          <button type="button" ?disabled=${this.recorderState !== 'recording' && this.recorderState !== 'starting'} @click=${this.stop}>Stop</button>
        </div>
        ${this.mode === 'playlist'
          ? html`${this.checking ? html`<p class="status" data-checking>Loading the playlist…</p>` : nothing}
              <td-source-options .source=${this.source} ?disabled=${busy}></td-source-options>
              <td-relay-headers ?disabled=${busy}></td-relay-headers>`
          : nothing}
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
    const label = this.recorderState === 'stopped' ? 'Recorded' : this.paused ? 'Paused' : 'Recording';
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

  /** Loads the entered URL to show its variants, renditions or VOD length (errors are shown, not fatal). */
  private inspect = async () => {
    this.inspecting?.abort();
    this.source = null;
    const url = this.currentUrl();
    if (!url) return;
    this.message = '';
    const abort = new AbortController();
    this.inspecting = abort;
    this.checking = true;
    try {
      const { playlistTimeoutMs, maxPlaylistBytes, playlistRetry } = this.captureConfig;
      const source = await loadSourceInfo(url, { timeoutMs: playlistTimeoutMs, maxBytes: maxPlaylistBytes, retry: playlistRetry, signal: abort.signal });
      if (!abort.signal.aborted) this.source = source;
    } catch (error) {
      if (!abort.signal.aborted) this.message = describeProblem(error, false).message;
    } finally {
      if (this.inspecting === abort) this.checking = false;
    }
  };

  /** What the form asks to record, or null (with a message) when a field is wrong. */
  private request(): RecordRequest | null {
    try {
      if (this.mode === 'template') {
        const urlTemplate = this.renderRoot.querySelector<UrlTemplateForm>('td-url-template-form')!.template();
        return { url: urlTemplate.url, urlTemplate };
      }
      const url = this.currentUrl();
      if (!url) return null;
      const options = this.renderRoot.querySelector<SourceOptions>('td-source-options');
      // Options read from an earlier URL do not apply to a new one.
      const loadedUrl = this.source?.type === 'master' ? this.source.url : this.source?.playlist.url;
      return { url, ...(options && this.source && loadedUrl === url ? options.requestOptions() : {}) };
    } catch (error) {
      this.message = describeProblem(error, false).message;
      return null;
    }
  }

  private togglePause = () => {
    if (!this.recorder) return;
    if (this.paused) this.recorder.resume();
    else this.recorder.pause();
  };

  private onResumeRequest = (event: Event) => {
    const { recordingId, url } = (event as CustomEvent<ResumeRecordingDetail>).detail;
    if (this.recorderState === 'starting' || this.recorderState === 'recording' || this.recorderState === 'stopping') {
      this.message = 'Stop the recording under way before resuming another.';
      return;
    }
    void this.record({ url, resumeRecordingId: recordingId });
  };

  private record = async (given?: RecordRequest) => {
    this.message = '';
    const request = given ?? this.request();
    if (!request) return;
    // "Through the relay": record the relay's proxy URL, which adds the headers the stream needs.
    const viaRelay = given ? null : this.renderRoot.querySelector<RelayHeaders>('td-relay-headers');
    try {
      if (viaRelay && !request.urlTemplate) request.url = await viaRelay.streamUrlFor(request.url);
    } catch (error) {
      this.message = error instanceof Error ? error.message : String(error);
      return;
    }
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
    recorder.on('paused', ({ paused }) => (this.paused = paused));
    this.stallMessage = '';
    this.vodProgress = null;
    this.paused = false;
    try {
      await recorder.start(request);
      this.startClock();
      this.holdScreenAwake(true);
      await recorder.done;
    } catch (error) {
      if (!(error instanceof AbortedError)) this.message = describeProblem(error, true).message;
    } finally {
      this.paused = false;
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
