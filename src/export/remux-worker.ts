/// <reference lib="webworker" />
import { RecordingStore } from '../storage/recording-store.ts';
import type { RemuxCancel, RemuxRequest, RemuxWorkerMessage } from './messages.ts';
import { remuxRuns, splitAtDiscontinuities } from './remux.ts';

/**
 * The remux worker: reads a recording's segments from IndexedDB and writes the MP4/M4A file
 * into the Origin Private File System, off the page's main thread. On failure or cancellation
 * it releases and removes its partial file itself before answering: while its writable is
 * open the file is locked, so the page could not remove it.
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
  try {
    store = await RecordingStore.open(request.dbName);
    const recording = await store.get(request.recordingId);
    if (!recording) throw new Error('This recording no longer exists.');
    const segments = await store.listSegments(request.recordingId);
    const runs = splitAtDiscontinuities(segments).map((run) => run.map((segment) => segment.data));
    const root = await navigator.storage.getDirectory();
    dir = await root.getDirectoryHandle(request.dirName, { create: true });
    throwIfCancelled();
    const file = await dir.getFileHandle(request.fileName, { create: true });
    writable = await file.createWritable();
    let lastReportedPercent = -1;
    const result = await remuxRuns(runs, {
      format: request.format,
      writable,
      totalDurationSec: recording.durationSec,
      onProgress: (fraction) => {
        throwIfCancelled();
        const percent = Math.floor(fraction * 100);
        if (percent === lastReportedPercent) return;
        lastReportedPercent = percent;
        post({ type: 'progress', fraction });
      },
    });
    post({ type: 'done', durationSec: result.durationSec, codecs: result.codecs });
  } catch (error) {
    // remuxRuns closes the writable it started writing; one it never took is still open.
    if (writable && !writable.locked) await writable.abort().catch(() => undefined);
    if (dir) await dir.removeEntry(request.fileName).catch(() => undefined);
    const named = error instanceof Error ? error : new Error(String(error));
    post({ type: 'error', name: named.name, message: named.message });
  } finally {
    store?.close();
  }
};
