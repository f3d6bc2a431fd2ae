import { expect, test } from '@playwright/test';
import { probeMedia } from '../helpers/ffprobe.ts';
import { startLiveStream, stopIfRunning, type LiveStream } from '../helpers/live-stream.ts';
import { AppPage, isContiguous } from './app-page.ts';

/**
 * The main job, end to end: a real ffmpeg live stream over HTTP on 127.0.0.1, recorded by
 * the app in Chromium into IndexedDB, downloaded, checked with ffprobe, and played offline.
 */

let stream: LiveStream | undefined;
test.afterEach(async () => {
  await stopIfRunning(stream);
  stream = undefined;
});

test('records a live H.264+AAC stream, downloads it as MP4, and plays it offline', async ({ page, context }) => {
  stream = await startLiveStream({ kind: 'video' });
  const app = new AppPage(page);
  await app.startRecording(stream.playlistUrl);
  await app.waitForElapsed(20);
  await app.stopRecording();

  const [recording] = await app.storedRecordings();
  expect(recording).toBeDefined();
  const stored = recording!;
  expect(stored.status).toBe('complete');
  expect(stored.kind).toBe('video');
  expect(stored.gapCount).toBe(0);
  expect(isContiguous(stored.msns)).toBe(true);
  expect(stored.segmentCount).toBe(stored.msns.length);
  expect(stored.bytes).toBe(stored.storedBytes);
  expect(stored.durationSec).toBeGreaterThanOrEqual(18);

  const item = app.item(stored.title);
  await expect(item).toContainText('Complete');
  await expect(item).toContainText('no gaps');

  const { path, suggestedName } = await app.download(item, 'mp4');
  expect(suggestedName).toMatch(/\.mp4$/);
  const probed = await probeMedia(path);
  expect(probed.streams.map((s) => `${s.codecType}:${s.codecName}`).sort()).toEqual(['audio:aac', 'video:h264']);
  expect(Math.abs(probed.durationSec - stored.durationSec)).toBeLessThanOrEqual(2);

  await context.setOffline(true);
  await app.expectPlayback(item);
});

test('records an audio-only AAC stream and downloads it as M4A', async ({ page }) => {
  stream = await startLiveStream({ kind: 'audio' });
  const app = new AppPage(page);
  await app.startRecording(stream.playlistUrl);
  await app.waitForElapsed(20);
  await app.stopRecording();

  const [stored] = await app.storedRecordings();
  expect(stored?.kind).toBe('audio');
  expect(stored?.gapCount).toBe(0);
  expect(isContiguous(stored!.msns)).toBe(true);

  const item = app.item(stored!.title);
  await expect(item.getByLabel('Format')).toHaveValue('m4a');
  const { path, suggestedName } = await app.download(item);
  expect(suggestedName).toMatch(/\.m4a$/);
  const probed = await probeMedia(path);
  expect(probed.streams.map((s) => `${s.codecType}:${s.codecName}`)).toEqual(['audio:aac']);
  expect(Math.abs(probed.durationSec - stored!.durationSec)).toBeLessThanOrEqual(2);
});

test('a reload during recording leaves an interrupted recording that keeps its segments and downloads', async ({ page }) => {
  stream = await startLiveStream({ kind: 'video' });
  const app = new AppPage(page);
  await app.startRecording(stream.playlistUrl);
  await expect.poll(async () => (await app.storedRecordings())[0]?.segmentCount ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);

  await page.reload();
  const [stored] = await app.storedRecordings();
  const item = app.item(stored!.title);
  await expect(item).toContainText('Interrupted');
  const [after] = await app.storedRecordings();
  expect(after!.status).toBe('interrupted');
  expect(after!.segmentCount).toBeGreaterThanOrEqual(3);
  expect(after!.msns).toHaveLength(after!.segmentCount);

  const { path } = await app.download(item, 'mp4');
  const probed = await probeMedia(path);
  expect(probed.streams.map((s) => s.codecName).sort()).toEqual(['aac', 'h264']);
  expect(Math.abs(probed.durationSec - after!.durationSec)).toBeLessThanOrEqual(2);
});
