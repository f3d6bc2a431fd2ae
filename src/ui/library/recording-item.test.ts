import { describe, expect, it } from 'vitest';
import type { Recording } from '../../storage/types.ts';
import { canResume, describeGaps } from './recording-item.ts';

const base: Recording = {
  id: 'r',
  title: 'Show',
  sourceName: 'example.com',
  sourceUrl: 'https://example.com/live.m3u8',
  mediaPlaylistUrl: 'https://example.com/live.m3u8',
  startedAtMs: 0,
  endedAtMs: 1,
  durationSec: 60,
  bytes: 1,
  segmentCount: 30,
  gapCount: 0,
  gapSec: 0,
  gaps: [],
  codecs: [],
  kind: 'video',
  status: 'interrupted',
  lastError: null,
};

describe('library words', () => {
  it('tells missing segments from outages (pauses, closed tabs)', () => {
    expect(describeGaps(base)).toBe('no gaps');
    const gaps: Recording['gaps'] = [
      { fromMsn: 3, count: 2, durationSec: 4, reason: 'not-found', detectedAtMs: 0 },
      { fromMsn: 9, count: 5, durationSec: 65, reason: 'outage', detectedAtMs: 0 },
      { fromMsn: 30, count: 0, durationSec: 10, reason: 'outage', detectedAtMs: 0 },
    ];
    expect(describeGaps({ ...base, gaps, gapCount: 7, gapSec: 79 })).toBe('2 segments missing (0:04), paused or closed for 1:15');
    expect(describeGaps({ ...base, gaps: gaps.slice(2), gapCount: 0, gapSec: 10 })).toBe('paused or closed for 0:10');
  });

  it('offers Resume for interrupted recordings it can list again: playlists, and URL templates stored with them', () => {
    expect(canResume(base)).toBe(true);
    expect(canResume({ ...base, status: 'complete' })).toBe(false);
    const templateUrl = 'https://example.com/seg(*).ts';
    expect(canResume({ ...base, sourceUrl: templateUrl })).toBe(false);
    const urlTemplate = { url: templateUrl, padWidth: 0, firstNumber: 0, count: 3, segmentDurationSec: 4, totalDurationSec: null, stopAtFirstMissing: false };
    expect(canResume({ ...base, sourceUrl: templateUrl, urlTemplate })).toBe(true);
    expect(canResume({ ...base, parentRecordingId: 'p' })).toBe(false);
    expect(canResume({ ...base, cameraId: 'c' })).toBe(false);
  });
});
