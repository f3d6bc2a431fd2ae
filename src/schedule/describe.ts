import cronstrue from 'cronstrue';
import type { ScheduleLength, ScheduleRule } from './types.ts';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * A plain-language reading of a rule, e.g. `Every 2 minutes`, `At 05:45, only on Friday`,
 * `Mondays and Fridays at 07:00`, `Once, on 21 Nov 2026, 14:05`. Cron expressions are read
 * by cronstrue; an expression it cannot read gives `Not a valid cron expression`.
 * @param timeZone - IANA zone for one-off times.
 */
export function describeRule(rule: ScheduleRule, timeZone: string, locale?: string): string {
  switch (rule.kind) {
    case 'cron':
      try {
        return cronstrue.toString(rule.expression, { use24HourTimeFormat: true, verbose: false });
      } catch {
        return 'Not a valid cron expression';
      }
    case 'weekly': {
      const days = [...new Set(rule.days)].sort((a, b) => a - b).map((day) => `${WEEKDAYS[day]}s`);
      const list = days.length > 1 ? `${days.slice(0, -1).join(', ')} and ${days.at(-1)}` : (days[0] ?? 'No day');
      return `${list} at ${rule.time}`;
    }
    case 'once':
      return `Once, on ${new Date(rule.startAtMs).toLocaleString(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' })}`;
  }
}

/** A plain-language reading of a length, e.g. `for 1 h 30 min`, `until 07:00`. */
export function describeLength(length: ScheduleLength): string {
  if (length.kind === 'until') return `until ${length.endTime}`;
  const totalSec = Math.round(length.durationSec);
  const hours = Math.floor(totalSec / 3600);
  const minutes = Math.floor((totalSec % 3600) / 60);
  const seconds = totalSec % 60;
  const parts = [hours && `${hours} h`, minutes && `${minutes} min`, seconds && `${seconds} s`].filter(Boolean);
  return `for ${parts.join(' ') || '0 s'}`;
}
