import { LitElement, css, html, nothing } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import type { Camera } from '../../cameras/camera-store.ts';
import type { CameraCaptureStatus } from '../../cameras/continuous-recorder.ts';
import type { RelayCameraStatus } from '../../relay-client/relay-schemas.ts';
import { sharedStyles } from '../shared/styles.ts';
import { attachTilePlayer, type TilePlaybackState } from './tile-player.ts';

/** How a tile shows whether its camera is being recorded. */
export interface TileRecordingInfo {
  /** The camera is set to record continuously. */
  on: boolean;
  /** This tab's capture status, or null when another tab records (or none does). */
  capture: CameraCaptureStatus | null;
}

/** Words for the playback states, as the tile shows them. */
const STATE_WORDS: Record<TilePlaybackState, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline' };

/** Words for a camera's recording state. */
export function recordingWords(info: TileRecordingInfo): string {
  if (!info.on) return 'Not recording';
  if (!info.capture) return 'Recording in another tab';
  switch (info.capture.state) {
    case 'recording':
      return 'Recording';
    case 'starting':
      return 'Starting to record…';
    case 'interrupted':
      return `Recording interrupted: ${info.capture.message}`;
    case 'retrying':
      return `Recording paused: ${info.capture.message}`;
    case 'stopped':
      return 'Not recording';
  }
}

/**
 * `<td-camera-tile>`: one camera of the grid: its live picture (muted), name, playback state
 * (Live, Reconnecting…, Offline) and recording state, with buttons for full screen (or back to
 * the grid), recording on or off, and editing. The stream plays only while the tile is on
 * screen (IntersectionObserver): a tile scrolled away has no hls.js instance and downloads
 * nothing. Fires `td-camera-fullscreen` / `td-camera-record` / `td-camera-edit` with
 * `{ cameraId }` (`td-camera-record` with `{ cameraId, on }`).
 */
export class CameraTile extends LitElement {
  static override properties = {
    camera: { attribute: false },
    recording: { attribute: false },
    relayStatus: { attribute: false },
    liveSyncSegmentCount: { attribute: false },
    retryDelayMs: { attribute: false },
    stallRestartMs: { attribute: false },
    fullscreen: { type: Boolean, reflect: true },
    playback: { state: true },
    reason: { state: true },
    visible: { state: true },
  };

  declare camera: Camera;
  declare recording: TileRecordingInfo;
  /** For a relay camera: its status as the relay last reported it, else null. */
  declare relayStatus: RelayCameraStatus | null;
  declare liveSyncSegmentCount: number;
  declare retryDelayMs: number;
  /** See `cameras.tileStallRestartMs` in src/config.ts. */
  declare stallRestartMs: number;
  declare fullscreen: boolean;
  declare playback: TilePlaybackState;
  declare reason: string;
  /** Whether the tile is on screen (and so plays). */
  declare visible: boolean;

  private readonly video = createRef<HTMLVideoElement>();
  private detach: (() => void) | null = null;
  private playingUrl: string | null = null;
  private observer: IntersectionObserver | null = null;

  constructor() {
    super();
    this.recording = { on: false, capture: null };
    this.relayStatus = null;
    this.liveSyncSegmentCount = 2;
    this.retryDelayMs = 5000;
    this.stallRestartMs = 10_000;
    this.fullscreen = false;
    this.playback = 'connecting';
    this.reason = '';
    this.visible = false;
  }

  static override styles = [
    sharedStyles,
    css`
      :host {
        background: var(--td-surface, #fff);
        border: 1px solid var(--td-border, #8a8f98);
        border-radius: 10px;
        overflow: hidden;
        display: grid;
        grid-template-rows: auto 1fr;
      }
      video {
        width: 100%;
        aspect-ratio: 16 / 9;
        background: #000;
        display: block;
      }
      :host([fullscreen]) video {
        max-height: 75vh;
      }
      .info {
        padding: 0.5rem;
        display: grid;
        gap: 0.25rem;
      }
      h3 {
        margin: 0;
        font-size: 1rem;
      }
      p {
        margin: 0;
        font-size: 0.9rem;
      }
      .state[data-state='live'] {
        color: #0b6b2f;
        font-weight: 600;
      }
      .state[data-state='offline'] {
        color: var(--td-error, #b3261e);
        font-weight: 600;
      }
      .rec[data-on] {
        color: var(--td-accent, #b3261e);
        font-weight: 600;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.observer = new IntersectionObserver((entries) => {
      this.visible = entries.some((entry) => entry.isIntersecting);
    });
    this.observer.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
    this.observer = null;
    this.stopPlayer();
  }

  override updated(): void {
    const wanted = this.visible ? this.camera.streamUrl : null;
    if (wanted === this.playingUrl) return;
    this.stopPlayer();
    const video = this.video.value;
    if (!wanted || !video) return;
    try {
      this.detach = attachTilePlayer(video, wanted, {
        liveSyncSegmentCount: this.liveSyncSegmentCount,
        retryDelayMs: this.retryDelayMs,
        stallRestartMs: this.stallRestartMs,
        onState: (state, reason) => {
          this.playback = state;
          this.reason = reason;
        },
      });
      this.playingUrl = wanted;
    } catch (error) {
      this.playback = 'offline';
      this.reason = error instanceof Error ? error.message : String(error);
    }
  }

  override render() {
    const { camera } = this;
    const recordingOn = this.recording.on;
    const recWords = recordingWords(this.recording);
    const [state, reason] = this.shownState();
    return html`
      <video ${ref(this.video)} muted playsinline aria-label=${`${camera.name} live picture`}></video>
      <div class="info">
        <h3>${camera.name}</h3>
        <p class="state" data-state=${state} data-playback-state=${state}>
          ${STATE_WORDS[state]}${reason && state !== 'live' ? html` <span>(${reason})</span>` : nothing}
        </p>
        <p class="rec" ?data-on=${recordingOn} data-recording-state=${this.recording.capture?.state ?? (recordingOn ? 'elsewhere' : 'off')}>${recWords}</p>
        <div class="buttons">
          <button type="button" aria-label=${this.fullscreen ? 'Back to grid' : `Full screen: ${camera.name}`} @click=${() => this.fire('td-camera-fullscreen', {})}>
            ${this.fullscreen ? 'Back to grid' : 'Full screen'}
          </button>
          <button type="button" aria-label=${recordingOn ? `Stop recording ${camera.name}` : `Record ${camera.name}`} @click=${() => this.fire('td-camera-record', { on: !recordingOn })}>
            ${recordingOn ? 'Stop recording' : 'Record'}
          </button>
          <button type="button" aria-label=${`Edit ${camera.name}`} @click=${() => this.fire('td-camera-edit', {})}>Edit</button>
        </div>
      </div>
    `;
  }

  /**
   * What the tile says: its own playback state, except that for a relay camera not playing yet
   * the relay's word wins when the relay knows the camera is offline or reconnecting (the relay
   * holds a playlist request open while it tries the camera, so the player alone would only
   * say Connecting…).
   */
  private shownState(): [TilePlaybackState, string] {
    const relay = this.relayStatus;
    if (this.playback !== 'live' && relay) {
      if (relay.state === 'offline') return ['offline', relay.lastError ?? 'the relay cannot reach the camera'];
      if (relay.state === 'reconnecting') return ['reconnecting', relay.lastError ?? ''];
      if (relay.state === 'disabled') return ['offline', 'disabled on the relay'];
    }
    return [this.playback, this.reason];
  }

  private fire(type: string, extra: Record<string, unknown>): void {
    this.dispatchEvent(new CustomEvent(type, { detail: { cameraId: this.camera.id, ...extra }, bubbles: true, composed: true }));
  }

  private stopPlayer(): void {
    this.detach?.();
    this.detach = null;
    this.playingUrl = null;
  }
}

customElements.define('td-camera-tile', CameraTile);

declare global {
  interface HTMLElementTagNameMap {
    'td-camera-tile': CameraTile;
  }
}
