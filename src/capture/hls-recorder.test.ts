import { afterEach, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../tests/helpers/poll.ts';
import { QUICK_RETRY, quickCaptureConfig } from '../../tests/helpers/recorder-harness.ts';
import type { CaptureConfig } from '../config.ts';
import { RecordingStore } from '../storage/recording-store.ts';
import { deleteTestDatabase } from '../storage/test-fixtures.ts';
import type { Recording } from '../storage/types.ts';
import { AbortedError, HttpStatusError, PlaylistError } from './errors.ts';
import { HlsRecorder, type HlsRecorderEvents, type RecorderState } from './hls-recorder.ts';
import master from './fixtures/ffmpeg-master-three-variants.m3u8?raw';
import singleFile from './fixtures/ffmpeg-vod-single-file-byterange.m3u8?raw';

const base = inject('faultServerUrl');
const HLS_TYPE = 'application/vnd.apple.mpegurl';

const quickRetry = QUICK_RETRY;
const config: CaptureConfig = quickCaptureConfig();
const env = { now: () => Date.now(), random: () => 0 };

/** A fault-server URL that answers 200 with `body`. */
const fileUrl = (body: string, type = 'text/plain') => `${base}/file?body=${encodeURIComponent(body)}&type=${encodeURIComponent(type)}`;

/** A media playlist listing `uris` (absolute), one `durationSec` segment each, from msn 0. */
function mediaPlaylist(uris: string[], { durationSec = 2, endList = true } = {}): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${Math.ceil(durationSec)}`, '#EXT-X-MEDIA-SEQUENCE:0'];
  for (const uri of uris) lines.push(`#EXTINF:${durationSec.toFixed(3)},`, uri);
  if (endList) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

async function requestsTo(key: string): Promise<number> {
  return ((await (await fetch(`${base}/count/${key}`)).json()) as { requests: number }).requests;
}

const opened: { store: RecordingStore; name: string }[] = [];

async function openStore(): Promise<RecordingStore> {
  const name = `tapedeck-test-${crypto.randomUUID()}`;
  const store = await RecordingStore.open(name);
  opened.push({ store, name });
  return store;
}

afterEach(async () => {
  for (const { store, name } of opened.splice(0)) {
    store.close();
    await deleteTestDatabase(name);
  }
});

/** Collects every event of `recorder` by name. */
function record(recorder: HlsRecorder) {
  const log = { states: [] as RecorderState[], retries: [] as HlsRecorderEvents['retry'][], problems: [] as HlsRecorderEvents['problem'][] };
  recorder.on('state', ({ state }) => log.states.push(state));
  recorder.on('retry', (retry) => log.retries.push(retry));
  recorder.on('problem', (problem) => log.problems.push(problem));
  return log;
}

async function storedText(store: RecordingStore, recording: Recording): Promise<[number, string][]> {
  const segments = await store.listSegments(recording.id);
  return Promise.all(segments.map(async (s) => [s.msn, await s.data.text()] as [number, string]));
}

describe('HlsRecorder against a real HTTP server and IndexedDB', () => {
  it('records a VOD whole: retries a flaky segment, leaves a not-found gap for a missing one, and completes', async () => {
    const store = await openStore();
    const key = crypto.randomUUID();
    const flaky = `${base}/flaky/${key}?failures=1`;
    const playlistUrl = fileUrl(mediaPlaylist([flaky, `${base}/status/404`, fileUrl('abc')]), HLS_TYPE);
    const recorder = new HlsRecorder(store, config, env);
    const log = record(recorder);

    const started = await recorder.start({ url: playlistUrl, title: '  Night show  ' });
    expect(started).toMatchObject({ status: 'recording', title: 'Night show', sourceUrl: playlistUrl, sourceName: '127.0.0.1' });
    const done = await recorder.done;

    expect(done.status).toBe('complete');
    expect(done.endedAtMs).not.toBeNull();
    expect(done.lastError).toBeNull();
    expect(await storedText(store, done)).toEqual([
      [0, `ok ${key}`],
      [2, 'abc'],
    ]);
    expect(done.gaps).toEqual([{ fromMsn: 1, count: 1, durationSec: 2, reason: 'not-found', detectedAtMs: expect.any(Number) }]);
    expect(done).toMatchObject({ segmentCount: 2, durationSec: 4, gapCount: 1, gapSec: 2 });
    const segments = await store.listSegments(done.id);
    expect(done.bytes).toBe(segments.reduce((sum, s) => sum + s.byteLength, 0));
    expect(done.bytes).toBe(`ok ${key}`.length + 3);

    expect(log.retries).toEqual([{ url: flaky, attempt: 1, delayMs: 10, message: expect.stringContaining('503') }]);
    expect(await requestsTo(key)).toBe(2);
    expect(log.problems.some((p) => !p.fatal && p.code === 'http-status' && p.message.includes('404'))).toBe(true);
    expect(log.problems.filter((p) => p.fatal)).toEqual([]);
    expect(log.states).toEqual(['starting', 'recording', 'stopped']);
    expect(await store.get(done.id)).toEqual(done);
  });

  it('names each gap by its cause: forbidden, or retries used up', async () => {
    const store = await openStore();
    const key = crypto.randomUUID();
    const playlistUrl = fileUrl(mediaPlaylist([`${base}/status/403`, `${base}/flaky/${key}?failures=9`, fileUrl('last')]), HLS_TYPE);
    const recorder = new HlsRecorder(store, config, env);
    await recorder.start({ url: playlistUrl });
    const done = await recorder.done;
    expect(done.gaps.map(({ fromMsn, count, reason }) => [fromMsn, count, reason])).toEqual([
      [0, 1, 'http-error'],
      [1, 1, 'retries-exhausted'],
    ]);
    expect(await requestsTo(key)).toBe(quickRetry.maxAttempts);
    expect(await storedText(store, done)).toEqual([[2, 'last']]);
    expect(done.status).toBe('complete');
  });

  it('records the highest-bandwidth variant of a master playlist (ffmpeg output, variant URIs made absolute)', async () => {
    const store = await openStore();
    const variantUrls = new Map<string, string>();
    const masterText = master.replace(/^(low|mid|high)\.m3u8$/gm, (_line, name: string) => {
      const url = fileUrl(mediaPlaylist([fileUrl(`segment of ${name}`)]), HLS_TYPE);
      variantUrls.set(name, url);
      return url;
    });
    expect(variantUrls.size).toBe(3);
    const masterUrl = fileUrl(masterText, HLS_TYPE);
    const recorder = new HlsRecorder(store, config, env);
    const started = await recorder.start({ url: masterUrl });
    expect(started).toMatchObject({ sourceUrl: masterUrl, mediaPlaylistUrl: variantUrls.get('high'), codecs: ['avc1.640014', 'mp4a.40.2'] });
    const done = await recorder.done;
    expect(await storedText(store, done)).toEqual([[0, 'segment of high']]);
    expect(done.codecs).toEqual(['avc1.640014', 'mp4a.40.2']);
  });

  it('stops a live recording at once while a segment request hangs, and keeps it as complete', async () => {
    const store = await openStore();
    const key = crypto.randomUUID();
    const playlistUrl = fileUrl(mediaPlaylist([`${base}/hang/${key}`], { durationSec: 6, endList: false }), HLS_TYPE);
    const recorder = new HlsRecorder(store, config, env);
    const log = record(recorder);
    const started = await recorder.start({ url: playlistUrl });
    await waitFor(async () => ((await requestsTo(key)) === 1 ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 20,
      description: 'the segment request to reach the server',
    });

    const stopped = await recorder.stop();
    expect(stopped).toMatchObject({ id: started.id, status: 'complete', segmentCount: 0, gapCount: 0, lastError: null });
    expect(stopped?.endedAtMs).not.toBeNull();
    expect(log.states).toEqual(['starting', 'recording', 'stopping', 'stopped']);
    expect(log.problems).toEqual([]);
    expect(await store.get(started.id)).toEqual(stopped);
    expect(await recorder.stop()).toEqual(stopped);
  });

  it('stores each segment with its discontinuity flag and discontinuity sequence number', async () => {
    const store = await openStore();
    const text = ['#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:40', '#EXT-X-DISCONTINUITY-SEQUENCE:7'];
    text.push('#EXTINF:2,', fileUrl('a'), '#EXT-X-DISCONTINUITY', '#EXTINF:2,', fileUrl('b'), '#EXTINF:2,', fileUrl('c'), '#EXT-X-ENDLIST', '');
    const recorder = new HlsRecorder(store, config, env);
    await recorder.start({ url: fileUrl(text.join('\n'), HLS_TYPE) });
    const done = await recorder.done;
    const stored = await store.listSegments(done.id);
    expect(stored.map((s) => [s.msn, s.discontinuity, s.discontinuitySequence])).toEqual([
      [40, false, 7],
      [41, true, 8],
      [42, false, 8],
    ]);
  });

  it('goes on recording a live stream that restarts its numbering: new segments stored after the old, the first a discontinuity, the restart shown', async () => {
    const store = await openStore();
    const key = crypto.randomUUID();
    const window = (mediaSequence: number, names: string[], endList: boolean) =>
      ['#EXTM3U', '#EXT-X-TARGETDURATION:1', `#EXT-X-MEDIA-SEQUENCE:${mediaSequence}`, ...names.flatMap((name) => ['#EXTINF:1,', fileUrl(name)]), ...(endList ? ['#EXT-X-ENDLIST'] : []), ''].join('\n');
    // Loaded once at msn 100..102; every later load lists the restarted encoder's msn 0 and 1.
    const before = window(100, ['old 100', 'old 101', 'old 102'], false);
    const after = window(0, ['new 0', 'new 1'], true);
    const playlistUrl = `${base}/switch/${key}?after=1&type=${encodeURIComponent(HLS_TYPE)}&body=${encodeURIComponent(before)}&then=${encodeURIComponent(after)}`;
    const recorder = new HlsRecorder(store, config, env);
    const log = record(recorder);
    await recorder.start({ url: playlistUrl });
    const done = await recorder.done;

    expect(await storedText(store, done)).toEqual([[100, 'old 100'], [101, 'old 101'], [102, 'old 102'], [103, 'new 0'], [104, 'new 1']]);
    expect((await store.listSegments(done.id)).map((s) => s.discontinuity)).toEqual([false, false, false, true, false]);
    expect(done).toMatchObject({ status: 'complete', gaps: [], lastError: null });
    // (Text segments also raise a codec probe problem; only the restart matters here.)
    const restarts = log.problems.filter((problem) => problem.code === 'numbering-restarted');
    expect(restarts).toEqual([expect.objectContaining({ fatal: false })]);
    expect(restarts[0]!.message).toContain('media sequence number 102 went back to 0');
  });

  it('goes on recording a live stream that restarted between two loads and already numbered past the old window\'s start: nothing new is skipped', async () => {
    const store = await openStore();
    const key = crypto.randomUUID();
    // Each segment stamped (ffmpeg's -hls_flags program_date_time does so), one second apart.
    const window = (mediaSequence: number, names: string[], startIso: string, endList: boolean) =>
      [
        '#EXTM3U', '#EXT-X-TARGETDURATION:1', `#EXT-X-MEDIA-SEQUENCE:${mediaSequence}`,
        ...names.flatMap((name, i) => [`#EXT-X-PROGRAM-DATE-TIME:${new Date(Date.parse(startIso) + i * 1000).toISOString()}`, '#EXTINF:1,', fileUrl(name)]),
        ...(endList ? ['#EXT-X-ENDLIST'] : []), '',
      ].join('\n');
    // Loaded once at msn 0..2; then the encoder restarted a minute later at msn 0, and the next
    // load lists its msn 1..4, under the same URIs as before for msn 1 and 2.
    const before = window(0, ['seg 0', 'seg 1', 'seg 2'], '2026-11-23T10:00:00.000Z', false);
    const after = window(1, ['seg 1', 'seg 2', 'seg 3', 'seg 4'], '2026-11-23T10:01:01.000Z', true);
    const playlistUrl = `${base}/switch/${key}?after=1&type=${encodeURIComponent(HLS_TYPE)}&body=${encodeURIComponent(before)}&then=${encodeURIComponent(after)}`;
    const recorder = new HlsRecorder(store, config, env);
    const log = record(recorder);
    await recorder.start({ url: playlistUrl });
    const done = await recorder.done;

    const stored = await store.listSegments(done.id);
    expect(stored.map((s) => [s.msn, new Date(s.programDateTimeMs!).toISOString(), s.discontinuity])).toEqual([
      [0, '2026-11-23T10:00:00.000Z', false],
      [1, '2026-11-23T10:00:01.000Z', false],
      [2, '2026-11-23T10:00:02.000Z', false],
      [3, '2026-11-23T10:01:01.000Z', true],
      [4, '2026-11-23T10:01:02.000Z', false],
      [5, '2026-11-23T10:01:03.000Z', false],
      [6, '2026-11-23T10:01:04.000Z', false],
    ]);
    expect(done).toMatchObject({ status: 'complete', gaps: [] });
    expect(log.problems.filter((problem) => problem.code === 'numbering-restarted')).toHaveLength(1);
  });

  it('fetches an init section at the same URI again when the EXT-X-DISCONTINUITY before it slid out unseen, and stores the new one', async () => {
    const store = await openStore();
    const key = crypto.randomUUID();
    // The origin's init.mp4 before and after its encoder restarted, at one URI.
    const initUrl = `${base}/switch/${crypto.randomUUID()}?after=1&body=init-before-restart&then=init-after-restart`;
    const window = (mediaSequence: number, discontinuitySequence: number, names: string[], endList: boolean) =>
      [
        '#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:1', `#EXT-X-MEDIA-SEQUENCE:${mediaSequence}`, `#EXT-X-DISCONTINUITY-SEQUENCE:${discontinuitySequence}`,
        `#EXT-X-MAP:URI="${initUrl}"`, ...names.flatMap((name) => ['#EXTINF:1,', fileUrl(name)]), ...(endList ? ['#EXT-X-ENDLIST'] : []), '',
      ].join('\n');
    // Loaded once at msn 0..2; the next load is after the restart: msn 3..9 slid out, the
    // discontinuity among them too, and only its sequence number tells.
    const before = window(0, 0, ['fragment 0', 'fragment 1', 'fragment 2'], false);
    const after = window(10, 1, ['fragment 10', 'fragment 11'], true);
    const playlistUrl = `${base}/switch/${key}?after=1&type=${encodeURIComponent(HLS_TYPE)}&body=${encodeURIComponent(before)}&then=${encodeURIComponent(after)}`;
    const recorder = new HlsRecorder(store, config, env);
    await recorder.start({ url: playlistUrl });
    const done = await recorder.done;

    expect(await storedText(store, done)).toEqual([[0, 'fragment 0'], [1, 'fragment 1'], [2, 'fragment 2'], [10, 'fragment 10'], [11, 'fragment 11']]);
    expect(done.gaps).toEqual([expect.objectContaining({ fromMsn: 3, count: 7, reason: 'slid-out' })]);
    expect((await store.listSegments(done.id)).map((s) => s.initSectionId)).toEqual([0, 0, 0, 1, 1]);
    const inits = await Promise.all((await store.listInitSections(done.id)).map(async (init) => [init.initSectionId, await init.data.text()]));
    expect(inits).toEqual([[0, 'init-before-restart'], [1, 'init-after-restart']]);
  });

  it('gives one attempt at a live segment twice its duration, not the whole segment timeout, so a stalled one does not hold up the rest', async () => {
    const store = await openStore();
    const key = crypto.randomUUID();
    const hung = `${base}/hang/${key}`;
    const live = mediaPlaylist([fileUrl('before'), hung, fileUrl('after')], { durationSec: 1, endList: false });
    // The segment timeout (60 s) alone would hold "after" back for three minutes.
    const recorder = new HlsRecorder(store, quickCaptureConfig({ liveEdgeSegmentCount: 3, segmentTimeoutMs: 60_000, liveSegmentMinTimeoutMs: 500 }), env);
    const log = record(recorder);
    const started = await recorder.start({ url: fileUrl(live, HLS_TYPE) });
    await waitFor(async () => ((await store.get(started.id))!.segmentCount === 2 ? true : undefined), { timeoutMs: 20_000, description: 'the segment after the stalled one' });
    const stopped = (await recorder.stop())!;

    expect(await storedText(store, stopped)).toEqual([[0, 'before'], [2, 'after']]);
    expect(stopped.gaps).toMatchObject([{ fromMsn: 1, count: 1, reason: 'retries-exhausted' }]);
    const hungRetries = log.retries.filter((retry) => retry.url === hung);
    expect(hungRetries).toHaveLength(2);
    expect(hungRetries.every((retry) => retry.message === `${hung} did not answer within 2000 ms`)).toBe(true);
    expect(await requestsTo(key)).toBe(3);
  });

  it('waits out a live playlist that answers 503 on reload through several rounds of retries, and goes on recording', async () => {
    const store = await openStore();
    const key = crypto.randomUUID();
    const live = mediaPlaylist([fileUrl('seg 0'), fileUrl('seg 1')], { durationSec: 1, endList: false });
    // Loaded once, then 8 failed loads (three rounds of 3 attempts: QUICK_RETRY), then loads again.
    const playlistUrl = `${base}/flaky/${key}?after=1&failures=8&status=503&type=${encodeURIComponent(HLS_TYPE)}&body=${encodeURIComponent(live)}`;
    const recorder = new HlsRecorder(store, quickCaptureConfig({ liveOutageToleranceMs: 60_000 }), env);
    const log = record(recorder);
    const started = await recorder.start({ url: playlistUrl });
    await waitFor(async () => ((await requestsTo(key)) >= 11 ? true : undefined), { timeoutMs: 20_000, description: 'two loads after the outage' });

    expect(log.states.at(-1)).toBe('recording');
    const stopped = await recorder.stop();
    expect(stopped).toMatchObject({ id: started.id, status: 'complete', segmentCount: 2, lastError: null });
    // Each failed round is shown, none as the end (a stall warning may come too: no new segments).
    const failures = log.problems.filter((problem) => problem.code !== 'stalled');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures.every((problem) => !problem.fatal && problem.message.includes('503'))).toBe(true);
  });

  it('warns of a stall while a failing playlist reload is still being retried, not only once the retries give up', async () => {
    const store = await openStore();
    const key = crypto.randomUUID();
    const live = mediaPlaylist([fileUrl('seg 0')], { durationSec: 1, endList: false });
    // Loaded once, then 503 for good; one reload retried for about 20 s, far past the 3 s (three
    // target durations) that make a stall.
    const playlistUrl = `${base}/flaky/${key}?after=1&failures=1000&status=503&type=${encodeURIComponent(HLS_TYPE)}&body=${encodeURIComponent(live)}`;
    const recorder = new HlsRecorder(store, quickCaptureConfig({ playlistRetry: { ...quickRetry, maxAttempts: 100, initialDelayMs: 200, maxDelayMs: 200 } }), env);
    const events: string[] = [];
    recorder.on('stall', (stall) => events.push(stall.stalled ? 'stall' : 'flowing'));
    recorder.on('problem', (problem) => events.push(problem.code === 'stalled' ? 'stalled problem' : 'reload failed'));
    await recorder.start({ url: playlistUrl });
    await waitFor(() => (events.includes('stall') ? true : undefined), { timeoutMs: 15_000, description: 'the stall warning' });
    expect(events).toEqual(['stall', 'stalled problem']);
    await recorder.stop();
  });

  it('does not take for a stall a stream whose segments outgrow its target duration (a camera stretching its key frame interval)', async () => {
    const store = await openStore();
    const key = crypto.randomUUID();
    const window = (names: string[]) =>
      ['#EXTM3U', '#EXT-X-TARGETDURATION:1', '#EXT-X-MEDIA-SEQUENCE:0', ...names.flatMap((name) => ['#EXTINF:4,', fileUrl(name)]), ''].join('\n');
    // Reloaded every half target duration while unchanged: ten loads are about 5 s without a new
    // segment, past three target durations (3 s) but not three of its 4 s segments.
    const playlistUrl = `${base}/switch/${key}?after=10&type=${encodeURIComponent(HLS_TYPE)}&body=${encodeURIComponent(window(['seg 0']))}&then=${encodeURIComponent(window(['seg 0', 'seg 1']))}`;
    const recorder = new HlsRecorder(store, quickCaptureConfig(), env);
    const stalls: boolean[] = [];
    recorder.on('stall', (stall) => stalls.push(stall.stalled));
    const started = await recorder.start({ url: playlistUrl });
    await waitFor(async () => ((await store.get(started.id))!.segmentCount === 2 ? true : undefined), { timeoutMs: 20_000, description: 'the second 4 s segment' });
    const stopped = (await recorder.stop())!;
    expect(await storedText(store, stopped)).toEqual([[0, 'seg 0'], [1, 'seg 1']]);
    expect(stalls).toEqual([]);
  });

  it('ends a live recording as interrupted, with the reason, when its playlist fails to reload for longer than liveOutageToleranceMs', async () => {
    const store = await openStore();
    const key = crypto.randomUUID();
    const live = mediaPlaylist([fileUrl('seg 0')], { durationSec: 1, endList: false });
    const playlistUrl = `${base}/flaky/${key}?after=1&failures=1000&status=502&type=${encodeURIComponent(HLS_TYPE)}&body=${encodeURIComponent(live)}`;
    const recorder = new HlsRecorder(store, quickCaptureConfig({ liveOutageToleranceMs: 1500 }), env);
    const log = record(recorder);
    await recorder.start({ url: playlistUrl });
    const done = await recorder.done;

    expect(done).toMatchObject({ status: 'interrupted', segmentCount: 1 });
    expect(done.lastError).toContain('502');
    expect(log.problems.at(-1)).toMatchObject({ fatal: true });
  });

  it('cancels a start that is still waiting for the playlist: start() rejects with AbortedError, nothing stored', async () => {
    const store = await openStore();
    const key = crypto.randomUUID();
    const recorder = new HlsRecorder(store, config, env);
    const log = record(recorder);
    const starting = recorder.start({ url: `${base}/hang/${key}` }).catch((e: unknown) => e);
    await waitFor(async () => ((await requestsTo(key)) === 1 ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 20,
      description: 'the playlist request to reach the server',
    });
    expect(await recorder.stop()).toBeNull();
    expect(await starting).toBeInstanceOf(AbortedError);
    expect(await store.list()).toEqual([]);
    expect(log.states).toEqual(['starting', 'stopped']);
  });

  it('rejects start() with HttpStatusError for a playlist URL answering 404, and stores nothing', async () => {
    const store = await openStore();
    const recorder = new HlsRecorder(store, config, env);
    const log = record(recorder);
    const error = await recorder.start({ url: `${base}/status/404` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 404 });
    expect(await store.list()).toEqual([]);
    expect(log.states).toEqual(['starting', 'stopped']);
    expect(recorder.current).toBeNull();
  });

  it('rejects start() with PlaylistError when the URL serves an HTML page, and stores nothing', async () => {
    const store = await openStore();
    const recorder = new HlsRecorder(store, config, env);
    const html = fileUrl('<!doctype html><html><body><h1>Welcome</h1></body></html>', 'text/html');
    const error = await recorder.start({ url: html }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlaylistError);
    expect(await store.list()).toEqual([]);
  });

  it('stores only its own range of each byte-range segment (ffmpeg single_file), not the whole file the server sends for every one', async () => {
    const store = await openStore();
    const whole = fileUrl('0123456789');
    const text = singleFile.replace('#EXT-X-BYTERANGE:35720@0', '#EXT-X-BYTERANGE:4@0').replace('#EXT-X-BYTERANGE:41172@35720', '#EXT-X-BYTERANGE:6@4');
    const recorder = new HlsRecorder(store, config, env);
    await recorder.start({ url: fileUrl(text.replaceAll('single.ts', whole), HLS_TYPE) });
    const done = await recorder.done;
    expect(await storedText(store, done)).toEqual([[0, '0123'], [1, '456789']]);
    expect(done.bytes).toBe(10);
  });

  it('refuses a second start()', async () => {
    const store = await openStore();
    const recorder = new HlsRecorder(store, config, env);
    await recorder.start({ url: fileUrl(mediaPlaylist([fileUrl('x')]), HLS_TYPE) });
    await expect(recorder.start({ url: fileUrl(mediaPlaylist([]), HLS_TYPE) })).rejects.toThrow(RangeError);
    expect((await recorder.done).segmentCount).toBe(1);
    expect(await store.list()).toHaveLength(1);
  });
});
