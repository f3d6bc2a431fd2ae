import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { WallClockMap } from './wall-clock.ts';

const START_MS = Date.UTC(2026, 10, 21, 22, 0, 0);

describe('WallClockMap', () => {
  const map = new WallClockMap([
    { durationSec: 2, startMs: START_MS },
    { durationSec: 2, startMs: START_MS + 2000 },
    // 10 s outage, then a shorter segment.
    { durationSec: 1.5, startMs: START_MS + 14_000 },
  ]);

  test('media time to wall clock: segment start plus the time into it', () => {
    expect(map.wallClockMsAt(0)).toBe(START_MS);
    expect(map.wallClockMsAt(3.25)).toBe(START_MS + 3250);
    expect(map.wallClockMsAt(4)).toBe(START_MS + 14_000);
    expect(map.wallClockMsAt(5.5)).toBe(START_MS + 15_500);
    // Past the end stays at the end of the last segment.
    expect(map.wallClockMsAt(99)).toBe(START_MS + 15_500);
    expect(map.durationSec).toBe(5.5);
    expect([map.firstMs, map.lastMs]).toEqual([START_MS, START_MS + 15_500]);
  });

  test('a dropout takes media time but holds no instant: an instant in it plays from the segment after it', () => {
    const withDropout = new WallClockMap([
      { durationSec: 2, startMs: START_MS },
      { durationSec: 4, startMs: START_MS + 2000, dropout: true },
      { durationSec: 2, startMs: START_MS + 6000 },
    ]);
    expect(withDropout.durationSec).toBe(8);
    expect(withDropout.mediaSecAt(START_MS + 1000)).toEqual({ mediaSec: 1, exact: true });
    expect(withDropout.mediaSecAt(START_MS + 3000)).toEqual({ mediaSec: 6, exact: false });
    expect(withDropout.mediaSecAt(START_MS + 6500)).toEqual({ mediaSec: 6.5, exact: true });
    expect(withDropout.wallClockMsAt(7)).toBe(START_MS + 7000);
    expect([withDropout.firstMs, withDropout.lastMs]).toEqual([START_MS, START_MS + 8000]);
    // Leading and trailing dropouts are no recorded instant either.
    const edges = new WallClockMap([
      { durationSec: 2, startMs: START_MS - 2000, dropout: true },
      { durationSec: 2, startMs: START_MS },
      { durationSec: 2, startMs: START_MS + 2000, dropout: true },
    ]);
    expect([edges.firstMs, edges.lastMs]).toEqual([START_MS, START_MS + 2000]);
    expect(edges.mediaSecAt(START_MS - 1000)).toEqual({ mediaSec: 2, exact: false });
    expect(edges.mediaSecAt(START_MS + 3000)).toBeNull();
  });

  test('a recording of 150,000 segments (too many to spread into one call) has its first and last instants', () => {
    const long = new WallClockMap(Array.from({ length: 150_000 }, (_, i) => ({ durationSec: 2, startMs: START_MS + i * 2000 })));
    expect([long.firstMs, long.lastMs]).toEqual([START_MS, START_MS + 300_000_000]);
  });

  test('wall clock to media time; a moment in a gap plays from the next segment', () => {
    expect(map.mediaSecAt(START_MS + 1000)).toEqual({ mediaSec: 1, exact: true });
    expect(map.mediaSecAt(START_MS + 8000)).toEqual({ mediaSec: 4, exact: false });
    expect(map.mediaSecAt(START_MS - 60_000)).toEqual({ mediaSec: 0, exact: false });
    expect(map.mediaSecAt(START_MS + 15_500)).toBeNull();
    expect(new WallClockMap([]).mediaSecAt(START_MS)).toBeNull();
    expect(new WallClockMap([]).wallClockMsAt(0)).toBeNull();
  });

  test('refuses segments with a negative or non-finite duration', () => {
    expect(() => new WallClockMap([{ durationSec: -1, startMs: START_MS }])).toThrow(RangeError);
    expect(() => new WallClockMap([{ durationSec: 2, startMs: Number.NaN }])).toThrow(/wall-clock map/);
  });

  test('property: wall clock -> media time -> wall clock round-trips to the millisecond, whatever the durations and gaps', () => {
    // Wall clocks are whole milliseconds (PDT and Date.now()); EXTINF durations here too.
    const segments = fc.array(fc.record({ durationMs: fc.integer({ min: 40, max: 12_000 }), gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3_600_000 })) }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(segments, fc.nat(), fc.nat(), (list, pick, into) => {
        let startMs = START_MS;
        const built = list.map(({ durationMs, gapMs }) => {
          startMs += gapMs;
          const segment = { durationSec: durationMs / 1000, startMs };
          startMs += durationMs;
          return segment;
        });
        const map = new WallClockMap(built);
        const chosen = built[pick % built.length]!;
        const wallMs = chosen.startMs + (into % Math.round(chosen.durationSec * 1000));
        const position = map.mediaSecAt(wallMs);
        expect(position?.exact).toBe(true);
        expect(map.wallClockMsAt(position!.mediaSec)!).toBeCloseTo(wallMs, 3);
        // And media time -> wall clock -> media time.
        expect(map.mediaSecAt(map.wallClockMsAt(position!.mediaSec)!)!.mediaSec).toBeCloseTo(position!.mediaSec, 6);
      }),
      { numRuns: 300 },
    );
  });
});
