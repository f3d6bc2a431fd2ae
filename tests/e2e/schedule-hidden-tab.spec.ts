import { expect, test } from '@playwright/test';
import { CdpBrowser } from '../helpers/cdp-browser.ts';
import { startLiveStream, stopIfRunning, type LiveStream } from '../helpers/live-stream.ts';

/**
 * Scheduled capture in a tab that is hidden and throttled. Playwright keeps its pages visible
 * and unthrottled, so this test drives Debian's Chromium over raw CDP: the app's tab is hidden
 * by opening another tab in front of it, and Chromium's intensive wake-up throttling (chained
 * page timers woken once a minute) is brought forward to 10 s hidden. A chained page timer in
 * the hidden tab measures that the throttling really happened.
 */

const TARGET_DURATION_MS = 2000;
const WINDOW_SEC = 20;

let stream: LiveStream | undefined;
let browser: CdpBrowser | undefined;
test.afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await stopIfRunning(stream);
  stream = undefined;
});

interface RunRow {
  scheduleId: string;
  status: string;
  startAtMs: number;
  startedAtMs: number | null;
  recordingId: string | null;
}

test('two schedules a minute apart record on time, the second in a hidden, throttled tab', async ({ baseURL }) => {
  test.setTimeout(240_000);
  const appUrl = String(baseURL);
  stream = await startLiveStream({ kind: 'audio' });
  browser = await CdpBrowser.launch(['--enable-features=IntensiveWakeUpThrottling:grace_period_seconds/10']);
  const appTab = await browser.attach(await browser.firstTab());
  await browser.send('Page.navigate', { url: appUrl }, appTab);
  await expect
    .poll(() => browser!.call(appTab, async () => ((await navigator.locks.query()).held ?? []).some((lock) => lock.name === 'tapedeck-scheduler')), { timeout: 30_000 })
    .toBe(true);

  // The schedules, as the Schedules form saves them (the form itself is tested elsewhere).
  const firstStartAtMs = Date.now() + 12_000;
  const secondStartAtMs = firstStartAtMs + 60_000;
  const [firstId, secondId] = await browser.call(
    appTab,
    async (sourceUrl: string, starts: number[], durationSec: number) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('tapedeck');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const nowMs = Date.now();
      const ids = starts.map(() => crypto.randomUUID());
      const tx = db.transaction('schedules', 'readwrite');
      starts.forEach((startAtMs, index) =>
        tx.objectStore('schedules').put({
          id: ids[index],
          sourceUrl,
          stationName: 'Hidden FM',
          programme: index === 0 ? 'First' : 'Second',
          rule: { kind: 'once', startAtMs },
          length: { kind: 'duration', durationSec },
          titleTemplate: '{station} {programme}',
          tags: {},
          enabled: true,
          timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
          createdAtMs: nowMs + index,
          updatedAtMs: nowMs,
          evaluatedUntilMs: nowMs,
        }),
      );
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      db.close();
      return ids;
    },
    stream.playlistUrl,
    [firstStartAtMs, secondStartAtMs],
    WINDOW_SEC,
  );

  // A chained page timer in the app's tab: under intensive throttling its gaps grow to ~1 min.
  await browser.call(appTab, () => {
    const probe = { longestGapMs: 0, lastRunMs: performance.now() };
    (globalThis as unknown as { timerProbe: typeof probe }).timerProbe = probe;
    const loop = () => {
      const nowMs = performance.now();
      probe.longestGapMs = Math.max(probe.longestGapMs, nowMs - probe.lastRunMs);
      probe.lastRunMs = nowMs;
      setTimeout(loop, 250);
    };
    loop();
  });

  const readRuns = () =>
    browser!.call(appTab, async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('tapedeck');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const all = (store: string) =>
        new Promise<unknown[]>((resolve, reject) => {
          const request = db.transaction(store).objectStore(store).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
      const runs = await all('scheduleRuns');
      const recordings = await all('recordings');
      db.close();
      return { runs, recordings };
    }) as Promise<{ runs: RunRow[]; recordings: { id: string; title: string; durationSec: number; gapCount: number; status: string }[] }>;

  // Once the first run is recording, hide the app's tab behind a new one.
  await expect.poll(async () => (await readRuns()).runs.find((run) => run.scheduleId === firstId)?.status, { timeout: 30_000 }).toBe('running');
  await browser.openTab('about:blank');
  expect(await browser.call(appTab, () => document.visibilityState)).toBe('hidden');

  await expect
    .poll(async () => (await readRuns()).runs.map((run) => run.status).sort(), { timeout: 150_000, intervals: [2000] })
    .toEqual(['complete', 'complete']);
  expect(await browser.call(appTab, () => document.visibilityState)).toBe('hidden');

  const { runs, recordings } = await readRuns();
  const second = runs.find((run) => run.scheduleId === secondId)!;
  // The second run started within one target duration of its planned time, while hidden.
  expect(second.startedAtMs! - second.startAtMs).toBeLessThanOrEqual(TARGET_DURATION_MS);
  expect(second.startedAtMs! - second.startAtMs).toBeGreaterThanOrEqual(0);

  // The tab really was throttled: its 250 ms chained page timer went many seconds without
  // running (counting the wait it may still be in), which would have made a page-timer
  // scheduler start the second run far too late.
  const longestTimerGapMs = await browser.call(appTab, () => {
    const probe = (globalThis as unknown as { timerProbe: { longestGapMs: number; lastRunMs: number } }).timerProbe;
    return Math.max(probe.longestGapMs, performance.now() - probe.lastRunMs);
  });
  expect(longestTimerGapMs).toBeGreaterThan(10_000);

  expect(recordings.map((r) => r.title).sort()).toEqual(['Hidden FM First', 'Hidden FM Second']);
  for (const recording of recordings) {
    expect(recording.status).toBe('complete');
    expect(recording.gapCount).toBe(0);
    // A scheduled capture joins at the newest segment and stops at the planned end: within
    // two target durations of the window's length.
    expect(Math.abs(recording.durationSec - WINDOW_SEC)).toBeLessThanOrEqual((2 * TARGET_DURATION_MS) / 1000);
  }
});
