import { LitElement, css, html, nothing } from 'lit';
import { defaultConfig } from '../../config.ts';
import { TEMPLATE_MARK } from '../../capture/url-template.ts';
import '../export/export-panel.ts';
import '../export/tag-editor.ts';
import type { RecordingStore } from '../../storage/recording-store.ts';
import type { Recording } from '../../storage/types.ts';
import { formatBytes, formatDateTime, formatDuration } from '../shared/format.ts';
import { listItemStyles } from '../shared/list-item-styles.ts';
import { sharedStyles } from '../shared/styles.ts';

/** Detail of `td-play-recording`: which recording to play. */
export interface PlayRecordingDetail {
  recordingId: string;
}

/**
 * Detail of `td-resume-recording`: continue this recording (same id) from its source; the live
 * view hears it on the document and records with `RecordRequest.resumeRecordingId`.
 */
export interface ResumeRecordingDetail {
  recordingId: string;
  /** The recording's source URL. */
  url: string;
}

/** Scheduled starts later than this are shown as late, in ms (the scheduler's grace). */
const LATE_NOTE_MS = defaultConfig.schedule.lateStartGraceMs;

const STATUS_LABELS: Record<Recording['status'], string> = {
  recording: 'Recording',
  complete: 'Complete',
  interrupted: 'Interrupted',
};

/**
 * `<td-recording-item>`: one recording in the library, with Play, Rename, Delete, Edit tags
 * (`<td-tag-editor>`) and the export controls (`<td-export-panel>`: Format, Download, Save as…),
 * which are hidden while the title is being edited, since exported files are named after it.
 * Fires `td-play-recording` ({@link PlayRecordingDetail}) when Play is pressed.
 */
export class RecordingItem extends LitElement {
  static override properties = {
    recording: { attribute: false },
    renditions: { attribute: false },
    store: { attribute: false },
    editing: { state: true },
    confirmingDelete: { state: true },
    editingTags: { state: true },
    message: { state: true },
  };

  declare recording: Recording;
  /** Alternate renditions recorded alongside (child recordings), shown as a note; none by default. */
  declare renditions: Recording[];
  declare store: RecordingStore;
  declare editing: boolean;
  declare confirmingDelete: boolean;
  declare editingTags: boolean;
  declare message: string;

  constructor() {
    super();
    this.editing = false;
    this.confirmingDelete = false;
    this.editingTags = false;
    this.message = '';
    this.renditions = [];
  }

  static override styles = [
    sharedStyles,
    listItemStyles,
    css`
      .facts {
        margin: 0 0 0.5rem;
        color: var(--td-muted, #4a4f57);
        font-variant-numeric: tabular-nums;
      }
      .actions,
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      form input {
        flex: 1 1 12rem;
        min-width: 0;
      }
    `,
  ];

  override render() {
    const r = this.recording;
    const gaps = describeGaps(r);
    return html`
      ${this.editing ? this.renderRenameForm() : html`<h3>${r.title}</h3>`}
      <p class="facts">
        ${formatDateTime(r.startedAtMs)} · <span data-duration-sec=${r.durationSec}>${formatDuration(r.durationSec)}</span> ·
        ${formatBytes(r.bytes)} · <span class="status">${STATUS_LABELS[r.status]}</span> · <span class="gaps">${gaps}</span>${r.schedule
          ? html` · <span class="scheduled">${r.schedule.lateByMs >= LATE_NOTE_MS ? `scheduled, started ${Math.round(r.schedule.lateByMs / 1000)} s late` : 'scheduled'}</span>`
          : nothing}${this.renditions.length
          ? html` · <span class="renditions">with ${this.renditions.map(renditionName).join(', ')}</span>`
          : nothing}
      </p>
      <div class="actions">
        <button type="button" @click=${this.play} ?disabled=${r.segmentCount === 0}>Play</button>
        ${canResume(r) ? html`<button type="button" @click=${this.resume}>Resume</button>` : nothing}
        <button type="button" @click=${() => (this.editing = true)} ?hidden=${this.editing}>Rename</button>
        ${this.confirmingDelete
          ? html`<button type="button" class="primary" @click=${this.delete}>Delete for good</button>
              <button type="button" @click=${() => (this.confirmingDelete = false)}>Keep</button>`
          : html`<button type="button" @click=${() => (this.confirmingDelete = true)} ?disabled=${r.status === 'recording'}>Delete</button>`}
        <button type="button" @click=${() => (this.editingTags = true)} ?hidden=${this.editingTags}>Edit tags</button>
      </div>
      ${this.editing ? nothing : html`<td-export-panel .recording=${r}></td-export-panel>`}
      ${this.editingTags ? html`<td-tag-editor .recording=${r} .store=${this.store} @td-tags-closed=${() => (this.editingTags = false)}></td-tag-editor>` : nothing}
      <p role="alert" class="error">${this.message || nothing}</p>
    `;
  }

  private renderRenameForm() {
    return html`<form @submit=${this.saveTitle}>
      <input name="title" aria-label="Title" .value=${this.recording.title} required />
      <button type="submit">Save</button>
      <button type="button" @click=${() => (this.editing = false)}>Cancel</button>
    </form>`;
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('editing') && this.editing) this.renderRoot.querySelector<HTMLInputElement>('input[name=title]')?.select();
  }

  private play = () => {
    this.dispatchEvent(new CustomEvent<PlayRecordingDetail>('td-play-recording', { detail: { recordingId: this.recording.id }, bubbles: true, composed: true }));
  };

  private resume = () => {
    const detail: ResumeRecordingDetail = { recordingId: this.recording.id, url: this.recording.sourceUrl };
    this.dispatchEvent(new CustomEvent<ResumeRecordingDetail>('td-resume-recording', { detail, bubbles: true, composed: true }));
  };

  private saveTitle = async (event: SubmitEvent) => {
    event.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('input[name=title]')!;
    try {
      await this.store.rename(this.recording.id, input.value);
      this.editing = false;
      this.message = '';
    } catch (error) {
      this.message = error instanceof Error ? error.message : String(error);
    }
  };

  private delete = async () => {
    try {
      await this.store.delete(this.recording.id);
    } catch (error) {
      this.message = `Could not delete: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
}

customElements.define('td-recording-item', RecordingItem);

declare global {
  interface HTMLElementTagNameMap {
    'td-recording-item': RecordingItem;
  }
  interface HTMLElementEventMap {
    'td-play-recording': CustomEvent<PlayRecordingDetail>;
    'td-resume-recording': CustomEvent<ResumeRecordingDetail>;
  }
}

/**
 * A recording's gaps in words: `no gaps`, `3 segments missing (0:06)`, or with outages (pauses,
 * closed tabs), `paused or closed for 1:05` as well.
 */
export function describeGaps(recording: Recording): string {
  const outages = recording.gaps.filter((gap) => gap.reason === 'outage');
  const outageSec = outages.reduce((sum, gap) => sum + gap.durationSec, 0);
  const outageCount = outages.reduce((sum, gap) => sum + gap.count, 0);
  const missingCount = recording.gapCount - outageCount;
  const missingSec = recording.gapSec - outageSec;
  const parts: string[] = [];
  if (missingCount > 0) parts.push(`${missingCount} segments missing (${formatDuration(missingSec)})`);
  if (outages.length) parts.push(`paused or closed for ${formatDuration(outageSec)}`);
  return parts.length ? parts.join(', ') : 'no gaps';
}

/** An alternate rendition as named in its title, e.g. `audio: English` (RenditionRecorders titles). */
function renditionName(child: Recording): string {
  return /\(((?:audio|subtitles): .*)\)$/.exec(child.title)?.[1] ?? child.title;
}

/**
 * True for a recording the library offers to resume: interrupted (a closed or crashed tab), made
 * from a playlist or from a URL template stored with it (templates recorded by older versions
 * were not), and neither a rendition nor a camera's (the cameras feature resumes its own).
 */
export function canResume(recording: Recording): boolean {
  const templateNotStored = recording.urlTemplate === undefined && recording.sourceUrl.includes(TEMPLATE_MARK);
  return recording.status === 'interrupted' && !templateNotStored && !recording.parentRecordingId && !recording.cameraId;
}
