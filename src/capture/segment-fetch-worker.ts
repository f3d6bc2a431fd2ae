/// <reference lib="webworker" />
import { RecordingStore } from '../storage/recording-store.ts';
import { fetchBytes } from './http.ts';
import { serializeError, type SegmentFetchMessage, type SegmentFetchReply } from './segment-fetch-pool.ts';

/**
 * A segment fetch worker of {@link SegmentFetchPool}: fetches each segment it is sent with
 * `Response.blob()` (see FetchOptions.readDirect) and appends it to its recording in
 * IndexedDB, then answers with the recording as stored. Jobs run concurrently; a `cancel`
 * aborts one's request.
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;
const controllers = new Map<number, AbortController>();
const stores = new Map<string, Promise<RecordingStore>>();

function storeFor(dbName: string): Promise<RecordingStore> {
  let store = stores.get(dbName);
  if (!store) stores.set(dbName, (store = RecordingStore.open(dbName)));
  return store;
}

async function run(job: Extract<SegmentFetchMessage, { type: 'fetch' }>): Promise<SegmentFetchReply> {
  const controller = new AbortController();
  controllers.set(job.id, controller);
  let data: Blob;
  try {
    data = (await fetchBytes(job.url, { timeoutMs: job.timeoutMs, maxBytes: job.maxBytes, signal: controller.signal, readDirect: true })).body;
  } catch (error) {
    return { id: job.id, stage: 'fetch', error: serializeError(error) };
  } finally {
    controllers.delete(job.id);
  }
  try {
    const store = await storeFor(job.dbName);
    const { recording, added } = await store.appendSegment({ ...job.segment, data }, job.storedAtMs);
    return { id: job.id, stored: { recording, added, byteLength: data.size } };
  } catch (error) {
    return { id: job.id, stage: 'store', error: serializeError(error) };
  }
}

scope.onmessage = async (event: MessageEvent<SegmentFetchMessage>) => {
  const message = event.data;
  if (message.type === 'cancel') return void controllers.get(message.id)?.abort();
  scope.postMessage(await run(message));
};
