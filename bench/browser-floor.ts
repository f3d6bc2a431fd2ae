/**
 * The browser's own floor under Tapedeck's download: the same segments fetched by a bare
 * dedicated worker, in the page of the bench, with no Tapedeck code. It shows how much of the
 * download's time is Chromium fetching bytes and writing Blobs into IndexedDB, which no code
 * of ours can make faster.
 */
import type { Page } from 'playwright';

/** What {@link measureBrowserFloor} measured. */
export interface BrowserFloor {
  /** Wall time of fetching every segment as a Blob (`Response.blob()`), in ms. */
  fetchMs: number;
  /** Wall time of fetching every segment and storing each in IndexedDB as it arrives, in ms. */
  fetchAndStoreMs: number;
  /** Bytes fetched in each pass. */
  bytes: number;
}

/**
 * The worker, as source text (it runs from a Blob URL, outside the app's bundle). Given
 * `{ urls, concurrency, databaseName }`, it fetches the URLs `concurrency` at a time with
 * `Response.blob()`; with a database name it stores each Blob under its own key in a
 * readwrite transaction of its own, as the recorder's segment fetch workers do, and deletes
 * the database at the end. Answers `{ elapsedMs, bytes }` or `{ error }`.
 */
const WORKER_SOURCE = `
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
  const pass = (databaseName: string | null) =>
    page.evaluate(
      async ({ source, urls, concurrency, databaseName }) => {
        const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
        try {
          return await new Promise<{ elapsedMs: number; bytes: number } | { error: string }>((resolve) => {
            worker.onmessage = (event) => resolve(event.data);
            worker.postMessage({ urls, concurrency, databaseName });
          });
        } finally {
          worker.terminate();
        }
      },
      { source: WORKER_SOURCE, urls, concurrency, databaseName },
    );
  const fetched = await pass(null);
  if ('error' in fetched) throw new Error(`Browser floor, fetch pass: ${fetched.error}`);
  const stored = await pass('tapedeck-bench-floor');
  if ('error' in stored) throw new Error(`Browser floor, store pass: ${stored.error}`);
  return { fetchMs: fetched.elapsedMs, fetchAndStoreMs: stored.elapsedMs, bytes: stored.bytes };
}
