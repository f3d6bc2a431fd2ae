/**
 * Scheduled captures: the seed radio recorder's crontab, inside the app. A {@link Schedule}
 * says when (a {@link ScheduleRule}), how long (a {@link ScheduleLength}) and what to record;
 * each window it opens becomes one {@link ScheduleRun}.
 */

/** When a schedule starts recording. */
export type ScheduleRule =
  /** A five-field cron expression (minute hour day-of-month month day-of-week), e.g. `45 5 * * 5`. */
  | { kind: 'cron'; expression: string }
  /** Once, at a wall-clock instant in ms since the Unix epoch. */
  | { kind: 'once'; startAtMs: number }
  /** On some weekdays (0 = Sunday … 6 = Saturday) at a local time `HH:MM`. */
  | { kind: 'weekly'; days: number[]; time: string };

/** How long each run lasts. */
export type ScheduleLength =
  /** A fixed length, in seconds. */
  | { kind: 'duration'; durationSec: number }
  /** Until the next local time `HH:MM` after the start (e.g. 05:45 to 07:00). */
  | { kind: 'until'; endTime: string };

/** Tags written into exported files (ID3v2, MP4 metadata) and kept with the recording. */
export interface RecordingTags {
  title?: string;
  artist?: string;
  album?: string;
  genre?: string;
  /** Defaults to the source URL. */
  comment?: string;
  /** ISO 8601 date, e.g. `2026-11-21`. */
  date?: string;
}

/** One scheduled capture (the `schedules` store). */
export interface Schedule {
  id: string;
  /** Media or master playlist URL to record. */
  sourceUrl: string;
  /** Station name, `{station}` in the title template; the artist tag by default. */
  stationName: string;
  /** Programme name, `{programme}` in the title template; the album tag by default. */
  programme: string;
  rule: ScheduleRule;
  length: ScheduleLength;
  /** Title of each recording, with `{station}`, `{programme}`, `{date}`, `{time}` filled in. */
  titleTemplate: string;
  /** Tags for each recording; empty fields take the defaults above. */
  tags: RecordingTags;
  enabled: boolean;
  /** IANA time zone the rule is read in, e.g. `Europe/London`: the user's when created. */
  timeZone: string;
  createdAtMs: number;
  updatedAtMs: number;
  /**
   * Every window starting at or before this instant (ms since the Unix epoch) has been looked
   * at: run, shared, refused or recorded as missed. Windows after it are still to be looked at.
   */
  evaluatedUntilMs: number;
}

/**
 * What became of one window of a schedule. `retrying`: the window is open but its capture could
 * not start, or its stream failed; the scheduler tries again until the window ends (then
 * `failed`), into the same recording when it has one.
 */
export type ScheduleRunStatus = 'running' | 'retrying' | 'complete' | 'missed' | 'failed';

/** One window of a schedule (the `scheduleRuns` store, key `[scheduleId, startAtMs]`). */
export interface ScheduleRun {
  scheduleId: string;
  /** Planned start, in ms since the Unix epoch. */
  startAtMs: number;
  /** Planned end, in ms since the Unix epoch. */
  endAtMs: number;
  status: ScheduleRunStatus;
  /** The recording made (or shared with another schedule's run of the same source), or null. */
  recordingId: string | null;
  /** When capture actually started, in ms since the Unix epoch; null if it never did. */
  startedAtMs: number | null;
  /** How late the start was against the plan, in ms (0 when on time). */
  lateByMs: number;
  /** Why a run was missed or failed, or that it shared another run's capture. */
  message: string | null;
}

/** Thrown for a schedule that cannot be saved as given (bad cron expression, bad time). */
export class ScheduleError extends Error {
  constructor(
    message: string,
    /** The form field at fault, for the UI. */
    readonly field: 'rule' | 'length' | 'sourceUrl' | 'titleTemplate' | 'timeZone',
  ) {
    super(message);
    this.name = 'ScheduleError';
  }
}
