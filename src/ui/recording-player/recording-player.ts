import { LitElement, css, html, nothing } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import { attachRecording, type RecordingPlayback } from '../../player/attach.ts';
import { attachMediaSession, type MediaSessionController } from '../../platform/media-session.ts';
import type { RecordingStore } from '../../storage/recording-store.ts';
import type { Recording } from '../../storage/types.ts';
import { formatDuration } from '../shared/format.ts';
import { sharedStyles } from '../shared/styles.ts';

/** Video events after which the position line is redrawn. */
const POSITION_EVENTS = ['timeupdate', 'durationchange', 'seeked', 'play', 'pause', 'ended', 'loadedmetadata'] as const;

/** "12 s behind live" below a minute, "1:05:00 behind live" above. */
function formatBehindLive(behindSec: number): string {
  const wholeSec = Math.max(0, Math.round(behindSec));
  return wholeSec < 60 ? `${wholeSec} s behind live` : `${formatDuration(wholeSec)} behind live`;
}

/**
 * `<td-recording-player>`: plays one stored recording from IndexedDB (no network needed),
 * also while it is still being recorded (time-shift): playback starts at the beginning,
 * `Jump to live` (shown only while recording) goes to the newest stored moment, `Back to
 * start` to the beginning, and a line shows the position and how far behind live it is. The
 * recording is shown to the browser's Media Session (lock screen, headset keys) while it
 * plays. Fires `td-close-player` when closed.
 */
export class RecordingPlayer extends LitElement {
  static override properties = {
    store: { attribute: false },
    recording: { attribute: false },
    message: { state: true },
    current: { state: true },
    positionSec: { state: true },
    edgeSec: { state: true },
  };

  declare store: RecordingStore;
  /** The recording to play, as the parent last read it. */
  declare recording: Recording | null;
  declare message: string;
  /** The playing recording as last stored (status and title change while it plays). */
  declare current: Recording | null;
  /** Playback position, in seconds of the recording. */
  declare positionSec: number;
  /** Newest playable moment as the player last loaded it, in seconds; null before loading. */
  declare edgeSec: number | null;
  private playback: RecordingPlayback | null = null;
  private mediaSession: MediaSessionController | null = null;
  private unsubscribe: (() => void) | null = null;
  private attachedId: string | null = null;
  private readonly video = createRef<HTMLVideoElement>();
  private readonly onVideoEvent = () => {
    const video = this.video.value;
    if (!video || !this.playback) return;
    this.positionSec = video.currentTime;
    this.edgeSec = this.playback.edgeSec ?? (Number.isFinite(video.duration) ? video.duration : null);
  };

  constructor() {
    super();
    this.recording = null;
    this.message = '';
    this.current = null;
    this.positionSec = 0;
    this.edgeSec = null;
  }

  /** The playback position now, in seconds of the recording (read from the video, not the last event). */
  get currentPositionSec(): number {
    return this.video.value?.currentTime ?? this.positionSec;
  }

  /** Pauses playback and seeks to `positionSec`, in seconds of the recording; nothing before the video exists. */
  seekTo(positionSec: number): void {
    const video = this.video.value;
    if (!video) return;
    video.pause();
    video.currentTime = positionSec;
  }

  static override styles = [
    sharedStyles,
    css`
      video {
        width: 100%;
        max-height: 50vh;
        background: #000;
        border-radius: 8px;
      }
      header {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        justify-content: space-between;
      }
      h2 {
        margin: 0;
        font-size: 1.1rem;
        overflow-wrap: anywhere;
      }
      .transport {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        margin-top: 0.5rem;
      }
      .position {
        margin: 0;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  override render() {
    if (!this.recording) return nothing;
    const shown = this.current?.id === this.recording.id ? this.current : this.recording;
    const inProgress = shown.status === 'recording';
    return html`<section aria-label="Player">
      <header>
        <h2>${shown.title}</h2>
        <button type="button" @click=${this.close}>Close player</button>
      </header>
      <video ${ref(this.video)} controls playsinline aria-label="Recording playback"></video>
      <div class="transport">
        <button type="button" @click=${() => this.playback?.backToStart()}>Back to start</button>
        ${inProgress ? html`<button type="button" @click=${() => this.playback?.jumpToLive()}>Jump to live</button>` : nothing}
        ${this.renderPosition(inProgress)}
      </div>
      <p role="alert" class="error">${this.message || nothing}</p>
    </section>`;
  }

  private renderPosition(inProgress: boolean) {
    const edgeSec = this.edgeSec;
    if (edgeSec === null) return nothing;
    const behindSec = Math.max(0, edgeSec - this.positionSec);
    return html`<p class="position" data-position-sec=${this.positionSec} data-behind-live-sec=${inProgress ? behindSec : nothing}>
      ${formatDuration(this.positionSec)} / ${formatDuration(edgeSec)}${inProgress ? html` · ${formatBehindLive(behindSec)}` : nothing}
    </p>`;
  }

  override updated(): void {
    const video = this.video.value;
    const id = this.recording?.id ?? null;
    if (id === this.attachedId) return;
    this.teardown();
    if (!id || !video || !this.recording) return;
    this.message = '';
    this.current = this.recording;
    try {
      this.playback = attachRecording(video, id, this.store, (message) => (this.message = message));
      this.attachedId = id;
      for (const type of POSITION_EVENTS) video.addEventListener(type, this.onVideoEvent);
      this.mediaSession = attachMediaSession(video, this.recording, { onStop: this.close });
      this.unsubscribe = this.store.on('change', ({ recordingId }) => {
        if (recordingId === id || recordingId === null) void this.refresh(id);
      });
      void video.play().catch(() => undefined);
    } catch (error) {
      this.message = error instanceof Error ? error.message : String(error);
    }
  }

  /** Rereads the playing recording after a store change: its status or title may have changed. */
  private async refresh(id: string): Promise<void> {
    const latest = await this.store.get(id);
    if (!latest || this.attachedId !== id) return;
    this.current = latest;
    this.mediaSession?.setRecording(latest);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.teardown();
  }

  private teardown(): void {
    const video = this.video.value;
    if (video) for (const type of POSITION_EVENTS) video.removeEventListener(type, this.onVideoEvent);
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.mediaSession?.detach();
    this.mediaSession = null;
    this.playback?.detach();
    this.playback = null;
    this.attachedId = null;
    this.positionSec = 0;
    this.edgeSec = null;
  }

  private close = () => {
    this.teardown();
    this.dispatchEvent(new CustomEvent('td-close-player', { bubbles: true, composed: true }));
  };
}

customElements.define('td-recording-player', RecordingPlayer);

declare global {
  interface HTMLElementTagNameMap {
    'td-recording-player': RecordingPlayer;
  }
  interface HTMLElementEventMap {
    'td-close-player': CustomEvent<void>;
  }
}
