import { LitElement, css, html, nothing } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import { attachRecording, type Detach } from '../../player/attach.ts';
import type { RecordingStore } from '../../storage/recording-store.ts';
import type { Recording } from '../../storage/types.ts';
import { sharedStyles } from '../shared/styles.ts';

/**
 * `<td-recording-player>`: plays one stored recording from IndexedDB (no network needed).
 * Fires `td-close-player` when closed.
 */
export class RecordingPlayer extends LitElement {
  static override properties = {
    store: { attribute: false },
    recording: { attribute: false },
    message: { state: true },
  };

  declare store: RecordingStore;
  declare recording: Recording | null;
  declare message: string;
  private detach: Detach | null = null;
  private attachedId: string | null = null;
  private readonly video = createRef<HTMLVideoElement>();

  constructor() {
    super();
    this.recording = null;
    this.message = '';
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
    `,
  ];

  override render() {
    if (!this.recording) return nothing;
    return html`<section aria-label="Player">
      <header>
        <h2>${this.recording.title}</h2>
        <button type="button" @click=${this.close}>Close player</button>
      </header>
      <video ${ref(this.video)} controls playsinline aria-label="Recording playback"></video>
      <p role="alert" class="error">${this.message || nothing}</p>
    </section>`;
  }

  override updated(): void {
    const video = this.video.value;
    const id = this.recording?.id ?? null;
    if (id === this.attachedId) return;
    this.teardown();
    if (!id || !video) return;
    this.message = '';
    try {
      this.detach = attachRecording(video, id, this.store, (message) => (this.message = message));
      this.attachedId = id;
      void video.play().catch(() => undefined);
    } catch (error) {
      this.message = error instanceof Error ? error.message : String(error);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.teardown();
  }

  private teardown(): void {
    this.detach?.();
    this.detach = null;
    this.attachedId = null;
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
