import { afterEach, describe, expect, inject, it } from 'vitest';
import { fileUrl, HLS_TYPE, mediaPlaylistText, StoreScope, storedText, quickCaptureConfig } from '../../tests/helpers/recorder-harness.ts';
import { HlsRecorder } from './hls-recorder.ts';
import { describeVodProgress, VodProgressMeter, type VodProgress } from './vod-progress.ts';

const base = inject('faultServerUrl');
const config = quickCaptureConfig();
const env = { now: () => Date.now(), random: () => 0 };
const stores = new StoreScope();
afterEach(() => stores.cleanUp());

async function requestsTo(key: string): Promise<number> {
  return ((await (await fetch(`${base}/count/${key}`)).json()) as { requests: number }).requests;
}

describe('VodProgressMeter', () => {
  it('measures speed from the start and estimates the rest from the time per segment', () => {
    const meter = new VodProgressMeter(40, 0);
    let progress: VodProgress | undefined;
    for (let i = 1; i <= 12; i++) progress = meter.settle(260_000, i * 250);
    expect(progress).toEqual({ doneSegments: 12, totalSegments: 40, bytes: 3_120_000, bytesPerSec: 1_040_000, etaSec: 7 });
    expect(describeVodProgress({ ...progress!, bytesPerSec: 3_100_000, etaSec: 7.2 })).toBe('12 of 40 segments · 3.1 MB/s · about 8 s left');
  });
});

describe('HlsRecorder on a VOD (EXT-X-ENDLIST in the first playlist)', () => {
  it('fetches with bounded concurrency, retries a flaky segment, stores each exactly once by msn, and reports progress to the total', async () => {
    const key = crypto.randomUUID();
    const uris = Array.from({ length: 12 }, (_, i) => (i === 5 ? `${base}/flaky/${key}?failures=2` : fileUrl(base, `segment ${i}`)));
    const store = await stores.open();
    const recorder = new HlsRecorder(store, config, env);
    const progress: VodProgress[] = [];
    recorder.on('vod-progress', (p) => progress.push(p));
    await recorder.start({ url: fileUrl(base, mediaPlaylistText(uris.map((uri) => ({ uri }))), HLS_TYPE) });
    const done = await recorder.done;

    expect(done).toMatchObject({ status: 'complete', segmentCount: 12, gapCount: 0 });
    expect(await storedText(store, done)).toEqual(uris.map((_, i) => [i, i === 5 ? `ok ${key}` : `segment ${i}`]));
    expect(await requestsTo(key)).toBe(3);
    expect(progress.map((p) => p.doneSegments)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(progress.at(-1)).toMatchObject({ totalSegments: 12, bytes: done.bytes, etaSec: 0 });
  });

  it('runs segment requests in parallel: six 300 ms segments take well under 6 × 300 ms', async () => {
    const key = crypto.randomUUID();
    const uris = Array.from({ length: 6 }, (_, i) => `${base}/slow/${key}-${i}?ms=300&body=slow${i}`);
    const store = await stores.open();
    const recorder = new HlsRecorder(store, { ...config, vodConcurrency: 6 }, env);
    await recorder.start({ url: fileUrl(base, mediaPlaylistText(uris.map((uri) => ({ uri }))), HLS_TYPE) });
    const startedAtMs = performance.now();
    const done = await recorder.done;
    const tookMs = performance.now() - startedAtMs;

    expect(await storedText(store, done)).toEqual(uris.map((_, i) => [i, `slow${i}`]));
    expect(tookMs).toBeLessThan(6 * 300);
  });

  it('with vodConcurrency 1, fetches one at a time (the same six take at least 6 × 300 ms)', async () => {
    const key = crypto.randomUUID();
    const uris = Array.from({ length: 6 }, (_, i) => `${base}/slow/${key}-${i}?ms=300`);
    const store = await stores.open();
    const recorder = new HlsRecorder(store, { ...config, vodConcurrency: 1 }, env);
    const startedAtMs = performance.now();
    await recorder.start({ url: fileUrl(base, mediaPlaylistText(uris.map((uri) => ({ uri }))), HLS_TYPE) });
    await recorder.done;
    expect(performance.now() - startedAtMs).toBeGreaterThanOrEqual(6 * 300);
  });

  it('parses a 100,000-segment VOD, streams it through the queue, and stops cleanly after a few segments', async () => {
    const store = await stores.open();
    const recorder = new HlsRecorder(store, { ...config, vodConcurrency: 2 }, env);
    const progress: VodProgress[] = [];
    const fewStored = new Promise<void>((resolve) =>
      recorder.on('vod-progress', (p) => {
        progress.push(p);
        if (p.doneSegments >= 5) resolve();
      }),
    );
    const started = await recorder.start({ url: `${base}/big-playlist?count=100000` });
    expect(started.status).toBe('recording');
    await fewStored;
    const final = await recorder.stop();

    expect(final).toMatchObject({ status: 'complete', gapCount: 0 });
    expect(progress[0]!.totalSegments).toBe(100_000);
    const stored = await storedText(store, final!);
    expect(stored.length).toBe(final!.segmentCount);
    expect(stored.length).toBeGreaterThanOrEqual(5);
    expect(stored.length).toBeLessThan(100);
    expect(stored).toEqual(stored.map(([msn]) => [msn, `seg${msn}`]));
  });
});
