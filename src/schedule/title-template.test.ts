import { describe, expect, it } from 'vitest';
import { DEFAULT_TITLE_TEMPLATE, localDateAndTime, renderTitle, runTags } from './title-template.ts';
import type { Schedule } from './types.ts';

// 20:30 UTC on 14 March 2026 is 09:30 on 15 March in Auckland (NZDT, UTC+13).
const AT = Date.parse('2026-03-14T20:30:00Z');

const base: Pick<Schedule, 'titleTemplate' | 'stationName' | 'programme' | 'timeZone' | 'tags' | 'sourceUrl'> = {
  titleTemplate: DEFAULT_TITLE_TEMPLATE,
  stationName: 'Radio Aotearoa',
  programme: 'Morning Report',
  timeZone: 'Pacific/Auckland',
  tags: {},
  sourceUrl: 'https://radio.example/live.m3u8',
};

describe('renderTitle', () => {
  it('fills the placeholders with the local date and time of the schedule’s zone', () => {
    expect(renderTitle(base, AT)).toBe('Radio Aotearoa Morning Report 2026-03-15');
    expect(renderTitle({ ...base, titleTemplate: '{programme} – {date} {time} ({station})' }, AT)).toBe('Morning Report – 2026-03-15 09:30 (Radio Aotearoa)');
    expect(renderTitle({ ...base, timeZone: 'UTC', titleTemplate: '{date} {time}' }, AT)).toBe('2026-03-14 20:30');
  });

  it('folds the spaces an empty value leaves and trims the ends', () => {
    expect(renderTitle({ ...base, programme: '', titleTemplate: '  {station}   {programme}  {date} ' }, AT)).toBe('Radio Aotearoa 2026-03-15');
  });

  it('keeps unknown placeholders as written', () => {
    expect(renderTitle({ ...base, titleTemplate: '{station} {episode} {Date}' }, AT)).toBe('Radio Aotearoa {episode} {Date}');
  });

  it('falls back to station, date and time when the title comes out empty', () => {
    expect(renderTitle({ ...base, titleTemplate: '' }, AT)).toBe('Radio Aotearoa 2026-03-15 09:30');
    expect(renderTitle({ ...base, titleTemplate: '{programme}', programme: '  ' }, AT)).toBe('Radio Aotearoa 2026-03-15 09:30');
    expect(renderTitle({ ...base, titleTemplate: '{station}', stationName: '' }, AT)).toBe('Recording 2026-03-15 09:30');
  });
});

describe('localDateAndTime', () => {
  it('reads midnight as 00:00, not 24:00', () => {
    expect(localDateAndTime(Date.parse('2026-06-30T23:00:00Z'), 'Europe/London')).toEqual({ date: '2026-07-01', time: '00:00' });
  });
});

describe('runTags', () => {
  it('defaults artist to the station, album to the programme, comment to the source URL and date to the local date', () => {
    expect(runTags(base, AT)).toEqual({
      title: 'Radio Aotearoa Morning Report 2026-03-15',
      artist: 'Radio Aotearoa',
      album: 'Morning Report',
      genre: '',
      comment: 'https://radio.example/live.m3u8',
      date: '2026-03-15',
    });
  });

  it('leaves a password and access token in the source URL out of the default comment', () => {
    const secret = { ...base, sourceUrl: 'https://user:secret@radio.example/live.m3u8?token=abc&q=1' };
    expect(runTags(secret, AT).comment).toBe('https://radio.example/live.m3u8?q=1');
  });

  it('keeps the tags the schedule sets, trimmed, and defaults only the blank ones', () => {
    const tags = runTags({ ...base, tags: { title: ' Special ', artist: 'RNZ', album: '   ', genre: 'News', comment: '', date: '2026-01-01' } }, AT);
    expect(tags).toEqual({ title: 'Special', artist: 'RNZ', album: 'Morning Report', genre: 'News', comment: 'https://radio.example/live.m3u8', date: '2026-01-01' });
  });
});
