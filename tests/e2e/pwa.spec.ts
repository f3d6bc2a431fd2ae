import { chromium, expect, test, type Page } from '@playwright/test';
import { chromiumArgs, chromiumExecutablePath } from '../helpers/chromium.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';
import { probeMedia } from '../helpers/ffprobe.ts';
import { startLiveStream, stopIfRunning, type LiveStream } from '../helpers/live-stream.ts';
import { AppPage } from './app-page.ts';

/**
 * Tapedeck as an installed app: installable by the browser's own checks, fully usable with no
 * network once loaded, and updated only with the user's consent, never over a recording.
 */

let stream: LiveStream | undefined;
test.afterEach(async () => {
  await stopIfRunning(stream);
  stream = undefined;
});

/** Waits until the service worker is active (the app shell is precached by then). */
async function serviceWorkerReady(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
}

test('the manifest and service worker meet Chromium installability requirements', async ({ baseURL }) => {
  // Playwright's contexts are incognito, where nothing is installable: use a real profile.
  const profileDir = await mkdtemp(join(tmpdir(), 'tapedeck-profile-'));
  const context = await chromium.launchPersistentContext(profileDir, { executablePath: chromiumExecutablePath(), args: chromiumArgs });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(String(baseURL));
    await serviceWorkerReady(page);
    await checkInstallability(page);
  } finally {
    await context.close();
    await rm(profileDir, { recursive: true, force: true });
  }
});

async function checkInstallability(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
  expect(installabilityErrors).toEqual([]);
  const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; url: string; data?: string };
  expect(manifest.errors).toEqual([]);
  const data = JSON.parse(manifest.data!) as { display: string; icons: { purpose?: string; sizes: string }[]; share_target?: { params: { url: string } } };
  expect(data.display).toBe('standalone');
  expect(data.icons.some((icon) => icon.purpose === 'maskable' && icon.sizes === '512x512')).toBe(true);
  expect(data.share_target?.params.url).toBe('url');
}

test('offline: the app opens, lists the recording, plays it and downloads it with no network', async ({ page, context }) => {
  stream = await startLiveStream({ kind: 'video' });
  const app = new AppPage(page);
  await app.startRecording(stream.playlistUrl);
  await serviceWorkerReady(page);
  await expect.poll(async () => (await app.storedRecordings())[0]?.segmentCount ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
  await app.stopRecording();
  const [stored] = await app.storedRecordings();

  await context.setOffline(true);
  await page.reload();
  const item = app.item(stored!.title);
  await expect(item).toContainText('Complete');
  await app.expectPlayback(item);
  // Seek forward, past anything buffered so far, and play on from there.
  const video = page.getByLabel('Recording playback');
  const targetSec = Math.floor(stored!.durationSec - 3);
  await video.evaluate((v: HTMLVideoElement, sec: number) => (v.currentTime = sec), targetSec);
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 15_000 }).toBeGreaterThan(targetSec + 0.5);
  const { path } = await app.download(item, 'mp4');
  const probed = await probeMedia(path);
  expect(probed.streams.map((s) => s.codecName).sort()).toEqual(['aac', 'h264']);
  expect(Math.abs(probed.durationSec - stored!.durationSec)).toBeLessThanOrEqual(2);
});

test('a new version shows the prompt and waits for the running recording, in whichever tab, before reloading', async ({ page }) => {
  test.setTimeout(180_000);
  const port = 4279;
  const dirs = { a: await mkdtemp(join(tmpdir(), 'tapedeck-build-a-')), b: await mkdtemp(join(tmpdir(), 'tapedeck-build-b-')) };
  const buildVersion = async (id: 'a' | 'b') => {
    process.env.TAPEDECK_BUILD_ID = `update-test-${id}`;
    await build({ logLevel: 'error', build: { outDir: dirs[id], emptyOutDir: true } });
  };
  const serve = (id: 'a' | 'b') => preview({ logLevel: 'error', build: { outDir: dirs[id] }, preview: { port, strictPort: true, host: '127.0.0.1' } });
  let server: PreviewServer | undefined;
  try {
    await buildVersion('a');
    await buildVersion('b');
    delete process.env.TAPEDECK_BUILD_ID;
    server = await serve('a');
    stream = await startLiveStream({ kind: 'audio' });

    const app = new AppPage(page);
    await page.goto(`http://127.0.0.1:${port}/`);
    await expect(page.getByText('Tapedeck update-test-a')).toBeVisible();
    await serviceWorkerReady(page);
    await app.live.getByLabel('Stream URL').fill(stream.playlistUrl);
    await app.live.getByRole('button', { name: 'Record' }).click();
    await expect(app.live.getByRole('status')).toContainText('Recording');
    // A second tab of the app, not recording itself.
    const other = await page.context().newPage();
    await other.goto(`http://127.0.0.1:${port}/`);
    await expect(other.getByText('Tapedeck update-test-a')).toBeVisible();

    // The second build is now what the server has.
    await new Promise<void>((resolve) => server!.httpServer.close(() => resolve()));
    server = await serve('b');
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });
    await expect(page.getByText('A new version of Tapedeck is ready.')).toBeVisible({ timeout: 30_000 });
    const segmentsAtPrompt = (await app.storedRecordings())[0]!.segmentCount;
    // A third tab sees the prompt too, but is left alone until the others have updated.
    const late = await page.context().newPage();
    await late.goto(`http://127.0.0.1:${port}/`);
    await expect(late.getByText('A new version of Tapedeck is ready.')).toBeVisible({ timeout: 30_000 });

    // The other tab waits too: the new version would take over the recording tab as well.
    await expect(other.getByText('A new version of Tapedeck is ready.')).toBeVisible({ timeout: 30_000 });
    await other.getByRole('button', { name: 'Reload to update' }).click();
    await expect(other.getByText('The update will be applied when the recording stops')).toBeVisible();
    await page.getByRole('button', { name: 'Reload to update' }).click();
    await expect(page.getByText('The update will be applied when the recording stops')).toBeVisible();
    // Still the old version, still recording.
    await expect.poll(async () => (await app.storedRecordings())[0]!.segmentCount, { timeout: 30_000 }).toBeGreaterThan(segmentsAtPrompt + 1);
    await expect(page.getByText('Tapedeck update-test-a')).toBeVisible();
    await expect(other.getByText('Tapedeck update-test-a')).toBeVisible();
    expect((await app.storedRecordings())[0]!.status).toBe('recording');

    await app.live.getByRole('button', { name: 'Stop' }).click();
    await expect(page.getByText('Tapedeck update-test-b')).toBeVisible({ timeout: 30_000 });
    await expect(other.getByText('Tapedeck update-test-b')).toBeVisible({ timeout: 30_000 });
    // The new version already runs the other tabs; agreeing here still brings it.
    await expect(late.getByText('Tapedeck update-test-a')).toBeVisible();
    await late.getByRole('button', { name: 'Reload to update' }).click();
    await expect(late.getByText('Tapedeck update-test-b')).toBeVisible({ timeout: 30_000 });
    const [after] = await app.storedRecordings();
    expect(after!.status).toBe('complete');
    expect(after!.gapCount).toBe(0);
  } finally {
    delete process.env.TAPEDECK_BUILD_ID;
    if (server) await new Promise<void>((resolve) => server!.httpServer.close(() => resolve()));
    await rm(dirs.a, { recursive: true, force: true });
    await rm(dirs.b, { recursive: true, force: true });
  }
});
