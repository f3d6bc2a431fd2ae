import { shareableSourceUrl } from '../capture/source-name.ts';
import type { RecordingTags, Schedule } from './types.ts';

/** The placeholders a title template may use. */
export const TITLE_PLACEHOLDERS = ['{station}', '{programme}', '{date}', '{time}'] as const;

/** Default title template: station, programme and local date. */
export const DEFAULT_TITLE_TEMPLATE = '{station} {programme} {date}';

/** Local calendar date `YYYY-MM-DD` and time `HH:MM` of an instant in a time zone. */
export function localDateAndTime(atMs: number, timeZone: string): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(atMs))
      .map((part) => [part.type, part.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/**
 * Fills a title template for a run planned at `startAtMs`: `{station}`, `{programme}`,
 * `{date}` (YYYY-MM-DD) and `{time}` (HH:MM), in the schedule's time zone. Unknown
 * placeholders stay as written; runs of spaces left by empty values are folded.
 */
export function renderTitle(schedule: Pick<Schedule, 'titleTemplate' | 'stationName' | 'programme' | 'timeZone'>, startAtMs: number): string {
  const { date, time } = localDateAndTime(startAtMs, schedule.timeZone);
  const values: Record<string, string> = { station: schedule.stationName, programme: schedule.programme, date, time };
  const title = schedule.titleTemplate.replace(/\{(station|programme|date|time)\}/g, (_, name: string) => values[name] ?? '');
  return title.replace(/\s+/g, ' ').trim() || `${schedule.stationName || 'Recording'} ${date} ${time}`;
}

/**
 * The tags of a run's recording: the schedule's tags, with the defaults filled in where
 * empty: title = the rendered title, artist = station, album = programme, date = local
 * date, comment = the source URL without credentials or access token ({@link shareableSourceUrl}).
 */
export function runTags(schedule: Pick<Schedule, 'tags' | 'stationName' | 'programme' | 'timeZone' | 'sourceUrl' | 'titleTemplate'>, startAtMs: number): RecordingTags {
  const pick = (value: string | undefined, fallback: string) => (value && value.trim() ? value.trim() : fallback);
  return {
    title: pick(schedule.tags.title, renderTitle(schedule, startAtMs)),
    artist: pick(schedule.tags.artist, schedule.stationName),
    album: pick(schedule.tags.album, schedule.programme),
    genre: pick(schedule.tags.genre, ''),
    comment: pick(schedule.tags.comment, shareableSourceUrl(schedule.sourceUrl)),
    date: pick(schedule.tags.date, localDateAndTime(startAtMs, schedule.timeZone).date),
  };
}
