import { expect, test } from '@playwright/test';
import { probeMedia } from '../helpers/ffprobe.ts';
import { startLiveStream, stopIfRunning, type LiveStream } from '../helpers/live-stream.ts';
import { AppPage, isContiguous } from './app-page.ts';

/**
 * What a newcomer meets: the built-in demo stream preselected, recorded across one of its
 * loop discontinuities, exported as one playable file; then the library's Rename and Delete,
 * and the error a bad playlist URL gives.
 */

test('the demo stream is preselected and records across a discontinuity into one playable MP4', async ({ page }) => {
  const app = new AppPage(page);
  await page.goto('/');
  await expect(app.live.getByLabel('Stream URL')).toHaveValue(/\/demo\/live\.m3u8$/);
  await app.live.getByRole('button', { name: 'Record' }).click();
  // The demo clip loops every 20 s, so 22 s of recording always crosses a loop boundary.
  await app.waitForElapsed(22);
  await app.stopRecording();

  const [stored] = await app.storedRecordings();
  expect(stored!.title).toMatch(/^Demo stream \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  expect(stored!.gapCount).toBe(0);
  expect(isContiguous(stored!.msns)).toBe(true);
  expect(stored!.discontinuityCount).toBeGreaterThanOrEqual(1);

  const { path } = await app.download(app.item(stored!.title), 'mp4');
  const probed = await probeMedia(path);
  expect(probed.streams.map((s) => s.codecName).sort()).toEqual(['aac', 'h264']);
  expect(Math.abs(probed.durationSec - stored!.durationSec)).toBeLessThanOrEqual(2);
});

test('Rename changes the title and Delete frees the recording and its segments', async ({ page }) => {
  const app = new AppPage(page);
  await page.goto('/');
  await app.live.getByRole('button', { name: 'Record' }).click();
  await expect.poll(async () => (await app.storedRecordings())[0]?.segmentCount ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  await app.stopRecording();
  const [stored] = await app.storedRecordings();

  const item = app.item(stored!.title);
  await item.getByRole('button', { name: 'Rename' }).click();
  // While renaming, the item shows a Title field instead of its title.
  await app.library.getByLabel('Title').fill('  Morning show  ');
  await app.library.getByRole('button', { name: 'Save', exact: true }).click();
  const renamed = app.item('Morning show');
  await expect(renamed.getByRole('heading', { name: 'Morning show', exact: true })).toBeVisible();
  expect((await app.storedRecordings())[0]!.title).toBe('Morning show');

  await renamed.getByRole('button', { name: 'Delete' }).click();
  await renamed.getByRole('button', { name: 'Delete for good' }).click();
  await expect(app.library.getByRole('listitem')).toHaveCount(0);
  const left = await app.storedRecordings();
  expect(left).toHaveLength(0);
  expect(await app.storedSegments()).toHaveLength(0);
});

let stream: LiveStream | undefined;
test.afterEach(async () => {
  await stopIfRunning(stream);
  stream = undefined;
});

test('a playlist URL answering 404 shows a clear error and records nothing', async ({ page }) => {
  stream = await startLiveStream({ kind: 'audio' });
  const missingUrl = stream.playlistUrl.replace(/live\.m3u8$/, 'missing.m3u8');
  const app = new AppPage(page);
  await page.goto('/');
  await app.live.getByLabel('Stream URL').fill(missingUrl);
  await app.live.getByRole('button', { name: 'Record' }).click();
  await expect(app.live.getByRole('alert')).toContainText('HTTP 404');
  await expect(app.live.getByRole('button', { name: 'Record' })).toBeEnabled();
  expect(await app.storedRecordings()).toHaveLength(0);
});

test('a page that is not a playlist shows a clear error', async ({ page }) => {
  const app = new AppPage(page);
  await page.goto('/');
  await app.live.getByLabel('Stream URL').fill(new URL('/index.html', page.url()).href);
  await app.live.getByRole('button', { name: 'Record' }).click();
  await expect(app.live.getByRole('alert')).toContainText('not a usable HLS playlist');
  expect(await app.storedRecordings()).toHaveLength(0);
});
