import { describe, expect, test } from 'vitest';
import { clockToInstantMs, describeGap, formatSpan, formatWallClock } from './review-format.ts';

describe('review formatting', () => {
  test('lengths in words', () => {
    expect([formatSpan(0), formatSpan(45_400), formatSpan(200_000), formatSpan(7_500_000), formatSpan(3_600_000)]).toEqual(['0 s', '45 s', '3 min 20 s', '2 h 5 min', '1 h']);
  });

  test('a clock value of a time input is read as that local time of the day; malformed values are null', () => {
    const dayStartMs = new Date(2026, 10, 21).getTime();
    expect(clockToInstantMs(dayStartMs, '22:31:05')).toBe(new Date(2026, 10, 21, 22, 31, 5).getTime());
    expect(clockToInstantMs(dayStartMs, '07:05')).toBe(new Date(2026, 10, 21, 7, 5).getTime());
    expect(clockToInstantMs(dayStartMs, '')).toBeNull();
    expect(clockToInstantMs(dayStartMs, '7:5')).toBeNull();
    expect(formatWallClock(new Date(2026, 0, 2, 3, 4, 5).getTime())).toBe('2026-01-02 03:04:05');
  });

  test('gaps say when, how long and why', () => {
    const startMs = new Date(2026, 10, 21, 9, 0, 0).getTime();
    expect(describeGap({ startMs, endMs: startMs + 90_000, kind: 'stream-outage', reason: null })).toBe('Gap 09:00:00–09:01:30 (1 min 30 s): the stream was down');
    expect(describeGap({ startMs, endMs: startMs + 4000, kind: 'missed-segments', reason: 'not-found' })).toBe('Gap 09:00:00–09:00:04 (4 s): segments missed (the server no longer had them)');
    expect(describeGap({ startMs, endMs: startMs + 3_600_000, kind: 'not-recording', reason: null })).toBe('Gap 09:00:00–10:00:00 (1 h): not recording');
  });
});
