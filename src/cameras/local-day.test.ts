import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSplitEveryHours, dayKeyOf, nextLocalMidnightMs, periodAt, periodTitle, SPLIT_HOURS, startOfLocalDayMs } from './local-day.ts';

/**
 * Runs in the browser's time zone. The DST cases need a zone with DST: the camera suites run
 * this file with `TZ=Europe/Berlin` as well (Chromium takes its zone from TZ); in a zone without
 * DST they check that every day has 24 hours instead.
 */

const HOUR_MS = 3_600_000;
/** 2026-01-01T00:00Z to 2028-12-31T00:00Z, in ms since the Unix epoch. */
const instant = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 11, 31) });
const split = fc.constantFrom(...SPLIT_HOURS);

/** Lengths in hours of every local day of 2026 that is not 24 hours long, by day key. */
function oddDays2026(): Map<string, number> {
  const odd = new Map<string, number>();
  for (let day = new Date(2026, 0, 1).getTime(); dayKeyOf(day) < '2027-01-01'; day = nextLocalMidnightMs(day)) {
    const hours = (nextLocalMidnightMs(day) - day) / HOUR_MS;
    if (hours !== 24) odd.set(dayKeyOf(day), hours);
  }
  return odd;
}

describe('periodAt', () => {
  it('gives a period that holds the instant, on its own local day, starting at midnight or a split', () => {
    fc.assert(
      fc.property(instant, split, (atMs, hours) => {
        const period = periodAt(atMs, hours);
        expect(period.startMs).toBeLessThanOrEqual(atMs);
        expect(period.endMs).toBeGreaterThan(atMs);
        expect(period.dayKey).toBe(dayKeyOf(atMs));
        expect(dayKeyOf(period.startMs)).toBe(period.dayKey);
        expect(dayKeyOf(period.endMs - 1)).toBe(period.dayKey);
        expect((period.startMs - startOfLocalDayMs(atMs)) % (hours * HOUR_MS)).toBe(0);
      }),
    );
  });

  it('tiles each day: the periods of a day follow one another, 24 / N of them, the last ending at the next local midnight', () => {
    fc.assert(
      fc.property(instant, split, (atMs, hours) => {
        const dayStart = startOfLocalDayMs(atMs);
        const periods = [periodAt(dayStart, hours)];
        while (periods.at(-1)!.endMs < nextLocalMidnightMs(atMs)) periods.push(periodAt(periods.at(-1)!.endMs, hours));
        expect(periods).toHaveLength(24 / hours);
        expect(periods[0]!.startMs).toBe(dayStart);
        for (let i = 1; i < periods.length; i += 1) expect(periods[i]!.startMs).toBe(periods[i - 1]!.endMs);
        expect(periods.at(-1)!.endMs).toBe(nextLocalMidnightMs(atMs));
      }),
    );
  });

  it('splits at local midnight and at every N hours from it', () => {
    const lateEvening = new Date(2026, 2, 10, 23, 59, 58).getTime();
    expect(periodAt(lateEvening, 24)).toEqual({ dayKey: '2026-03-10', startMs: new Date(2026, 2, 10).getTime(), endMs: new Date(2026, 2, 11).getTime() });
    const morning = new Date(2026, 2, 10, 7, 30).getTime();
    expect(periodAt(morning, 6)).toEqual({ dayKey: '2026-03-10', startMs: new Date(2026, 2, 10, 6).getTime(), endMs: new Date(2026, 2, 10, 12).getTime() });
  });

  it('gives DST days 23 or 25 hours, and their last part the hour less or more', () => {
    const odd = oddDays2026();
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone === 'Europe/Berlin') {
      expect(Object.fromEntries(odd)).toEqual({ '2026-03-29': 23, '2026-10-25': 25 });
    }
    for (const [dayKey, hours] of odd) {
      const [y, m, d] = dayKey.split('-').map(Number) as [number, number, number];
      const dayStart = new Date(y, m - 1, d).getTime();
      const whole = periodAt(dayStart + HOUR_MS, 24);
      expect((whole.endMs - whole.startMs) / HOUR_MS).toBe(hours);
      const last = periodAt(nextLocalMidnightMs(dayStart) - 1, 6);
      expect((last.endMs - last.startMs) / HOUR_MS).toBe(6 + hours - 24);
      expect(last.startMs - dayStart).toBe(18 * HOUR_MS);
    }
  });

  it('refuses a split that does not divide a day', () => {
    expect(() => periodAt(0, 5)).toThrow(/Split every 5 hours is not possible/);
    expect(() => checkSplitEveryHours(0)).toThrow(RangeError);
    expect(checkSplitEveryHours(12)).toBe(12);
  });
});

describe('periodTitle', () => {
  it('names a day-long recording by camera and date, a part by its start time too', () => {
    const at = new Date(2026, 4, 2, 13, 5).getTime();
    expect(periodTitle('Porch', periodAt(at, 24), 24)).toBe('Porch — 2026-05-02');
    expect(periodTitle('Porch', periodAt(at, 6), 6)).toBe('Porch — 2026-05-02 12:00');
  });
});
