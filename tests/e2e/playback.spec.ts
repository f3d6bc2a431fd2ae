import { expect, test, type Locator } from '@playwright/test';
import { startLiveStream, stopIfRunning, type LiveStream } from '../helpers/live-stream.ts';
import { AppPage, mediaSessionTitle, recordingPlayer, videoState } from './app-page.ts';

/**
 * Time-shift, end to end: a recording still being captured from a real ffmpeg live stream is
 * played from its start out of IndexedDB, jumps to live, keeps growing meanwhile, and plays
 * on to its real end once Stop completes it.
 */

/** Segment length of the test stream (`-hls_time`), in seconds: the playlist's target duration. */
const SEGMENT_SEC = 2;

let stream: LiveStream | undefined;
test.afterEach(async () => {
  await stopIfRunning(stream);
  stream = undefined;
});

/** Seconds behind live the player says, from text like `0:03 / 0:18 · 15 s behind live`. */
async function behindLiveSec(region: Locator): Promise<number | null> {
  const text = (await region.locator('.position').textContent({ timeout: 1000 }).catch(() => null)) ?? '';
  const match = /(\d+) s behind live/.exec(text);
  return match ? Number(match[1]) : null;
}

test('plays a recording in progress from its start, jumps to live, and plays on after Stop', async ({ page }) => {
  stream = await startLiveStream({ kind: 'video', segmentDurationSec: SEGMENT_SEC });
  const app = new AppPage(page);
  await app.startRecording(stream.playlistUrl);
  // Enough stored that the live edge is well past the start, so Jump to live visibly jumps.
  await expect.poll(async () => (await app.storedRecordings())[0]?.segmentCount ?? 0, { timeout: 60_000 }).toBeGreaterThanOrEqual(8);
  const [recording] = await app.storedRecordings();
  const item = app.item(recording!.title);
  await expect(item).toContainText('Recording');

  await item.getByRole('button', { name: 'Play' }).click();
  const { region, video } = recordingPlayer(page);

  // From the start, not from the live edge, and advancing.
  await expect.poll(async () => (await videoState(video)).currentTimeSec, { timeout: 30_000, intervals: [100] }).toBeGreaterThan(0);
  expect((await videoState(video)).currentTimeSec).toBeLessThan(3);
  const startedAtSec = (await videoState(video)).currentTimeSec;
  await expect.poll(async () => (await videoState(video)).currentTimeSec, { timeout: 15_000 }).toBeGreaterThan(startedAtSec + 0.5);
  expect(await mediaSessionTitle(page)).toBe(recording!.title);

  // The player says how far behind live it is: at least the 8 segments stored before Play.
  await expect.poll(() => behindLiveSec(region), { timeout: 15_000 }).toBeGreaterThanOrEqual(10);
  await expect(region.getByRole('button', { name: 'Back to start' })).toBeVisible();

  const beforeJumpSec = (await videoState(video)).currentTimeSec;
  const clickedAtMs = Date.now();
  await region.getByRole('button', { name: 'Jump to live' }).click();
  await expect.poll(async () => (await videoState(video)).currentTimeSec, { timeout: 15_000 }).toBeGreaterThan(beforeJumpSec + 5);
  // A jump, not just playing on: further than 1x playback could have gone since the click.
  const playedSec = (Date.now() - clickedAtMs) / 1000;
  expect((await videoState(video)).currentTimeSec - beforeJumpSec).toBeGreaterThan(playedSec + 4);
  // Near the newest stored moment: hls.js joins live three target durations before it, and
  // its view of the playlist may be one reload (a target duration) older than IndexedDB.
  const stored = (await app.storedRecordings())[0]!;
  const atLive = await videoState(video);
  expect(stored.durationSec - atLive.currentTimeSec).toBeLessThanOrEqual(4 * SEGMENT_SEC + 1);
  expect(atLive.currentTimeSec).toBeLessThan(stored.durationSec + 1);
  await expect.poll(() => behindLiveSec(region), { timeout: 15_000 }).toBeLessThanOrEqual(4 * SEGMENT_SEC + 1);

  // Capture goes on while it plays, and the player keeps up with it.
  await expect.poll(async () => (await app.storedRecordings())[0]!.segmentCount, { timeout: 30_000 }).toBeGreaterThan(stored.segmentCount + 1);
  const afterJumpSec = (await videoState(video)).currentTimeSec;
  await expect.poll(async () => (await videoState(video)).currentTimeSec, { timeout: 15_000 }).toBeGreaterThan(afterJumpSec + 2);
  expect(await mediaSessionTitle(page)).toBe(recording!.title);

  await app.stopRecording();
  const complete = (await app.storedRecordings())[0]!;
  expect(complete.status).toBe('complete');
  await expect(item).toContainText('Complete');
  await expect(region.getByRole('button', { name: 'Jump to live' })).toHaveCount(0);
  await expect(region.locator('.position')).not.toContainText('behind live');

  // Playback keeps working and runs to the real end: the player loads the ended playlist
  // (its duration is the whole recording), and the video ends there.
  await expect.poll(async () => Math.abs((await videoState(video)).durationSec - complete.durationSec), { timeout: 15_000 }).toBeLessThan(1);
  const afterStopSec = (await videoState(video)).currentTimeSec;
  await expect.poll(async () => (await videoState(video)).currentTimeSec, { timeout: 15_000 }).toBeGreaterThan(afterStopSec + 1);
  await video.evaluate((v: HTMLVideoElement) => (v.currentTime = v.duration - 3));
  await expect.poll(async () => (await videoState(video)).ended, { timeout: 15_000 }).toBe(true);
  expect((await videoState(video)).currentTimeSec).toBeGreaterThan(complete.durationSec - 1);

  await region.getByRole('button', { name: 'Back to start' }).click();
  await expect.poll(async () => (await videoState(video)).currentTimeSec, { timeout: 15_000 }).toBeLessThan(1);
});
