import { describe, expect, it } from 'vitest';
import { describeLength, describeRule } from './describe.ts';

const cron = (expression: string) => describeRule({ kind: 'cron', expression }, 'UTC');

describe('describeRule', () => {
  it('reads every cron example of the issue in English, with its numbers', () => {
    const cases: [string, RegExp[]][] = [
      ['*/2 * * * *', [/every 2 minutes/i]],
      ['45 5 * * 5', [/05:45/, /friday/i]],
      ['0,20,40 * * * *', [/\b0\b/, /\b20\b/, /\b40\b/, /minutes past the hour/i]],
      ['0-30 1 * * *', [/every minute/i, /01:00/, /01:30/]],
      ['*/10 2,3,4 5-6 * *', [/every 10 minutes/i, /02:00/, /03:00/, /04:00/, /day 5 and 6 of the month/i]],
    ];
    for (const [expression, patterns] of cases) {
      const text = cron(expression);
      expect(text, expression).not.toBe('Not a valid cron expression');
      for (const pattern of patterns) expect(text, expression).toMatch(pattern);
    }
    // Different rules read differently.
    expect(new Set(cases.map(([expression]) => cron(expression))).size).toBe(cases.length);
  });

  it('says an expression it cannot read is not valid', () => {
    for (const expression of ['61 * * * *', '* * *', 'hello', '']) expect(cron(expression)).toBe('Not a valid cron expression');
  });

  it('reads weekly rules as a list of days, Sunday first, without repeats', () => {
    expect(describeRule({ kind: 'weekly', days: [5, 1, 5], time: '07:00' }, 'UTC')).toBe('Mondays and Fridays at 07:00');
    expect(describeRule({ kind: 'weekly', days: [6, 0, 3], time: '23:30' }, 'UTC')).toBe('Sundays, Wednesdays and Saturdays at 23:30');
    expect(describeRule({ kind: 'weekly', days: [2], time: '05:45' }, 'UTC')).toBe('Tuesdays at 05:45');
  });

  it('reads a one-off rule as a date and time in the given zone', () => {
    const at = Date.parse('2026-11-21T14:05:00Z');
    expect(describeRule({ kind: 'once', startAtMs: at }, 'Europe/London', 'en-GB')).toBe('Once, on 21 Nov 2026, 14:05');
    // 03:05 the next day in Auckland (UTC+13 in November).
    expect(describeRule({ kind: 'once', startAtMs: at }, 'Pacific/Auckland', 'en-GB')).toBe('Once, on 22 Nov 2026, 03:05');
  });
});

describe('describeLength', () => {
  it('reads durations in hours, minutes and seconds, and end times as "until"', () => {
    expect(describeLength({ kind: 'duration', durationSec: 5400 })).toBe('for 1 h 30 min');
    expect(describeLength({ kind: 'duration', durationSec: 3600 })).toBe('for 1 h');
    expect(describeLength({ kind: 'duration', durationSec: 3661 })).toBe('for 1 h 1 min 1 s');
    expect(describeLength({ kind: 'duration', durationSec: 45 })).toBe('for 45 s');
    expect(describeLength({ kind: 'duration', durationSec: 120 })).toBe('for 2 min');
    expect(describeLength({ kind: 'until', endTime: '07:00' })).toBe('until 07:00');
  });
});
