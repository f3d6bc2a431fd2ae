import type { RemuxFormat } from './remux.ts';

/** Message from the page to the remux worker: export one recording. */
export interface RemuxRequest {
  type: 'remux';
  /** IndexedDB database name (tests use their own). */
  dbName: string;
  recordingId: string;
  format: RemuxFormat;
  /** OPFS folder and file name to write. */
  dirName: string;
  fileName: string;
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
  | { type: 'done'; durationSec: number; codecs: string[] }
  | { type: 'error'; name: string; message: string };
