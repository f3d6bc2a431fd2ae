import { describe, expect, it } from 'vitest';
import type { SegmentRecord } from '../storage/types.ts';
import { mergedWebVtt } from './merge-renditions.ts';

function vtt(msn: number, text: string): SegmentRecord {
  const data = new Blob([text]);
  return { recordingId: 'r', msn, durationSec: 2, discontinuity: false, programDateTimeMs: null, storedAtMs: 0, byteLength: data.size, data };
}

describe('mergedWebVtt', () => {
  it('puts HLS WebVTT cues on the export timeline through X-TIMESTAMP-MAP, once each', async () => {
    const map = 'X-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000';
    const segments = [
      vtt(0, `WEBVTT\n${map}\n\n00:00:00.200 --> 00:00:01.800\nCue 0\n`),
      // A cue spanning two segments is listed in both (RFC 8216 section 3.5); cue ids are dropped.
      vtt(1, `WEBVTT\r\n${map}\r\n\r\nlong\r\n00:00:02.200 --> 00:00:04.500 align:start\r\nCue 1\r\nsecond line\r\n`),
      vtt(2, `WEBVTT\n${map}\n\n00:00:02.200 --> 00:00:04.500 align:start\nCue 1\nsecond line\n\n00:01:04.000 --> 00:01:05.000\nCue 2\n`),
    ];
    // The export's zero is the first video packet at 1.4 s of MPEG-TS time plus 0.1 s.
    expect(await mergedWebVtt(segments, 1.5)).toBe(
      [
        'WEBVTT',
        '',
        '00:00:00.100 --> 00:00:01.700\nCue 0',
        '',
        '00:00:02.100 --> 00:00:04.400 align:start\nCue 1\nsecond line',
        '',
        '00:01:03.900 --> 00:01:04.900\nCue 2',
        '',
      ].join('\n'),
    );
  });
});
