/**
 * The browser's own floor under Tapedeck's download and export: the same work done by a bare
 * dedicated worker, in the page of the bench, with no Tapedeck code. It shows how much of the
 * time is Chromium fetching bytes, writing Blobs into IndexedDB and reading them back into an
 * Origin Private File System file, which no code of ours can make faster.
 */
import type { Page } from 'playwright';
import { defaultConfig } from '../src/config.ts';

/** What {@link measureBrowserFloor} measured. */
export interface BrowserFloor {
  /** Wall time of fetching every segment as a Blob (`Response.blob()`), in ms. */
  fetchMs: number;
  /** Wall time of fetching every segment and storing each in IndexedDB as it arrives, in ms. */
  fetchAndStoreMs: number;
  /** Bytes fetched in each pass. */
  bytes: number;
}

/** What {@link measureExportFloor} measured. */
export interface ExportFloor {
  /** Wall time of reading every stored segment of the recording and writing it into one OPFS file, in ms. */
  elapsedMs: number;
  /** Bytes read and written. */
  bytes: number;
  segmentCount: number;
  /** Segments read at once: as many as the export has demux workers. */
  concurrency: number;
}

/**
 * The worker, as source text (it runs from a Blob URL, outside the app's bundle). Given
 * `{ urls, concurrency, databaseName }`, it fetches the URLs `concurrency` at a time with
 * `Response.blob()`; with a database name it stores each Blob under its own key in a
 * readwrite transaction of its own, as the recorder's segment fetch workers do, and deletes
 * the database at the end. Answers `{ elapsedMs, bytes }` or `{ error }`.
 */
const FETCH_WORKER_SOURCE = `
onmessage = async (event) => {
  const { urls, concurrency, databaseName } = event.data;
  try {
    const db = databaseName && await new Promise((resolve, reject) => {
      const request = indexedDB.open(databaseName, 1);
      request.onupgradeneeded = () => request.result.createObjectStore('segments');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const startedAt = performance.now();
    let next = 0;
    let bytes = 0;
    const lane = async () => {
      for (let index = next++; index < urls.length; index = next++) {
        const response = await fetch(urls[index]);
        if (!response.ok) throw new Error(urls[index] + ' answered ' + response.status);
        const data = await response.blob();
        bytes += data.size;
        if (!db) continue;
        await new Promise((resolve, reject) => {
          const tx = db.transaction('segments', 'readwrite');
          tx.objectStore('segments').put({ data }, index);
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error);
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    const elapsedMs = performance.now() - startedAt;
    if (db) {
      db.close();
      await new Promise((resolve) => { const request = indexedDB.deleteDatabase(databaseName); request.onsuccess = request.onerror = resolve; });
    }
    postMessage({ elapsedMs, bytes });
  } catch (error) {
    postMessage({ error: String(error) });
  }
};`;

/**
 * Fetches `urls` twice in a bare worker of `page`, `concurrency` at a time: once into Blobs
 * only, once also storing each into a throwaway IndexedDB database (removed afterwards).
 * @throws Error when a fetch fails or the database refuses a write.
 */
export async function measureBrowserFloor(page: Page, urls: string[], concurrency: number): Promise<BrowserFloor> {
  const fetched = await inBareWorker(page, FETCH_WORKER_SOURCE, { urls, concurrency, databaseName: null });
  if ('error' in fetched) throw new Error(`Browser floor, fetch pass: ${fetched.error}`);
  const stored = await inBareWorker(page, FETCH_WORKER_SOURCE, { urls, concurrency, databaseName: 'tapedeck-bench-floor' });
  if ('error' in stored) throw new Error(`Browser floor, store pass: ${stored.error}`);
  return { fetchMs: fetched.elapsedMs, fetchAndStoreMs: stored.elapsedMs, bytes: stored.bytes };
}

/**
 * The worker of {@link measureExportFloor}, as source text. Given `{ recordingId, concurrency }`,
 * it takes the recording's segment records from the app's database (`tapedeck`, store
 * `segments`, keys `[recordingId, msn]`, src/storage/db.ts) in one read, then reads their Blobs
 * `concurrency` at a time (`Blob.arrayBuffer()`, as the export's demux workers do) and writes
 * each at its place in one OPFS file through a sync access handle (as the export's output
 * does), which it removes at the end. Answers `{ elapsedMs, bytes, segmentCount }` or `{ error }`.
 */
const EXPORT_WORKER_SOURCE = `
onmessage = async (event) => {
  const { recordingId, concurrency } = event.data;
  const fileName = 'tapedeck-bench-floor.bin';
  try {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open('tapedeck');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const root = await navigator.storage.getDirectory();
    const handle = await (await root.getFileHandle(fileName, { create: true })).createSyncAccessHandle();
    const startedAt = performance.now();
    const records = await new Promise((resolve, reject) => {
      const range = IDBKeyRange.bound([recordingId, -Infinity], [recordingId, Infinity]);
      const request = db.transaction('segments').objectStore('segments').getAll(range);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const offsets = [];
    let bytes = 0;
    for (const record of records) { offsets.push(bytes); bytes += record.data.size; }
    let next = 0;
    const lane = async () => {
      for (let index = next++; index < records.length; index = next++) {
        handle.write(new Uint8Array(await records[index].data.arrayBuffer()), { at: offsets[index] });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    handle.flush();
    const elapsedMs = performance.now() - startedAt;
    handle.close();
    db.close();
    await root.removeEntry(fileName);
    postMessage({ elapsedMs, bytes, segmentCount: records.length });
  } catch (error) {
    postMessage({ error: String(error) });
  }
};`;

/**
 * The export's floor: a bare worker of `page` reads the stored segments of the app's newest
 * recording out of IndexedDB, as many at once as the export has demux workers (one per core,
 * up to `demuxWorkerMaxCount`, as src/export/remux-worker.ts makes them), and writes them one
 * after another into an OPFS file (removed afterwards), with no demuxing or muxing: the least
 * a browser export of that recording into a file can cost.
 * @throws Error when the app holds no recording, or a read or write fails.
 */
export async function measureExportFloor(page: Page): Promise<ExportFloor> {
  const cores = await page.evaluate(() => navigator.hardwareConcurrency || 2);
  const concurrency = Math.max(1, Math.min(defaultConfig.export.demuxWorkerMaxCount, cores));
  const recordingId = await page.evaluate(
    () =>
      new Promise<string | null>((resolve, reject) => {
        const request = indexedDB.open('tapedeck');
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const all = db.transaction('recordings').objectStore('recordings').getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            db.close();
            const newest = (all.result as { id: string; startedAtMs: number }[]).sort((a, b) => b.startedAtMs - a.startedAtMs)[0];
            resolve(newest?.id ?? null);
          };
        };
      }),
  );
  if (recordingId === null) throw new Error('Export floor: the app holds no recording.');
  const result = await inBareWorker(page, EXPORT_WORKER_SOURCE, { recordingId, concurrency });
  if ('error' in result) throw new Error(`Export floor: ${result.error}`);
  return { elapsedMs: result.elapsedMs, bytes: result.bytes, segmentCount: result.segmentCount ?? 0, concurrency };
}

/** A bare worker's answer: what it did and in how long (`segmentCount` from the export floor only), or why it failed. */
type WorkerAnswer = { elapsedMs: number; bytes: number; segmentCount?: number } | { error: string };

/**
 * Runs `source` in a dedicated worker of `page` made from a Blob URL (outside the app's
 * bundle), posts it `message` and gives back its one answer; the worker is then terminated.
 */
async function inBareWorker(page: Page, source: string, message: object): Promise<WorkerAnswer> {
  return page.evaluate(
    async ({ source, message }) => {
      const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
      try {
        return await new Promise<WorkerAnswer>((resolve) => {
          worker.onmessage = (event) => resolve(event.data);
          worker.postMessage(message);
        });
      } finally {
        worker.terminate();
      }
    },
    { source, message },
  );
}
