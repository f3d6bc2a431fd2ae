import { afterEach, expect, inject, it } from 'vitest';
import { waitFor } from '../../tests/helpers/poll.ts';
import { fileUrl, HLS_TYPE, quickCaptureConfig } from '../../tests/helpers/recorder-harness.ts';
import { RecordingStore } from '../storage/recording-store.ts';
import { deleteTestDatabase } from '../storage/test-fixtures.ts';
import type { Recording } from '../storage/types.ts';
import { withCameraDefaults, type Camera } from './camera-store.ts';
import { CameraCapture, type CameraCaptureEvents } from './continuous-recorder.ts';
import { dayKeyOf } from './local-day.ts';

/**
 * Continuous recording from a real HTTP server (the fault server) into real IndexedDB, with the
 * wall clock shifted (injected) to just before a split, so the split happens within seconds.
 */

const base = inject('faultServerUrl');

/** A live media playlist (no EXT-X-ENDLIST) of six 1 s segments, each a small text body. */
function livePlaylistUrl(key: string): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:1', '#EXT-X-MEDIA-SEQUENCE:0'];
  for (let msn = 0; msn < 6; msn += 1) lines.push('#EXTINF:1.000,', fileUrl(base, `${key} segment ${msn}`));
  return fileUrl(base, `${lines.join('\n')}\n`, HLS_TYPE);
}

const opened: { store: RecordingStore; name: string }[] = [];
const captures: CameraCapture[] = [];
async function openStore(): Promise<RecordingStore> {
  const name = `test-continuous-${crypto.randomUUID()}`;
  const store = await RecordingStore.open(name);
  opened.push({ store, name });
  return store;
}
afterEach(async () => {
  for (const capture of captures.splice(0)) await capture.stop();
  for (const { store, name } of opened.splice(0)) {
    store.close();
    await deleteTestDatabase(name);
  }
});

function camera(overrides: Partial<Camera> = {}): Camera {
  return withCameraDefaults({ id: crypto.randomUUID(), name: 'Porch', streamUrl: livePlaylistUrl(crypto.randomUUID()), recordMode: 'continuous', ...overrides });
}

/** A clock running from `localStart` (a local date and time) at real speed. */
function clockFrom(localStart: Date): () => number {
  const offsetMs = localStart.getTime() - Date.now();
  return () => Date.now() + offsetMs;
}

function capture(cam: Camera, store: RecordingStore, now: () => number): CameraCapture {
  const made = new CameraCapture(cam, store, { captureConfig: quickCaptureConfig(), restartDelayMs: 50, splitCheckIntervalMs: 200, now });
  captures.push(made);
  return made;
}

/** Collects every `recording-started` event of a capture. */
function started(made: CameraCapture): CameraCaptureEvents['recording-started'][] {
  const events: CameraCaptureEvents['recording-started'][] = [];
  made.on('recording-started', (event) => events.push(event));
  return events;
}

async function cameraRecordings(store: RecordingStore, cameraId: string): Promise<Recording[]> {
  return (await store.list()).filter((r) => r.cameraId === cameraId).sort((a, b) => a.startedAtMs - b.startedAtMs);
}

it('splits at local midnight: a new recording for the new day, each titled and keyed by its day, each with segments', async () => {
  const store = await openStore();
  const cam = camera();
  const now = clockFrom(new Date(2026, 5, 14, 23, 59, 58, 500));
  const made = capture(cam, store, now);
  const events = started(made);
  made.start();
  await waitFor(() => (events.length >= 2 ? true : undefined), { timeoutMs: 15_000, description: 'the recording of the next day to start' });
  await waitFor(async () => ((await cameraRecordings(store, cam.id))[1]?.segmentCount ? true : undefined), { timeoutMs: 10_000, description: 'the new day to store a segment' });
  await made.stop();

  const [first, second] = await cameraRecordings(store, cam.id);
  expect(first).toMatchObject({ cameraId: cam.id, dayKey: '2026-06-14', title: 'Porch — 2026-06-14', status: 'complete' });
  expect(second).toMatchObject({ cameraId: cam.id, dayKey: '2026-06-15', title: 'Porch — 2026-06-15', status: 'complete' });
  expect(first!.segmentCount).toBeGreaterThanOrEqual(1);
  expect(second!.segmentCount).toBeGreaterThanOrEqual(1);
  // The first day ended at midnight (within a second of it), the second began after it.
  expect(first!.endedAtMs! - new Date(2026, 5, 15).getTime()).toBeLessThan(1000);
  expect(dayKeyOf(second!.startedAtMs)).toBe('2026-06-15');
  expect(made.status.state).toBe('stopped');
});

it('splits when the wall clock passes midnight, though no timer fires then (the machine slept through it)', async () => {
  const store = await openStore();
  const cam = camera();
  let offsetMs = new Date(2026, 2, 9, 23, 0, 0).getTime() - Date.now();
  const made = capture(cam, store, () => Date.now() + offsetMs);
  const events = started(made);
  made.start();
  await waitFor(() => (events.length === 1 ? true : undefined), { timeoutMs: 10_000, description: 'the first day to start recording' });
  // An hour passes on the wall clock in an instant, as when the machine wakes: the timer set
  // at 23:00 for midnight still has an hour to run.
  offsetMs += 60 * 60 * 1000;
  await waitFor(() => (events.length >= 2 ? true : undefined), { timeoutMs: 10_000, description: 'the next day to start recording' });
  await made.stop();
  expect(events.map((event) => event.period.dayKey)).toEqual(['2026-03-09', '2026-03-10']);
  const [first, second] = await cameraRecordings(store, cam.id);
  expect(first).toMatchObject({ dayKey: '2026-03-09', status: 'complete' });
  expect(second).toMatchObject({ dayKey: '2026-03-10', title: 'Porch — 2026-03-10' });
});

it('splits every N hours from local midnight, naming each part by its start', async () => {
  const store = await openStore();
  const cam = camera({ splitEveryHours: 6 });
  const made = capture(cam, store, clockFrom(new Date(2026, 0, 20, 5, 59, 58, 500)));
  const events = started(made);
  made.start();
  await waitFor(() => (events.length >= 2 ? true : undefined), { timeoutMs: 15_000, description: 'the 06:00 part to start' });
  expect(events.map((e) => e.period.startMs)).toEqual([new Date(2026, 0, 20, 0).getTime(), new Date(2026, 0, 20, 6).getTime()]);
  await made.stop();
  const titles = (await cameraRecordings(store, cam.id)).map((r) => [r.title, r.dayKey]);
  expect(titles).toEqual([
    ['Porch — 2026-01-20 00:00', '2026-01-20'],
    ['Porch — 2026-01-20 06:00', '2026-01-20'],
  ]);
});

it('resumes the day’s recording after an outage (a reload or crash) instead of making a second one', async () => {
  const store = await openStore();
  const cam = camera();
  const now = clockFrom(new Date(2026, 8, 3, 12, 0, 0));
  const firstRun = capture(cam, store, now);
  firstRun.start();
  // The whole live edge stored: a resume takes every listed segment after the last stored one,
  // so a stop in the middle of it would rightly leave the second run segments to fetch.
  const liveEdgeCount = quickCaptureConfig().liveEdgeSegmentCount;
  await waitFor(async () => ((await cameraRecordings(store, cam.id))[0]?.segmentCount === liveEdgeCount ? true : undefined), { timeoutMs: 10_000, description: 'the live edge’s segments' });
  await firstRun.stop();
  const [before] = await cameraRecordings(store, cam.id);

  const secondRun = capture(cam, store, now);
  const events = started(secondRun);
  secondRun.start();
  await waitFor(() => events[0], { timeoutMs: 10_000, description: 'the resumed recording to start' });
  expect(events[0]).toMatchObject({ resumed: true, recording: { id: before!.id } });
  await secondRun.stop();
  const after = await cameraRecordings(store, cam.id);
  expect(after).toHaveLength(1);
  // The fault server's playlist does not move, so nothing was missed meanwhile: no outage gap
  // here (tests/e2e/cameras-live.spec.ts checks the gap with a real ffmpeg live stream).
  expect(after[0]!.gaps).toEqual([]);
  expect(after[0]!.segmentCount).toBe(before!.segmentCount);
});

it('shows a camera it cannot reach as retrying, with the reason, and stores nothing', async () => {
  const store = await openStore();
  const cam = camera({ streamUrl: `${base}/status/404` });
  const made = capture(cam, store, () => Date.now());
  made.start();
  const status = await waitFor(() => (made.status.state === 'retrying' ? made.status : undefined), { timeoutMs: 10_000, description: 'the capture to retry' });
  expect(status.message).toMatch(/404/);
  await made.stop();
  expect(await cameraRecordings(store, cam.id)).toEqual([]);
});

it('says the recording is interrupted while the stream brings nothing new, and recording again once it does', { timeout: 60_000 }, async () => {
  const store = await openStore();
  const playlist = (count: number) => {
    const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:1', '#EXT-X-MEDIA-SEQUENCE:0'];
    for (let msn = 0; msn < count; msn += 1) lines.push('#EXTINF:1.000,', fileUrl(base, `frozen segment ${msn}`));
    return `${lines.join('\n')}\n`;
  };
  // The same six segments for the first 20 loads (about 10 s of reloads at half the target
  // duration, RFC 8216 section 6.3.4), then a seventh.
  const key = crypto.randomUUID();
  const cam = camera({ streamUrl: `${base}/switch/${key}?after=20&type=${encodeURIComponent(HLS_TYPE)}&body=${encodeURIComponent(playlist(6))}&then=${encodeURIComponent(playlist(7))}` });
  const made = capture(cam, store, () => Date.now());
  const statuses: string[] = [];
  made.on('status', (status) => statuses.push(`${status.state}${status.message ? `: ${status.message}` : ''}`));
  made.start();
  await waitFor(() => (statuses.some((status) => status.startsWith('interrupted')) ? true : undefined), { timeoutMs: 15_000, description: 'the stall to show' });
  await waitFor(() => (statuses.at(-1) === 'recording' && statuses.length > 3 ? true : undefined), { timeoutMs: 30_000, description: 'recording again' });
  expect(statuses.filter((status) => status !== 'starting')).toEqual(['recording', expect.stringMatching(/^interrupted: No new segment for \d+ s: the stream may have stalled\.$/), 'recording']);
  const [recording] = await cameraRecordings(store, cam.id);
  // The seventh segment, listed when the stall ended, is stored as it comes.
  await waitFor(async () => (await store.getSegment(recording!.id, 6)) ?? undefined, { timeoutMs: 10_000, description: 'the seventh segment stored' });
});

it('starts a new recording of the day when the camera’s URL changed, rather than resuming the old URL', async () => {
  const store = await openStore();
  const cam = camera();
  const now = clockFrom(new Date(2026, 8, 4, 9, 0, 0));
  const firstRun = capture(cam, store, now);
  firstRun.start();
  // The whole live edge stored: a resume takes every listed segment after the last stored one,
  // so a stop in the middle of it would rightly leave the second run segments to fetch.
  const liveEdgeCount = quickCaptureConfig().liveEdgeSegmentCount;
  await waitFor(async () => ((await cameraRecordings(store, cam.id))[0]?.segmentCount === liveEdgeCount ? true : undefined), { timeoutMs: 10_000, description: 'the live edge’s segments' });
  await firstRun.stop();

  const moved = { ...cam, streamUrl: livePlaylistUrl(crypto.randomUUID()) };
  const secondRun = capture(moved, store, now);
  const events = started(secondRun);
  secondRun.start();
  await waitFor(() => events[0], { timeoutMs: 10_000, description: 'the new recording to start' });
  expect(events[0]!.resumed).toBe(false);
  await secondRun.stop();
  const all = await cameraRecordings(store, cam.id);
  expect(all.map((r) => [r.sourceUrl, r.dayKey])).toEqual([
    [cam.streamUrl, '2026-09-04'],
    [moved.streamUrl, '2026-09-04'],
  ]);
});
