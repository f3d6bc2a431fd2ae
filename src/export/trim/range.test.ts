import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { checkRange, chunkSegments, selectSegments, toStoredRange, type TimedSegment } from './range.ts';

const segs = (durations: number[], breaks: number[] = []): TimedSegment[] => durations.map((durationSec, msn) => ({ msn, durationSec, discontinuity: breaks.includes(msn) }));

describe('selectSegments', () => {
  test('picks the segments overlapping the range, where the first starts and where the range sits in them', () => {
    const segments = segs([2, 2, 2, 2, 2]);
    const selected = selectSegments(segments, 3.3, 9.1);
    expect(selected).toMatchObject({ segments: segments.slice(1, 5), firstStartSec: 2 });
    // The window, from the first selected segment's start.
    expect(selected.windowSec.startSec).toBeCloseTo(1.3, 9);
    expect(selected.windowSec.endSec).toBeCloseTo(7.1, 9);
    expect(selectSegments(segments, 0, 2)).toEqual({ segments: segments.slice(0, 1), firstStartSec: 0, windowSec: { startSec: 0, endSec: 2 } });
    // An in point on a boundary does not take the segment before it.
    expect(selectSegments(segments, 4, 5).segments.map((s) => s.msn)).toEqual([2]);
    expect(selectSegments(segments, 10, 12).segments).toEqual([]);
  });

  test('property: the selection covers the range, and only what overlaps it', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.5, max: 10, noNaN: true }), { minLength: 1, maxLength: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (durations, a, b) => {
        const total = durations.reduce((x, y) => x + y, 0);
        const startSec = Math.min(a, b) * total;
        const endSec = Math.max(a, b) * total + 0.01;
        const { segments, firstStartSec } = selectSegments(segs(durations), startSec, endSec);
        expect(segments.length).toBeGreaterThan(0);
        expect(firstStartSec).toBeLessThanOrEqual(startSec + 1e-9);
        const selectedEnd = firstStartSec + segments.reduce((x, s) => x + s.durationSec, 0);
        expect(selectedEnd).toBeGreaterThanOrEqual(Math.min(endSec, total) - 1e-9);
        expect(firstStartSec + segments[0]!.durationSec).toBeGreaterThan(startSec);
      }),
    );
  });
});

describe('chunkSegments', () => {
  test('groups up to the chunk length and breaks at discontinuities and gaps', () => {
    const segments = segs([2, 2, 2, 2, 2, 2], [4]);
    const chunks = chunkSegments(segments, 5, 10);
    expect(chunks.map((c) => [c.segments.map((s) => s.msn), c.startSec, c.durationSec])).toEqual([
      [[0, 1], 10, 4],
      [[2, 3], 14, 4],
      [[4, 5], 18, 4],
    ]);
    const gap = [...segs([2, 2]), { msn: 5, durationSec: 2, discontinuity: false }];
    expect(chunkSegments(gap, 60).map((c) => c.segments.length)).toEqual([2, 1]);
    // A segment longer than a chunk makes a chunk of its own.
    expect(chunkSegments(segs([90, 1]), 60).map((c) => c.durationSec)).toEqual([90, 1]);
    expect(() => chunkSegments(segments, 0)).toThrow(RangeError);
    expect(() => chunkSegments(segments, 60, 0, 0)).toThrow('The chunk size must be positive, not 0 bytes.');
  });

  test('limits chunks by bytes as well', () => {
    const segments = segs([2, 2, 2, 2]).map((segment) => ({ ...segment, byteLength: 1000 }));
    expect(chunkSegments(segments, 3600, 0, 2500).map((c) => [c.segments.length, c.bytes])).toEqual([
      [2, 2000],
      [2, 2000],
    ]);
  });
});

describe('checkRange', () => {
  test('names the bad value', () => {
    expect(() => checkRange({ startSec: -1, endSec: 2, mode: 'exact' }, 10)).toThrow('The in point must be 0 s or later, not -1 s.');
    expect(() => checkRange({ startSec: 5, endSec: 5, mode: 'exact' }, 10)).toThrow('The out point (5 s) must come after the in point (5 s).');
    expect(() => checkRange({ startSec: 12, endSec: 15, mode: 'keyframe' }, 10)).toThrow('The in point (12 s) is past the end of the recording (10.00 s).');
    expect(() => checkRange({ startSec: 1, endSec: 2, mode: 'fast' as never }, 10)).toThrow('Unknown trim mode: fast.');
    expect(() => checkRange({ startSec: 1, endSec: 20, mode: 'keyframe' }, 10)).not.toThrow();
  });
});

describe('toStoredRange', () => {
  test('leaves the dropouts out of a range the player gave: after one, times move back by its length; inside one, to the segment after it', () => {
    const segments = [0, 1, 4, 5].map((msn) => ({ msn, durationSec: 2, discontinuity: false }));
    const gaps = [{ fromMsn: 2, count: 2, durationSec: 4, reason: 'not-found' as const, detectedAtMs: 0 }];
    // Playback: 0-4 s segments 0-1, 4-8 s the dropout, 8-12 s segments 4-5.
    expect(toStoredRange({ startSec: 1, endSec: 10, mode: 'keyframe' }, segments, gaps)).toEqual({ startSec: 1, endSec: 6, mode: 'keyframe' });
    expect(toStoredRange({ startSec: 5, endSec: 9, mode: 'exact' }, segments, gaps)).toEqual({ startSec: 4, endSec: 5, mode: 'exact' });
    expect(toStoredRange({ startSec: 5, endSec: 7, mode: 'exact' }, segments, gaps)).toEqual({ startSec: 4, endSec: 4, mode: 'exact' });
    // An outage is no time on either timeline.
    const outage = [{ ...gaps[0]!, reason: 'outage' as const }];
    expect(toStoredRange({ startSec: 1, endSec: 6, mode: 'keyframe' }, segments, outage)).toEqual({ startSec: 1, endSec: 6, mode: 'keyframe' });
  });
});
