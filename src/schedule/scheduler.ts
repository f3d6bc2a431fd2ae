import type { CaptureConfig, ScheduleConfig } from '../config.ts';
import { TypedEventTarget } from '../events.ts';
import { CaptureError } from '../capture/errors.ts';
import { describeProblem, HlsRecorder } from '../capture/hls-recorder.ts';
import { RecordingNotFoundError, type RecordingStore } from '../storage/recording-store.ts';
import type { Recording } from '../storage/types.ts';
import { windowEndMs, windowsStartingIn, type ScheduleWindow } from './occurrences.ts';
import type { ScheduleStore } from './schedule-store.ts';
import { renderTitle, runTags } from './title-template.ts';
import type { Schedule, ScheduleRun } from './types.ts';

/** Events of {@link Scheduler}. */
export interface SchedulerEvents {
  /** A window started capturing (`shared`: it joined a running capture of the same source). */
  'run-started': { schedule: Schedule; run: ScheduleRun; recording: Recording; shared: boolean };
  /** A window's capture ended at its planned end or when the stream ended. */
  'run-ended': { schedule: Schedule; run: ScheduleRun; recording: Recording | null };
  /** A window passed while no tab of Tapedeck was running schedules. */
  'run-missed': { schedule: Schedule; run: ScheduleRun };
  /**
   * A window's capture could not start (the stream failed, or the cap on captures was reached)
   * or its stream failed, with time left in the window: it is tried again. `first`: the run was
   * recording or had not started before.
   */
  'run-retrying': { schedule: Schedule; run: ScheduleRun; message: string; first: boolean };
  /** A window could not be recorded, or not to its end: tries went on until it closed. */
  'run-failed': { schedule: Schedule; run: ScheduleRun; message: string };
  /** The number of running captures changed. */
  captures: { count: number };
}

/** Why a capture ended: its last window closed, the stream ended by itself, or the tab stopped it. */
type CaptureEndReason = 'window-ended' | 'stream-ended' | 'stopped';

interface ActiveCapture {
  recorder: HlsRecorder;
  recording: Recording;
  /** The capture stops at the latest end of the windows sharing it, in ms since the epoch. */
  endAtMs: number;
  runs: { schedule: Schedule; run: ScheduleRun }[];
  stopping: boolean;
}

/** A run waiting to be tried again. */
interface PendingRetry {
  schedule: Schedule;
  run: ScheduleRun;
  /** Why the last try failed, for the run's message. */
  reason: string;
  /** When to try again, in ms since the Unix epoch. */
  atMs: number;
  /** The wait that led to `atMs`, in ms; the next one doubles it. */
  delayMs: number;
}

const runKey = (run: Pick<ScheduleRun, 'scheduleId' | 'startAtMs'>): string => `${run.scheduleId} ${run.startAtMs}`;

/** Adds `start` to the starts of `sourceUrl`, after those already queued. */
function queueStart(startsBySource: Map<string, (() => Promise<void>)[]>, sourceUrl: string, start: () => Promise<void>): void {
  startsBySource.set(sourceUrl, [...(startsBySource.get(sourceUrl) ?? []), start]);
}

/**
 * Runs schedules from the wall clock. Nothing here keeps time: {@link Scheduler.tick} is
 * called often (by a clock that survives tab throttling) and each call compares the stored
 * state with `now()`, so a tick that comes late, or after the machine slept, catches up:
 * a window still open starts at once (its lateness noted), a window already past is recorded
 * as missed, never skipped silently. Windows of the same source that overlap share one
 * capture. Each window's run is claimed in IndexedDB first, so it is run once only. A window
 * whose capture cannot start, or whose stream fails, is tried again (`retrying`, waits from
 * `retryDelayMs` doubling up to `retryMaxDelayMs`) until it closes, into the recording it has
 * when it has one: a show whose stream comes back is one recording with an outage gap.
 */
export class Scheduler extends TypedEventTarget<SchedulerEvents> {
  private readonly active = new Map<string, ActiveCapture>();
  private readonly retries = new Map<string, PendingRetry>();
  /** Starts under way (a stream may take a minute to answer or fail), by source URL. */
  private readonly startsInFlight = new Map<string, Promise<void>>();
  /** Captures being started now: they count towards the cap before they run. */
  private startingCaptures = 0;
  private ticking: Promise<Promise<void>[]> | null = null;

  constructor(
    private readonly schedules: ScheduleStore,
    private readonly recordings: RecordingStore,
    private readonly captureConfig: CaptureConfig,
    private readonly config: ScheduleConfig,
    private readonly now: () => number = () => Date.now(),
  ) {
    super();
  }

  /** Number of captures running now. */
  get captureCount(): number {
    return this.active.size;
  }

  /**
   * Brings the world in line with the clock: moves the end of runs whose schedule's length
   * was edited, ends captures whose windows are over, then starts or records as missed every
   * window that opened since the last tick. Starts of different sources run at once, so a
   * stream that hangs delays no other; the windows of one source start one after another, so
   * they share one capture. The returned promise settles when this tick's starts have; a tick
   * made meanwhile does its ending and bookkeeping at once and leaves a source whose start is
   * still under way to a later tick. Calls made during the bookkeeping share it.
   */
  async tick(): Promise<void> {
    this.ticking ??= this.evaluate().finally(() => (this.ticking = null));
    await Promise.all(await this.ticking);
  }

  /**
   * Handles runs a closed or crashed tab left marked `running` or `retrying`: those whose window
   * is still open capture again, into the recording the run has (resumed, the time away an
   * outage gap) or else a new one; the others are marked failed.
   */
  async recoverAbandonedRuns(): Promise<void> {
    const nowMs = this.now();
    const startsBySource = new Map<string, (() => Promise<void>)[]>();
    for (const run of await this.schedules.runningRuns()) {
      if (this.retries.has(runKey(run)) || [...this.active.values()].some((capture) => capture.runs.some((entry) => runKey(entry.run) === runKey(run)))) continue;
      const schedule = await this.schedules.get(run.scheduleId);
      if (!schedule || nowMs >= run.endAtMs || !schedule.enabled) {
        await this.schedules.updateRun(run.scheduleId, run.startAtMs, { status: 'failed', message: 'Tapedeck was closed while this run was recording; what was recorded is kept.' });
        continue;
      }
      // Runs that shared a capture before the tab closed share the new one too.
      queueStart(startsBySource, schedule.sourceUrl, () => this.startOrJoin(schedule, run, nowMs, 'Resumed after Tapedeck was closed during the run.'));
    }
    await Promise.all(this.startBySource(startsBySource));
  }

  /**
   * Stops every capture now (the tab is giving up the scheduler); their runs end as complete.
   * Runs waiting to be tried again stay `retrying`, for the next tab to run schedules.
   */
  async stopAll(): Promise<void> {
    await Promise.allSettled(this.startsInFlight.values());
    this.retries.clear();
    await Promise.all([...this.active.keys()].map((sourceUrl) => this.endCapture(sourceUrl, 'stopped')));
  }

  /** Ends and settles what is due, and returns the starts it set going (see {@link Scheduler.tick}). */
  private async evaluate(): Promise<Promise<void>[]> {
    const nowMs = this.now();
    const schedules = await this.schedules.list();
    const enabledIds = new Set(schedules.filter((schedule) => schedule.enabled).map((schedule) => schedule.id));
    await this.followLengthEdits(schedules);
    for (const [sourceUrl, capture] of this.active) {
      if (nowMs >= capture.endAtMs) {
        await this.endCapture(sourceUrl, 'window-ended');
        continue;
      }
      // A run is over at its own end even when the capture goes on for a later window that
      // shares it, and as soon as its schedule is turned off or deleted.
      for (const entry of capture.runs.filter(({ run }) => nowMs >= run.endAtMs || !enabledIds.has(run.scheduleId))) {
        capture.runs.splice(capture.runs.indexOf(entry), 1);
        const switchedOff = nowMs < entry.run.endAtMs;
        await this.settleRun(entry.schedule, entry.run, capture.recording, switchedOff ? 'Stopped early: the schedule was turned off or deleted.' : null);
      }
      if (capture.runs.length === 0) await this.endCapture(sourceUrl, 'stopped');
      else capture.endAtMs = Math.max(...capture.runs.map(({ run }) => run.endAtMs));
    }
    // The work that may wait on a stream, by source: each source's in order, the sources at once.
    const startsBySource = new Map<string, (() => Promise<void>)[]>();
    for (const [key, retry] of [...this.retries]) {
      const schedule = schedules.find((candidate) => candidate.id === retry.run.scheduleId);
      if (nowMs >= retry.run.endAtMs || !schedule?.enabled) {
        this.retries.delete(key);
        await this.fail(retry.schedule, retry.run, `${retry.reason} ${schedule?.enabled ? 'Tried again until the planned end.' : 'Stopped trying: the schedule was turned off or deleted.'}`);
      } else if (nowMs >= retry.atMs && !this.startsInFlight.has(schedule.sourceUrl)) {
        this.retries.delete(key);
        // The schedule as it is now: a stream URL fixed meanwhile is the one tried.
        queueStart(startsBySource, schedule.sourceUrl, () => this.startOrJoin(schedule, retry.run, nowMs, `Tried again after: ${retry.reason}`, retry.delayMs));
      }
    }
    for (const schedule of schedules) {
      if (!schedule.enabled || schedule.evaluatedUntilMs >= nowMs || this.startsInFlight.has(schedule.sourceUrl)) continue;
      queueStart(startsBySource, schedule.sourceUrl, () => this.startDueWindows(schedule, nowMs));
    }
    return this.startBySource(startsBySource);
  }

  /**
   * Sets going the starts of each source, one after another, the sources side by side, each
   * marked in flight until done.
   */
  private startBySource(startsBySource: ReadonlyMap<string, readonly (() => Promise<void>)[]>): Promise<void>[] {
    return [...startsBySource].map(([sourceUrl, starts]) => {
      const inFlight = (async () => {
        await this.startsInFlight.get(sourceUrl)?.catch(() => undefined);
        for (const start of starts) await start();
      })().finally(() => {
        if (this.startsInFlight.get(sourceUrl) === inFlight) this.startsInFlight.delete(sourceUrl);
      });
      this.startsInFlight.set(sourceUrl, inFlight);
      return inFlight;
    });
  }

  /**
   * A run lasts as its schedule's length says now: a length edited while the run records or
   * waits to be tried again moves its end (kept on the run), and the end of its capture.
   */
  private async followLengthEdits(schedules: Schedule[]): Promise<void> {
    const entries = [...[...this.active.values()].flatMap((capture) => capture.runs), ...this.retries.values()];
    for (const entry of entries) {
      const schedule = schedules.find((candidate) => candidate.id === entry.run.scheduleId);
      if (!schedule || schedule.updatedAtMs === entry.schedule.updatedAtMs) continue;
      entry.schedule = schedule;
      const endAtMs = windowEndMs(schedule.length, entry.run.startAtMs, schedule.timeZone);
      if (endAtMs === entry.run.endAtMs) continue;
      entry.run.endAtMs = endAtMs;
      await this.schedules.updateRun(schedule.id, entry.run.startAtMs, { endAtMs });
    }
    for (const capture of this.active.values()) {
      if (capture.runs.length > 0) capture.endAtMs = capture.runs.reduce((latest, { run }) => Math.max(latest, run.endAtMs), 0);
    }
  }

  /** Starts, or records as missed, every window of `schedule` that opened since it was last looked at. */
  private async startDueWindows(schedule: Schedule, nowMs: number): Promise<void> {
    const { windows, omitted, omittedAtLeast } = windowsStartingIn(schedule, schedule.evaluatedUntilMs, nowMs, this.config.missedWindowLimit);
    for (const [index, window] of windows.entries()) {
      if (nowMs >= window.endAtMs) {
        const extra = index === 0 && omitted > 0 ? ` ${omitted}${omittedAtLeast ? ' or more' : ''} earlier windows were missed too.` : '';
        await this.recordMissed(schedule, window, `Missed: no Tapedeck tab was running schedules during this window.${extra}`);
      } else {
        await this.startRun(schedule, window, nowMs);
      }
    }
    await this.schedules.markEvaluated(schedule.id, nowMs);
  }

  private async recordMissed(schedule: Schedule, window: ScheduleWindow, message: string): Promise<void> {
    const run: ScheduleRun = { scheduleId: schedule.id, ...window, status: 'missed', recordingId: null, startedAtMs: null, lateByMs: 0, message };
    if (await this.schedules.claimRun(run)) this.emit('run-missed', { schedule, run });
  }

  private async startRun(schedule: Schedule, window: ScheduleWindow, nowMs: number): Promise<void> {
    const lateByMs = Math.max(0, nowMs - window.startAtMs);
    const late = lateByMs > this.config.lateStartGraceMs;
    const run: ScheduleRun = {
      scheduleId: schedule.id,
      ...window,
      status: 'running',
      recordingId: null,
      startedAtMs: nowMs,
      lateByMs,
      message: !late ? null : window.startAtMs < schedule.updatedAtMs ? `Started ${Math.round(lateByMs / 1000)} s into the window: the schedule was saved or turned on after it began.` : `Started ${Math.round(lateByMs / 1000)} s late: the tab was asleep or closed at the planned time.`,
    };
    if (!(await this.schedules.claimRun(run))) return;
    await this.startOrJoin(schedule, run, nowMs, run.message);
  }

  /**
   * Captures a run's window: joins the running capture of its source, or starts one unless the
   * cap is reached. A failure leaves the run to be tried again (`previousDelayMs`: the wait
   * before this try, when it is one).
   */
  private async startOrJoin(schedule: Schedule, run: ScheduleRun, nowMs: number, message: string | null, previousDelayMs?: number): Promise<void> {
    const shared = this.active.get(schedule.sourceUrl);
    if (shared) await this.joinCapture(shared, schedule, run, nowMs, message);
    else if (this.active.size + this.startingCaptures >= this.config.maxConcurrentCaptures) await this.retry(schedule, run, this.capMessage(), previousDelayMs);
    else await this.startCapture(schedule, run, nowMs, message, previousDelayMs);
  }

  /**
   * Marks a run `retrying` and plans its next try, or fails it when that try would come after
   * its window.
   */
  private async retry(schedule: Schedule, run: ScheduleRun, reason: string, previousDelayMs?: number): Promise<void> {
    const delayMs = previousDelayMs === undefined ? this.config.retryDelayMs : Math.min(previousDelayMs * 2, this.config.retryMaxDelayMs);
    const atMs = this.now() + delayMs;
    if (atMs >= run.endAtMs) {
      await this.fail(schedule, run, reason);
      return;
    }
    const first = run.status !== 'retrying';
    const message = `${reason} Trying again in ${Math.round(delayMs / 1000)} s, and until the planned end.`;
    Object.assign(run, { status: 'retrying', message });
    await this.schedules.updateRun(schedule.id, run.startAtMs, { status: 'retrying', recordingId: run.recordingId, message });
    this.retries.set(runKey(run), { schedule, run, reason, atMs, delayMs });
    this.emit('run-retrying', { schedule, run, message, first });
  }

  /** Adds a run to the running capture of its source, which then lasts to the later end. */
  private async joinCapture(capture: ActiveCapture, schedule: Schedule, run: ScheduleRun, nowMs: number, message: string | null): Promise<void> {
    capture.endAtMs = Math.max(capture.endAtMs, run.endAtMs);
    capture.runs.push({ schedule, run });
    Object.assign(run, {
      status: 'running',
      recordingId: capture.recording.id,
      startedAtMs: nowMs,
      message: [message, `Shares the running capture "${capture.recording.title}" of the same stream.`].filter(Boolean).join(' '),
    });
    await this.schedules.updateRun(schedule.id, run.startAtMs, { status: 'running', recordingId: run.recordingId, startedAtMs: nowMs, message: run.message });
    this.emit('run-started', { schedule, run, recording: capture.recording, shared: true });
  }

  private async startCapture(schedule: Schedule, run: ScheduleRun, nowMs: number, message: string | null, previousDelayMs?: number): Promise<void> {
    // A scheduled recording starts at the newest segment, so it begins at the planned time.
    const newRecorder = () => new HlsRecorder(this.recordings, { ...this.captureConfig, liveEdgeSegmentCount: 1 });
    let recorder = newRecorder();
    let recording: Recording;
    this.startingCaptures++;
    try {
      // A run tried again, or recovered after a closed tab, goes on in the recording it has.
      const earlier = run.recordingId ? await this.recordings.get(run.recordingId) : undefined;
      let resumed = null;
      if (earlier && earlier.sourceUrl === schedule.sourceUrl) {
        resumed = await recorder.start({ url: schedule.sourceUrl, resumeRecordingId: earlier.id }).catch((error: unknown) => {
          // Deleted meanwhile, or still held by a closing tab: a new recording instead.
          if (error instanceof RecordingNotFoundError || (error instanceof CaptureError && error.code === 'resume-refused')) return null;
          throw error;
        });
        if (!resumed) recorder = newRecorder();
      }
      if (resumed) recording = resumed;
      else {
        recording = await recorder.start({ url: schedule.sourceUrl, title: renderTitle(schedule, run.startAtMs) });
        recording = await this.recordings.update(recording.id, {
          tags: runTags(schedule, run.startAtMs),
          schedule: { scheduleId: schedule.id, plannedStartAtMs: run.startAtMs, lateByMs: run.lateByMs },
        });
      }
    } catch (error) {
      this.startingCaptures--;
      await this.retry(schedule, run, `Could not start: ${describeProblem(error, true).message}`, previousDelayMs);
      return;
    }
    this.startingCaptures--;
    const capture: ActiveCapture = { recorder, recording, endAtMs: run.endAtMs, runs: [{ schedule, run }], stopping: false };
    this.active.set(schedule.sourceUrl, capture);
    Object.assign(run, { status: 'running', recordingId: recording.id, startedAtMs: nowMs, message });
    await this.schedules.updateRun(schedule.id, run.startAtMs, { status: 'running', recordingId: recording.id, startedAtMs: nowMs, message });
    this.emit('captures', { count: this.active.size });
    this.emit('run-started', { schedule, run, recording, shared: false });
    void recorder.done.then((final) => {
      // The stream ended (EXT-X-ENDLIST) or failed before the window did.
      if (!capture.stopping && this.active.get(schedule.sourceUrl) === capture) void this.finishCapture(schedule.sourceUrl, capture, final, 'stream-ended');
    });
  }

  private async endCapture(sourceUrl: string, reason: CaptureEndReason): Promise<void> {
    const capture = this.active.get(sourceUrl);
    if (!capture || capture.stopping) return;
    capture.stopping = true;
    const final = (await capture.recorder.stop()) ?? capture.recording;
    await this.finishCapture(sourceUrl, capture, final, reason);
  }

  private async finishCapture(sourceUrl: string, capture: ActiveCapture, final: Recording, reason: CaptureEndReason): Promise<void> {
    this.active.delete(sourceUrl);
    this.emit('captures', { count: this.active.size });
    for (const { schedule, run } of capture.runs) {
      if (final.status === 'interrupted' && reason === 'stream-ended' && this.now() < run.endAtMs) {
        // run.recordingId is this capture's recording already: the retry resumes it.
        await this.retry(schedule, run, `The stream failed: ${final.lastError ?? 'unknown error'}`);
        continue;
      }
      let note: string | null = null;
      if (final.status === 'interrupted') note = `The stream failed: ${final.lastError ?? 'unknown error'}`;
      else if (this.now() < run.endAtMs) {
        note = reason === 'stopped' ? 'Stopped before the planned end: this tab stopped running schedules (closed or reloaded).' : 'The stream ended before the planned end.';
      }
      await this.settleRun(schedule, run, final, note);
    }
  }

  /** Marks a run complete, or failed when its recording ended on an error. */
  private async settleRun(schedule: Schedule, run: ScheduleRun, recording: Recording, note: string | null): Promise<void> {
    const failed = recording.status === 'interrupted';
    const message = [run.message, note].filter(Boolean).join(' ') || null;
    Object.assign(run, { status: failed ? 'failed' : 'complete', message });
    await this.schedules.updateRun(schedule.id, run.startAtMs, { status: run.status, message });
    if (failed) this.emit('run-failed', { schedule, run, message: note ?? message ?? 'The stream failed.' });
    else this.emit('run-ended', { schedule, run, recording });
  }

  private capMessage(): string {
    return `Not started: ${this.active.size + this.startingCaptures} captures were already running, the most allowed at once (${this.config.maxConcurrentCaptures}).`;
  }

  private async fail(schedule: Schedule, run: ScheduleRun, message: string): Promise<void> {
    Object.assign(run, { status: 'failed', message });
    await this.schedules.updateRun(schedule.id, run.startAtMs, { status: 'failed', message });
    this.emit('run-failed', { schedule, run, message });
  }
}
