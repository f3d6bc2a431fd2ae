import { Cron } from 'croner';
import { ScheduleError, type Schedule, type ScheduleLength, type ScheduleRule } from './types.ts';

/** One window a schedule opens: from a start to an end, in ms since the Unix epoch. */
export interface ScheduleWindow {
  startAtMs: number;
  endAtMs: number;
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Reads `HH:MM` (24-hour) into hours and minutes, or throws ScheduleError on `field`. */
function parseTimeOfDay(time: string, field: 'rule' | 'length'): { hours: number; minutes: number } {
  const match = TIME_OF_DAY.exec(time);
  if (!match) throw new ScheduleError(`"${time}" is not a time of day as HH:MM (24-hour).`, field);
  return { hours: Number(match[1]), minutes: Number(match[2]) };
}

/**
 * The five-field cron expression for a rule, or null for a one-off rule. Weekly rules become
 * `M H * * D,D` (0 = Sunday).
 * @throws ScheduleError for a weekly rule with no day, a day outside 0..6, or a bad time.
 */
export function ruleToCron(rule: ScheduleRule): string | null {
  switch (rule.kind) {
    case 'cron':
      return rule.expression.trim();
    case 'once':
      return null;
    case 'weekly': {
      const { hours, minutes } = parseTimeOfDay(rule.time, 'rule');
      if (rule.days.length === 0) throw new ScheduleError('Choose at least one day of the week.', 'rule');
      if (rule.days.some((day) => !Number.isInteger(day) || day < 0 || day > 6)) {
        throw new ScheduleError(`Days of the week are 0 (Sunday) to 6 (Saturday), got ${rule.days.join(', ')}.`, 'rule');
      }
      const days = [...new Set(rule.days)].sort((a, b) => a - b).join(',');
      return `${minutes} ${hours} * * ${days}`;
    }
  }
}

/**
 * A croner job for a five-field expression in `timeZone`, never started (no timers). Standard
 * cron semantics: day-of-month and day-of-week combine with OR when both are restricted (as in
 * Vixie cron and POSIX crontab); times repeated or skipped by a daylight-saving change follow
 * croner's rules for fixed-time jobs (run once; a skipped time runs right after the gap).
 * @throws ScheduleError with croner's reason for an invalid expression or time zone.
 */
export function cronJob(expression: string, timeZone: string): Cron {
  try {
    return new Cron(expression, { timezone: timeZone, mode: '5-part', paused: true, domAndDow: false });
  } catch (error) {
    throw new ScheduleError(`"${expression}" is not a valid five-field cron expression: ${error instanceof Error ? error.message : String(error)}`, 'rule');
  }
}

/**
 * Where a run that starts at `startAtMs` ends, in ms since the Unix epoch.
 * @throws ScheduleError for a length that is not positive or a bad end time.
 */
export function windowEndMs(length: ScheduleLength, startAtMs: number, timeZone: string): number {
  if (length.kind === 'duration') {
    if (!(length.durationSec > 0) || !Number.isFinite(length.durationSec)) {
      throw new ScheduleError(`A run must last more than 0 seconds, got ${length.durationSec}.`, 'length');
    }
    return startAtMs + length.durationSec * 1000;
  }
  const { hours, minutes } = parseTimeOfDay(length.endTime, 'length');
  const end = cronJob(`${minutes} ${hours} * * *`, timeZone).nextRun(new Date(startAtMs));
  if (!end) throw new ScheduleError(`No ${length.endTime} follows the start.`, 'length');
  return end.getTime();
}

/**
 * Checks that a schedule's rule, length and time zone can be used: a cron rule must match some
 * date from now on.
 * @throws ScheduleError naming the field at fault.
 */
export function validateSchedule(schedule: Pick<Schedule, 'rule' | 'length' | 'timeZone' | 'sourceUrl'>): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: schedule.timeZone });
  } catch {
    throw new ScheduleError(`"${schedule.timeZone}" is not a time zone.`, 'timeZone');
  }
  try {
    const url = new URL(schedule.sourceUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new ScheduleError('Enter a full stream URL, starting with http:// or https://.', 'sourceUrl');
  }
  const cron = ruleToCron(schedule.rule);
  if (cron !== null) {
    // A date no month has (30 February, 31 April) would save a schedule that never records.
    if (cronJob(cron, schedule.timeZone).nextRun() === null) throw new ScheduleError(`"${cron}" never matches a date: no month has that day. Check the day of month and month.`, 'rule');
  } else if (schedule.rule.kind === 'once' && !Number.isFinite(schedule.rule.startAtMs)) throw new ScheduleError('Choose a date and time.', 'rule');
  windowEndMs(schedule.length, 0, schedule.timeZone);
}

/** Most windows {@link windowsStartingIn} counts among those its limit leaves out. */
export const MAX_COUNTED_OMITTED = 10_000;

/**
 * The windows whose start lies in `(afterMs, untilMs]`, oldest first, at most `limit` of them
 * (the newest ones when there are more).
 * @returns the windows, how many older ones the limit left out, and whether that count
 *   stopped at {@link MAX_COUNTED_OMITTED} (then more were left out).
 */
export function windowsStartingIn(schedule: Schedule, afterMs: number, untilMs: number, limit = 100): { windows: ScheduleWindow[]; omitted: number; omittedAtLeast: boolean } {
  const starts: number[] = [];
  let omitted = 0;
  let omittedAtLeast = false;
  const cron = ruleToCron(schedule.rule);
  if (cron === null) {
    if (schedule.rule.kind === 'once' && schedule.rule.startAtMs > afterMs && schedule.rule.startAtMs <= untilMs) starts.push(schedule.rule.startAtMs);
    if (starts.length > limit) omitted = starts.splice(0).length;
  } else {
    // previousRuns walks back from the newest, so a long sleep costs `limit` steps, not all of them.
    const job = cronJob(cron, schedule.timeZone);
    const newest = job.previousRuns(limit + 1, new Date(untilMs + 1)).map((date) => date.getTime());
    for (const startMs of newest) if (startMs > afterMs && startMs <= untilMs) starts.push(startMs);
    starts.reverse();
    if (starts.length > limit) {
      starts.splice(0, starts.length - limit);
      // Only the count of the older ones is wanted: walk them forward, up to a bound.
      const beforeMs = starts[0] ?? untilMs + 1;
      let from = new Date(afterMs);
      counting: for (;;) {
        const batch = job.nextRuns(Math.min(1000, MAX_COUNTED_OMITTED + 1 - omitted), from);
        for (const date of batch) {
          if (date.getTime() >= beforeMs) break counting;
          if (omitted === MAX_COUNTED_OMITTED) {
            omittedAtLeast = true;
            break counting;
          }
          omitted += 1;
        }
        if (batch.length === 0) break;
        from = batch.at(-1)!;
      }
    }
  }
  return { windows: starts.map((startAtMs) => ({ startAtMs, endAtMs: windowEndMs(schedule.length, startAtMs, schedule.timeZone) })), omitted, omittedAtLeast };
}

/**
 * The window open at `atMs`: the latest one starting at or before it, when it ends after it;
 * null when none is open.
 * @throws ScheduleError for a bad length (see {@link windowEndMs}).
 */
export function windowOpenAt(schedule: Pick<Schedule, 'rule' | 'length' | 'timeZone'>, atMs: number): ScheduleWindow | null {
  const cron = ruleToCron(schedule.rule);
  let startAtMs: number | null = null;
  if (cron === null) {
    if (schedule.rule.kind === 'once' && schedule.rule.startAtMs <= atMs) startAtMs = schedule.rule.startAtMs;
  } else {
    startAtMs = cronJob(cron, schedule.timeZone).previousRuns(1, new Date(atMs + 1))[0]?.getTime() ?? null;
  }
  if (startAtMs === null) return null;
  const endAtMs = windowEndMs(schedule.length, startAtMs, schedule.timeZone);
  return endAtMs > atMs ? { startAtMs, endAtMs } : null;
}

/** The next `count` windows starting after `afterMs`, oldest first (none for a past one-off). */
export function upcomingWindows(schedule: Schedule, afterMs: number, count: number): ScheduleWindow[] {
  const cron = ruleToCron(schedule.rule);
  let starts: number[];
  if (cron === null) starts = schedule.rule.kind === 'once' && schedule.rule.startAtMs > afterMs ? [schedule.rule.startAtMs] : [];
  else starts = cronJob(cron, schedule.timeZone).nextRuns(count, new Date(afterMs)).map((date) => date.getTime());
  return starts.slice(0, count).map((startAtMs) => ({ startAtMs, endAtMs: windowEndMs(schedule.length, startAtMs, schedule.timeZone) }));
}
