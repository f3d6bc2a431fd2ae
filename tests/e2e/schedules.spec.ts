import { expect, test } from '@playwright/test';
import { startLiveStream, stopIfRunning, type LiveStream } from '../helpers/live-stream.ts';
import { AppPage } from './app-page.ts';

/**
 * The Schedules panel as a user meets it: the cron field reads back in plain words, and
 * schedules made in any open tab are recorded exactly once by the one tab that runs them,
 * with another tab taking over when that one closes. (A hidden, throttled tab is tested in
 * schedule-hidden-tab.spec.ts.)
 */

let stream: LiveStream | undefined;
test.afterEach(async () => {
  await stopIfRunning(stream);
  stream = undefined;
});

test('the cron field shows a plain-language reading and the next runs', async ({ page }) => {
  const app = new AppPage(page);
  await page.goto('/');
  const form = page.getByRole('form', { name: 'New schedule' });
  await form.getByLabel('Repeat').selectOption('cron');
  await form.getByLabel('Cron expression').fill('45 5 * * 5');
  await expect(form).toContainText('05:45');
  await expect(form).toContainText('Friday');
  await expect(form.getByRole('list', { name: 'Next runs' }).getByRole('listitem')).toHaveCount(3);
  await form.getByLabel('Cron expression').fill('61 * * * *');
  await expect(form).toContainText('Not a valid cron expression');
  await expect(app.schedules).toContainText('Schedules run only while Tapedeck is open');
});

test('with two tabs open, a run is recorded once, and the other tab takes over when the first closes', async ({ context }) => {
  test.setTimeout(180_000);
  stream = await startLiveStream({ kind: 'audio' });
  const first = new AppPage(await context.newPage());
  await first.page.goto('/');
  await expect(first.schedules.getByText('This tab runs the schedules.')).toBeVisible();
  const second = new AppPage(await context.newPage());
  await second.page.goto('/');
  await expect(second.schedules.getByText('Another Tapedeck tab is running the schedules')).toBeVisible();

  // Made in the tab that does not run schedules; run by the one that does.
  const startAtMs = Date.now() + 10_000;
  await second.addOnceSchedule({ url: stream.playlistUrl, station: 'Two Tabs FM', programme: 'Check', startAtMs, durationSec: 15 });
  const recent = (app: AppPage) => app.schedules.getByRole('list', { name: 'Recent runs' });
  await expect(recent(first).getByRole('listitem').filter({ hasText: 'Recorded' })).toHaveCount(1, { timeout: 60_000 });
  await expect(recent(second).getByRole('listitem').filter({ hasText: 'Recorded' })).toHaveCount(1);

  const [run] = await first.storedRuns();
  expect(await first.storedRuns()).toHaveLength(1);
  expect(run!.status).toBe('complete');
  expect(run!.startedAtMs! - run!.startAtMs).toBeLessThanOrEqual(2000);
  const recordings = await first.storedRecordings();
  expect(recordings).toHaveLength(1);
  expect(recordings[0]!.title).toMatch(/^Two Tabs FM Check \d{4}-\d{2}-\d{2}$/);
  expect(Math.abs(recordings[0]!.durationSec - 15)).toBeLessThanOrEqual(4);

  await first.page.close();
  await expect(second.schedules.getByText('This tab runs the schedules.')).toBeVisible();
  await second.addOnceSchedule({ url: stream.playlistUrl, station: 'Two Tabs FM', programme: 'Takeover', startAtMs: Date.now() + 8_000, durationSec: 10 });
  await expect(recent(second).getByRole('listitem').filter({ hasText: 'Recorded' })).toHaveCount(2, { timeout: 60_000 });
  expect((await second.storedRecordings()).map((r) => r.title.split(' ').slice(0, 4).join(' ')).sort()).toEqual(['Two Tabs FM Check', 'Two Tabs FM Takeover']);
  expect(await second.storedRuns()).toHaveLength(2);
});
