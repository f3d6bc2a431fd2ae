import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { RecordingStore } from '../../storage/recording-store.ts';
import type { Recording } from '../../storage/types.ts';
import { coalesced } from '../shared/coalesced.ts';
import { sharedStyles } from '../shared/styles.ts';
import './recording-item.ts';
import { canResume, type ResumeRecordingDetail } from './recording-item.ts';

/** The renditions of a recording that has none: one array, so that its item is not re-rendered for a new one at every change. */
const NO_RENDITIONS: readonly Recording[] = Object.freeze([]);

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
  /** Recordings changed since the list was read, or 'all' (a change naming none, or no list yet). */
  private changed: Set<string> | 'all' = 'all';

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
    this.unsubscribe = this.store.on('change', ({ recordingId }) => {
      if (recordingId === null) this.changed = 'all';
      else if (this.changed !== 'all') this.changed.add(recordingId);
      void this.reload();
    });
    this.changed = 'all';
    void this.reload();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /**
   * Brings the list up to date; calls during a reload coalesce into one more reload. Only the
   * recordings a change named are read again: a capture reports a change for every segment it
   * stores, and a library of thousands of recordings took about half a second to read whole.
   */
  private readonly reload = coalesced(async () => {
    const changed = this.changed;
    this.changed = new Set();
    if (changed === 'all' || this.recordings === null) {
      this.recordings = await this.store.list();
      return;
    }
    if (changed.size === 0) return;
    const fresh = await Promise.all([...changed].map((recordingId) => this.store.get(recordingId)));
    const kept = this.recordings.filter((recording) => !changed.has(recording.id));
    this.recordings = [...kept, ...fresh.filter((recording) => recording !== undefined)].sort(newestFirst);
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
                  html`<li><td-recording-item .recording=${recording} .renditions=${children.get(recording.id) ?? NO_RENDITIONS} .store=${this.store}></td-recording-item></li>`,
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

/** The order of {@link RecordingStore.list}: newest start first, then by id, descending (the index's order, reversed). */
function newestFirst(a: Recording, b: Recording): number {
  return b.startedAtMs - a.startedAtMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

customElements.define('td-library', LibraryView);

declare global {
  interface HTMLElementTagNameMap {
    'td-library': LibraryView;
  }
}
