/// <reference lib="webworker" />
import { RecordingStore } from '../storage/recording-store.ts';
import type { RemuxRequest, RemuxWorkerMessage } from './messages.ts';
import { remuxRuns, splitAtDiscontinuities } from './remux.ts';

/**
 * The remux worker: reads a recording's segments from IndexedDB and writes the MP4/M4A file
 * into the Origin Private File System, off the page's main thread.
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: RemuxWorkerMessage) => scope.postMessage(message);

scope.onmessage = async (event: MessageEvent<RemuxRequest>) => {
  const request = event.data;
  let store: RecordingStore | null = null;
  try {
    store = await RecordingStore.open(request.dbName);
    const recording = await store.get(request.recordingId);
    if (!recording) throw new Error('This recording no longer exists.');
    const segments = await store.listSegments(request.recordingId);
    const runs = splitAtDiscontinuities(segments).map((run) => run.map((segment) => segment.data));
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle(request.dirName, { create: true });
    const file = await dir.getFileHandle(request.fileName, { create: true });
    const writable = await file.createWritable();
    let lastReportedPercent = -1;
    const result = await remuxRuns(runs, {
      format: request.format,
      writable,
      totalDurationSec: recording.durationSec,
      onProgress: (fraction) => {
        const percent = Math.floor(fraction * 100);
        if (percent === lastReportedPercent) return;
        lastReportedPercent = percent;
        post({ type: 'progress', fraction });
      },
    });
    post({ type: 'done', durationSec: result.durationSec, codecs: result.codecs });
  } catch (error) {
    const named = error instanceof Error ? error : new Error(String(error));
    post({ type: 'error', name: named.name, message: named.message });
  } finally {
    store?.close();
  }
};
