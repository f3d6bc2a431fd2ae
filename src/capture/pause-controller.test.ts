import { afterEach, describe, expect, inject, it } from 'vitest';
import { fileUrl, HLS_TYPE, mediaPlaylistText, StoreScope, storedText, quickCaptureConfig } from '../../tests/helpers/recorder-harness.ts';
import { waitFor } from '../../tests/helpers/poll.ts';
import { AbortedError } from './errors.ts';
import { HlsRecorder } from './hls-recorder.ts';
import { PauseController } from './pause-controller.ts';
import type { VodProgress } from './vod-progress.ts';

const base = inject('faultServerUrl');
const env = { now: () => Date.now(), random: () => 0 };
const stores = new StoreScope();
afterEach(() => stores.cleanUp());

async function requestsTo(key: string): Promise<number> {
  return ((await (await fetch(`${base}/count/${key}`)).json()) as { requests: number }).requests;
}

describe('PauseController', () => {
  it('holds waiters while paused, lets them go on resume, and rejects them on abort', async () => {
    const pauser = new PauseController();
    const abort = new AbortController();
    await pauser.whilePaused(abort.signal);
    expect(pauser.pause(1000)).toBe(true);
    expect(pauser.pause(2000)).toBe(false);
    expect(pauser.pausedAtMs).toBe(1000);
    let released = false;
    const waiting = pauser.whilePaused(abort.signal).then(() => (released = true));
    await Promise.resolve();
    expect(released).toBe(false);
    expect(pauser.pausedMsUntil(1500)).toBe(500);
    expect(pauser.resume(1600)).toBe(true);
    await waiting;
    expect(released).toBe(true);
    expect(pauser.resume(1700)).toBe(false);
    expect(pauser.pausedMsUntil(9000)).toBe(600);

    pauser.pause(3000);
    const stopped = pauser.whilePaused(abort.signal);
    abort.abort();
    await expect(stopped).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('HlsRecorder pause() and resume() on a VOD', () => {
  it('fetches nothing new while paused, then goes on where it was: every segment once, no gap', async () => {
    const key = crypto.randomUUID();
    const uris = Array.from({ length: 8 }, (_, i) => `${base}/slow/${key}-${i}?ms=50&body=v${i}`);
    const store = await stores.open();
    const recorder = new HlsRecorder(store, quickCaptureConfig({ vodConcurrency: 1 }), env);
    const progress: VodProgress[] = [];
    const pausedEvents: boolean[] = [];
    recorder.on('paused', ({ paused }) => pausedEvents.push(paused));
    let pausedAtDone = -1;
    recorder.on('vod-progress', (p) => {
      progress.push(p);
      if (p.doneSegments === 2 && recorder.pause()) pausedAtDone = p.doneSegments;
    });
    await recorder.start({ url: fileUrl(base, mediaPlaylistText(uris.map((uri) => ({ uri }))), HLS_TYPE) });
    await waitFor(() => (pausedAtDone === 2 ? true : undefined), { timeoutMs: 10_000, description: 'the pause after two segments' });
    expect(recorder.paused).toBe(true);
    expect(recorder.pause()).toBe(false);
    // Paused between two segments of a one-at-a-time download: the third is never asked for.
    const requested = await Promise.all(uris.map((_, i) => requestsTo(`${key}-${i}`)));
    expect(requested.slice(3)).toEqual([0, 0, 0, 0, 0]);
    expect((await store.get(recorder.current!.id))!.status).toBe('recording');

    expect(recorder.resume()).toBe(true);
    const done = await recorder.done;
    expect(pausedEvents).toEqual([true, false]);
    expect(done).toMatchObject({ status: 'complete', segmentCount: 8, gapCount: 0 });
    expect(await storedText(store, done)).toEqual(uris.map((_, i) => [i, `v${i}`]));
    expect(await Promise.all(uris.map((_, i) => requestsTo(`${key}-${i}`)))).toEqual(new Array(8).fill(1));
  });

  it('stops at once while paused, keeping what was stored', async () => {
    const key = crypto.randomUUID();
    const uris = Array.from({ length: 4 }, (_, i) => `${base}/slow/${key}-${i}?ms=10&body=v${i}`);
    const store = await stores.open();
    const recorder = new HlsRecorder(store, quickCaptureConfig({ vodConcurrency: 1 }), env);
    recorder.on('vod-progress', (p) => {
      if (p.doneSegments === 1) recorder.pause();
    });
    await recorder.start({ url: fileUrl(base, mediaPlaylistText(uris.map((uri) => ({ uri }))), HLS_TYPE) });
    await waitFor(() => (recorder.paused ? true : undefined), { timeoutMs: 10_000, description: 'the pause' });
    const done = (await recorder.stop())!;
    expect(done).toMatchObject({ status: 'complete', segmentCount: 1 });
    expect(recorder.resume()).toBe(false);
  });
});

describe('HlsRecorder pause() and resume() on a live stream', () => {
  it('does not count the time paused towards liveOutageToleranceMs: reloads failing across a long pause are waited out again', async () => {
    const key = crypto.randomUUID();
    const live = mediaPlaylistText([{ uri: fileUrl(base, 'seg 0') }], { targetDurationSec: 1, endList: false });
    // Loaded once, then 503 for twelve requests (four rounds of three tries), then loads again.
    const playlistUrl = `${base}/flaky/${key}?after=1&failures=12&status=503&type=${encodeURIComponent(HLS_TYPE)}&body=${encodeURIComponent(live)}`;
    // The clock the recorder reads: the pause is made to last a minute without the test waiting one.
    let skewMs = 0;
    const clock = { now: () => Date.now() + skewMs, random: () => 0 };
    const store = await stores.open();
    const recorder = new HlsRecorder(store, quickCaptureConfig({ liveOutageToleranceMs: 5000 }), clock);
    const started = await recorder.start({ url: playlistUrl });
    await waitFor(async () => ((await requestsTo(key)) >= 5 ? true : undefined), { timeoutMs: 10_000, description: 'a first round of failed reloads' });
    expect(recorder.pause()).toBe(true);
    skewMs += 60_000;
    expect(recorder.resume()).toBe(true);
    await waitFor(async () => ((await requestsTo(key)) >= 15 ? true : undefined), { timeoutMs: 12_000, description: 'the playlist loading again after the outage' });
    expect((await store.get(started.id))!.status).toBe('recording');
    const done = (await recorder.stop())!;
    expect(done).toMatchObject({ status: 'complete', segmentCount: 1, lastError: null });
  });
  it('reports the span paused once, as an outage, when the first reload after Resume fails and the window has moved on', async () => {
    const key = crypto.randomUUID();
    const window = (first: number) =>
      mediaPlaylistText(Array.from({ length: 6 }, (_, i) => ({ uri: fileUrl(base, `seg ${first + i}`) })), { targetDurationSec: 4, mediaSequence: first, endList: false });
    // Loaded once at msn 10..15; after the pause three failed reloads (one round of retries),
    // then the window is at 40..45. The first reload comes a target duration (4 s) after the
    // first load: the pause comes well before it.
    const playlistUrl = `${base}/flaky/${key}?after=1&failures=3&status=503&type=${encodeURIComponent(HLS_TYPE)}&body=${encodeURIComponent(window(10))}&then=${encodeURIComponent(window(40))}`;
    const store = await stores.open();
    const recorder = new HlsRecorder(store, quickCaptureConfig({ liveEdgeSegmentCount: 3 }), env);
    const started = await recorder.start({ url: playlistUrl });
    await waitFor(async () => ((await store.get(started.id))!.segmentCount === 3 ? true : undefined), { timeoutMs: 3000, description: 'the live edge, 13 to 15' });
    // Paused and resumed before the first reload: the loop still rejoins the live edge after it.
    expect(recorder.pause()).toBe(true);
    expect(await requestsTo(key)).toBe(1);
    expect(recorder.resume()).toBe(true);
    await waitFor(async () => ((await store.get(started.id))!.segmentCount >= 6 ? true : undefined), { timeoutMs: 15_000, description: 'the new live edge, 43 to 45' });
    const done = (await recorder.stop())!;
    expect(await storedText(store, done)).toEqual([13, 14, 15, 43, 44, 45].map((msn) => [msn, `seg ${msn}`]));
    expect(done.gaps.map((gap) => [gap.fromMsn, gap.count, gap.reason])).toEqual([[16, 27, 'outage']]);
  }, 30_000);
});
