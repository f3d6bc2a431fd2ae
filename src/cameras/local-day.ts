/**
 * Local calendar days and the recording periods of a camera: a day key (`YYYY-MM-DD` in the
 * browser's time zone) and where one recording ends and the next begins. All instants are wall
 * clock in ms since the Unix epoch; all calendar arithmetic goes through `Date`'s local fields,
 * so days with a DST change have 23 or 25 hours and no period is ever shifted by the change.
 */

/** Split lengths, in hours, that divide a day evenly; 24 is one recording per day. */
export const SPLIT_HOURS = [1, 2, 3, 4, 6, 8, 12, 24] as const;

/** Hours in one recording period (see {@link SPLIT_HOURS}). */
export type SplitEveryHours = (typeof SPLIT_HOURS)[number];

/** One recording period of a camera: it starts at `startMs` and ends before `endMs`. */
export interface RecordingPeriod {
  /** Local calendar day of the period, `YYYY-MM-DD`. */
  dayKey: string;
  /** Start of the period, in ms since the Unix epoch (local midnight for the first of a day). */
  startMs: number;
  /** End of the period (exclusive), in ms since the Unix epoch: the next split or local midnight. */
  endMs: number;
}

const HOUR_MS = 60 * 60 * 1000;

const pad = (n: number) => String(n).padStart(2, '0');

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock fields of `timeMs` in `timeZone` (the browser's zone when undefined). */
function zonedFields(timeMs: number, timeZone: string | undefined): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const key = timeZone ?? '';
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(key, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(timeMs)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/**
 * The local calendar day of an instant, `YYYY-MM-DD`.
 * @param timeMs - ms since the Unix epoch.
 * @param timeZone - IANA zone name; the browser's zone when not given.
 */
export function dayKeyOf(timeMs: number, timeZone?: string): string {
  const { year, month, day } = zonedFields(timeMs, timeZone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Parses `YYYY-MM-DD`. @throws RangeError for anything else. */
export function parseDayKey(dayKey: string): { year: number; month: number; day: number } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dayKey);
  if (!match) throw new RangeError(`Not a day key (YYYY-MM-DD): ${JSON.stringify(dayKey)}`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

/** The day key `days` calendar days after (or before, when negative) `dayKey`. */
export function addDays(dayKey: string, days: number): string {
  const { year, month, day } = parseDayKey(dayKey);
  const date = new Date(Date.UTC(year, month - 1, day + days));
  return date.toISOString().slice(0, 10);
}

/** The instant the local wall clock of `timeZone` reads 00:00:00 on the given date (the first instant after, where DST skips midnight). */
function zonedMidnightMs(year: number, month: number, day: number, timeZone: string | undefined): number {
  const asUtcMs = Date.UTC(year, month - 1, day);
  let timeMs = asUtcMs;
  for (let pass = 0; pass < 3; pass += 1) {
    const f = zonedFields(timeMs, timeZone);
    const offsetMs = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - timeMs;
    timeMs = asUtcMs - offsetMs;
  }
  return timeMs;
}

/**
 * Start and end of a local calendar day, in ms since the Unix epoch: 24 hours long on most
 * days, 23 or 25 on the days daylight saving time begins or ends.
 * @param timeZone - IANA zone name; the browser's zone when not given.
 * @throws RangeError for a malformed day key.
 */
export function dayBoundsMs(dayKey: string, timeZone?: string): { startMs: number; endMs: number } {
  const { year, month, day } = parseDayKey(dayKey);
  return { startMs: zonedMidnightMs(year, month, day, timeZone), endMs: zonedMidnightMs(year, month, day + 1, timeZone) };
}

/**
 * Start of the local calendar day that holds `atMs`, in ms since the Unix epoch. Where a DST
 * change skips midnight itself, this is the first instant of the day (e.g. 01:00).
 */
export function startOfLocalDayMs(atMs: number): number {
  const d = new Date(atMs);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** Start of the local calendar day after the one that holds `atMs`, in ms since the Unix epoch. */
export function nextLocalMidnightMs(atMs: number): number {
  const d = new Date(atMs);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
}

/**
 * Checks a split length.
 * @throws RangeError unless `hours` is one of {@link SPLIT_HOURS}.
 */
export function checkSplitEveryHours(hours: number): SplitEveryHours {
  if (!(SPLIT_HOURS as readonly number[]).includes(hours)) {
    throw new RangeError(`Split every ${hours} hours is not possible: choose one of ${SPLIT_HOURS.join(', ')} hours.`);
  }
  return hours as SplitEveryHours;
}

/**
 * The recording period that holds `atMs`. Periods start at local midnight and every
 * `splitEveryHours` of elapsed time after it; the last one of a day ends at the next local
 * midnight, whatever its length (a DST day's last part is an hour shorter or longer).
 * @throws RangeError for a split length not in {@link SPLIT_HOURS}.
 */
export function periodAt(atMs: number, splitEveryHours: number): RecordingPeriod {
  const hours = checkSplitEveryHours(splitEveryHours);
  const dayStartMs = startOfLocalDayMs(atMs);
  const dayEndMs = nextLocalMidnightMs(atMs);
  const stepMs = hours * HOUR_MS;
  const parts = 24 / hours;
  // The last part of a day runs to midnight: on a 25-hour day it is an hour longer, not an extra part.
  const index = Math.min(Math.floor((atMs - dayStartMs) / stepMs), parts - 1);
  const startMs = dayStartMs + index * stepMs;
  const endMs = index === parts - 1 ? dayEndMs : startMs + stepMs;
  return { dayKey: dayKeyOf(atMs), startMs, endMs };
}

/**
 * Title of a camera's recording: `<camera> — <YYYY-MM-DD>` for a day-long one, with the
 * period's local start time (`HH:MM`) added when days are split into parts.
 */
export function periodTitle(cameraName: string, period: RecordingPeriod, splitEveryHours: number): string {
  if (splitEveryHours >= 24) return `${cameraName} — ${period.dayKey}`;
  const start = new Date(period.startMs);
  return `${cameraName} — ${period.dayKey} ${pad(start.getHours())}:${pad(start.getMinutes())}`;
}
