import type { DayGap, DayGapKind } from '../../cameras/day-index.ts';
import type { GapReason } from '../../storage/types.ts';

/** `HH:MM:SS` of an instant on the local 24-hour clock, e.g. `22:31:05`. */
export function formatClock(timeMs: number): string {
  const date = new Date(timeMs);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `YYYY-MM-DD HH:MM:SS` of an instant, local: the wall clock shown over the picture. */
export function formatWallClock(timeMs: number): string {
  const date = new Date(timeMs);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${formatClock(timeMs)}`;
}

/** A length of time in words: `45 s`, `3 min 20 s`, `2 h 5 min`. */
export function formatSpan(durationMs: number): string {
  const totalSec = Math.max(0, Math.round(durationMs / 1000));
  const hours = Math.floor(totalSec / 3600);
  const minutes = Math.floor((totalSec % 3600) / 60);
  const seconds = totalSec % 60;
  if (hours > 0) return `${hours} h${minutes ? ` ${minutes} min` : ''}`;
  if (minutes > 0) return `${minutes} min${seconds ? ` ${seconds} s` : ''}`;
  return `${seconds} s`;
}

const GAP_KIND_WORDS: Record<DayGapKind, string> = {
  'missed-segments': 'segments missed',
  'stream-outage': 'the stream was down',
  'not-recording': 'not recording',
};

const GAP_REASON_WORDS: Record<GapReason, string> = {
  'slid-out': 'they left the live window before they could be fetched',
  'not-found': 'the server no longer had them',
  'http-error': 'the server answered with an error',
  'retries-exhausted': 'fetching them kept failing',
  'key-unavailable': 'their decryption key could not be had',
  'too-large': 'they were too large',
  outage: 'recording was paused or the app was closed',
};

/** What a gap on the timeline says: `Gap 22:31:05–22:31:17 (12 s): segments missed (they left …)`. */
export function describeGap(gap: DayGap): string {
  const why = gap.reason ? `${GAP_KIND_WORDS[gap.kind]} (${GAP_REASON_WORDS[gap.reason]})` : GAP_KIND_WORDS[gap.kind];
  return `Gap ${formatClock(gap.startMs)}–${formatClock(gap.endMs)} (${formatSpan(gap.endMs - gap.startMs)}): ${why}`;
}

/**
 * Reads an `<input type="time">` value (`HH:MM` or `HH:MM:SS`) as an instant of the local day
 * starting at `dayStartMs`, so that on a DST day the clock time means what the clock showed.
 * @returns null for an empty or malformed value.
 */
export function clockToInstantMs(dayStartMs: number, value: string): number | null {
  const match = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(value);
  if (!match) return null;
  const day = new Date(dayStartMs);
  return new Date(day.getFullYear(), day.getMonth(), day.getDate(), Number(match[1]), Number(match[2]), Number(match[3] ?? 0)).getTime();
}
