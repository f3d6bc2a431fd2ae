import { defaultConfig } from '../config.ts';
import { DB_NAME } from '../storage/db.ts';
import { RecordingStore } from '../storage/recording-store.ts';
import type { Recording } from '../storage/types.ts';
import type { ExportFormat, RemuxCancel, RemuxRequest, RemuxWorkerMessage } from './messages.ts';
import type { Mp3BitrateKbps } from './mp3-encode.ts';
import type { OriginalFileExtension } from './recording-runs.ts';
import { exportTags, type ExportTags } from './tags.ts';
import { checkTranscodeSettings, DEFAULT_TRANSCODE_AUDIO, VIDEO_QUALITIES, type TranscodeSettings } from './transcode/settings.ts';
import { playbackDurationSec } from '../storage/playback-timeline.ts';
import { checkRange, type ExportRange } from './trim/range.ts';

/** Why an export failed, for the UI. */
export class ExportError extends Error {
  constructor(
    message: string,
    /** `cancelled` when the user cancelled; `storage-full` when the disk or quota was full. */
    readonly code: 'cancelled' | 'storage-full' | 'failed',
  ) {
    super(message);
    this.name = 'ExportError';
  }
}

/** Options of {@link exportRecording}. */
export interface ExportOptions {
  format: ExportFormat;
  /** MP3 bitrate in kb/s; 192 when not given. Ignored by other formats. */
  bitrateKbps?: Mp3BitrateKbps;
  /** Tags to write; {@link exportTags} of the recording when not given. */
  tags?: ExportTags;
  /**
   * Re-encode with ffmpeg.wasm (MP4, M4A or Ogg): smaller H.264, AAC or Opus, loudness
   * normalisation. Not given: remux (MP4, M4A, MKV), join (MPEG-TS) or MP3, except for Ogg (Opus
   * 96 kb/s), a frame-exact range and `burnWallClock`, which re-encode with the defaults (H.264
   * CRF 20 at the recording's size, AAC 128 kb/s).
   */
  transcode?: TranscodeSettings | null;
  /**
   * Export only this part of the recording, in seconds of it: `keyframe` cuts without
   * re-encoding (MP4, M4A, MKV start at the keyframe before the in point; MPEG-TS and packed
   * MP3 keep whole segments), `exact` re-encodes (MP4, M4A, Ogg) and is frame-exact. MP3 encoded
   * from the recording's audio is cut at the sample in either mode.
   */
  range?: ExportRange | null;
  /** Burns the recording's wall-clock time into the picture (MP4 only; re-encodes the video). */
  burnWallClock?: boolean;
  /**
   * A file the user picked (Save as…): the worker writes into it instead of an OPFS file.
   * On failure or cancel its writable is aborted, so the file keeps what it held before.
   */
  fileHandle?: FileSystemFileHandle;
  /** Called with the share done, 0..1. */
  onProgress?: (fraction: number) => void;
  /**
   * Cancels the export: the worker is stopped and the partial file removed, after which the
   * returned promise rejects (within one packet's work).
   */
  signal?: AbortSignal;
  /** IANA time zone of the burned wall clock; default the browser's. */
  timeZone?: string;
  /** IndexedDB database name; tests pass their own. */
  dbName?: string;
}

/** A finished export: a disk-backed File, in the Origin Private File System or the picked file. */
export interface ExportedFile {
  file: File;
  /** Name to save it under, e.g. `Demo stream 2026-11-21 14.05.mp4`. */
  downloadName: string;
  durationSec: number;
  codecs: string[];
  /** What the user should know of the file, one sentence each, e.g. alternate renditions left out of it. */
  warnings: string[];
}

const { opfsExportDirName, finishedExportKeepMs } = defaultConfig.export;

/** A file name safe on every common file system, from a recording's title, ending in `.extension`. */
export function downloadFileName(title: string, extension: string): string {
  const printable = title.replace(/\p{Cc}/gu, '');
  // Reserved characters become dots; leading dots would make a hidden file on Linux and macOS.
  const safe = printable.replace(/[\\/:*?"<>|]+/g, '.').replace(/\s+/g, ' ').trim().replace(/^\.+/, '').trim() || 'recording';
  // Cutting at 120 UTF-16 units may split a surrogate pair: drop its lone first half.
  return `${safe.slice(0, 120).replace(/[\uD800-\uDBFF]$/, '')}.${extension}`;
}

async function exportDir(dirName = opfsExportDirName): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(dirName, { create: true });
}

/**
 * Removes the finished exports in the Origin Private File System written more than `keepMs` before
 * `nowMs` (ms since the Unix epoch): their downloads have long been saved. Run before each
 * export and when the app starts, so a large export does not hold its space until the next
 * one. A file another tab is still writing (locked by its worker) is left alone.
 * @param dirName - the folder, by default config `export.opfsExportDirName`.
 * @returns how many files were removed.
 */
export async function removeStaleExports(nowMs = Date.now(), keepMs = finishedExportKeepMs, dirName = opfsExportDirName): Promise<number> {
  const dir = await exportDir(dirName);
  let removed = 0;
  for await (const [name, handle] of dir.entries()) {
    if (handle.kind !== 'file') continue;
    const file = await (handle as FileSystemFileHandle).getFile().catch(() => null);
    if (!file || nowMs - file.lastModified <= keepMs) continue;
    if (await dir.removeEntry(name).then(() => true, () => false)) removed += 1;
  }
  return removed;
}

/** MIME type and extension of each export format, for the Save as… dialog. */
export const EXPORT_FILE_TYPES: Record<ExportFormat, { description: string; mime: string }> = {
  mp4: { description: 'MP4 video', mime: 'video/mp4' },
  m4a: { description: 'M4A audio', mime: 'audio/mp4' },
  mkv: { description: 'Matroska video', mime: 'video/x-matroska' },
  ts: { description: 'MPEG transport stream', mime: 'video/mp2t' },
  mp3: { description: 'MP3 audio', mime: 'audio/mpeg' },
  ogg: { description: 'Ogg Opus audio', mime: 'audio/ogg' },
};

/** A file type as a save dialog offers it: its extension (no dot), description and MIME type. */
export interface ExportFileType {
  extension: string;
  description: string;
  mime: string;
}

/** The "original segments as one file" export by the segments' container (see originalFileExtension in recording-runs.ts). */
const ORIGINAL_FILE_TYPES: Record<OriginalFileExtension, ExportFileType> = {
  ts: { extension: 'ts', ...EXPORT_FILE_TYPES.ts },
  mp4: { extension: 'mp4', description: 'Fragmented MP4 video', mime: 'video/mp4' },
  aac: { extension: 'aac', description: 'AAC audio (ADTS)', mime: 'audio/aac' },
  mp3: { extension: 'mp3', ...EXPORT_FILE_TYPES.mp3 },
};

/**
 * The file type of an export as `format`, known without reading the recording: null for the
 * original segments (`ts`), whose type {@link exportFileType} reads from the first segment.
 */
export function formatFileType(format: ExportFormat): ExportFileType | null {
  return format === 'ts' ? null : { extension: format, ...EXPORT_FILE_TYPES[format] };
}

/**
 * The file type an export of `recording` as `format` gets. The original segments (`ts`) keep
 * their own container: MPEG-TS `.ts`, fMP4 fragments behind their init sections `.mp4`,
 * packed ADTS `.aac`, packed MP3 `.mp3` (RFC 8216 section 3), read from the first stored segment
 * (a recording with none counts as MPEG-TS).
 * @throws the DOMException IndexedDB gives when the database cannot be opened or read.
 */
export async function exportFileType(recording: Recording, format: ExportFormat, dbName: string = DB_NAME): Promise<ExportFileType> {
  const known = formatFileType(format);
  if (known) return known;
  // Loaded on first use: it brings mediabunny, which stays out of the page's start-up bundle.
  const { originalFileExtension } = await import('./recording-runs.ts');
  const store = await RecordingStore.open(dbName);
  try {
    const [firstMsn] = await store.listSegmentMsns(recording.id);
    const first = firstMsn === undefined ? undefined : await store.getSegment(recording.id, firstMsn);
    return ORIGINAL_FILE_TYPES[await originalFileExtension(first)];
  } finally {
    store.close();
  }
}

/**
 * The re-encode an export needs, from its options: `transcode` as given, or the defaults when
 * Ogg, a frame-exact range or the burned wall clock asks for one; null when none is needed.
 * @throws RangeError when the format cannot be re-encoded that way (exact trims of MKV or
 *   MPEG-TS, the wall clock in anything but MP4, transcode settings for MP3) or a setting is out
 *   of range. An exact trim of MP3 needs no settings: the MP3 encoder cuts it (null).
 */
export function transcodeFor(format: ExportFormat, options: Pick<ExportOptions, 'transcode' | 'range' | 'burnWallClock'>): TranscodeSettings | null {
  const wantsEncode = (options.transcode !== undefined && options.transcode !== null) || format === 'ogg' || options.range?.mode === 'exact' || options.burnWallClock === true;
  if (!wantsEncode) return null;
  // MP3 is encoded by its own path (src/export/mp3-encode.ts), which cuts an exact range itself.
  if (format === 'mp3' && !options.burnWallClock && !options.transcode) return null;
  if (format !== 'mp4' && format !== 'm4a' && format !== 'ogg') {
    throw new RangeError(options.burnWallClock ? 'The time can only be burned into an MP4 export.' : `Frame-exact and re-encoded exports are MP4, M4A or Ogg, not ${format.toUpperCase()}.`);
  }
  const defaults: TranscodeSettings = {
    audio: format === 'ogg' ? { codec: 'opus', bitrateKbps: 96, loudnorm: false } : DEFAULT_TRANSCODE_AUDIO,
    video: format === 'mp4' ? { ...VIDEO_QUALITIES.high } : null,
    burnWallClock: false,
  };
  const settings: TranscodeSettings = { ...(options.transcode ?? defaults) };
  if (options.burnWallClock) {
    if (format !== 'mp4') throw new RangeError('The time can only be burned into an MP4 export.');
    settings.video ??= { ...VIDEO_QUALITIES.high };
    settings.burnWallClock = true;
  }
  if (format === 'ogg' && settings.audio.codec !== 'opus') throw new RangeError(`An Ogg file holds Opus audio, not ${settings.audio.codec.toUpperCase()}.`);
  if (format !== 'ogg' && settings.audio.codec === 'opus') throw new RangeError(`Opus audio goes into an Ogg file, not ${format.toUpperCase()}.`);
  if (format === 'ogg' && settings.audio.loudnorm) throw new RangeError('Loudness normalisation is offered for AAC (M4A or MP4), not Opus.');
  checkTranscodeSettings(settings);
  return settings;
}

/**
 * Exports a recording in a Web Worker: MP4, M4A or MKV remuxed without re-encoding, the
 * original MPEG-TS segments joined, or MP3 encoded from the audio, with tags. The result is
 * written to an Origin Private File System file, or to `fileHandle` when given: memory stays
 * bounded, never a buffer the size of the file. The recording itself is only read. With
 * `transcode`, an exact `range` or `burnWallClock`, ffmpeg.wasm re-encodes chunk by chunk (see
 * src/export/transcode/transcode.ts); its core is loaded from the app's origin on first use.
 * @throws RangeError before any work when `range` or the re-encode settings are invalid (see
 *   {@link transcodeFor}, {@link checkRange}).
 * @throws ExportError `cancelled` when `signal` aborts, `storage-full` when the disk is full,
 *   `failed` with the worker's message otherwise (no track the format can hold, unreadable input).
 */
export async function exportRecording(recording: Recording, options: ExportOptions): Promise<ExportedFile> {
  if (options.range) checkRange(options.range, playbackDurationSec(recording, null));
  const transcode = transcodeFor(options.format, options);
  const dir = await exportDir();
  await removeStaleExports();
  const fileName = `${recording.id}-${Date.now()}.${options.format}`;
  const handle = options.fileHandle;
  const worker = new Worker(new URL('./remux-worker.ts', import.meta.url), { type: 'module', name: 'tapedeck-remux' });
  const removePartial = () => (handle ? Promise.resolve() : dir.removeEntry(fileName).catch(() => undefined));
  try {
    const done = await new Promise<Extract<RemuxWorkerMessage, { type: 'done' }>>((resolve, reject) => {
      const cancelled = () => new ExportError('Export cancelled.', 'cancelled');
      if (options.signal?.aborted) return reject(cancelled());
      // Terminating the worker mid-write would leave its file locked, so it could not be
      // removed: the worker stops at its next packet, removes the file, then answers.
      let cancelRequested = false;
      options.signal?.addEventListener(
        'abort',
        () => {
          cancelRequested = true;
          worker.postMessage({ type: 'cancel' } satisfies RemuxCancel);
        },
        { once: true },
      );
      worker.onerror = (event) => reject(new ExportError(`The export worker failed: ${event.message}`, 'failed'));
      worker.onmessage = (event: MessageEvent<RemuxWorkerMessage>) => {
        const message = event.data;
        if (message.type === 'progress') options.onProgress?.(message.fraction);
        else if (cancelRequested) reject(cancelled());
        else if (message.type === 'done') resolve(message);
        else {
          const storageFull = message.name === 'QuotaExceededError';
          reject(new ExportError(storageFull ? 'Not enough free storage to write the exported file.' : `Export failed: ${message.message}`, storageFull ? 'storage-full' : 'failed'));
        }
      };
      const request: RemuxRequest = {
        type: 'remux',
        dbName: options.dbName ?? DB_NAME,
        recordingId: recording.id,
        format: options.format,
        bitrateKbps: options.bitrateKbps ?? 192,
        tags: options.tags ?? exportTags(recording),
        transcode,
        range: options.range ?? null,
        timeZone: options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
        target: handle ? { kind: 'handle', handle } : { kind: 'opfs', dirName: opfsExportDirName, fileName },
      };
      worker.postMessage(request);
    });
    const file = await (handle ?? (await dir.getFileHandle(fileName))).getFile();
    const { extension } = await exportFileType(recording, options.format, options.dbName);
    return { file, downloadName: downloadFileName(recording.title, extension), durationSec: done.durationSec, codecs: done.codecs, warnings: done.warnings };
  } catch (error) {
    worker.terminate();
    await removePartial();
    throw error;
  } finally {
    worker.terminate();
  }
}

/**
 * Hands a file to the browser's download manager under `downloadName`. The File is read
 * from disk by the browser; nothing is copied into memory.
 */
export function saveToDownloads(file: File, downloadName: string): void {
  const url = URL.createObjectURL(file);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = downloadName;
  anchor.style.display = 'none';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // The download has taken its reference by the time the next task runs.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
