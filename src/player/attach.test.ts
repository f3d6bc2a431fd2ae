import { afterEach, beforeEach, expect, test } from 'vitest';
import { DEMO_SEGMENT_SEC, demoSegment, openTestStore, storeDemoRecording, testVideo, type TestStore } from '../storage/test-fixtures.ts';
import { attachRecording, type RecordingPlayback } from './attach.ts';

let t: TestStore;
let video: HTMLVideoElement;
let playback: RecordingPlayback | undefined;
const errors: string[] = [];

beforeEach(async () => {
  t = await openTestStore();
  video = testVideo();
  errors.length = 0;
});

afterEach(async () => {
  playback?.detach();
  playback = undefined;
  video.remove();
  await t.dispose();
});

test('plays a stored recording from IndexedDB, seeks in it, and stops on detach', { timeout: 30_000 }, async () => {
  const recording = await storeDemoRecording(t.store, [0, 1, 2]);

  playback = attachRecording(video, recording.id, t.store, (message) => errors.push(message));

  await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(1);
  expect(errors).toEqual([]);
  expect(video.duration).toBeGreaterThan(5.5);
  expect(video.duration).toBeLessThan(6.5);

  video.currentTime = 4.5;
  await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(4.5);
  expect(errors).toEqual([]);

  playback.detach();
  // hls.js lets go of the element: no media attached any more, nothing to play.
  expect(video.getAttribute('src')).toBeNull();
  expect(video.readyState).toBe(HTMLMediaElement.HAVE_NOTHING);
  expect(Number.isNaN(video.duration)).toBe(true);
  expect(() => playback!.detach()).not.toThrow();
});

test('plays across a gap in the recording', { timeout: 30_000 }, async () => {
  let recording = await storeDemoRecording(t.store, [0, 1]);
  // msn 2 is missing; msn 3 holds demo05, whose timestamps do not follow demo01's.
  const data = await demoSegment(5);
  ({ recording } = await t.store.appendSegment({ recordingId: recording.id, msn: 3, durationSec: 2, discontinuity: false, programDateTimeMs: null, data }));

  playback = attachRecording(video, recording.id, t.store, (message) => errors.push(message));

  await expect.poll(() => video.currentTime, { timeout: 20_000 }).toBeGreaterThan(4.5);
  expect(errors).toEqual([]);
  expect(video.duration).toBeGreaterThan(5.5);
  expect(video.duration).toBeLessThan(6.5);
});

test('reports a recording whose segments are gone as a playback error', { timeout: 30_000 }, async () => {
  const missing = crypto.randomUUID();
  const reported = new Promise<string>((resolve) => {
    playback = attachRecording(video, missing, t.store, resolve);
  });
  // An empty playlist is fatal for hls.js: the user gets a message rather than a spinner.
  await expect(reported).resolves.toMatch(/^Playback failed: /);
});

/** Stores demo segment `index` as msn `msn` of a recording, the way capture does. */
async function appendDemo(recordingId: string, msn: number, index = msn): Promise<void> {
  await t.store.appendSegment({ recordingId, msn, durationSec: DEMO_SEGMENT_SEC, discontinuity: false, programDateTimeMs: null, data: await demoSegment(index) });
}

test('time-shift: a recording in progress plays from its start and grows as capture stores segments', { timeout: 60_000 }, async () => {
  // storeDemoRecording leaves the recording in status 'recording', as capture does until it stops.
  const recording = await storeDemoRecording(t.store, [0, 1, 2]);
  expect(recording.status).toBe('recording');

  playback = attachRecording(video, recording.id, t.store, (message) => errors.push(message));

  // From the start, not from the live edge.
  await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(0.5);
  expect(video.currentTime).toBeLessThan(3);
  expect(playback.live).toBe(true);
  expect(playback.edgeSec).toBeCloseTo(6, 0);

  await appendDemo(recording.id, 3);
  await appendDemo(recording.id, 4);
  // hls.js reloads the open playlist through the IndexedDB loader and finds the new segments.
  await expect.poll(() => video.duration, { timeout: 15_000 }).toBeGreaterThan(9.5);
  expect(playback.edgeSec).toBeCloseTo(10, 0);
  expect(errors).toEqual([]);

  // Jump to live lands a few target durations before the newest stored moment, and plays on.
  const targetSec = playback.jumpToLive();
  expect(targetSec).not.toBeNull();
  expect(targetSec!).toBeGreaterThan(10 - 4 * DEMO_SEGMENT_SEC);
  expect(targetSec!).toBeLessThan(10);
  await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(targetSec! + 0.5);

  playback.backToStart();
  await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeLessThan(2);
  expect(errors).toEqual([]);
});

test('time-shift: when the recording ends while playing, playback runs on to its real end', { timeout: 60_000 }, async () => {
  const recording = await storeDemoRecording(t.store, [0, 1, 2]);
  const ended = new Promise<void>((resolve) => video.addEventListener('ended', () => resolve(), { once: true }));

  playback = attachRecording(video, recording.id, t.store, (message) => errors.push(message));
  await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(0.5);

  // Capture stores its last segment, then marks the recording complete.
  await appendDemo(recording.id, 3);
  await t.store.update(recording.id, { status: 'complete', endedAtMs: Date.now() });

  // The next reload has EXT-X-ENDLIST: hls.js stops reloading, and the element can end.
  await expect.poll(() => playback!.live, { timeout: 15_000 }).toBe(false);
  expect(video.duration).toBeCloseTo(8, 0);
  expect(playback.jumpToLive()).toBeNull();
  video.currentTime = 6.5;
  await ended;
  expect(video.currentTime).toBeGreaterThan(7.5);
  expect(errors).toEqual([]);
});

test('a complete recording is not live: its playlist is ended from the first load', { timeout: 30_000 }, async () => {
  const recording = await storeDemoRecording(t.store, [0, 1]);
  await t.store.update(recording.id, { status: 'complete', endedAtMs: Date.now() });

  playback = attachRecording(video, recording.id, t.store, (message) => errors.push(message));
  await expect.poll(() => playback!.edgeSec, { timeout: 15_000 }).not.toBeNull();
  expect(playback.live).toBe(false);
  expect(playback.edgeSec).toBeCloseTo(4, 0);
  expect(playback.jumpToLive()).toBeNull();
});
