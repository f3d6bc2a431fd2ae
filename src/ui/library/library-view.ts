import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { RecordingStore } from '../../storage/recording-store.ts';
import type { Recording } from '../../storage/types.ts';
import { coalesced } from '../shared/coalesced.ts';
import { sharedStyles } from '../shared/styles.ts';
import './recording-item.ts';
import { canResume, type ResumeRecordingDetail } from './recording-item.ts';

/**
 * `<td-library>`: the Library region, listing every recording newest first. Alternate
 * renditions (child recordings) are not listed on their own but noted on their main recording.
 * Recordings left interrupted (a closed or crashed tab) are offered for resuming at the top,
 * until resumed or dismissed. It reloads the list whenever the store reports a change, in this
 * tab or another.
 */
export class LibraryView extends LitElement {
  static override properties = {
    store: { attribute: false },
    recordings: { state: true },
    dismissed: { state: true },
  };

  declare store: RecordingStore;
  declare recordings: Recording[] | null;
  /** Interrupted recordings whose resume offer was dismissed in this page. */
  declare dismissed: ReadonlySet<string>;
  private unsubscribe: (() => void) | null = null;

  constructor() {
    super();
    this.recordings = null;
    this.dismissed = new Set();
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
      .offer {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        margin: 0 0 0.5rem;
        padding: 0.5rem 0.75rem;
        border: 1px solid var(--td-border, #8a8f98);
        border-radius: 8px;
      }
      .offer p {
        margin: 0;
        flex: 1 1 14rem;
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
    const all = this.recordings;
    const main = all?.filter((recording) => !recording.parentRecordingId) ?? [];
    const children = new Map<string, Recording[]>();
    for (const recording of all ?? []) {
      if (recording.parentRecordingId) children.set(recording.parentRecordingId, [...(children.get(recording.parentRecordingId) ?? []), recording]);
    }
    for (const list of children.values()) list.sort((a, b) => a.title.localeCompare(b.title));
    const offers = main.filter((recording) => canResume(recording) && !this.dismissed.has(recording.id));
    return html`<section aria-labelledby="library-heading">
      <h2 id="library-heading">Library</h2>
      ${offers.map(
        (recording) => html`<div class="offer" role="status" data-resume-offer=${recording.id}>
          <p>"${recording.title}" was interrupted (the page was closed or reloaded). Resume it into the same recording?</p>
          <button type="button" class="primary" @click=${() => this.resume(recording)}>Resume</button>
          <button type="button" @click=${() => (this.dismissed = new Set([...this.dismissed, recording.id]))}>Not now</button>
        </div>`,
      )}
      ${all === null
        ? html`<p>Loading…</p>`
        : main.length === 0
          ? html`<p>No recordings yet. Enter a stream URL above and press Record.</p>`
          : html`<ul>
              ${repeat(
                main,
                (recording) => recording.id,
                (recording) =>
                  html`<li><td-recording-item .recording=${recording} .renditions=${children.get(recording.id) ?? []} .store=${this.store}></td-recording-item></li>`,
              )}
            </ul>`}
    </section>`;
  }

  private resume(recording: Recording): void {
    this.dismissed = new Set([...this.dismissed, recording.id]);
    const detail: ResumeRecordingDetail = { recordingId: recording.id, url: recording.sourceUrl };
    this.dispatchEvent(new CustomEvent<ResumeRecordingDetail>('td-resume-recording', { detail, bubbles: true, composed: true }));
  }
}

customElements.define('td-library', LibraryView);

declare global {
  interface HTMLElementTagNameMap {
    'td-library': LibraryView;
  }
}
