import type { Mp3BitrateKbps } from './mp3-encode.ts';
import type { RemuxFormat } from './remux.ts';
import type { ExportTags } from './tags.ts';
import type { TranscodeSettings } from './transcode/settings.ts';
import type { ExportRange } from './trim/range.ts';

/**
 * What an export writes: a remuxed container (MP4, M4A, MKV), the original MPEG-TS segments
 * joined (`ts`), MP3 re-encoded from the audio (`mp3`), or Opus audio in Ogg (`ogg`, always
 * re-encoded with ffmpeg.wasm). MP4 and M4A may also be re-encoded (see {@link TranscodeSettings}).
 */
export type ExportFormat = RemuxFormat | 'ts' | 'mp3' | 'ogg';

/** Message from the page to the remux worker: export one recording. */
export interface RemuxRequest {
  type: 'remux';
  /** IndexedDB database name (tests use their own). */
  dbName: string;
  recordingId: string;
  format: ExportFormat;
  /** MP3 bitrate, in kb/s; ignored by other formats. */
  bitrateKbps: Mp3BitrateKbps;
  /** Tags to write (MP4/M4A, MKV and MP3; MPEG-TS carries none). */
  tags: ExportTags;
  /** Re-encode with ffmpeg.wasm (MP4, M4A, Ogg); null to remux (or encode MP3) as before. */
  transcode: TranscodeSettings | null;
  /** Export only this part of the recording; null for all of it. */
  range: ExportRange | null;
  /**
   * The page's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`), for the wall
   * clock burned into the picture (`transcode.burnWallClock`), across daylight-saving changes:
   * ffmpeg.wasm knows no time zone.
   */
  timeZone: string;
  /**
   * Where to write: a file the user picked (Save as…), or an OPFS folder and file name.
   * The worker writes a picked file through its createWritable(), and aborts it on failure so
   * that the file is not left half-written; see src/export/output-file.ts.
   */
  target: { kind: 'handle'; handle: FileSystemFileHandle } | { kind: 'opfs'; dirName: string; fileName: string };
}

/**
 * Message from the page to the remux worker: stop the running export. The worker removes its
 * partial file, then answers with an `error` message.
 */
export interface RemuxCancel {
  type: 'cancel';
}

/** Messages from the remux worker to the page. */
export type RemuxWorkerMessage =
  | { type: 'progress'; /** 0..1 */ fraction: number }
  | { type: 'done'; durationSec: number; codecs: string[]; /** What the user should know of the file, e.g. renditions left out. */ warnings: string[] }
  | { type: 'error'; name: string; message: string };
