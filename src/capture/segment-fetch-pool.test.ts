import { afterEach, describe, expect, inject, it } from 'vitest';
import { fileUrl, StoreScope, storedText } from '../../tests/helpers/recorder-harness.ts';
import { RecordingNotFoundError, type RecordingStore } from '../storage/recording-store.ts';
import { AbortedError, HttpStatusError, ResponseTooLargeError } from './errors.ts';
import { SegmentFetchPool, SegmentStoreError, type SegmentFetchRequest } from './segment-fetch-pool.ts';

/** Segments fetched and stored by workers, as the recorder does for clear whole segments. */

const base = inject('faultServerUrl');
const stores = new StoreScope();
const pools: SegmentFetchPool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) pool.close();
  await stores.cleanUp();
});

async function setUp(recycleAfterBytes = 1024 * 1024): Promise<{ store: RecordingStore; pool: SegmentFetchPool; recordingId: string }> {
  const store = await stores.open();
  const recording = await store.create({ title: 't', sourceName: 's', sourceUrl: 'u', mediaPlaylistUrl: 'u', startedAtMs: 0 });
  const pool = new SegmentFetchPool(store.dbName, recycleAfterBytes);
  pools.push(pool);
  return { store, pool, recordingId: recording.id };
}

function request(url: string, recordingId: string, msn: number, maxBytes = 1024 * 1024): SegmentFetchRequest {
  return { url, timeoutMs: 5000, maxBytes, segment: { recordingId, msn, durationSec: 2, discontinuity: false, programDateTimeMs: null }, storedAtMs: 1000 + msn };
}

describe('SegmentFetchPool', () => {
  it('stores every segment once with its recording totals, across workers replaced every two segments, and the page store tells of each', async () => {
    const { store, pool, recordingId } = await setUp(2 * 1000);
    const bodies = Array.from({ length: 7 }, (_, msn) => `segment ${msn} `.padEnd(1000, String(msn)));
    const changes: (string | null)[] = [];
    store.on('change', ({ recordingId }) => changes.push(recordingId));
    const signal = new AbortController().signal;
    // Two at a time, as the recorder's loops take them.
    const outcomes = [];
    for (let msn = 0; msn < bodies.length; msn += 2) {
      outcomes.push(...(await Promise.all(bodies.slice(msn, msn + 2).map((body, i) => pool.fetchAndStore(request(fileUrl(base, body), recordingId, msn + i), signal)))));
    }

    expect(outcomes.every((outcome) => outcome.added && outcome.byteLength === 1000)).toBe(true);
    const recording = (await store.get(recordingId))!;
    expect(recording).toMatchObject({ segmentCount: 7, bytes: 7000, durationSec: 14 });
    expect(await storedText(store, recording)).toEqual(bodies.map((body, msn) => [msn, body]));
    expect((await store.getSegment(recordingId, 3))?.storedAtMs).toBe(1003);
    // Each worker stored two segments (2000 bytes) and was replaced.
    expect(pool.workersStarted).toBe(4);
    await expect.poll(() => changes.filter((id) => id === recordingId).length).toBe(7);

    const again = await pool.fetchAndStore(request(fileUrl(base, 'other bytes'), recordingId, 3), signal);
    expect(again.added).toBe(false);
    expect(await (await store.getSegment(recordingId, 3))!.data.text()).toBe(bodies[3]);
  });

  it('rejects with the request error of the same class: a 404, a body over the limit', async () => {
    const { store, pool, recordingId } = await setUp();
    const signal = new AbortController().signal;
    const notFound = await pool.fetchAndStore(request(`${base}/no-such-segment`, recordingId, 0), signal).catch((error: unknown) => error);
    expect(notFound).toBeInstanceOf(HttpStatusError);
    expect(notFound).toMatchObject({ status: 404, transient: false, url: `${base}/no-such-segment` });
    const huge = await pool.fetchAndStore(request(`${base}/huge`, recordingId, 1, 256 * 1024), signal).catch((error: unknown) => error);
    expect(huge).toBeInstanceOf(ResponseTooLargeError);
    expect(huge).toMatchObject({ code: 'too-large', maxBytes: 256 * 1024 });
    expect(await store.listSegmentMsns(recordingId)).toEqual([]);
  });

  it('rejects with SegmentStoreError when the database refuses the segment (the recording was deleted)', async () => {
    const { store, pool, recordingId } = await setUp();
    await store.delete(recordingId);
    const error = await pool.fetchAndStore(request(fileUrl(base, 'late'), recordingId, 0), new AbortController().signal).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SegmentStoreError);
    expect((error as SegmentStoreError).cause).toBeInstanceOf(RecordingNotFoundError);
  });

  it('cancels the worker request on abort: AbortedError, nothing stored; a closed pool refuses jobs', async () => {
    const { store, pool, recordingId } = await setUp();
    const controller = new AbortController();
    const key = `pool-hang-${crypto.randomUUID()}`;
    const pending = pool.fetchAndStore(request(`${base}/hang/${key}`, recordingId, 0), controller.signal).catch((error: unknown) => error);
    await expect.poll(async () => ((await (await fetch(`${base}/count/${key}`)).json()) as { requests: number }).requests).toBe(1);
    controller.abort();
    expect(await pending).toBeInstanceOf(AbortedError);
    expect(await store.listSegmentMsns(recordingId)).toEqual([]);

    pool.close();
    await expect(pool.fetchAndStore(request(fileUrl(base, 'x'), recordingId, 1), new AbortController().signal)).rejects.toBeInstanceOf(AbortedError);
  });
});
