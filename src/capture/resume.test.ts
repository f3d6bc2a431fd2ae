import { afterEach, describe, expect, inject, it } from 'vitest';
import { fileUrl, HLS_TYPE, mediaPlaylistText, StoreScope, storedText, quickCaptureConfig } from '../../tests/helpers/recorder-harness.ts';
import { waitFor } from '../../tests/helpers/poll.ts';
import type { RecordingStore } from '../storage/recording-store.ts';
import { HlsRecorder } from './hls-recorder.ts';
import type { PlaylistSegment } from './playlist.ts';
import { MsnContinuity } from './resume.ts';

const base = inject('faultServerUrl');
const config = quickCaptureConfig();
const env = { now: () => Date.now(), random: () => 0 };
const stores = new StoreScope();
afterEach(() => stores.cleanUp());

function seg(msn: number): PlaylistSegment {
  return { msn, uri: `https://example.com/${msn}.ts`, durationSec: 2, discontinuity: false, discontinuitySequence: 0, programDateTimeMs: null, key: null, byteRange: null, map: null };
}
const segs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => seg(from + i));

async function requestsTo(key: string): Promise<number> {
  return ((await (await fetch(`${base}/count/${key}`)).json()) as { requests: number }).requests;
}

/** An interrupted recording of `playlistUrl` holding `msns` (text `stored <msn>`), ended at `endedAtMs`. */
async function interruptedRecording(store: RecordingStore, playlistUrl: string, msns: number[], endedAtMs: number) {
  const recording = await store.create({ title: 'Interrupted', sourceName: 'test', sourceUrl: playlistUrl, mediaPlaylistUrl: playlistUrl, startedAtMs: endedAtMs - 60_000 });
  for (const msn of msns) {
    await store.appendSegment({ recordingId: recording.id, msn, durationSec: 2, discontinuity: false, programDateTimeMs: null, data: new Blob([`stored ${msn}`]) }, endedAtMs);
  }
  return store.update(recording.id, { status: 'interrupted', endedAtMs });
}

describe('MsnContinuity', () => {
  it('skips the msns of a VOD already stored, with no gap', () => {
    const continuity = new MsnContinuity({ storedMsns: [0, 1, 3], outageStartedAtMs: 1000 });
    const out = continuity.apply({ newSegments: segs(0, 5), gaps: [] }, true, 5000);
    expect(out.segments.map((s) => s.msn)).toEqual([2, 4, 5]);
    expect(out.gaps).toEqual([]);
  });

  it('continues a live stream whose numbering went on, with an outage of the time away and the msns skipped', () => {
    const continuity = new MsnContinuity({ storedMsns: [0, 1, 2], outageStartedAtMs: 1000 });
    const out = continuity.apply({ newSegments: segs(10, 12), gaps: [] }, false, 31_000);
    expect(out.segments.map((s) => [s.msn, s.discontinuity])).toEqual([[10, true], [11, false], [12, false]]);
    expect(out.gaps).toEqual([{ fromMsn: 3, count: 7, durationSec: 30, reason: 'outage' }]);
  });

  it('continues a live stream after the last msn reported missing, so no msn is both stored and counted missing', () => {
    const continuity = new MsnContinuity({ storedMsns: [0, 1, 2], gaps: [{ fromMsn: 3, count: 2 }], outageStartedAtMs: 1000 });
    const out = continuity.apply({ newSegments: segs(4, 12), gaps: [] }, false, 11_000);
    expect(out.segments.map((s) => s.msn)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(out.segments[0]!.discontinuity).toBe(false);
    expect(out.gaps).toEqual([]);
  });

  it('shifts a restarted numbering above the last stored msn, keeping it monotonic, and writes the AES-128 IV out', () => {
    const continuity = new MsnContinuity({ storedMsns: [100, 101, 102], outageStartedAtMs: 0 });
    const keyed = segs(3, 5).map((s) => ({ ...s, key: { uri: 'https://example.com/k', iv: null } }));
    const out = continuity.apply({ newSegments: keyed, gaps: [] }, false, 4000);
    expect(out.segments.map((s) => s.msn)).toEqual([103, 104, 105]);
    expect(out.segments[0]!.discontinuity).toBe(true);
    expect([...out.segments[0]!.key!.iv!]).toEqual([...new Array(15).fill(0), 3]);
    expect(out.gaps).toEqual([{ fromMsn: 103, count: 0, durationSec: 4, reason: 'outage' }]);
    expect(continuity.apply({ newSegments: segs(4, 7), gaps: [] }, false, 6000).segments.map((s) => s.msn)).toEqual([106, 107]);
  });

  it('shifts a numbering that restarted while capture went on above the last msn handed on: a discontinuity, no gap; slid-out gaps shift too', () => {
    const continuity = new MsnContinuity();
    continuity.apply({ newSegments: segs(500, 502), gaps: [] }, false, 0);
    const out = continuity.apply({ newSegments: segs(0, 1), gaps: [], restartedFromMsn: 502 }, false, 1000);
    expect(out.segments.map((s) => [s.msn, s.discontinuity])).toEqual([[503, true], [504, false]]);
    expect(out.gaps).toEqual([]);
    const later = continuity.apply({ newSegments: segs(4, 4), gaps: [{ fromMsn: 2, count: 2, durationSec: 4, reason: 'slid-out' }] }, false, 9000);
    expect(later.segments.map((s) => [s.msn, s.discontinuity])).toEqual([[507, false]]);
    expect(later.gaps).toEqual([{ fromMsn: 505, count: 2, durationSec: 4, reason: 'slid-out' }]);
  });

  it('continues a recording of 200,000 stored segments (two weeks of 6-second radio) after the last of them', () => {
    const storedMsns = Array.from({ length: 200_000 }, (_, i) => i);
    const continuity = new MsnContinuity({ storedMsns, outageStartedAtMs: 1000 });
    const out = continuity.apply({ newSegments: segs(199_999, 200_001), gaps: [] }, false, 2000);
    expect(out.segments.map((s) => s.msn)).toEqual([200_000, 200_001]);
    expect(out.gaps).toEqual([]);
  });

  it('after a pause shorter than a segment, finds nothing missing: no gap, no repeat', () => {
    const continuity = new MsnContinuity();
    continuity.apply({ newSegments: segs(10, 12), gaps: [] }, false, 0);
    continuity.beginOutage(1000);
    expect(continuity.apply({ newSegments: segs(10, 12), gaps: [] }, false, 1500)).toEqual({ segments: [], gaps: [] });
    const out = continuity.apply({ newSegments: segs(11, 13), gaps: [] }, false, 2000);
    expect(out).toEqual({ segments: [seg(13)], gaps: [] });
  });
});

describe('HlsRecorder with resumeRecordingId (real IndexedDB and HTTP)', () => {
  it('resumes an interrupted VOD into the same recording, fetching only the segments not stored', async () => {
    const key = crypto.randomUUID();
    const uris = Array.from({ length: 8 }, (_, i) => `${base}/slow/${key}-${i}?ms=0&body=fetched${i}`);
    const playlistUrl = fileUrl(base, mediaPlaylistText(uris.map((uri) => ({ uri }))), HLS_TYPE);
    const store = await stores.open();
    const interrupted = await interruptedRecording(store, playlistUrl, [0, 1, 2, 5], Date.now() - 10_000);
    // Segment 4 had failed before the interruption; resumed, it is fetched again and its gap goes.
    const before = await store.addGap(interrupted.id, { fromMsn: 4, count: 1, durationSec: 2, reason: 'retries-exhausted', detectedAtMs: 0 });

    const recorder = new HlsRecorder(store, config, env);
    const started = await recorder.start({ url: playlistUrl, resumeRecordingId: before.id });
    expect(started).toMatchObject({ id: before.id, status: 'recording', endedAtMs: null });
    const done = await recorder.done;

    expect(done).toMatchObject({ id: before.id, status: 'complete', segmentCount: 8, gapCount: 0, gaps: [] });
    expect(await storedText(store, done)).toEqual([
      [0, 'stored 0'], [1, 'stored 1'], [2, 'stored 2'], [3, 'fetched3'], [4, 'fetched4'], [5, 'stored 5'], [6, 'fetched6'], [7, 'fetched7'],
    ]);
    expect(await Promise.all([0, 1, 2, 5].map((i) => requestsTo(`${key}-${i}`)))).toEqual([0, 0, 0, 0]);
    expect((await store.list()).map((r) => r.id)).toEqual([before.id]);
  });

  it('resumes an interrupted recording of part of a VOD with that part only, though the resume names none', async () => {
    const key = crypto.randomUUID();
    const uris = Array.from({ length: 8 }, (_, i) => `${base}/slow/${key}-${i}?ms=0&body=fetched${i}`);
    const playlistUrl = fileUrl(base, mediaPlaylistText(uris.map((uri) => ({ uri }))), HLS_TYPE);
    const store = await stores.open();
    // 6 s to 12 s of 2-s segments: msns 3 to 5, of which 3 was stored before the interruption.
    const made = await store.create({ title: 'Part', sourceName: 'test', sourceUrl: playlistUrl, mediaPlaylistUrl: playlistUrl, startedAtMs: Date.now() - 60_000, timeRange: { startSec: 6, endSec: 12 } });
    await store.appendSegment({ recordingId: made.id, msn: 3, durationSec: 2, discontinuity: false, programDateTimeMs: null, data: new Blob(['stored 3']) });
    await store.update(made.id, { status: 'interrupted', endedAtMs: Date.now() });

    const recorder = new HlsRecorder(store, config, env);
    await recorder.start({ url: playlistUrl, resumeRecordingId: made.id });
    const done = await recorder.done;
    expect(done).toMatchObject({ status: 'complete', segmentCount: 3, gapCount: 0 });
    expect(await storedText(store, done)).toEqual([[3, 'stored 3'], [4, 'fetched4'], [5, 'fetched5']]);
    expect(await Promise.all(uris.map((_, i) => requestsTo(`${key}-${i}`)))).toEqual([0, 0, 0, 0, 1, 1, 0, 0]);
  });

  it('resumes an interrupted URL-template recording from the template it stored, fetching only the numbers not stored', async () => {
    const key = crypto.randomUUID();
    const template = { url: `${base}/slow/${key}-(*)?ms=0&body=fetched`, padWidth: 3, firstNumber: 7, count: 6, segmentDurationSec: 2, totalDurationSec: null, stopAtFirstMissing: false };
    const store = await stores.open();
    const created = await store.create({ title: 'Template', sourceName: 't', sourceUrl: template.url, mediaPlaylistUrl: template.url, startedAtMs: 0, urlTemplate: template });
    for (const msn of [0, 1, 3]) {
      await store.appendSegment({ recordingId: created.id, msn, durationSec: 2, discontinuity: false, programDateTimeMs: null, data: new Blob([`stored ${msn}`]) }, 1000);
    }
    const before = await store.update(created.id, { status: 'interrupted', endedAtMs: 1000 });

    const recorder = new HlsRecorder(store, config, env);
    // The request's URL is ignored on resume: the stored template lists the segments.
    await recorder.start({ url: 'https://example.invalid/ignored.m3u8', resumeRecordingId: before.id });
    const done = await recorder.done;

    expect(done).toMatchObject({ id: before.id, status: 'complete', segmentCount: 6, durationSec: 12, gaps: [] });
    expect(await storedText(store, done)).toEqual([[0, 'stored 0'], [1, 'stored 1'], [2, 'fetched'], [3, 'stored 3'], [4, 'fetched'], [5, 'fetched']]);
    expect(await Promise.all(['007', '008', '009', '010', '011', '012'].map((n) => requestsTo(`${key}-${n}`)))).toEqual([0, 0, 1, 0, 1, 1]);
  });

  it('resumes a live stream whose numbering restarted: its whole window is taken, msns go on after the last stored, the outage is a gap', async () => {
    const playlistUrl = fileUrl(base, mediaPlaylistText(Array.from({ length: 6 }, (_, i) => ({ uri: fileUrl(base, `live ${i}`) })), { endList: false }), HLS_TYPE);
    const store = await stores.open();
    const endedAtMs = Date.now() - 20_000;
    const before = await interruptedRecording(store, playlistUrl, [100, 101, 102], endedAtMs);

    const recorder = new HlsRecorder(store, config, env);
    await recorder.start({ url: playlistUrl, resumeRecordingId: before.id });
    await waitFor(async () => ((await store.get(before.id))!.segmentCount === 9 ? true : undefined), { timeoutMs: 10_000, description: 'six live segments after the resume' });
    const done = (await recorder.stop())!;

    expect(await storedText(store, done)).toEqual([
      [100, 'stored 100'], [101, 'stored 101'], [102, 'stored 102'],
      [103, 'live 0'], [104, 'live 1'], [105, 'live 2'], [106, 'live 3'], [107, 'live 4'], [108, 'live 5'],
    ]);
    expect(done.gaps).toHaveLength(1);
    expect(done.gaps[0]).toMatchObject({ fromMsn: 103, count: 0, reason: 'outage' });
    expect(done.gaps[0]!.durationSec).toBeGreaterThanOrEqual(20);
    expect((await store.getSegment(before.id, 103))!.discontinuity).toBe(true);
    expect(done.status).toBe('complete');
  });

  it('resumes a live stream that ended while away, listing only its last window: the segments before it are an outage, old slid-out gaps stay', async () => {
    const playlistUrl = fileUrl(base, mediaPlaylistText(Array.from({ length: 3 }, (_, i) => ({ uri: fileUrl(base, `last ${10 + i}`) })), { mediaSequence: 10, endList: true }), HLS_TYPE);
    const store = await stores.open();
    const interrupted = await interruptedRecording(store, playlistUrl, [0, 1, 4], Date.now() - 60_000);
    const before = await store.addGap(interrupted.id, { fromMsn: 2, count: 2, durationSec: 4, reason: 'slid-out', detectedAtMs: 0 });

    const recorder = new HlsRecorder(store, config, env);
    await recorder.start({ url: playlistUrl, resumeRecordingId: before.id });
    const done = await recorder.done;

    expect(await storedText(store, done)).toEqual([[0, 'stored 0'], [1, 'stored 1'], [4, 'stored 4'], [10, 'last 10'], [11, 'last 11'], [12, 'last 12']]);
    expect(done.gaps.map(({ fromMsn, count, durationSec, reason }) => ({ fromMsn, count, durationSec, reason }))).toEqual([
      { fromMsn: 2, count: 2, durationSec: 4, reason: 'slid-out' },
      { fromMsn: 5, count: 5, durationSec: 10, reason: 'outage' },
    ]);
    expect((await store.getSegment(before.id, 10))!.discontinuity).toBe(true);
    expect(done).toMatchObject({ status: 'complete', gapCount: 7 });
  });

  it('resumes a live stream whose numbering went on: segments still listed after the last stored are fetched, no gap', async () => {
    const entries = Array.from({ length: 6 }, (_, i) => ({ uri: fileUrl(base, `live ${10 + i}`) }));
    const playlistUrl = fileUrl(base, mediaPlaylistText(entries, { endList: false, mediaSequence: 10 }), HLS_TYPE);
    const store = await stores.open();
    const before = await interruptedRecording(store, playlistUrl, [9, 10, 11], Date.now() - 4000);
    const recorder = new HlsRecorder(store, config, env);
    await recorder.start({ url: playlistUrl, resumeRecordingId: before.id });
    await waitFor(async () => ((await store.get(before.id))!.segmentCount === 7 ? true : undefined), { timeoutMs: 10_000, description: 'msns 12 to 15' });
    const done = (await recorder.stop())!;
    expect((await storedText(store, done)).map(([msn]) => msn)).toEqual([9, 10, 11, 12, 13, 14, 15]);
    expect(done.gaps).toEqual([]);
    expect((await store.getSegment(before.id, 12))!.discontinuity).toBe(false);
  });

  it('resumes a live stream whose last segments failed before the interruption: still listed, they are fetched again and their gap goes', async () => {
    const entries = Array.from({ length: 6 }, (_, i) => ({ uri: fileUrl(base, `live ${10 + i}`) }));
    const playlistUrl = fileUrl(base, mediaPlaylistText(entries, { endList: false, mediaSequence: 10 }), HLS_TYPE);
    const store = await stores.open();
    const interrupted = await interruptedRecording(store, playlistUrl, [9, 10, 11], Date.now() - 4000);
    const before = await store.addGap(interrupted.id, { fromMsn: 12, count: 2, durationSec: 4, reason: 'retries-exhausted', detectedAtMs: 0 });
    const recorder = new HlsRecorder(store, config, env);
    await recorder.start({ url: playlistUrl, resumeRecordingId: before.id });
    await waitFor(async () => ((await store.get(before.id))!.segmentCount === 7 ? true : undefined), { timeoutMs: 10_000, description: 'msns 12 to 15' });
    const done = (await recorder.stop())!;
    expect((await storedText(store, done)).map(([msn]) => msn)).toEqual([9, 10, 11, 12, 13, 14, 15]);
    expect(done).toMatchObject({ gaps: [], gapCount: 0, gapSec: 0 });
  });

  it('resumes a live stream whose last segments failed and have slid out: they stay one gap, and the outage starts after them', async () => {
    const entries = Array.from({ length: 3 }, (_, i) => ({ uri: fileUrl(base, `live ${20 + i}`) }));
    const playlistUrl = fileUrl(base, mediaPlaylistText(entries, { endList: false, mediaSequence: 20 }), HLS_TYPE);
    const store = await stores.open();
    const interrupted = await interruptedRecording(store, playlistUrl, [9, 10, 11], Date.now() - 30_000);
    const before = await store.addGap(interrupted.id, { fromMsn: 12, count: 2, durationSec: 4, reason: 'retries-exhausted', detectedAtMs: 0 });
    const recorder = new HlsRecorder(store, config, env);
    await recorder.start({ url: playlistUrl, resumeRecordingId: before.id });
    await waitFor(async () => ((await store.get(before.id))!.segmentCount === 6 ? true : undefined), { timeoutMs: 10_000, description: 'msns 20 to 22' });
    const done = (await recorder.stop())!;
    expect((await storedText(store, done)).map(([msn]) => msn)).toEqual([9, 10, 11, 20, 21, 22]);
    expect(done.gaps.map(({ fromMsn, count, reason }) => ({ fromMsn, count, reason }))).toEqual([
      { fromMsn: 12, count: 2, reason: 'retries-exhausted' },
      { fromMsn: 14, count: 6, reason: 'outage' },
    ]);
    expect(done.gapCount).toBe(8);
  });

  it('refuses to resume an unknown id, a recording another tab holds, a rendition, or a URL template not stored with its recording, changing nothing', async () => {
    const store = await stores.open();
    const playlistUrl = fileUrl(base, mediaPlaylistText([{ uri: fileUrl(base, 'x') }]), HLS_TYPE);
    await expect(new HlsRecorder(store, config, env).start({ url: playlistUrl, resumeRecordingId: 'nope' })).rejects.toThrow('No recording with id nope');

    const parent = await interruptedRecording(store, playlistUrl, [0], Date.now());
    const child = await store.create({ title: 'Audio', sourceName: 't', sourceUrl: playlistUrl, mediaPlaylistUrl: playlistUrl, startedAtMs: 1, parentRecordingId: parent.id });
    await expect(new HlsRecorder(store, config, env).start({ url: playlistUrl, resumeRecordingId: child.id })).rejects.toThrow(/is an alternate rendition: resume its main recording instead/);

    const { holdRecordingLock } = await import('../storage/recording-lock.ts');
    const release = await holdRecordingLock(parent.id);
    try {
      await expect(new HlsRecorder(store, config, env).start({ url: playlistUrl, resumeRecordingId: parent.id })).rejects.toThrow(/still being recorded in another tab/);
    } finally {
      release();
    }
    expect(await store.get(parent.id)).toMatchObject({ status: 'interrupted', segmentCount: 1 });

    const oldTemplateUrl = `${base}/file?body=seg(*)`;
    const oldTemplate = await interruptedRecording(store, oldTemplateUrl, [0], Date.now());
    await expect(new HlsRecorder(store, config, env).start({ url: oldTemplateUrl, resumeRecordingId: oldTemplate.id })).rejects.toThrow(
      'This recording was made from a URL template by an older version of Tapedeck and cannot be resumed; record the template again.',
    );
    expect(await store.get(oldTemplate.id)).toMatchObject({ status: 'interrupted', segmentCount: 1 });
  });
});
