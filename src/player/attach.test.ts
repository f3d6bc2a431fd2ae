import { afterEach, beforeEach, expect, test } from 'vitest';
import { demoSegment, openTestStore, storeDemoRecording, type TestStore } from '../storage/test-fixtures.ts';
import { attachRecording, type Detach } from './attach.ts';

let t: TestStore;
let video: HTMLVideoElement;
let detach: Detach | undefined;
const errors: string[] = [];

beforeEach(async () => {
  t = await openTestStore();
  video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  document.body.append(video);
  errors.length = 0;
});

afterEach(async () => {
  detach?.();
  detach = undefined;
  video.remove();
  await t.dispose();
});

test('plays a stored recording from IndexedDB, seeks in it, and stops on detach', { timeout: 30_000 }, async () => {
  const recording = await storeDemoRecording(t.store, [0, 1, 2]);

  detach = attachRecording(video, recording.id, t.store, (message) => errors.push(message));

  await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(1);
  expect(errors).toEqual([]);
  expect(video.duration).toBeGreaterThan(5.5);
  expect(video.duration).toBeLessThan(6.5);

  video.currentTime = 4.5;
  await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(4.5);
  expect(errors).toEqual([]);

  detach();
  // hls.js lets go of the element: no media attached any more, nothing to play.
  expect(video.getAttribute('src')).toBeNull();
  expect(video.readyState).toBe(HTMLMediaElement.HAVE_NOTHING);
  expect(Number.isNaN(video.duration)).toBe(true);
  expect(() => detach!()).not.toThrow();
});

test('plays across a gap in the recording', { timeout: 30_000 }, async () => {
  let recording = await storeDemoRecording(t.store, [0, 1]);
  // msn 2 is missing; msn 3 holds demo05, whose timestamps do not follow demo01's.
  const data = await demoSegment(5);
  ({ recording } = await t.store.appendSegment({ recordingId: recording.id, msn: 3, durationSec: 2, discontinuity: false, programDateTimeMs: null, data }));

  detach = attachRecording(video, recording.id, t.store, (message) => errors.push(message));

  await expect.poll(() => video.currentTime, { timeout: 20_000 }).toBeGreaterThan(4.5);
  expect(errors).toEqual([]);
  expect(video.duration).toBeGreaterThan(5.5);
  expect(video.duration).toBeLessThan(6.5);
});

test('reports a recording whose segments are gone as a playback error', { timeout: 30_000 }, async () => {
  const missing = crypto.randomUUID();
  const reported = new Promise<string>((resolve) => {
    detach = attachRecording(video, missing, t.store, resolve);
  });
  // An empty playlist is fatal for hls.js: the user gets a message rather than a spinner.
  await expect(reported).resolves.toMatch(/^Playback failed: /);
});
