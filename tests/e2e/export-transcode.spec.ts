import { expect, test, type Page } from '@playwright/test';
import { stat } from 'node:fs/promises';
import { probeMedia } from '../helpers/ffprobe.ts';
import { startLiveStream, stopIfRunning, type LiveStream } from '../helpers/live-stream.ts';
import { waitFor } from '../helpers/poll.ts';
import { AppPage } from './app-page.ts';
import { integratedLoudnessLufs, lumaRegion, meanAbsoluteDifference } from './media-checks.ts';

/**
 * Re-encoded exports, end to end: a real ffmpeg live stream (640x360 H.264 test pattern and a
 * 440 Hz AAC tone) recorded by the app, then exported as AAC, Opus, a smaller H.264 MP4, a
 * loudness-normalised M4A and an MP4 with the wall clock burned in; checked with native ffprobe
 * and ffmpeg. The ffmpeg.wasm core must come from the app's own origin, and keep working
 * offline from the service worker's cache.
 */

let stream: LiveStream | undefined;
test.afterEach(async () => {
  await stopIfRunning(stream);
  stream = undefined;
});

/** Waits until the service worker controls the page, so that it caches the ffmpeg core. */
async function waitForServiceWorker(page: Page): Promise<void> {
  await waitFor(async () => ((await page.evaluate(() => navigator.serviceWorker.controller !== null)) ? true : undefined), { timeoutMs: 30_000, description: 'the service worker to control the page' });
}

test('AAC, Opus, smaller MP4, loudness-normalised M4A and burned wall clock; the core only from the app, then offline', async ({ page, context }) => {
  test.setTimeout(420_000);
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  stream = await startLiveStream({ kind: 'video' });
  const app = new AppPage(page);
  await app.startRecording(stream.playlistUrl);
  await waitForServiceWorker(page);
  await app.waitForElapsed(8);
  await app.stopRecording();
  const [stored] = await app.storedRecordings();
  const item = app.item(stored!.title);
  const recordedSec = stored!.durationSec;

  const plain = await app.download(item, 'mp4');
  const aac = await app.download(item, 'm4a-aac-96', 180_000);
  expect(aac.suggestedName.endsWith('.m4a')).toBe(true);
  const aacProbe = await probeMedia(aac.path);
  expect(aacProbe.streams.map((s) => `${s.codecType}:${s.codecName}`)).toEqual(['audio:aac']);
  expect(Math.abs(aacProbe.durationSec - recordedSec)).toBeLessThanOrEqual(0.5);

  const opus = await app.download(item, 'ogg-opus-64', 180_000);
  expect(opus.suggestedName.endsWith('.ogg')).toBe(true);
  const opusProbe = await probeMedia(opus.path);
  expect(opusProbe.streams.map((s) => `${s.codecType}:${s.codecName}`)).toEqual(['audio:opus']);
  expect(Math.abs(opusProbe.durationSec - recordedSec)).toBeLessThanOrEqual(0.5);

  const small = await app.download(item, 'mp4-small', 240_000);
  const smallProbe = await probeMedia(small.path);
  expect(smallProbe.streams.map((s) => `${s.codecType}:${s.codecName}`).sort()).toEqual(['audio:aac', 'video:h264']);
  expect(Math.abs(smallProbe.durationSec - recordedSec)).toBeLessThanOrEqual(0.5);
  // CRF 30 at 360p against the stream's own CRF 23: the user asked for a smaller file.
  expect((await stat(small.path)).size).toBeLessThan((await stat(plain.path)).size);

  // The tone is about -21 LUFS; normalised, -16 LUFS (EBU R128, measured by native ffmpeg).
  const loud = await app.download(item, 'm4a-loudnorm', 180_000);
  expect(Math.abs((await integratedLoudnessLufs(loud.path)) - -16)).toBeLessThanOrEqual(1.5);
  expect(Math.abs((await integratedLoudnessLufs(aac.path)) - -16)).toBeGreaterThan(3);

  // The core came from the app's own origin, never a CDN, and is now cached for offline use.
  const appOrigin = new URL(page.url()).origin;
  const streamOrigin = new URL(stream.playlistUrl).origin;
  expect(requests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && ![appOrigin, streamOrigin].includes(new URL(url).origin))).toEqual([]);
  expect(requests).toContain(`${appOrigin}/ffmpeg/ffmpeg-core.wasm`);
  const cached = await page.evaluate(async () => (await (await caches.open('tapedeck-ffmpeg-core')).keys()).map((request) => new URL(request.url).pathname).sort());
  expect(cached).toEqual(expect.arrayContaining(['/ffmpeg/ffmpeg-core.js', '/ffmpeg/ffmpeg-core.wasm']));

  // Offline: the burned wall clock still exports, the core and font from the cache.
  await context.setOffline(true);
  await item.getByLabel('Format').selectOption('mp4-small');
  await item.getByLabel('Burn in the time').check();
  const burned = await app.download(item, undefined, 240_000);
  await context.setOffline(false);
  const burnedProbe = await probeMedia(burned.path);
  expect(burnedProbe.streams.map((s) => `${s.codecType}:${s.codecName}`).sort()).toEqual(['audio:aac', 'video:h264']);
  expect(Math.abs(burnedProbe.durationSec - recordedSec)).toBeLessThanOrEqual(0.5);
  // The time's box in the top left differs from the same export without it; the rest does not.
  const clockArea = { x: 0, y: 0, width: 320, height: 44 };
  const elsewhere = { x: 0, y: 200, width: 320, height: 100 };
  expect(meanAbsoluteDifference(await lumaRegion(burned.path, 2, clockArea), await lumaRegion(small.path, 2, clockArea))).toBeGreaterThan(20);
  expect(meanAbsoluteDifference(await lumaRegion(burned.path, 2, elsewhere), await lumaRegion(small.path, 2, elsewhere))).toBeLessThan(6);

  // Exports only read the recording.
  const [after] = await app.storedRecordings();
  expect(after).toMatchObject({ segmentCount: stored!.segmentCount, bytes: stored!.bytes, durationSec: stored!.durationSec });
});

test('offline before the core was ever loaded: a clear message, the recording untouched', async ({ page, context }) => {
  test.setTimeout(180_000);
  stream = await startLiveStream({ kind: 'audio' });
  const app = new AppPage(page);
  await app.startRecording(stream.playlistUrl);
  await app.waitForElapsed(4);
  await app.stopRecording();
  const [stored] = await app.storedRecordings();
  const item = app.item(stored!.title);

  await context.setOffline(true);
  await item.getByLabel('Format').selectOption('m4a-loudnorm');
  await item.getByRole('button', { name: 'Download' }).click();
  await expect(item.getByRole('alert').filter({ hasText: /\S/ })).toContainText('The transcoder (ffmpeg.wasm, about 31 MB) could not be loaded', { timeout: 60_000 });
  await context.setOffline(false);
  await expect(item.getByRole('button', { name: 'Download' })).toBeEnabled();
  const [after] = await app.storedRecordings();
  expect(after).toMatchObject({ segmentCount: stored!.segmentCount, bytes: stored!.bytes, status: stored!.status });
});

test('Cancel stops a running transcode and leaves no partial file', async ({ page }) => {
  test.setTimeout(180_000);
  stream = await startLiveStream({ kind: 'video' });
  const app = new AppPage(page);
  await app.startRecording(stream.playlistUrl);
  await app.waitForElapsed(8);
  await app.stopRecording();
  const [stored] = await app.storedRecordings();
  const item = app.item(stored!.title);

  await item.getByLabel('Format').selectOption('mp4-medium');
  await item.getByRole('button', { name: 'Download' }).click();
  await expect.poll(() => item.getByRole('progressbar').evaluate((bar: HTMLProgressElement) => bar.value), { timeout: 60_000 }).toBeGreaterThan(0);
  await item.getByRole('button', { name: 'Cancel' }).click();
  await expect(item.getByRole('button', { name: 'Download' })).toBeEnabled({ timeout: 15_000 });
  await expect(item.getByRole('alert').filter({ hasText: /\S/ })).toHaveCount(0);
  const exportFiles = await page.evaluate(async () => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('exports', { create: true });
    const names: string[] = [];
    for await (const name of dir.keys()) names.push(name);
    return names;
  });
  expect(exportFiles).toEqual([]);
  const [after] = await app.storedRecordings();
  expect(after).toMatchObject({ segmentCount: stored!.segmentCount, bytes: stored!.bytes });
});
