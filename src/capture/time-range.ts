import { CaptureError } from './errors.ts';
import type { TimeRange } from '../storage/types.ts';
import type { PlaylistSegment } from './playlist.ts';

export type { TimeRange } from '../storage/types.ts';

/**
 * Checks a time range given by the user.
 * @throws CaptureError `bad-request` for a negative or non-finite start, or an end not after it.
 */
export function checkTimeRange(range: TimeRange): TimeRange {
  if (!Number.isFinite(range.startSec) || range.startSec < 0) {
    throw new CaptureError('bad-request', `The start time must be 0 s or later, not ${range.startSec} s.`, false);
  }
  if (range.endSec !== null && !(Number.isFinite(range.endSec) && range.endSec > range.startSec)) {
    throw new CaptureError('bad-request', `The end time (${range.endSec} s) must come after the start time (${range.startSec} s).`, false);
  }
  return range;
}

/**
 * The segments of a VOD that overlap `range`: a segment spanning [t, t + EXTINF) is kept when
 * it ends after the start and begins before the end, so the range is covered whole (segments
 * are not cut: recording keeps the served bytes).
 * @param segments - the whole media playlist's segments, in order.
 * @throws CaptureError `bad-request` when the range starts at or after the VOD's end.
 */
export function segmentsInTimeRange(segments: readonly PlaylistSegment[], range: TimeRange): PlaylistSegment[] {
  const kept: PlaylistSegment[] = [];
  let atSec = 0;
  for (const segment of segments) {
    const endSec = atSec + segment.durationSec;
    if (endSec > range.startSec && (range.endSec === null || atSec < range.endSec)) kept.push(segment);
    atSec = endSec;
  }
  if (kept.length === 0) {
    throw new CaptureError('bad-request', `The VOD lasts ${atSec.toFixed(1)} s: nothing of it starts at ${range.startSec} s.`, false);
  }
  return kept;
}

/**
 * Reads a time of the form `H:MM:SS`, `M:SS` or seconds (`90`, `90.5`) into seconds.
 * @returns null for an empty string.
 * @throws CaptureError `bad-request` for anything else.
 */
export function parseClockTime(text: string): number | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  if (!/^\d+(:\d{1,2}){0,2}(\.\d+)?$/.test(trimmed)) {
    throw new CaptureError('bad-request', `"${text}" is not a time: write seconds (90) or minutes and seconds (1:30 or 1:01:30).`, false);
  }
  return trimmed.split(':').reduce((sec, part) => sec * 60 + Number(part), 0);
}
