import { describe, expect, it } from 'vitest';
import type { PlaylistSegment } from './playlist.ts';
import { checkTimeRange, parseClockTime, segmentsInTimeRange } from './time-range.ts';

const segments = [4, 4, 4, 4, 2.5].map<PlaylistSegment>((durationSec, msn) => ({
  msn,
  uri: `https://example.com/${msn}.ts`,
  durationSec,
  discontinuity: false,
  discontinuitySequence: 0,
  programDateTimeMs: null,
  key: null,
  byteRange: null,
  map: null,
}));

describe('time range of a VOD', () => {
  it('keeps the segments that overlap the range, whole', () => {
    expect(segmentsInTimeRange(segments, { startSec: 5, endSec: 9 }).map((s) => s.msn)).toEqual([1, 2]);
    expect(segmentsInTimeRange(segments, { startSec: 4, endSec: 8 }).map((s) => s.msn)).toEqual([1]);
    expect(segmentsInTimeRange(segments, { startSec: 0, endSec: 0.1 }).map((s) => s.msn)).toEqual([0]);
    expect(segmentsInTimeRange(segments, { startSec: 15, endSec: null }).map((s) => s.msn)).toEqual([3, 4]);
  });

  it('refuses a range that starts past the end, or ends before it starts', () => {
    expect(() => segmentsInTimeRange(segments, { startSec: 18.5, endSec: null })).toThrow('The VOD lasts 18.5 s: nothing of it starts at 18.5 s.');
    expect(() => checkTimeRange({ startSec: 10, endSec: 10 })).toThrow('The end time (10 s) must come after the start time (10 s).');
    expect(() => checkTimeRange({ startSec: -1, endSec: null })).toThrow(/0 s or later/);
  });

  it('reads times as seconds, M:SS or H:MM:SS', () => {
    expect(parseClockTime('90')).toBe(90);
    expect(parseClockTime('1:30')).toBe(90);
    expect(parseClockTime('1:01:30.5')).toBe(3690.5);
    expect(parseClockTime('  ')).toBeNull();
    expect(() => parseClockTime('ten')).toThrow(/is not a time/);
  });
});
