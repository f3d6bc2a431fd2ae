/// <reference lib="webworker" />
import type { StreamTargetChunk } from 'mediabunny';
import { RecordingStore } from '../storage/recording-store.ts';
import type { RemuxCancel, RemuxRequest, RemuxWorkerMessage } from './messages.ts';
import { encodeMp3Runs } from './mp3-encode.ts';
import { remuxRuns, splitAtDiscontinuities, type RemuxResult } from './remux.ts';
import { toMetadataTags } from './tags.ts';
import { concatSegments } from './ts-concat.ts';

/**
 * The export worker: reads a recording's segments from IndexedDB and writes the exported file
 * (MP4, M4A, MKV, MPEG-TS or MP3) into the Origin Private File System or into a file the user
 * picked, off the page's main thread. On failure or cancellation it aborts its writable (so a
 * picked file keeps its former contents) and removes its partial OPFS file itself before
 * answering: while its writable is open the file is locked, so the page could not remove it.
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: RemuxWorkerMessage) => scope.postMessage(message);
let cancelled = false;

function throwIfCancelled(): void {
  if (cancelled) throw new DOMException('Export cancelled.', 'AbortError');
}

scope.onmessage = async (event: MessageEvent<RemuxRequest | RemuxCancel>) => {
  const request = event.data;
  if (request.type === 'cancel') {
    cancelled = true;
    return;
  }
  let store: RecordingStore | null = null;
  let dir: FileSystemDirectoryHandle | null = null;
  let writable: FileSystemWritableFileStream | null = null;
  const { target } = request;
  try {
    store = await RecordingStore.open(request.dbName);
    const recording = await store.get(request.recordingId);
    if (!recording) throw new Error('This recording no longer exists.');
    const segments = await store.listSegments(request.recordingId);
    let file: FileSystemFileHandle;
    if (target.kind === 'opfs') {
      const root = await navigator.storage.getDirectory();
      dir = await root.getDirectoryHandle(target.dirName, { create: true });
      throwIfCancelled();
      file = await dir.getFileHandle(target.fileName, { create: true });
    } else {
      throwIfCancelled();
      file = target.handle;
    }
    writable = await file.createWritable();
    let lastReportedPercent = -1;
    const onProgress = (fraction: number) => {
      throwIfCancelled();
      const percent = Math.floor(fraction * 100);
      if (percent === lastReportedPercent) return;
      lastReportedPercent = percent;
      post({ type: 'progress', fraction });
    };
    // The writers' positioned writes go to the file's writable, but their close does not commit
    // it: mediabunny closes its target on cancel too, which would keep a partial file. The file
    // is committed below only once the export has succeeded, and aborted otherwise.
    const fileWritable = writable;
    const sink = new WritableStream<StreamTargetChunk>({ write: (chunk) => fileWritable.write(chunk) });
    const runs = () => splitAtDiscontinuities(segments).map((run) => run.map((segment) => segment.data));
    const common = { writable: sink, totalDurationSec: recording.durationSec, onProgress, tags: toMetadataTags(request.tags) };
    let result: RemuxResult;
    if (request.format === 'ts') {
      await concatSegments(
        segments.map((segment) => segment.data),
        { writable: sink, onProgress },
      );
      result = { durationSec: recording.durationSec, codecs: recording.codecs };
    } else if (request.format === 'mp3') {
      result = await encodeMp3Runs(runs(), { ...common, bitrateKbps: request.bitrateKbps });
    } else {
      result = await remuxRuns(runs(), { ...common, format: request.format });
    }
    throwIfCancelled();
    await writable.close();
    writable = null;
    post({ type: 'done', durationSec: result.durationSec, codecs: result.codecs });
  } catch (error) {
    // Aborting discards every write: a picked file keeps what it held before.
    if (writable) await writable.abort().catch(() => undefined);
    if (dir && target.kind === 'opfs') await dir.removeEntry(target.fileName).catch(() => undefined);
    const named = error instanceof Error ? error : new Error(String(error));
    post({ type: 'error', name: named.name, message: named.message });
  } finally {
    store?.close();
  }
};
