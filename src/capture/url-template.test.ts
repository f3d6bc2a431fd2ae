import { describe, expect, it } from 'vitest';
import { templatePlaylist, templateSegmentCount, templateSegmentUrl, type UrlTemplate } from './url-template.ts';

const template: UrlTemplate = {
  url: 'https://example.com/show/seg(*).ts?x=1',
  padWidth: 5,
  firstNumber: 7,
  count: 3,
  segmentDurationSec: 6,
  totalDurationSec: null,
  stopAtFirstMissing: false,
};

describe('URL template', () => {
  it('numbers padded segment URLs from the first number, as a VOD with EXT-X-ENDLIST', () => {
    const playlist = templatePlaylist(template, 100);
    expect(playlist.endList).toBe(true);
    expect(playlist.segments.map((s) => [s.msn, s.uri, s.durationSec])).toEqual([
      [0, 'https://example.com/show/seg00007.ts?x=1', 6],
      [1, 'https://example.com/show/seg00008.ts?x=1', 6],
      [2, 'https://example.com/show/seg00009.ts?x=1', 6],
    ]);
    expect(templateSegmentUrl({ ...template, padWidth: 0 }, 12)).toBe('https://example.com/show/seg12.ts?x=1');
  });

  it('works the count out from the total duration, the last segment shorter', () => {
    const playlist = templatePlaylist({ ...template, count: null, totalDurationSec: 20 }, 100);
    expect(playlist.segments.map((s) => s.durationSec)).toEqual([6, 6, 6, 2]);
  });

  it('lists up to the limit when only the first 404 ends it', () => {
    expect(templateSegmentCount({ ...template, count: null, stopAtFirstMissing: true }, 50)).toBe(50);
  });

  it('says which field is wrong', () => {
    expect(() => templateSegmentCount({ ...template, url: 'https://example.com/seg.ts' }, 10)).toThrow('The segment URL must hold (*) exactly once where the number goes.');
    expect(() => templateSegmentCount({ ...template, url: 'ftp://example.com/(*).ts' }, 10)).toThrow(/http:\/\/ or https:\/\//);
    expect(() => templateSegmentCount({ ...template, count: null }, 10)).toThrow(/Give the segment count, or the total duration/);
    expect(() => templateSegmentCount({ ...template, count: 0 }, 10)).toThrow(/whole number ≥ 1, not 0/);
    expect(() => templateSegmentCount({ ...template, segmentDurationSec: 0 }, 10)).toThrow(/above 0 s, not 0 s/);
    expect(() => templateSegmentCount({ ...template, count: 11 }, 10)).toThrow('A template may give at most 10 segments, not 11.');
  });
});
