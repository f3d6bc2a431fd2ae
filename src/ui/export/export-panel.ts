import { LitElement, css, html, nothing } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import { repeat } from 'lit/directives/repeat.js';
import { downloadFileName, ExportError, exportFileType, exportRecording, formatFileType, saveToDownloads, type ExportedFile, type ExportFileType } from '../../export/exporter.ts';
import type { ExportFormat } from '../../export/messages.ts';
import type { Mp3BitrateKbps } from '../../export/mp3-encode.ts';
import { readTags, type ExportTags } from '../../export/tags.ts';
import { DEFAULT_TRANSCODE_AUDIO, VIDEO_QUALITIES, type TranscodeSettings } from '../../export/transcode/settings.ts';
import './trim-editor.ts';
import type { TrimEditor } from './trim-editor.ts';
import type { Recording } from '../../storage/types.ts';
import { sharedStyles } from '../shared/styles.ts';

/**
 * A choice of the Format select: a format, for MP3 its bitrate, and the re-encoded choices
 * (ffmpeg.wasm, or WebCodecs for Opus): smaller AAC, loudness-normalised AAC, Opus, smaller MP4.
 */
export type FormatChoice = 'mp4' | 'm4a' | 'mkv' | 'ts' | 'mp3-128' | 'mp3-192' | 'mp3-320' | 'm4a-aac-96' | 'm4a-loudnorm' | 'ogg-opus-64' | 'mp4-small' | 'mp4-medium';

const CHOICES: { value: FormatChoice; label: string; video?: boolean }[] = [
  { value: 'mp4', label: 'MP4 (video)', video: true },
  { value: 'm4a', label: 'M4A (audio)' },
  { value: 'mkv', label: 'MKV' },
  { value: 'ts', label: 'Original segments as one file (.ts, .mp4, .aac or .mp3)' },
  { value: 'mp3-128', label: 'MP3 128 kb/s' },
  { value: 'mp3-192', label: 'MP3 192 kb/s' },
  { value: 'mp3-320', label: 'MP3 320 kb/s' },
  { value: 'm4a-aac-96', label: 'AAC 96 kb/s (smaller M4A, re-encoded)' },
  { value: 'm4a-loudnorm', label: 'M4A, loudness normalised (-16 LUFS)' },
  { value: 'ogg-opus-64', label: 'Opus 64 kb/s (Ogg)' },
  { value: 'mp4-small', label: 'MP4 smaller: H.264 360p (re-encoded)', video: true },
  { value: 'mp4-medium', label: 'MP4 smaller: H.264 720p (re-encoded)', video: true },
];

/** What a Format choice exports: the format, the MP3 bitrate (kb/s), and the re-encode if any. */
export function parseFormatChoice(choice: FormatChoice): { format: ExportFormat; bitrateKbps: Mp3BitrateKbps; transcode: TranscodeSettings | null } {
  const aac96 = { codec: 'aac', bitrateKbps: 96, loudnorm: false } as const;
  switch (choice) {
    case 'm4a-aac-96':
      return { format: 'm4a', bitrateKbps: 192, transcode: { audio: aac96, video: null, burnWallClock: false } };
    case 'm4a-loudnorm':
      return { format: 'm4a', bitrateKbps: 192, transcode: { audio: { ...DEFAULT_TRANSCODE_AUDIO, loudnorm: true }, video: null, burnWallClock: false } };
    case 'ogg-opus-64':
      return { format: 'ogg', bitrateKbps: 192, transcode: { audio: { codec: 'opus', bitrateKbps: 64, loudnorm: false }, video: null, burnWallClock: false } };
    case 'mp4-small':
      return { format: 'mp4', bitrateKbps: 192, transcode: { audio: aac96, video: { ...VIDEO_QUALITIES.small }, burnWallClock: false } };
    case 'mp4-medium':
      return { format: 'mp4', bitrateKbps: 192, transcode: { audio: { ...DEFAULT_TRANSCODE_AUDIO }, video: { ...VIDEO_QUALITIES.medium }, burnWallClock: false } };
    default:
      if (choice.startsWith('mp3-')) return { format: 'mp3', bitrateKbps: Number(choice.slice(4)) as Mp3BitrateKbps, transcode: null };
      return { format: choice as ExportFormat, bitrateKbps: 192, transcode: null };
  }
}

/** "about 12 s left" from the time spent, in ms, and the share done, 0..1; '' too early to tell. */
export function etaText(elapsedMs: number, fraction: number): string {
  if (fraction < 0.02 || fraction >= 1 || elapsedMs < 500) return '';
  const leftSec = Math.ceil(((elapsedMs / fraction) * (1 - fraction)) / 1000);
  return leftSec < 60 ? `about ${leftSec} s left` : `about ${Math.ceil(leftSec / 60)} min left`;
}

/** The File System Access API's save dialog, where the browser has it (Chromium). */
type SaveFilePicker = (options: { suggestedName: string; types: { description: string; accept: Record<string, string[]> }[] }) => Promise<FileSystemFileHandle>;

function saveFilePicker(): SaveFilePicker | null {
  const picker = (window as unknown as { showSaveFilePicker?: SaveFilePicker }).showSaveFilePicker;
  return typeof picker === 'function' ? picker.bind(window) : null;
}

const TAG_LABELS: [keyof ExportTags, string][] = [
  ['title', 'Title'],
  ['artist', 'Artist'],
  ['album', 'Album'],
  ['genre', 'Genre'],
  ['date', 'Date'],
  ['comment', 'Comment'],
];

/**
 * `<td-export-panel>`: a recording's export controls: Format (MP4, M4A, MKV, MPEG-TS, MP3 at
 * 128/192/320 kb/s, and re-encoded: AAC 96 kb/s, loudness-normalised M4A, Opus in Ogg, smaller
 * H.264 MP4 at 360p or 720p), **Burn in the time** (MP4 of a video recording), **Trim**
 * (`<td-trim-editor>`: in and out points with a preview, cut at keyframes or frame-exact), Download (an OPFS file handed to the browser's downloads) and, where the
 * browser has `showSaveFilePicker`, Save as… (written straight into the picked file); a
 * progress bar with the time left and Cancel; errors as clear messages; and, after an export,
 * the tags read back from the file with music-metadata.
 */
export class ExportPanel extends LitElement {
  static override properties = {
    recording: { attribute: false },
    choice: { state: true },
    fraction: { state: true },
    eta: { state: true },
    message: { state: true },
    notice: { state: true },
    fileTags: { state: true },
    trimming: { state: true },
    burnWallClock: { state: true },
    originalFileType: { state: true },
  };

  declare recording: Recording;
  declare choice: FormatChoice | null;
  declare fraction: number | null;
  declare eta: string;
  declare message: string;
  declare notice: string;
  declare fileTags: ExportTags | null;
  /** The Trim editor is open: only its range is exported. */
  declare trimming: boolean;
  /** Burn the wall-clock time into the picture (MP4 choices of video recordings). */
  declare burnWallClock: boolean;
  /**
   * The file type of the original segments of a recording (by id), read from its first segment
   * as soon as that choice is made: Save as… must open its dialog within the click (Chromium
   * refuses a file picker once the user's gesture has expired), so it cannot wait for a
   * database read and a module load there. The choice's label names it too.
   */
  declare originalFileType: { recordingId: string; type: ExportFileType } | null;
  /** The recording whose original file type was last asked for. */
  private originalTypeReadFor: string | null = null;
  private abort: AbortController | null = null;
  private readonly trimEditor = createRef<TrimEditor>();

  constructor() {
    super();
    this.choice = null;
    this.fraction = null;
    this.eta = '';
    this.message = '';
    this.notice = '';
    this.fileTags = null;
    this.trimming = false;
    this.burnWallClock = false;
    this.originalFileType = null;
  }

  static override styles = [
    sharedStyles,
    css`
      :host {
        margin-top: 0.5rem;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      /* The longest format name must not widen a phone's screen: the select shrinks instead. */
      .row > label {
        display: inline-flex;
        align-items: center;
        gap: 0.4rem;
        min-width: 0;
        max-width: 100%;
      }
      .row > label > select {
        min-width: 0;
        flex: 0 1 auto;
      }
      progress {
        width: 10rem;
        max-width: 100%;
      }
      .file-tags {
        margin: 0.25rem 0 0;
        overflow-wrap: anywhere;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
  }

  private get chosen(): FormatChoice {
    return this.choice ?? (this.recording.kind === 'audio' ? 'm4a' : 'mp4');
  }

  override updated(): void {
    // A recording's first segment, once stored, keeps its container: it is read once.
    const recordingId = this.recording.id;
    if (this.chosen !== 'ts' || this.recording.segmentCount === 0 || this.originalTypeReadFor === recordingId) return;
    this.originalTypeReadFor = recordingId;
    exportFileType(this.recording, 'ts').then(
      (type) => {
        if (this.recording.id === recordingId) this.originalFileType = { recordingId, type };
      },
      // Save as… reads it again, and shows the error then.
      () => undefined,
    );
  }

  /** The file type of the recording's original segments, once read (see {@link originalFileType}). */
  private get originalType(): ExportFileType | null {
    const original = this.originalFileType;
    return original && original.recordingId === this.recording.id ? original.type : null;
  }

  private choiceLabel(choice: (typeof CHOICES)[number]): string {
    const original = choice.value === 'ts' ? this.originalType : null;
    return original ? `Original segments as one file (.${original.extension})` : choice.label;
  }

  override render() {
    const empty = this.recording.segmentCount === 0;
    const canPick = saveFilePicker() !== null;
    const isVideo = this.recording.kind !== 'audio';
    const videoChoice = CHOICES.find((c) => c.value === this.chosen)?.video === true;
    return html`<div class="row">
        <label
          >Format
          <select .value=${this.chosen} @change=${(e: Event) => (this.choice = (e.target as HTMLSelectElement).value as FormatChoice)}>
            ${repeat(
              CHOICES.filter((c) => isVideo || !c.video),
              // Keyed: when the video choices go (the recording turns out to be audio), the
              // chosen option element must stay itself, not be relabelled as its neighbour.
              (c) => c.value,
              (c) => html`<option value=${c.value} .selected=${this.chosen === c.value}>${this.choiceLabel(c)}</option>`,
            )}
          </select></label
        >
        ${isVideo && videoChoice
          ? html`<label><input type="checkbox" .checked=${this.burnWallClock} @change=${(e: Event) => (this.burnWallClock = (e.target as HTMLInputElement).checked)} /> Burn in the time</label>`
          : nothing}
        <label><input type="checkbox" .checked=${this.trimming} @change=${(e: Event) => (this.trimming = (e.target as HTMLInputElement).checked)} ?disabled=${empty} /> Trim</label>
        ${this.fraction === null
          ? html`<button type="button" @click=${() => this.run(null)} ?disabled=${empty}>Download</button>
              ${canPick ? html`<button type="button" @click=${this.saveAs} ?disabled=${empty}>Save as…</button>` : nothing}`
          : html`<progress aria-label="Export progress" max="1" .value=${this.fraction}></progress>
              <span class="eta" aria-live="polite">${this.eta}</span>
              <button type="button" @click=${() => this.abort?.abort()}>Cancel</button>`}
      </div>
      ${this.trimming ? html`<td-trim-editor ${ref(this.trimEditor)} .recording=${this.recording}></td-trim-editor>` : nothing}
      <p role="alert" class="error">${this.message || nothing}</p>
      ${this.notice ? html`<p role="status">${this.notice}</p>` : nothing}
      ${this.fileTags ? html`<p class="file-tags">Tags in the file: ${TAG_LABELS.filter(([key]) => this.fileTags![key]).map(([key, label]) => `${label} ${this.fileTags![key]}`).join(', ')}</p>` : nothing}`;
  }

  private saveAs = async () => {
    const picker = saveFilePicker();
    if (!picker) return;
    const { format } = parseFormatChoice(this.chosen);
    this.message = '';
    this.notice = '';
    let handle: FileSystemFileHandle;
    try {
      // Known (as it is once the choice's label names it), the dialog opens within the click.
      const type = formatFileType(format) ?? this.originalType ?? (await exportFileType(this.recording, format));
      handle = await picker({ suggestedName: downloadFileName(this.recording.title, type.extension), types: [{ description: type.description, accept: { [type.mime]: [`.${type.extension}`] } }] });
    } catch (error) {
      this.message = error instanceof DOMException && error.name === 'AbortError' ? 'Save cancelled: nothing was written.' : `Could not open the save dialog: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    await this.run(handle);
  };

  /** Exports the recording, into `handle` or else to the browser's downloads. */
  private run = async (handle: FileSystemFileHandle | null) => {
    const { format, bitrateKbps, transcode } = parseFormatChoice(this.chosen);
    const range = this.trimming ? (this.trimEditor.value?.range ?? null) : null;
    const burnWallClock = this.burnWallClock && this.recording.kind !== 'audio' && format === 'mp4';
    this.message = '';
    this.notice = '';
    this.fileTags = null;
    this.fraction = 0;
    this.eta = '';
    this.abort = new AbortController();
    const startedMs = performance.now();
    let exported: ExportedFile;
    try {
      exported = await exportRecording(this.recording, {
        format,
        bitrateKbps,
        transcode,
        range,
        burnWallClock,
        ...(handle ? { fileHandle: handle } : {}),
        signal: this.abort.signal,
        onProgress: (fraction) => {
          this.fraction = fraction;
          this.eta = etaText(performance.now() - startedMs, fraction);
        },
      });
    } catch (error) {
      if (!(error instanceof ExportError && error.code === 'cancelled')) this.message = error instanceof Error ? error.message : String(error);
      return;
    } finally {
      this.fraction = null;
      this.abort = null;
    }
    if (handle) this.notice = [`Saved as ${handle.name}.`, ...exported.warnings].join(' ');
    else {
      this.notice = exported.warnings.join(' ');
      saveToDownloads(exported.file, exported.downloadName);
    }
    if (format === 'ts') return;
    try {
      this.fileTags = await readTags(exported.file);
    } catch {
      this.fileTags = null;
    }
  };
}

customElements.define('td-export-panel', ExportPanel);

declare global {
  interface HTMLElementTagNameMap {
    'td-export-panel': ExportPanel;
  }
}
