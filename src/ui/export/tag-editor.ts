import { LitElement, css, html } from 'lit';
import { exportTags, type ExportTags } from '../../export/tags.ts';
import type { RecordingTags } from '../../schedule/types.ts';
import type { RecordingStore } from '../../storage/recording-store.ts';
import type { Recording } from '../../storage/types.ts';
import { sharedStyles } from '../shared/styles.ts';

const FIELDS: { key: keyof ExportTags; label: string; type?: string }[] = [
  { key: 'title', label: 'Title' },
  { key: 'artist', label: 'Artist' },
  { key: 'album', label: 'Album' },
  { key: 'genre', label: 'Genre' },
  { key: 'date', label: 'Date', type: 'date' },
  { key: 'comment', label: 'Comment' },
];

/**
 * `<td-tag-editor>`: the inline form that edits the tags exported files carry (Title, Artist,
 * Album, Genre, Date, Comment), filled with {@link exportTags} of the recording. Save tags
 * stores them with `RecordingStore.update(id, { tags })`: a field equal to its default is not
 * stored (it follows the recording), a field emptied is stored as '' (the file then goes
 * without that tag). The recording's own title is left alone. Fires `td-tags-closed` after
 * saving or on Cancel.
 */
export class TagEditor extends LitElement {
  static override properties = {
    recording: { attribute: false },
    store: { attribute: false },
    message: { state: true },
  };

  declare recording: Recording;
  declare store: RecordingStore;
  declare message: string;

  constructor() {
    super();
    this.message = '';
  }

  static override styles = [
    sharedStyles,
    css`
      form {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr));
        gap: 0.5rem;
        margin: 0.5rem 0;
      }
      label {
        display: flex;
        flex-direction: column;
        gap: 0.2rem;
      }
      .buttons {
        display: flex;
        gap: 0.5rem;
        align-items: end;
      }
    `,
  ];

  override render() {
    const tags = exportTags(this.recording);
    return html`<form aria-label="Tags" @submit=${this.save}>
        ${FIELDS.map((field) => html`<label>${field.label}<input name=${field.key} type=${field.type ?? 'text'} .value=${tags[field.key]} /></label>`)}
        <div class="buttons">
          <button type="submit" class="primary">Save tags</button>
          <button type="button" @click=${this.close}>Cancel</button>
        </div>
      </form>
      <p role="alert" class="error">${this.message}</p>`;
  }

  private close = () => {
    this.dispatchEvent(new CustomEvent('td-tags-closed', { bubbles: true, composed: true }));
  };

  private save = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    // Values equal to the defaults are not stored, so that they follow a later rename.
    const defaults = exportTags({ ...this.recording, tags: undefined });
    const tags: RecordingTags = {};
    for (const field of FIELDS) {
      const value = (form.elements.namedItem(field.key) as HTMLInputElement).value.trim();
      if (value !== defaults[field.key]) tags[field.key] = value;
    }
    try {
      await this.store.update(this.recording.id, { tags });
      this.close();
    } catch (error) {
      this.message = `Could not save the tags: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
}

customElements.define('td-tag-editor', TagEditor);

declare global {
  interface HTMLElementTagNameMap {
    'td-tag-editor': TagEditor;
  }
  interface HTMLElementEventMap {
    'td-tags-closed': CustomEvent<void>;
  }
}
