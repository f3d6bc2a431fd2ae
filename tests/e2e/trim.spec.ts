import { expect, test } from '@playwright/test';
import { probeMedia } from '../helpers/ffprobe.ts';
import { startLiveStream, stopIfRunning, type LiveStream } from '../helpers/live-stream.ts';
import { AppPage } from './app-page.ts';

/**
 * Trim, end to end: in and out points set on a recording of a real ffmpeg live stream (2 s
 * segments, a keyframe at each), the preview seeking to each, then exported cut at keyframes
 * (no re-encoding: within one segment of the range) and frame-exact (re-encoded: within 0.1 s),
 * checked with native ffprobe.
 */

let stream: LiveStream | undefined;
test.afterEach(async () => {
  await stopIfRunning(stream);
  stream = undefined;
});

const SEGMENT_SEC = 2;

test('in and out points preview in the player and export at keyframes and frame-exact', async ({ page }) => {
  test.setTimeout(300_000);
  stream = await startLiveStream({ kind: 'video', segmentDurationSec: SEGMENT_SEC });
  const app = new AppPage(page);
  await app.startRecording(stream.playlistUrl);
  await app.waitForElapsed(12);
  await app.stopRecording();
  const [stored] = await app.storedRecordings();
  const item = app.item(stored!.title);

  await item.getByLabel('Trim').check();
  const preview = item.getByLabel('Recording playback');
  await expect(preview).toBeVisible();
  const inSec = 3.3;
  const outSec = 9.1;
  await item.getByLabel('In (s)').fill(String(inSec));
  await item.getByLabel('In (s)').blur();
  // The preview seeks to the in point as it is set.
  await expect.poll(() => preview.evaluate((video: HTMLVideoElement) => video.currentTime), { timeout: 30_000 }).toBeCloseTo(inSec, 0);
  await item.getByLabel('Out (s)').fill(String(outSec));
  await item.getByLabel('Out (s)').blur();
  await expect.poll(() => preview.evaluate((video: HTMLVideoElement) => video.currentTime), { timeout: 30_000 }).toBeCloseTo(outSec, 0);
  await expect(item.locator('.trim-length')).toHaveText('5.8 s from 0:03');
  // Set in here takes the preview's position: scrubbed to 6 s, the in point becomes 6 s.
  await preview.evaluate(async (video: HTMLVideoElement) => {
    const seeked = new Promise((resolve) => video.addEventListener('seeked', resolve, { once: true }));
    video.currentTime = 6;
    await seeked;
  });
  await item.getByRole('button', { name: 'Set in here' }).click();
  await expect(item.getByLabel('In (s)')).toHaveValue('6');
  await expect(item.locator('.trim-length')).toHaveText('3.1 s from 0:06');
  await item.getByLabel('In (s)').fill(String(inSec));
  await item.getByLabel('In (s)').blur();
  await expect(item.locator('.trim-length')).toHaveText('5.8 s from 0:03');

  const keyframe = await app.download(item, 'mp4');
  const keyframeProbe = await probeMedia(keyframe.path);
  expect(keyframeProbe.streams.map((s) => `${s.codecType}:${s.codecName}`).sort()).toEqual(['audio:aac', 'video:h264']);
  // Starts at the keyframe before the in point: up to one segment longer, never shorter.
  expect(keyframeProbe.durationSec).toBeGreaterThanOrEqual(outSec - inSec - 0.1);
  expect(keyframeProbe.durationSec).toBeLessThanOrEqual(outSec - inSec + SEGMENT_SEC);

  await item.getByLabel('Cut').selectOption('exact');
  const exact = await app.download(item, 'mp4', 240_000);
  const exactProbe = await probeMedia(exact.path);
  expect(exactProbe.streams.map((s) => `${s.codecType}:${s.codecName}`).sort()).toEqual(['audio:aac', 'video:h264']);
  expect(Math.abs(exactProbe.durationSec - (outSec - inSec))).toBeLessThanOrEqual(0.1);

  const [after] = await app.storedRecordings();
  expect(after).toMatchObject({ segmentCount: stored!.segmentCount, bytes: stored!.bytes, durationSec: stored!.durationSec });
});
