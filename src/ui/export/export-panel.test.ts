import { describe, expect, test } from 'vitest';
import { etaText, parseFormatChoice } from './export-panel.ts';

describe('parseFormatChoice', () => {
  test('splits MP3 choices into format and bitrate, keeps the others', () => {
    expect(parseFormatChoice('mp3-128')).toEqual({ format: 'mp3', bitrateKbps: 128 });
    expect(parseFormatChoice('mp3-320')).toEqual({ format: 'mp3', bitrateKbps: 320 });
    expect(parseFormatChoice('mkv')).toMatchObject({ format: 'mkv' });
    expect(parseFormatChoice('ts')).toMatchObject({ format: 'ts' });
  });
});

describe('etaText', () => {
  test('says the time left from the elapsed time and the share done', () => {
    expect(etaText(4_000, 0.25)).toBe('about 12 s left');
    expect(etaText(60_000, 0.5)).toBe('about 1 min left');
    expect(etaText(120_000, 0.4)).toBe('about 3 min left');
  });

  test('says nothing too early to tell, or when done', () => {
    expect(etaText(100, 0.5)).toBe('');
    expect(etaText(5_000, 0.01)).toBe('');
    expect(etaText(5_000, 1)).toBe('');
  });
});
