import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { RecordingStore } from '../../storage/recording-store.ts';
import type { Recording } from '../../storage/types.ts';
import { coalesced } from '../shared/coalesced.ts';
import { sharedStyles } from '../shared/styles.ts';
import './recording-item.ts';

/**
 * `<td-library>`: the Library region, listing every recording newest first. It reloads the
 * list whenever the store reports a change, in this tab or another.
 */
export class LibraryView extends LitElement {
  static override properties = {
    store: { attribute: false },
    recordings: { state: true },
  };

  declare store: RecordingStore;
  declare recordings: Recording[] | null;
  private unsubscribe: (() => void) | null = null;

  constructor() {
    super();
    this.recordings = null;
  }

  static override styles = [
    sharedStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      h2 {
        margin: 0 0 0.5rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = this.store.on('change', () => void this.reload());
    void this.reload();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Reloads the list; calls during a reload coalesce into one more reload. */
  private readonly reload = coalesced(async () => {
    this.recordings = await this.store.list();
  });

  override render() {
    return html`<section aria-labelledby="library-heading">
      <h2 id="library-heading">Library</h2>
      ${this.recordings === null
        ? html`<p>Loading…</p>`
        : this.recordings.length === 0
          ? html`<p>No recordings yet. Enter a stream URL above and press Record.</p>`
          : html`<ul>
              ${repeat(
                this.recordings,
                (recording) => recording.id,
                (recording) => html`<li><td-recording-item .recording=${recording} .store=${this.store}></td-recording-item></li>`,
              )}
            </ul>`}
    </section>`;
  }
}

customElements.define('td-library', LibraryView);

declare global {
  interface HTMLElementTagNameMap {
    'td-library': LibraryView;
  }
}
