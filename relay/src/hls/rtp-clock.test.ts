import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RtpClock } from './rtp-clock.ts';

describe('RtpClock', () => {
  it('anchors at the first wall clock and counts on across the 32-bit wrap', () => {
    const clock = new RtpClock(90000);
    expect(clock.toUnixSec(0xffff_ff00, 1_700_000_000_000)).toBe(1_700_000_000);
    expect(clock.toUnixSec(0x0000_0100, 0)).toBeCloseTo(1_700_000_000 + 512 / 90000, 9);
    expect(clock.toUnixSec(0xffff_ff00 + 90000 - 2 ** 32, 0)).toBeCloseTo(1_700_000_001, 9);
  });

  it('follows any sequence of steps under half the range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.array(fc.integer({ min: -90000, max: 900000 }), { maxLength: 50 }), (start, steps) => {
        const clock = new RtpClock(90000);
        clock.toUnixSec(start, 0);
        let ticks = 0;
        for (const step of steps) {
          ticks += step;
          expect(clock.toUnixSec((((start + ticks) % 2 ** 32) + 2 ** 32) % 2 ** 32, 0)).toBeCloseTo(ticks / 90000, 6);
        }
      }),
    );
  });

  it('refuses a clock rate that is not positive', () => {
    expect(() => new RtpClock(0)).toThrow(new RangeError('clockRateHz must be positive, got 0'));
  });
});
