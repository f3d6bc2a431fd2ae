import { describe, expect, test } from 'vitest';
import { PTS_WRAP_SEC } from '../remux.ts';
import { fetchVodSegments } from '../test-format-streams.ts';
import { RunTimeline, segmentStartSec, type TimelineRun } from './run-timeline.ts';

/** The video playlist of the `ts-renditions-wrap` VOD (tests/helpers/ffmpeg-hls-variants.ts): 76 s in 4 s segments, its 33-bit clock wrapping 70 s in. */
const WRAP_VOD_DURATION_SEC = 76;
const WRAP_VOD_WRAP_AFTER_SEC = 70;

/** A run from `first` to the end of `last`, without cuts. */
function wholeRun(first: Blob, last: Blob, durationSec: number): TimelineRun {
  return { start: { segment: () => Promise.resolve(first), afterSec: 0, expectedSec: 0 }, end: { segment: () => Promise.resolve(last), afterSec: null, expectedSec: durationSec } };
}

describe('RunTimeline', () => {
  test('a run whose clock wraps ends 76 s after it starts, and the next run starts there', { timeout: 60_000 }, async () => {
    const segments = (await fetchVodSegments('ts-renditions-wrap', 'index0.m3u8')).map((segment) => segment.data);
    const [first, last] = [segments[0]!, segments.at(-1)!];
    const timeline = new RunTimeline([wholeRun(first, last, WRAP_VOD_DURATION_SEC), wholeRun(first, last, WRAP_VOD_DURATION_SEC)]);
    const placement = await timeline.placement(0);
    // The clock starts 70 s before its wrap; the last segment's timestamps are past it, unwrapped.
    expect(PTS_WRAP_SEC - placement.anchorSec).toBeCloseTo(WRAP_VOD_WRAP_AFTER_SEC, 0);
    expect(placement.endSec - placement.anchorSec).toBeCloseTo(WRAP_VOD_DURATION_SEC, 0);
    // A time read off the clock 72 s in, 2 s after it wrapped to 0, lands 72 s into the output.
    const wrappedSec = placement.anchorSec + 72 - PTS_WRAP_SEC;
    expect(wrappedSec).toBeCloseTo(2, 0);
    expect(placement.outputSecOf(wrappedSec, 72)).toBeCloseTo(72, 6);
    expect(placement.firstAudioSec).toBeNull();
    const second = await timeline.placement(1);
    expect(second.outputStartSec).toBeCloseTo(placement.endSec - placement.anchorSec, 6);
    expect(second.outputEndSec).toBeCloseTo(2 * (placement.endSec - placement.anchorSec), 6);
  });

  test('cut points: an in point after the first segment\'s start and an out point after another\'s', { timeout: 60_000 }, async () => {
    const segments = (await fetchVodSegments('ts')).map((segment) => segment.data);
    const timeline = new RunTimeline([
      {
        start: { segment: () => Promise.resolve(segments[0]!), afterSec: 0.5, expectedSec: 0 },
        end: { segment: () => Promise.resolve(segments[2]!), afterSec: 1.25, expectedSec: 4.75 },
      },
    ]);
    const placement = await timeline.placement(0);
    const [start0, start2] = [await segmentStartSec(segments[0]!), await segmentStartSec(segments[2]!)];
    expect(placement.anchorSec).toBeCloseTo(start0 + 0.5, 9);
    // Segment 2 starts 4 s after segment 0 give or take the audio's frame grid.
    expect(Math.abs(start2 - start0 - 4)).toBeLessThan(0.03);
    expect(placement.endSec).toBeCloseTo(start2 + 1.25, 9);
    expect(placement.firstAudioSec).not.toBeNull();
    expect(placement.outputSecOf(placement.anchorSec + 1, 1)).toBeCloseTo(1, 9);
    await expect(timeline.placement(1)).rejects.toThrow(RangeError);
  });
});
