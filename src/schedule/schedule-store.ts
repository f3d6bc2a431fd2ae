import { TypedEventTarget } from '../events.ts';
import { openTapedeckDb, type TapedeckDb } from '../storage/db.ts';
import { validateSchedule, windowOpenAt } from './occurrences.ts';
import type { Schedule, ScheduleRun } from './types.ts';

/** A schedule as the user writes it; the store adds id, times and evaluation state. */
export type ScheduleInput = Omit<Schedule, 'id' | 'createdAtMs' | 'updatedAtMs' | 'evaluatedUntilMs'>;

/** Events of {@link ScheduleStore}: something about schedules or runs changed. */
export interface ScheduleStoreEvents {
  change: { scheduleId: string | null };
}

/**
 * Schedules and their runs in IndexedDB. A run is keyed by its schedule and planned start,
 * and {@link ScheduleStore.claimRun} creates it only if absent, so a window is run once
 * however many tabs look at it. Dispatches `change` in this tab and, through a
 * BroadcastChannel, in the others.
 */
export class ScheduleStore extends TypedEventTarget<ScheduleStoreEvents> {
  private readonly channel: BroadcastChannel;

  private constructor(private readonly db: TapedeckDb) {
    super();
    this.channel = new BroadcastChannel(`tapedeck-schedules:${db.name}`);
    this.channel.onmessage = (event: MessageEvent<{ scheduleId: string | null }>) => this.emit('change', event.data);
  }

  /** Opens the store on the named database (tests pass their own name). */
  static async open(dbName?: string): Promise<ScheduleStore> {
    return new ScheduleStore(await openTapedeckDb(dbName));
  }

  /** Closes the database and the cross-tab channel. */
  close(): void {
    this.channel.close();
    this.db.close();
  }

  /**
   * Saves a new schedule. Its windows are looked at from `nowMs` on, and the window open at
   * `nowMs` too (a show already on air is recorded from now to its end); windows that ended
   * before are not reported as missed.
   * @throws ScheduleError when the rule, length, time zone or URL is invalid.
   */
  async create(input: ScheduleInput, nowMs: number = Date.now()): Promise<Schedule> {
    validateSchedule(input);
    const schedule: Schedule = { ...input, id: crypto.randomUUID(), createdAtMs: nowMs, updatedAtMs: nowMs, evaluatedUntilMs: evaluateFromMs(input, nowMs) };
    await this.db.put('schedules', schedule);
    this.notify(schedule.id);
    return schedule;
  }

  /**
   * Replaces a schedule's settings. A changed rule or time zone, or a re-enabled schedule, is looked at from
   * `nowMs` on, with the window open at `nowMs` (see {@link ScheduleStore.create}), so editing
   * never makes past windows count as missed. A window already run is not run again.
   * @throws ScheduleError when invalid; Error when the schedule no longer exists.
   */
  async update(id: string, input: ScheduleInput, nowMs: number = Date.now()): Promise<Schedule> {
    validateSchedule(input);
    const existing = await this.db.get('schedules', id);
    if (!existing) throw new Error('This schedule no longer exists.');
    const ruleChanged = JSON.stringify(existing.rule) !== JSON.stringify(input.rule) || existing.timeZone !== input.timeZone;
    const reenabled = input.enabled && !existing.enabled;
    const schedule: Schedule = {
      ...existing,
      ...input,
      updatedAtMs: nowMs,
      evaluatedUntilMs: ruleChanged || reenabled ? evaluateFromMs(input, nowMs, existing.evaluatedUntilMs) : existing.evaluatedUntilMs,
    };
    await this.db.put('schedules', schedule);
    this.notify(id);
    return schedule;
  }

  /** Turns a schedule on or off; see {@link ScheduleStore.update}. */
  async setEnabled(id: string, enabled: boolean, nowMs: number = Date.now()): Promise<Schedule> {
    const existing = await this.db.get('schedules', id);
    if (!existing) throw new Error('This schedule no longer exists.');
    const { id: _id, createdAtMs: _c, updatedAtMs: _u, evaluatedUntilMs: _e, ...input } = existing;
    return this.update(id, { ...input, enabled }, nowMs);
  }

  /** Records that every window starting at or before `evaluatedUntilMs` has been looked at. */
  async markEvaluated(id: string, evaluatedUntilMs: number): Promise<void> {
    const tx = this.db.transaction('schedules', 'readwrite');
    const schedule = await tx.store.get(id);
    if (schedule && evaluatedUntilMs > schedule.evaluatedUntilMs) await tx.store.put({ ...schedule, evaluatedUntilMs });
    await tx.done;
  }

  /** Deletes a schedule and its run history (recordings it made stay). */
  async delete(id: string): Promise<void> {
    const tx = this.db.transaction(['schedules', 'scheduleRuns'], 'readwrite');
    await tx.objectStore('scheduleRuns').delete(IDBKeyRange.bound([id, -Infinity], [id, Infinity]));
    await tx.objectStore('schedules').delete(id);
    await tx.done;
    this.notify(id);
  }

  get(id: string): Promise<Schedule | undefined> {
    return this.db.get('schedules', id);
  }

  /** All schedules, oldest first. */
  async list(): Promise<Schedule[]> {
    return (await this.db.getAll('schedules')).sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  /**
   * Creates the run of a window if no run of it exists yet.
   * @returns true when this call created it (the caller runs the window), false when a run
   *   already existed (another tab, or an earlier tick, has it).
   */
  async claimRun(run: ScheduleRun): Promise<boolean> {
    const tx = this.db.transaction('scheduleRuns', 'readwrite');
    const exists = (await tx.store.getKey([run.scheduleId, run.startAtMs])) !== undefined;
    if (!exists) await tx.store.add(run);
    await tx.done;
    if (!exists) this.notify(run.scheduleId);
    return !exists;
  }

  /** Changes a run's outcome fields. Unknown runs are ignored. */
  async updateRun(scheduleId: string, startAtMs: number, patch: Partial<Pick<ScheduleRun, 'status' | 'recordingId' | 'startedAtMs' | 'lateByMs' | 'message' | 'endAtMs'>>): Promise<void> {
    const tx = this.db.transaction('scheduleRuns', 'readwrite');
    const run = await tx.store.get([scheduleId, startAtMs]);
    if (run) await tx.store.put({ ...run, ...patch });
    await tx.done;
    this.notify(scheduleId);
  }

  /** Runs of every schedule planned to start at or after `sinceMs`, newest first. */
  async recentRuns(sinceMs: number): Promise<ScheduleRun[]> {
    const runs = await this.db.getAllFromIndex('scheduleRuns', 'byStartAt', IDBKeyRange.lowerBound(sinceMs));
    return runs.reverse();
  }

  /** Runs still marked running or retrying (after a crash, some may no longer be). */
  async runningRuns(): Promise<ScheduleRun[]> {
    return (await this.db.getAll('scheduleRuns')).filter((run) => run.status === 'running' || run.status === 'retrying');
  }

  private notify(scheduleId: string | null): void {
    this.emit('change', { scheduleId });
    this.channel.postMessage({ scheduleId });
  }
}

/**
 * Where a schedule saved at `nowMs` is looked at from (its `evaluatedUntilMs`): just before the
 * window open then, so that window is started at the next tick, else `nowMs` (or the later
 * `evaluatedUntilMs` it had). Going back to an open window reports no earlier window as missed:
 * it is the latest window to start.
 */
function evaluateFromMs(input: ScheduleInput, nowMs: number, evaluatedUntilMs = -Infinity): number {
  if (!input.enabled) return Math.max(evaluatedUntilMs, nowMs);
  const open = windowOpenAt(input, nowMs);
  return open ? open.startAtMs - 1 : Math.max(evaluatedUntilMs, nowMs);
}
