import { afterEach, describe, expect, inject, it } from 'vitest';
import { resolveConfig, type CaptureConfig, type RetryPolicy, type ScheduleConfig } from '../config.ts';
import { RecordingStore } from '../storage/recording-store.ts';
import { deleteTestDatabase, newRecording } from '../storage/test-fixtures.ts';
import { ScheduleStore, type ScheduleInput } from './schedule-store.ts';
import { Scheduler, type SchedulerEvents } from './scheduler.ts';
import { renderTitle, runTags } from './title-template.ts';
import type { ScheduleRun } from './types.ts';

const base = inject('faultServerUrl');
const SEC = 1000;
const MIN = 60 * SEC;
/** A minute boundary; 13:00 BST in Europe/London. */
const T0 = Date.parse('2026-06-01T12:00:00Z');
const S = T0 + 5 * MIN;

const fileUrl = (body: string, type = 'text/plain') => `${base}/file?body=${encodeURIComponent(body)}&type=${encodeURIComponent(type)}`;
/** A playlist served by the fault server: live (no EXT-X-ENDLIST) unless `endList`, two tiny segments. */
function stream(tag: string, endList = false): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:1', '#EXT-X-MEDIA-SEQUENCE:0'];
  for (const i of [0, 1]) lines.push('#EXTINF:1.000,', fileUrl(`${tag}-segment-${i}`));
  if (endList) lines.push('#EXT-X-ENDLIST');
  return fileUrl(`${lines.join('\n')}\n`, 'application/vnd.apple.mpegurl');
}

const quickRetry: RetryPolicy = { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20, backoffMultiplier: 2, jitterRatio: 0 };

interface Tab {
  schedules: ScheduleStore;
  recordings: RecordingStore;
  scheduler: Scheduler;
}
const tabs: Tab[] = [];
const dbNames: string[] = [];
let nowMs = T0;
const now = () => nowMs;

/** A "tab": stores on database `name` (a fresh one by default) and a Scheduler on the controlled clock. */
async function openTab(schedule: Partial<ScheduleConfig> = {}, name = 'test-' + crypto.randomUUID(), capture: Partial<CaptureConfig> = {}): Promise<Tab & { name: string }> {
  if (!dbNames.includes(name)) dbNames.push(name);
  const config = resolveConfig({ capture: { playlistRetry: quickRetry, segmentRetry: quickRetry, playlistTimeoutMs: 5000, segmentTimeoutMs: 5000, ...capture }, schedule });
  const schedules = await ScheduleStore.open(name);
  const recordings = await RecordingStore.open(name);
  const tab = { schedules, recordings, scheduler: new Scheduler(schedules, recordings, config.capture, config.schedule, now) };
  tabs.push(tab);
  return { ...tab, name };
}

afterEach(async () => {
  nowMs = T0;
  for (const { scheduler, recordings, schedules } of tabs.splice(0)) {
    await scheduler.stopAll();
    expect(scheduler.captureCount).toBe(0);
    // Every capture was stopped: none is left recording (and polling) in the background.
    expect((await recordings.list()).filter((r) => r.status === 'recording').map((r) => r.title)).toEqual([]);
    schedules.close();
    recordings.close();
  }
  for (const name of dbNames.splice(0)) {
    await deleteTestDatabase(name);
  }
});

function input(patch: Partial<ScheduleInput> = {}): ScheduleInput {
  return {
    sourceUrl: stream('main'), stationName: 'Radio X', programme: 'Early Show', rule: { kind: 'once', startAtMs: S },
    length: { kind: 'duration', durationSec: 60 }, titleTemplate: '{station} – {programme} {date} {time}', tags: {}, enabled: true, timeZone: 'Europe/London',
    ...patch,
  };
}

function nextEvent<K extends keyof SchedulerEvents>(scheduler: Scheduler, type: K): Promise<SchedulerEvents[K]> {
  return new Promise((resolve) => scheduler.on(type, resolve, { once: true }));
}

const runsOf = async (tab: Tab): Promise<ScheduleRun[]> => (await tab.schedules.recentRuns(0)).reverse();

describe('Scheduler on a controlled clock, with real captures', () => {
  it('starts a one-off window when it opens, titled and tagged, and completes it at its end', async () => {
    const tab = await openTab();
    const schedule = await tab.schedules.create(input(), T0);
    await tab.scheduler.tick();
    expect(await runsOf(tab)).toEqual([]);
    expect(await tab.recordings.list()).toEqual([]);

    nowMs = S + SEC;
    await tab.scheduler.tick();
    const [recording] = await tab.recordings.list();
    expect(await runsOf(tab)).toEqual([{ scheduleId: schedule.id, startAtMs: S, endAtMs: S + MIN, status: 'running', recordingId: recording!.id, startedAtMs: S + SEC, lateByMs: SEC, message: null }]);
    expect(recording!.title).toBe('Radio X – Early Show 2026-06-01 13:05');
    expect(recording!.title).toBe(renderTitle(schedule, S));
    expect(recording).toMatchObject({ status: 'recording', sourceUrl: schedule.sourceUrl, schedule: { scheduleId: schedule.id, plannedStartAtMs: S, lateByMs: SEC } });
    expect(recording!.tags).toEqual(runTags(schedule, S));
    expect(recording!.tags).toMatchObject({ artist: 'Radio X', album: 'Early Show', comment: schedule.sourceUrl, date: '2026-06-01' });
    await expect.poll(async () => (await tab.recordings.get(recording!.id))!.segmentCount).toBeGreaterThan(0);

    nowMs = S + MIN;
    await tab.scheduler.tick();
    expect(await runsOf(tab)).toMatchObject([{ status: 'complete', recordingId: recording!.id, message: null }]);
    expect(await tab.recordings.get(recording!.id)).toMatchObject({ status: 'complete' });
    expect(tab.scheduler.captureCount).toBe(0);
  });

  it('starts a window late when the first tick comes while it is still open, and says so', async () => {
    const tab = await openTab();
    await tab.schedules.create(input(), T0);
    nowMs = S + 20 * SEC;
    await tab.scheduler.tick();
    const [run] = await runsOf(tab);
    expect(run).toMatchObject({ status: 'running', lateByMs: 20_000, startedAtMs: S + 20 * SEC });
    expect(run!.message).toMatch(/20 s late/);
    expect((await tab.recordings.get(run!.recordingId!))!.schedule).toMatchObject({ lateByMs: 20_000 });
  });

  it('a schedule saved while its window is open records from then to the window end, and says why it started late', async () => {
    const tab = await openTab();
    nowMs = S + 20 * SEC;
    const schedule = await tab.schedules.create(input(), nowMs);
    await tab.scheduler.tick();
    const [run] = await runsOf(tab);
    expect(run).toMatchObject({ scheduleId: schedule.id, startAtMs: S, endAtMs: S + MIN, status: 'running', lateByMs: 20_000 });
    expect(run!.message).toBe('Started 20 s into the window: the schedule was saved or turned on after it began.');
    await expect.poll(async () => (await tab.recordings.get(run!.recordingId!))!.segmentCount).toBeGreaterThan(0);
    // Off and on again in the same window: the run is stopped, and not started a second time.
    nowMs += SEC;
    await tab.schedules.setEnabled(schedule.id, false, nowMs);
    await tab.scheduler.tick();
    await tab.schedules.setEnabled(schedule.id, true, nowMs);
    await tab.scheduler.tick();
    const runs = await runsOf(tab);
    expect(runs).toMatchObject([{ startAtMs: S, status: 'complete' }]);
    expect(runs[0]!.message).toMatch(/ Stopped early: the schedule was turned off or deleted\.$/);
    expect(tab.scheduler.captureCount).toBe(0);
  });

  it('a daily schedule turned on during today’s window records the rest of it; one turned on after it waits for tomorrow', async () => {
    const tab = await openTab();
    // 13:00-13:10 London every day: T0 is 13:00.
    const daily = input({ rule: { kind: 'cron', expression: '0 13 * * *' }, length: { kind: 'duration', durationSec: 600 }, enabled: false });
    const during = await tab.schedules.create(daily, T0 - MIN);
    const after = await tab.schedules.create({ ...daily, sourceUrl: stream('other') }, T0 - MIN);
    nowMs = T0 + 2 * MIN;
    await tab.schedules.setEnabled(during.id, true, nowMs);
    await tab.scheduler.tick();
    nowMs = T0 + 10 * MIN;
    await tab.schedules.setEnabled(after.id, true, nowMs);
    await tab.scheduler.tick();
    expect(await runsOf(tab)).toMatchObject([{ scheduleId: during.id, startAtMs: T0, endAtMs: T0 + 10 * MIN, status: 'complete', lateByMs: 2 * MIN }]);
    expect((await runsOf(tab))[0]!.message).toMatch(/^Started 120 s into the window/);
  });

  it('records a window that passed unseen as missed, once, with no recording', async () => {
    const tab = await openTab();
    const schedule = await tab.schedules.create(input(), T0);
    const missed = nextEvent(tab.scheduler, 'run-missed');
    nowMs = S + MIN;
    await tab.scheduler.tick();
    expect((await missed).run.startAtMs).toBe(S);
    nowMs += MIN;
    await tab.scheduler.tick();
    const runs = await runsOf(tab);
    expect(runs).toMatchObject([{ scheduleId: schedule.id, startAtMs: S, status: 'missed', recordingId: null, startedAtMs: null }]);
    expect(runs[0]!.message).toMatch(/^Missed/);
    expect(await tab.recordings.list()).toEqual([]);
  });

  it('a minutely schedule unticked for 10 min 30 s: 10 windows missed, none recorded', async () => {
    const tab = await openTab();
    // Saved as the T0 window ends (one open then would be recorded).
    const schedule = await tab.schedules.create(input({ sourceUrl: `${base}/status/404`, rule: { kind: 'cron', expression: '* * * * *' }, length: { kind: 'duration', durationSec: 30 } }), T0 + 30 * SEC);
    // Windows start at T0+1 … T0+10 min; the last ends right now.
    nowMs = T0 + 10 * MIN + 30 * SEC;
    await tab.scheduler.tick();
    const runs = await runsOf(tab);
    expect(runs.map((r) => r.startAtMs)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + (i + 1) * MIN));
    expect(runs.every((r) => r.status === 'missed' && r.recordingId === null)).toBe(true);
    expect(await tab.recordings.list()).toEqual([]);
    expect((await tab.schedules.get(schedule.id))!.evaluatedUntilMs).toBe(nowMs);
  });

  it('with missedWindowLimit 3, keeps the 3 newest missed windows and counts the others in the oldest’s message', async () => {
    const tab = await openTab({ missedWindowLimit: 3 });
    await tab.schedules.create(input({ sourceUrl: `${base}/status/404`, rule: { kind: 'cron', expression: '* * * * *' }, length: { kind: 'duration', durationSec: 30 } }), T0 + 30 * SEC);
    nowMs = T0 + 10 * MIN + 30 * SEC;
    await tab.scheduler.tick();
    const runs = await runsOf(tab);
    expect(runs.map((r) => [r.startAtMs, r.status])).toEqual([8, 9, 10].map((m) => [T0 + m * MIN, 'missed']));
    expect(runs[0]!.message).toMatch(/\b7 earlier windows were missed too/);
    expect(runs.slice(1).every((r) => !/earlier/.test(r.message ?? ''))).toBe(true);
  });

  it('overlapping windows of one source share one capture, which ends at the later end', async () => {
    const tab = await openTab();
    const early = await tab.schedules.create(input({ programme: 'Early' }), T0);
    const late = await tab.schedules.create(input({ programme: 'Late', rule: { kind: 'once', startAtMs: S + 30 * SEC }, length: { kind: 'duration', durationSec: 120 } }), T0 + 1);
    nowMs = S + SEC;
    await tab.scheduler.tick();
    const shared = nextEvent(tab.scheduler, 'run-started');
    nowMs = S + 31 * SEC;
    await tab.scheduler.tick();
    expect(await shared).toMatchObject({ shared: true, schedule: { id: late.id } });

    const [recording, ...others] = await tab.recordings.list();
    expect(others).toEqual([]);
    const runs = await runsOf(tab);
    expect(runs.map((r) => [r.scheduleId, r.status, r.recordingId])).toEqual([[early.id, 'running', recording!.id], [late.id, 'running', recording!.id]]);
    expect(runs[1]!.message).toContain(`Shares the running capture "${recording!.title}"`);

    nowMs = S + 61 * SEC; // Past the early window, inside the late one.
    await tab.scheduler.tick();
    expect(tab.scheduler.captureCount).toBe(1);
    expect(await tab.recordings.get(recording!.id)).toMatchObject({ status: 'recording' });
    // The early run is over at its own end, while the shared capture goes on for the late one.
    expect((await runsOf(tab)).map((r) => r.status)).toEqual(['complete', 'running']);

    nowMs = S + 150 * SEC;
    await tab.scheduler.tick();
    expect(await tab.recordings.get(recording!.id)).toMatchObject({ status: 'complete' });
    expect((await runsOf(tab)).map((r) => r.status)).toEqual(['complete', 'complete']);
    expect(await tab.recordings.list()).toHaveLength(1);
  });

  it('stopAll ends an open run as complete and says the tab stopped it, not the stream', async () => {
    const tab = await openTab();
    await tab.schedules.create(input(), T0);
    nowMs = S + SEC;
    await tab.scheduler.tick();
    nowMs = S + 10 * SEC;
    await tab.scheduler.stopAll();
    const [run] = await runsOf(tab);
    expect(run).toMatchObject({ status: 'complete' });
    expect(run!.message).toMatch(/this tab stopped running schedules/);
    expect(run!.message).not.toMatch(/stream ended/);
  });

  it('turning a schedule off mid-run stops its capture at the next tick and says why', async () => {
    const tab = await openTab();
    const schedule = await tab.schedules.create(input(), T0);
    nowMs = S + SEC;
    await tab.scheduler.tick();
    expect(tab.scheduler.captureCount).toBe(1);
    nowMs = S + 10 * SEC;
    await tab.schedules.setEnabled(schedule.id, false, nowMs);
    await tab.scheduler.tick();
    expect(tab.scheduler.captureCount).toBe(0);
    const [run] = await runsOf(tab);
    expect(run).toMatchObject({ status: 'complete' });
    expect(run!.message).toMatch(/schedule was turned off or deleted/);
    expect((await tab.recordings.list())[0]).toMatchObject({ status: 'complete' });
  });

  it('a length shortened during a run stops it at the new end, not the one planned at its start', async () => {
    const tab = await openTab();
    const schedule = await tab.schedules.create(input(), T0);
    nowMs = S + SEC;
    await tab.scheduler.tick();
    nowMs = S + 10 * SEC;
    await tab.schedules.update(schedule.id, input({ length: { kind: 'duration', durationSec: 20 } }), nowMs);
    await tab.scheduler.tick();
    expect(await runsOf(tab)).toMatchObject([{ status: 'running', endAtMs: S + 20 * SEC }]);
    nowMs = S + 20 * SEC;
    await tab.scheduler.tick();
    expect(await runsOf(tab)).toMatchObject([{ status: 'complete', endAtMs: S + 20 * SEC, message: null }]);
    expect(tab.scheduler.captureCount).toBe(0);
    expect((await tab.recordings.list())[0]).toMatchObject({ status: 'complete' });
  });

  it('a length made longer during a run (to an end time) keeps it recording to the new end', async () => {
    const tab = await openTab();
    const schedule = await tab.schedules.create(input(), T0);
    nowMs = S + SEC;
    await tab.scheduler.tick();
    nowMs = S + 10 * SEC;
    // S is 13:05 in London: "until 13:08" ends the run 3 min after its start.
    await tab.schedules.update(schedule.id, input({ length: { kind: 'until', endTime: '13:08' } }), nowMs);
    nowMs = S + MIN;
    await tab.scheduler.tick();
    expect(await runsOf(tab)).toMatchObject([{ status: 'running', endAtMs: S + 3 * MIN }]);
    expect(tab.scheduler.captureCount).toBe(1);
    nowMs = S + 3 * MIN;
    await tab.scheduler.tick();
    expect(await runsOf(tab)).toMatchObject([{ status: 'complete', message: null }]);
    expect((await tab.recordings.list())[0]).toMatchObject({ status: 'complete' });
  });

  it('a stream that hangs as its window opens holds up neither another station’s start nor the end of a running capture', async () => {
    const tab = await openTab(); // A hanging playlist fails after 2 tries of 5 s.
    const hanging = await tab.schedules.create(input({ sourceUrl: `${base}/hang`, programme: 'Hanging' }), T0);
    const fine = await tab.schedules.create(input({ sourceUrl: stream('fine'), length: { kind: 'duration', durationSec: 30 } }), T0 + 1);
    const started = nextEvent(tab.scheduler, 'run-started');
    nowMs = S + SEC;
    const firstTick = tab.scheduler.tick();
    expect(await started).toMatchObject({ schedule: { id: fine.id }, shared: false });
    const runOf = async (id: string) => (await runsOf(tab)).find((run) => run.scheduleId === id);
    expect(await runOf(hanging.id)).toMatchObject({ status: 'running', recordingId: null });

    // The fine window ends while the other start still waits on its stream.
    nowMs = S + 30 * SEC;
    await tab.scheduler.tick();
    expect(await runOf(fine.id)).toMatchObject({ status: 'complete' });
    expect(tab.scheduler.captureCount).toBe(0);
    expect(await runOf(hanging.id)).toMatchObject({ status: 'running', recordingId: null });

    await firstTick;
    const hangingRun = await runOf(hanging.id);
    expect(hangingRun).toMatchObject({ status: 'retrying', recordingId: null });
    expect(hangingRun!.message).toMatch(/^Could not start: .*Trying again in 15 s/);
    expect((await tab.recordings.list()).map((recording) => recording.sourceUrl)).toEqual([fine.sourceUrl]);
  });

  it('a window over the cap on concurrent captures waits, naming the cap, and starts when a capture ends', async () => {
    const tab = await openTab({ maxConcurrentCaptures: 1 });
    const first = await tab.schedules.create(input({ sourceUrl: stream('first') }), T0);
    const second = await tab.schedules.create(input({ sourceUrl: stream('second'), length: { kind: 'duration', durationSec: 120 } }), T0 + 1);
    const retrying = nextEvent(tab.scheduler, 'run-retrying');
    nowMs = S + SEC;
    await tab.scheduler.tick();
    expect(await retrying).toMatchObject({ schedule: { id: second.id }, first: true });
    let runs = await runsOf(tab);
    expect(runs.find((r) => r.scheduleId === first.id)).toMatchObject({ status: 'running' });
    expect(runs.find((r) => r.scheduleId === second.id)).toMatchObject({ status: 'retrying', recordingId: null });
    expect(runs.find((r) => r.scheduleId === second.id)!.message).toMatch(/most allowed at once \(1\)\. Trying again in 15 s/);
    expect((await tab.recordings.list()).map((r) => r.sourceUrl)).toEqual([first.sourceUrl]);

    // The first window ends: the second starts in the same tick, late.
    nowMs = S + MIN;
    await tab.scheduler.tick();
    runs = await runsOf(tab);
    expect(runs.find((r) => r.scheduleId === first.id)).toMatchObject({ status: 'complete' });
    expect(runs.find((r) => r.scheduleId === second.id)).toMatchObject({ status: 'running', startedAtMs: S + MIN });
    expect((await tab.recordings.list()).map((r) => r.sourceUrl).sort()).toEqual([first.sourceUrl, second.sourceUrl].sort());
  });

  it('a window whose stream answers 404 is tried again, less and less often, until it closes; then it fails with the reason and keeps no recording', async () => {
    const tab = await openTab();
    await tab.schedules.create(input({ sourceUrl: `${base}/status/404` }), T0);
    nowMs = S + SEC;
    await tab.scheduler.tick();
    let [run] = await runsOf(tab);
    expect(run).toMatchObject({ status: 'retrying', recordingId: null });
    expect(run!.message).toMatch(/^Could not start: .*HTTP 404.* Trying again in 15 s, and until the planned end\.$/);
    nowMs = S + 16 * SEC;
    await tab.scheduler.tick();
    [run] = await runsOf(tab);
    expect(run!.message).toMatch(/Trying again in 30 s/);
    // The next try would come after the window: it fails now.
    nowMs = S + 46 * SEC;
    const failed = nextEvent(tab.scheduler, 'run-failed');
    await tab.scheduler.tick();
    expect((await failed).message).toMatch(/^Could not start: .*HTTP 404/);
    [run] = await runsOf(tab);
    expect(run).toMatchObject({ status: 'failed', recordingId: null });
    expect(run!.message).not.toMatch(/Trying again/);
    expect(await tab.recordings.list()).toEqual([]);
    expect(tab.scheduler.captureCount).toBe(0);
  });

  it('a window whose stream is not there yet when it opens is recorded once it is, late, as one recording', async () => {
    const tab = await openTab();
    const playlist = ['#EXTM3U', '#EXT-X-TARGETDURATION:1', '#EXT-X-MEDIA-SEQUENCE:0', '#EXTINF:1.000,', fileUrl('late-segment-0'), '#EXTINF:1.000,', fileUrl('late-segment-1'), ''].join('\n');
    const sourceUrl = `${base}/switch/${crypto.randomUUID()}?after=1&body=${encodeURIComponent('<html>Off air</html>')}&then=${encodeURIComponent(playlist)}&type=${encodeURIComponent('text/html')}`;
    const schedule = await tab.schedules.create(input({ sourceUrl }), T0);
    nowMs = S + SEC;
    await tab.scheduler.tick();
    expect(await runsOf(tab)).toMatchObject([{ status: 'retrying', recordingId: null }]);
    nowMs = S + 16 * SEC;
    await tab.scheduler.tick();
    const [recording, ...others] = await tab.recordings.list();
    expect(others).toEqual([]);
    expect(await runsOf(tab)).toMatchObject([{ status: 'running', recordingId: recording!.id, startedAtMs: S + 16 * SEC, message: expect.stringMatching(/^Tried again after: Could not start: /) }]);
    expect(recording).toMatchObject({ title: renderTitle(schedule, S), schedule: { scheduleId: schedule.id, plannedStartAtMs: S } });
    await expect.poll(async () => (await tab.recordings.get(recording!.id))!.segmentCount).toBe(1);
  });

  it('a window whose stream fails mid-run is tried again into the same recording until it closes, and what was recorded is kept', async () => {
    // The recorder gives up on the first failed reload.
    const tab = await openTab({}, undefined, { liveOutageToleranceMs: 0 });
    const playlist = ['#EXTM3U', '#EXT-X-TARGETDURATION:1', '#EXT-X-MEDIA-SEQUENCE:0', '#EXTINF:1.000,', fileUrl('cut-segment-0'), ''].join('\n');
    // The first load works; every reload after it is an HTML page.
    const sourceUrl = `${base}/switch/${crypto.randomUUID()}?after=1&body=${encodeURIComponent(playlist)}&then=${encodeURIComponent('<html>Off air</html>')}&type=${encodeURIComponent('application/vnd.apple.mpegurl')}`;
    await tab.schedules.create(input({ sourceUrl }), T0);
    nowMs = S + SEC;
    const retrying = nextEvent(tab.scheduler, 'run-retrying');
    await tab.scheduler.tick();
    expect(await retrying).toMatchObject({ first: true, message: expect.stringMatching(/^The stream failed: .* Trying again in 15 s/) });
    const [recording] = await tab.recordings.list();
    expect(await runsOf(tab)).toMatchObject([{ status: 'retrying', recordingId: recording!.id }]);
    expect(recording).toMatchObject({ status: 'interrupted', segmentCount: 1 });
    // The try resumes the same recording; the stream is still off, so it waits again.
    nowMs = S + 16 * SEC;
    await tab.scheduler.tick();
    expect(await runsOf(tab)).toMatchObject([{ status: 'retrying', recordingId: recording!.id, message: expect.stringMatching(/Trying again in 30 s/) }]);
    nowMs = S + MIN;
    await tab.scheduler.tick();
    expect(await runsOf(tab)).toMatchObject([{ status: 'failed', recordingId: recording!.id, message: expect.stringMatching(/Tried again until the planned end\.$/) }]);
    expect(await tab.recordings.list()).toMatchObject([{ id: recording!.id, status: 'interrupted', segmentCount: 1 }]);
  });

  it('completes a window whose stream ends (EXT-X-ENDLIST) before it does, and says so', async () => {
    const tab = await openTab();
    await tab.schedules.create(input({ sourceUrl: stream('vod', true) }), T0);
    const ended = nextEvent(tab.scheduler, 'run-ended');
    nowMs = S + SEC;
    await tab.scheduler.tick();
    const { recording } = await ended;
    const [run] = await runsOf(tab);
    expect(run).toMatchObject({ status: 'complete', recordingId: recording!.id });
    expect(run!.message).toMatch(/ended before the planned end/);
    expect(await tab.recordings.get(recording!.id)).toMatchObject({ status: 'complete', segmentCount: 2 });
    expect(tab.scheduler.captureCount).toBe(0);
  });

  it('two tabs ticking the same window at once make one run and one recording', async () => {
    const a = await openTab();
    const b = await openTab({}, a.name);
    await a.schedules.create(input(), T0);
    nowMs = S + SEC;
    await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
    expect(await runsOf(a)).toMatchObject([{ status: 'running' }]);
    expect(await a.recordings.list()).toHaveLength(1);
    expect(a.scheduler.captureCount + b.scheduler.captureCount).toBe(1);
  });

  it('recoverAbandonedRuns restarts a run whose window is open and fails one whose window passed', async () => {
    const tab = await openTab();
    const open = await tab.schedules.create(input(), T0);
    const past = await tab.schedules.create(input({ sourceUrl: stream('past'), rule: { kind: 'once', startAtMs: S - 2 * MIN } }), T0);
    const crashed = { status: 'running', recordingId: 'from-the-closed-tab', lateByMs: 0, message: null } as const;
    await tab.schedules.claimRun({ scheduleId: open.id, startAtMs: S, endAtMs: S + MIN, startedAtMs: S, ...crashed });
    await tab.schedules.claimRun({ scheduleId: past.id, startAtMs: S - 2 * MIN, endAtMs: S - MIN, startedAtMs: S - 2 * MIN, ...crashed });
    nowMs = S + 10 * SEC;
    await tab.scheduler.recoverAbandonedRuns();
    const [recording, ...others] = await tab.recordings.list();
    expect(others).toEqual([]);
    expect(recording).toMatchObject({ sourceUrl: open.sourceUrl, status: 'recording' });
    const runs = await runsOf(tab);
    expect(runs.find((r) => r.scheduleId === open.id)).toMatchObject({ status: 'running', recordingId: recording!.id, message: expect.stringMatching(/Resumed/) });
    expect(runs.find((r) => r.scheduleId === past.id)).toMatchObject({ status: 'failed', message: expect.stringMatching(/closed/) });
    // The next tick does not start the recovered window a second time.
    await tab.scheduler.tick();
    expect(await tab.recordings.list()).toHaveLength(1);
    expect(tab.scheduler.captureCount).toBe(1);
  });

  it('recoverAbandonedRuns starts the runs of different streams side by side: one that hangs holds up no other', async () => {
    const tab = await openTab({}, undefined, { playlistTimeoutMs: 1500 });
    // Runs are recovered in key order (schedule id): the hanging stream goes to the first.
    const [first, second] = [await tab.schedules.create(input(), T0), await tab.schedules.create(input(), T0)].sort((a, b) => (a.id < b.id ? -1 : 1));
    const hanging = await tab.schedules.update(first!.id, input({ sourceUrl: `${base}/hang` }), T0);
    const fine = await tab.schedules.update(second!.id, input({ sourceUrl: stream('fine') }), T0);
    const crashed = { status: 'running', recordingId: null, startedAtMs: S, lateByMs: 0, message: null } as const;
    await tab.schedules.claimRun({ scheduleId: hanging.id, startAtMs: S, endAtMs: S + MIN, ...crashed });
    await tab.schedules.claimRun({ scheduleId: fine.id, startAtMs: S, endAtMs: S + MIN, ...crashed });
    const order: string[] = [];
    tab.scheduler.on('run-started', ({ schedule }) => order.push(`started ${schedule.id === fine.id ? 'fine' : 'hanging'}`));
    tab.scheduler.on('run-retrying', ({ schedule }) => order.push(`retrying ${schedule.id === fine.id ? 'fine' : 'hanging'}`));
    nowMs = S + 10 * SEC;
    await tab.scheduler.recoverAbandonedRuns();
    expect(order).toEqual(['started fine', 'retrying hanging']);
  });

  it('recoverAbandonedRuns goes on in the recording a closed tab left, so a reloaded show stays one recording', async () => {
    const tab = await openTab();
    const schedule = await tab.schedules.create(input(), T0);
    const title = renderTitle(schedule, S);
    const left = await tab.recordings.create(newRecording({ title, sourceUrl: schedule.sourceUrl, mediaPlaylistUrl: schedule.sourceUrl, startedAtMs: S }));
    await tab.recordings.update(left.id, { status: 'interrupted', endedAtMs: S + 5 * SEC });
    await tab.schedules.claimRun({ scheduleId: schedule.id, startAtMs: S, endAtMs: S + MIN, status: 'running', recordingId: left.id, startedAtMs: S, lateByMs: 0, message: null });
    nowMs = S + 10 * SEC;
    await tab.scheduler.recoverAbandonedRuns();
    expect(await runsOf(tab)).toMatchObject([{ status: 'running', recordingId: left.id, message: expect.stringMatching(/^Resumed after Tapedeck was closed/) }]);
    expect(await tab.recordings.list()).toMatchObject([{ id: left.id, title, status: 'recording' }]);
    // Nothing of this window was stored yet: the resumed capture takes all it lists (2 segments).
    await expect.poll(async () => (await tab.recordings.get(left.id))!.segmentCount).toBe(2);
    nowMs = S + MIN;
    await tab.scheduler.tick();
    expect(await runsOf(tab)).toMatchObject([{ status: 'complete', recordingId: left.id }]);
  });

  it('recoverAbandonedRuns resumes two runs that shared a capture into one new capture', async () => {
    const tab = await openTab();
    const one = await tab.schedules.create(input({ programme: 'One' }), T0);
    const two = await tab.schedules.create(input({ programme: 'Two', length: { kind: 'duration', durationSec: 120 } }), T0);
    for (const [schedule, endAtMs] of [[one, S + MIN], [two, S + 2 * MIN]] as const) {
      await tab.schedules.claimRun({ scheduleId: schedule.id, startAtMs: S, endAtMs, status: 'running', recordingId: 'old', startedAtMs: S, lateByMs: 0, message: null });
    }
    nowMs = S + 10 * SEC;
    await tab.scheduler.recoverAbandonedRuns();
    const recordings = await tab.recordings.list();
    expect(recordings).toHaveLength(1);
    const runs = await runsOf(tab);
    expect(runs.map((r) => r.recordingId)).toEqual([recordings[0]!.id, recordings[0]!.id]);
    expect(runs.map((r) => r.message).join(' ')).toMatch(/Shares the running capture/);
    nowMs = S + MIN;
    await tab.scheduler.tick();
    expect(await tab.recordings.get(recordings[0]!.id)).toMatchObject({ status: 'recording' });
    nowMs = S + 2 * MIN;
    await tab.scheduler.tick();
    expect(await tab.recordings.get(recordings[0]!.id)).toMatchObject({ status: 'complete' });
    expect((await runsOf(tab)).map((r) => r.status)).toEqual(['complete', 'complete']);
  });
});
