import { LitElement, css, html, nothing } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import { attachRecording, type RecordingPlayback } from '../../../player/attach.ts';
import type { WallClockMap } from '../../../player/wall-clock.ts';
import type { RecordingStore } from '../../../storage/recording-store.ts';
import { sharedStyles } from '../../shared/styles.ts';
import { formatWallClock } from '../review-format.ts';

/** Video events after which the wall clock over the picture is redrawn. */
const CLOCK_EVENTS = ['timeupdate', 'seeked', 'loadedmetadata', 'play', 'pause'] as const;

/** Where to play: a recording, from a media position (seconds of its generated playlist). */
export interface ReviewPlayRequest {
  recordingId: string;
  mediaSec: number;
}

/**
 * `<td-review-player>`: plays a camera recording from IndexedDB from a chosen position, with
 * the wall-clock time of the picture shown over it (`data-wall-clock-ms`, ms since the Unix
 * epoch), updated as it plays. A new `request` for the same recording only seeks; a new `map`
 * (the recording grew while it is being recorded) only changes the clock. Fires
 * `td-review-time` with `{ wallClockMs }` as the picture advances.
 */
export class ReviewPlayer extends LitElement {
  static override properties = {
    store: { attribute: false },
    request: { attribute: false },
    map: { attribute: false },
    wallClockMs: { state: true },
    message: { state: true },
  };

  declare store: RecordingStore;
  declare request: ReviewPlayRequest | null;
  /** Maps the requested recording's media time to the wall clock. */
  declare map: WallClockMap | null;
  /** Wall clock of the picture shown, or null before it is known. */
  declare wallClockMs: number | null;
  declare message: string;
  private playback: RecordingPlayback | null = null;
  private attachedId: string | null = null;
  /** The `<video>` the playback is attached to: a cleared request removes it from the page. */
  private attachedVideo: HTMLVideoElement | null = null;
  private handledRequest: ReviewPlayRequest | null = null;
  private readonly video = createRef<HTMLVideoElement>();

  constructor() {
    super();
    this.request = null;
    this.map = null;
    this.wallClockMs = null;
    this.message = '';
  }

  static override styles = [
    sharedStyles,
    css`
      .frame {
        position: relative;
      }
      video {
        display: block;
        width: 100%;
        max-height: 50vh;
        background: #000;
        border-radius: 8px;
      }
      .clock {
        position: absolute;
        top: 0.5rem;
        left: 0.5rem;
        padding: 0.15rem 0.5rem;
        border-radius: 4px;
        background: rgb(0 0 0 / 0.7);
        color: #fff;
        font-variant-numeric: tabular-nums;
        font-size: 1rem;
        pointer-events: none;
      }
    `,
  ];

  override render() {
    if (!this.request) return nothing;
    return html`<div class="frame">
        <video ${ref(this.video)} controls playsinline muted aria-label="Camera playback"></video>
        ${this.wallClockMs !== null ? html`<div class="clock" data-wall-clock-ms=${this.wallClockMs} aria-label="Time in the picture">${formatWallClock(this.wallClockMs)}</div>` : nothing}
      </div>
      <p role="alert" class="error">${this.message || nothing}</p>`;
  }

  override updated(): void {
    const request = this.request;
    const video = this.video.value;
    // No request renders no <video>: let go of the playback attached to the one removed, so
    // that the next request attaches anew rather than seeking a video no longer shown.
    if (video !== this.attachedVideo && this.attachedVideo) {
      this.teardown();
      this.handledRequest = null;
    }
    if (!request || !video || request === this.handledRequest) return;
    this.handledRequest = request;
    if (request.recordingId === this.attachedId) {
      video.currentTime = request.mediaSec;
      this.showClock(request.mediaSec);
      return;
    }
    this.teardown();
    this.message = '';
    try {
      this.playback = attachRecording(video, request.recordingId, this.store, (message) => (this.message = message));
      this.attachedId = request.recordingId;
      this.attachedVideo = video;
      // hls.js starts at 0; the position is taken once the media is attached (before the clock
      // listeners run, so that the clock never shows the start of the recording meanwhile).
      video.addEventListener('loadedmetadata', () => (video.currentTime = this.handledRequest?.mediaSec ?? 0), { once: true });
      for (const type of CLOCK_EVENTS) video.addEventListener(type, this.onVideoEvent);
      this.showClock(request.mediaSec);
      void video.play().catch(() => undefined);
    } catch (error) {
      this.message = error instanceof Error ? error.message : String(error);
    }
  }

  private readonly onVideoEvent = () => {
    const video = this.video.value;
    if (video && !video.seeking) this.showClock(video.currentTime);
  };

  private showClock(mediaSec: number): void {
    const wallClockMs = this.map?.wallClockMsAt(mediaSec) ?? null;
    if (wallClockMs === null) return;
    this.wallClockMs = Math.round(wallClockMs);
    this.dispatchEvent(new CustomEvent('td-review-time', { detail: { wallClockMs: this.wallClockMs }, bubbles: true, composed: true }));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.teardown();
    this.handledRequest = null;
  }

  private teardown(): void {
    const video = this.attachedVideo;
    if (video) for (const type of CLOCK_EVENTS) video.removeEventListener(type, this.onVideoEvent);
    this.playback?.detach();
    this.playback = null;
    this.attachedId = null;
    this.attachedVideo = null;
  }
}

customElements.define('td-review-player', ReviewPlayer);

declare global {
  interface HTMLElementTagNameMap {
    'td-review-player': ReviewPlayer;
  }
  interface HTMLElementEventMap {
    'td-review-time': CustomEvent<{ wallClockMs: number }>;
  }
}
