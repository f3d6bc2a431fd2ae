import { expect, test } from '@playwright/test';
import { probeMedia } from '../helpers/ffprobe.ts';
import { startLiveStream, stopIfRunning, type LiveStream } from '../helpers/live-stream.ts';
import { AppPage, isContiguous, recordAndRename, storagePanel, type StoredRecording } from './app-page.ts';

/**
 * Storage: a full quota ends a recording cleanly and keeps what it stored; retention rules
 * delete only when a rule says so, oldest first, and say why; the Storage panel tells whether
 * storage is persistent and how much is used.
 */

/** Size of one segment of the ffmpeg video stream, roughly, in bytes (they are 150–250 KB). */
const VIDEO_SEGMENT_BYTES = 250_000;

let stream: LiveStream | undefined;
test.afterEach(async () => {
  await stopIfRunning(stream);
  stream = undefined;
});

test('a full quota stops the recording with a clear message, keeps every stored segment, and the recording still downloads', async ({ page }) => {
  stream = await startLiveStream({ kind: 'video' });
  const app = new AppPage(page);
  // The quota is lowered once the first segment is stored: the page's own start-up writes (the
  // service worker's cache) are done by then, and the recording has something to keep.
  await app.startRecording(stream.playlistUrl);
  await expect.poll(async () => (await app.storedRecordings())[0]?.segmentCount ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);

  const origin = new URL(page.url()).origin;
  const usageBytes = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usageBytes + 2 * VIDEO_SEGMENT_BYTES });

  await expect(app.live.getByRole('alert')).toHaveText('Storage is full: the recording stopped. Everything recorded so far is kept.', { timeout: 60_000 });
  await expect(app.live.getByRole('status')).toContainText('Recorded');
  await expect(app.live.getByRole('button', { name: 'Record' })).toBeEnabled();

  // Every segment stored before the quota ran out is kept, and the totals agree with them.
  const [atFull] = await app.storedRecordings();
  expect(atFull!.segmentCount).toBeGreaterThanOrEqual(1);
  expect(atFull!.msns).toHaveLength(atFull!.segmentCount);
  expect(isContiguous(atFull!.msns)).toBe(true);
  expect(atFull!.bytes).toBe(atFull!.storedBytes);

  // Chromium enforces a lowered quota on IndexedDB only once its cached space allowance (up to
  // 30 s old) runs out, by which time usage is well above the new quota and no write succeeds,
  // not even the recording's end; the recorder stores the end once space allows. Lifting the
  // override is that moment here (the MP4 export below needs the space too).
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await expect.poll(async () => (await app.storedRecordings())[0]?.status, { timeout: 60_000 }).toBe('interrupted');
  const [stored] = await app.storedRecordings();
  const recording = stored as StoredRecording & { lastError: string | null };
  expect(recording.lastError).toBe('Storage is full: the recording stopped. Everything recorded so far is kept.');
  expect(recording.msns).toEqual(atFull!.msns);
  expect(recording.bytes).toBe(recording.storedBytes);
  const item = app.item(recording.title);
  await expect(item).toContainText('Interrupted');

  const { path } = await app.download(item, 'mp4');
  const probed = await probeMedia(path);
  expect(probed.streams.map((s) => `${s.codecType}:${s.codecName}`).sort()).toEqual(['audio:aac', 'video:h264']);
  expect(Math.abs(probed.durationSec - recording.durationSec)).toBeLessThanOrEqual(2);
});

test('a size rule for the demo stream deletes the older recording, keeps the newer and says why; without rules nothing is deleted', async ({ page }) => {
  const app = new AppPage(page);
  await page.goto('/');
  const storage = storagePanel(page);
  const log = storage.getByRole('log', { name: 'Retention log' });
  await expect(storage).toContainText('No rules: Tapedeck never deletes recordings on its own.');
  const demoUrl = await app.live.getByLabel('Stream URL').inputValue();

  const older = await recordAndRename(app, 'Older show');
  const newer = await recordAndRename(app, 'Newer show');
  // No rule: both stay, though each finished recording had the rules applied when it ended.
  expect((await app.storedRecordings()).map((r) => r.title)).toEqual(['Newer show', 'Older show']);
  await expect(log).toContainText('Nothing has been deleted by a rule.');

  // A limit the newer recording fits in, but not both together ("tiny" relative to two recordings).
  const limitGb = (newer.bytes + older.bytes / 2) / 1024 ** 3;
  const form = storage.getByRole('form', { name: 'Retention rule' });
  await form.getByLabel('Source').selectOption(demoUrl);
  await form.getByLabel('Keep newest (GB)').fill(String(limitGb));
  await form.getByRole('button', { name: 'Save rule' }).click();

  await expect(log.getByRole('listitem')).toHaveCount(1);
  await expect(log).toContainText(/Deleted 'Older show' \(beyond the newest [\d.]+ KB, rule for Demo stream\)/);
  await expect(app.item('Older show')).toHaveCount(0);
  await expect(app.item('Newer show')).toBeVisible();
  expect((await app.storedRecordings()).map((r) => r.id)).toEqual([newer.id]);
  expect((await app.storedSegments()).filter((s) => s.recordingId === older.id)).toEqual([]);

  const rules = storage.getByRole('list', { name: 'Saved retention rules' });
  await expect(rules.getByRole('listitem')).toHaveText(/^Demo stream: keep the newest [\d.]+ KB\s*Remove$/);
  await rules.getByRole('button', { name: 'Remove' }).click();
  await expect(storage).toContainText('No rules: Tapedeck never deletes recordings on its own.');

  // With the rule gone, a third recording finishing deletes nothing, though the two would be
  // over the old limit.
  await recordAndRename(app, 'Third show');
  expect((await app.storedRecordings()).map((r) => r.title)).toEqual(['Third show', 'Newer show']);
  await expect(app.library.getByRole('listitem')).toHaveCount(2);
  await expect(log.getByRole('listitem')).toHaveCount(1);
});

test('the Storage panel says whether storage is persistent and how much is used, and follows a recording', async ({ page }) => {
  const app = new AppPage(page);
  await page.goto('/');
  const storage = storagePanel(page);
  await expect(storage.getByText(/^Using [\d.]+ (B|KB|MB|GB) of [\d.]+ (KB|MB|GB|TB)$/)).toBeVisible();

  // Chromium never makes storage persistent in a private (incognito-like) context, which every
  // Playwright context is: the app asked on its first start, was refused, and offers to ask again.
  await expect(storage.getByText('Storage is not persistent: the browser may clear recordings when space runs low.')).toBeVisible();
  await storage.getByRole('button', { name: 'Keep recordings safe' }).click();
  await expect(storage.getByText('The browser said no.')).toBeVisible();
  await expect(storage.getByText('Storage is not persistent: the browser may clear recordings when space runs low.')).toBeVisible();

  const meter = storage.getByRole('meter', { name: 'Storage used' });
  const usedBefore = await meter.evaluate((m: HTMLMeterElement) => m.value);
  await recordAndRename(app, 'Usage check');
  await expect.poll(() => meter.evaluate((m: HTMLMeterElement) => m.value), { timeout: 15_000 }).toBeGreaterThan(usedBefore);
});
