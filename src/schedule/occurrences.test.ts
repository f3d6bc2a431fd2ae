import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_COUNTED_OMITTED, ruleToCron, upcomingWindows, validateSchedule, windowEndMs, windowsStartingIn } from './occurrences.ts';
import { ScheduleError, type Schedule, type ScheduleLength, type ScheduleRule } from './types.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** A schedule for the pure functions; only rule, length and time zone matter to them. */
function schedule(rule: ScheduleRule, timeZone = 'UTC', length: ScheduleLength = { kind: 'duration', durationSec: 60 }): Schedule {
  return {
    id: 's', sourceUrl: 'https://radio.example/live.m3u8', stationName: 'Radio', programme: 'Show', rule, length,
    titleTemplate: '{station}', tags: {}, enabled: true, timeZone, createdAtMs: 0, updatedAtMs: 0, evaluatedUntilMs: 0,
  };
}
const cron = (expression: string, timeZone = 'UTC') => schedule({ kind: 'cron', expression }, timeZone);
/** The instant of local wall time `YYYY-MM-DDTHH:MM` in a zone `offsetHours` ahead of UTC. */
const local = (wall: string, offsetHours: number) => Date.parse(`${wall}:00Z`) - offsetHours * HOUR;
const starts = (windows: { startAtMs: number }[]) => windows.map((w) => new Date(w.startAtMs).toISOString());
const iso = (ms: number[]) => ms.map((m) => new Date(m).toISOString());

/** The field of the ScheduleError `fn` throws (fails when it throws anything else or nothing). */
function faultyField(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ScheduleError);
    return (error as ScheduleError).field;
  }
  throw new Error('expected a ScheduleError');
}

// Every example of the issue, as local wall times, in UTC and in Europe/London (BST, UTC+1, in June 2026).
const examples: { expression: string; from: string; expected: string[] }[] = [
  { expression: '*/2 * * * *', from: '2026-06-05T10:59', expected: ['2026-06-05T11:00', '2026-06-05T11:02', '2026-06-05T11:04', '2026-06-05T11:06'] },
  // 5 June 2026 is a Friday.
  { expression: '45 5 * * 5', from: '2026-06-01T00:00', expected: ['2026-06-05T05:45', '2026-06-12T05:45', '2026-06-19T05:45', '2026-06-26T05:45'] },
  { expression: '0,20,40 * * * *', from: '2026-06-05T10:50', expected: ['2026-06-05T11:00', '2026-06-05T11:20', '2026-06-05T11:40', '2026-06-05T12:00'] },
  {
    expression: '0-30 1 * * *',
    from: '2026-06-05T00:00',
    expected: [...Array.from({ length: 31 }, (_, m) => `2026-06-05T01:${String(m).padStart(2, '0')}`), '2026-06-06T01:00'],
  },
  {
    expression: '*/10 2,3,4 5-6 * *',
    from: '2026-06-04T00:00',
    expected: [
      ...['05', '06'].flatMap((day) => ['02', '03', '04'].flatMap((h) => ['00', '10', '20', '30', '40', '50'].map((m) => `2026-06-${day}T${h}:${m}`))),
      '2026-07-05T02:00',
    ],
  },
];

describe('windows of the issue’s cron examples', () => {
  for (const [timeZone, offset] of [['UTC', 0], ['Europe/London', 1]] as const) {
    for (const { expression, from, expected } of examples) {
      it(`${expression} in ${timeZone}`, () => {
        const want = iso(expected.map((wall) => local(wall, offset)));
        const s = cron(expression, timeZone);
        const upcoming = upcomingWindows(s, local(from, offset), want.length);
        expect(starts(upcoming)).toEqual(want);
        expect(upcoming.every((w) => w.endAtMs === w.startAtMs + MIN)).toBe(true);
        const inRange = windowsStartingIn(s, local(from, offset), upcoming.at(-1)!.startAtMs);
        expect(inRange).toEqual({ windows: upcoming, omitted: 0, omittedAtLeast: false });
      });
    }
  }
});

describe('windowsStartingIn', () => {
  const s = cron('*/2 * * * *');
  const t = (hhmm: string) => Date.parse(`2026-06-05T${hhmm}Z`);

  it('takes starts in (after, until]: a start at `after` is out, one at `until` is in', () => {
    expect(starts(windowsStartingIn(s, t('11:00:00.000'), t('11:06:00.000')).windows)).toEqual(iso([t('11:02:00'), t('11:04:00'), t('11:06:00')]));
    expect(starts(windowsStartingIn(s, t('10:59:59.999'), t('11:05:59.999')).windows)).toEqual(iso([t('11:00:00'), t('11:02:00'), t('11:04:00')]));
    expect(windowsStartingIn(s, t('11:00:00.000'), t('11:01:59.999')).windows).toEqual([]);
  });

  it('keeps the newest `limit` windows and counts the older ones it left out', () => {
    // (10:00, 11:00] holds 30 starts: 10:02 … 11:00.
    const { windows, omitted } = windowsStartingIn(s, t('10:00:00'), t('11:00:00'), 5);
    expect(starts(windows)).toEqual(iso(['10:52', '10:54', '10:56', '10:58', '11:00'].map((m) => t(`${m}:00`))));
    expect(omitted).toBe(25);
    expect(windowsStartingIn(s, t('10:00:00'), t('11:00:00'), 30)).toMatchObject({ omitted: 0 });
    expect(windowsStartingIn(s, t('10:00:00'), t('11:00:00'), 29)).toMatchObject({ omitted: 1, omittedAtLeast: false });
  });

  it('stops counting left-out windows at MAX_COUNTED_OMITTED and says so', () => {
    const everyMinute = cron('* * * * *');
    const afterMs = Date.parse('2026-06-01T00:00:00Z');
    // MAX_COUNTED_OMITTED + 3 starts in all: 3 kept, exactly MAX_COUNTED_OMITTED counted.
    const exact = windowsStartingIn(everyMinute, afterMs, afterMs + (MAX_COUNTED_OMITTED + 3) * MIN, 3);
    expect(exact).toMatchObject({ omitted: MAX_COUNTED_OMITTED, omittedAtLeast: false });
    expect(exact.windows).toHaveLength(3);
    const capped = windowsStartingIn(everyMinute, afterMs, afterMs + (MAX_COUNTED_OMITTED + 4) * MIN, 3);
    expect(capped).toMatchObject({ omitted: MAX_COUNTED_OMITTED, omittedAtLeast: true });
  });

  it('gives a one-off rule its window only when its start is in range', () => {
    const at = t('12:00:00');
    const once = schedule({ kind: 'once', startAtMs: at }, 'UTC', { kind: 'duration', durationSec: 90 });
    expect(windowsStartingIn(once, at - 1, at).windows).toEqual([{ startAtMs: at, endAtMs: at + 90_000 }]);
    expect(windowsStartingIn(once, at, at + HOUR).windows).toEqual([]);
    expect(windowsStartingIn(once, at - HOUR, at - 1).windows).toEqual([]);
    expect(upcomingWindows(once, at - 1, 5)).toEqual([{ startAtMs: at, endAtMs: at + 90_000 }]);
    expect(upcomingWindows(once, at, 5)).toEqual([]);
  });
});

describe('weekly rules', () => {
  it('become a cron expression and open on the chosen days at the local time', () => {
    const rule: ScheduleRule = { kind: 'weekly', days: [5, 1, 1], time: '07:05' };
    expect(ruleToCron(rule)).toBe('5 7 * * 1,5');
    const s = schedule(rule, 'Europe/London', { kind: 'until', endTime: '09:00' });
    // 1 June 2026 is a Monday; BST is UTC+1.
    const windows = upcomingWindows(s, local('2026-06-01T00:00', 1), 3);
    expect(windows).toEqual(
      ['2026-06-01', '2026-06-05', '2026-06-08'].map((day) => ({ startAtMs: local(`${day}T07:05`, 1), endAtMs: local(`${day}T09:00`, 1) })),
    );
    expect(ruleToCron({ kind: 'once', startAtMs: 0 })).toBeNull();
  });
});

describe('validateSchedule', () => {
  const valid = { rule: { kind: 'cron', expression: '45 5 * * 5' }, length: { kind: 'duration', durationSec: 60 }, timeZone: 'Europe/London', sourceUrl: 'https://radio.example/live.m3u8' } as const;
  const fieldFor = (patch: Partial<Parameters<typeof validateSchedule>[0]>) => faultyField(() => validateSchedule({ ...valid, ...patch }));

  it('accepts a valid schedule', () => {
    expect(() => validateSchedule(valid)).not.toThrow();
    expect(() => validateSchedule({ ...valid, rule: { kind: 'weekly', days: [0, 6], time: '23:59' }, length: { kind: 'until', endTime: '00:30' } })).not.toThrow();
  });

  it('names the field at fault', () => {
    for (const expression of ['61 * * * *', '* * *', 'hello']) expect(fieldFor({ rule: { kind: 'cron', expression } })).toBe('rule');
    expect(fieldFor({ rule: { kind: 'weekly', days: [], time: '07:00' } })).toBe('rule');
    expect(fieldFor({ rule: { kind: 'weekly', days: [7], time: '07:00' } })).toBe('rule');
    expect(fieldFor({ rule: { kind: 'weekly', days: [1], time: '25:00' } })).toBe('rule');
    expect(fieldFor({ rule: { kind: 'once', startAtMs: Number.NaN } })).toBe('rule');
    // Days no month has: the schedule would never record.
    for (const expression of ['0 0 30 2 *', '0 6 31 4,6,9,11 *']) expect(fieldFor({ rule: { kind: 'cron', expression } })).toBe('rule');
    expect(() => validateSchedule({ ...valid, rule: { kind: 'cron', expression: '0 0 30 2 *' } })).toThrow('"0 0 30 2 *" never matches a date: no month has that day. Check the day of month and month.');
    // 29 February comes every four years; with a weekday too, either matching is enough.
    expect(() => validateSchedule({ ...valid, rule: { kind: 'cron', expression: '0 0 29 2 *' } })).not.toThrow();
    expect(() => validateSchedule({ ...valid, rule: { kind: 'cron', expression: '0 0 30 2 1' } })).not.toThrow();
    expect(fieldFor({ length: { kind: 'duration', durationSec: 0 } })).toBe('length');
    expect(fieldFor({ length: { kind: 'duration', durationSec: -5 } })).toBe('length');
    expect(fieldFor({ length: { kind: 'until', endTime: '7:00pm' } })).toBe('length');
    expect(fieldFor({ timeZone: 'Mars/Olympus_Mons' })).toBe('timeZone');
    expect(fieldFor({ sourceUrl: 'ftp://radio.example/live.m3u8' })).toBe('sourceUrl');
    expect(fieldFor({ sourceUrl: 'radio.example/live.m3u8' })).toBe('sourceUrl');
  });
});

describe('daylight-saving changes', () => {
  /** Starts of `expression` in (after, until], checked to agree between the two APIs. */
  function runs(expression: string, timeZone: string, after: string, until: string): string[] {
    const s = cron(expression, timeZone);
    const { windows, omitted } = windowsStartingIn(s, Date.parse(after), Date.parse(until));
    expect(omitted).toBe(0);
    expect(upcomingWindows(s, Date.parse(after), windows.length + 1).slice(0, windows.length)).toEqual(windows);
    return starts(windows);
  }

  it('Europe/London spring (29 Mar 2026, 01:00 GMT → 02:00 BST): a skipped 01:30 runs at 02:00 BST, the first instant after the gap', () => {
    expect(runs('30 1 * * *', 'Europe/London', '2026-03-27T12:00:00Z', '2026-03-30T12:00:00Z')).toEqual([
      '2026-03-28T01:30:00.000Z', // 01:30 GMT
      '2026-03-29T01:00:00.000Z', // 02:00 BST: croner moves the missing 01:30 to the end of the gap
      '2026-03-30T00:30:00.000Z', // 01:30 BST
    ]);
  });

  it('Europe/London autumn (25 Oct 2026, 01:00–02:00 twice): 01:30 runs once, at its first occurrence', () => {
    expect(runs('30 1 * * *', 'Europe/London', '2026-10-23T12:00:00Z', '2026-10-26T12:00:00Z')).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z', // 01:30 BST; not again at 01:30 GMT
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('*/30 across an autumn change runs every 30 real minutes with no instant twice', () => {
    for (const [zone, after, until] of [['Europe/London', '2026-10-24T22:00:00Z', '2026-10-25T04:00:00Z'], ['America/New_York', '2026-11-01T03:00:00Z', '2026-11-01T09:00:00Z']] as const) {
      const got = runs('*/30 * * * *', zone, after, until).map(Date.parse);
      expect(got).toHaveLength(12);
      expect(new Set(got).size).toBe(12);
      expect(got.slice(1).map((ms, i) => ms - got[i]!)).toEqual(Array(11).fill(30 * MIN));
    }
  });

  it('America/New_York: a skipped 02:30 on 8 Mar runs at 03:00 EDT; 01:30 on 1 Nov runs once', () => {
    expect(runs('30 2 * * *', 'America/New_York', '2026-03-07T00:00:00Z', '2026-03-09T12:00:00Z')).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
    expect(runs('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', '2026-11-02T12:00:00Z')).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  it('an "until" window is an hour shorter in real time across the spring change, an hour longer across the autumn one', () => {
    const until = { kind: 'until', endTime: '07:00' } as const;
    const length = (zone: string, start: string) => (windowEndMs(until, Date.parse(start), zone) - Date.parse(start)) / HOUR;
    // 00:30 local to 07:00 local.
    expect(length('Europe/London', '2026-03-22T00:30:00Z')).toBe(6.5);
    expect(length('Europe/London', '2026-03-29T00:30:00Z')).toBe(5.5);
    expect(length('Europe/London', '2026-10-24T23:30:00Z')).toBe(7.5);
    expect(length('America/New_York', '2026-03-01T05:30:00Z')).toBe(6.5);
    expect(length('America/New_York', '2026-03-08T05:30:00Z')).toBe(5.5);
    expect(length('America/New_York', '2026-11-01T04:30:00Z')).toBe(7.5);
  });
});

describe('property: any valid five-field expression', () => {
  const item = (lo: number, hi: number) =>
    fc.oneof(
      fc.integer({ min: lo, max: hi }).map(String),
      fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
      fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi }), fc.integer({ min: 1, max: hi - lo + 1 })).map(([a, b, n]) => `${Math.min(a, b)}-${Math.max(a, b)}/${n}`),
    );
  const field = (lo: number, hi: number) =>
    fc.oneof(
      fc.constant('*'),
      fc.integer({ min: 1, max: hi - lo + 1 }).map((n) => `*/${n}`),
      fc.array(item(lo, hi), { minLength: 1, maxLength: 3 }).map((items) => items.join(',')),
    );
  const expression = fc.tuple(field(0, 59), field(0, 23), field(1, 31), field(1, 12), field(0, 6)).map((parts) => parts.join(' '));
  const zone = fc.constantFrom('UTC', 'Europe/London', 'America/New_York', 'Pacific/Auckland', 'Asia/Kolkata');
  const range = fc.tuple(fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') }), fc.integer({ min: 1, max: 2 * 24 * HOUR }));

  it('gives strictly increasing starts, all inside (after, until], as upcomingWindows does', () => {
    fc.assert(
      fc.property(expression, zone, range, (expr, timeZone, [afterMs, spanMs]) => {
        const s = cron(expr, timeZone);
        const untilMs = afterMs + spanMs;
        const { windows, omitted } = windowsStartingIn(s, afterMs, untilMs, 50);
        const got = windows.map((w) => w.startAtMs);
        for (const [i, ms] of got.entries()) {
          expect(ms).toBeGreaterThan(afterMs);
          expect(ms).toBeLessThanOrEqual(untilMs);
          if (i > 0) expect(ms).toBeGreaterThan(got[i - 1]!);
        }
        const next = upcomingWindows(s, afterMs, 50 + omitted + 1).map((w) => w.startAtMs).filter((ms) => ms <= untilMs);
        expect(got).toEqual(next.slice(omitted));
      }),
      { numRuns: 150 },
    );
  });
});
