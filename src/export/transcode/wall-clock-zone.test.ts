import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { utcOffsetMinIn, wallClockPieces } from './wall-clock-zone.ts';

const berlin = utcOffsetMinIn('Europe/Berlin');
/** Clocks in Germany go forward at 01:00 UTC on 29 March 2026, and back at 01:00 UTC on 25 October. */
const springForwardMs = Date.UTC(2026, 2, 29, 1);
const fallBackMs = Date.UTC(2026, 9, 25, 1);

describe('utcOffsetMinIn', () => {
  test('reads the offset of a zone at a moment, summer time, half hours and UTC included', () => {
    expect(berlin(Date.UTC(2026, 0, 15))).toBe(60);
    expect(berlin(Date.UTC(2026, 6, 15))).toBe(120);
    expect(berlin(springForwardMs - 1)).toBe(60);
    expect(berlin(springForwardMs)).toBe(120);
    expect(utcOffsetMinIn('America/St_Johns')(Date.UTC(2026, 0, 15))).toBe(-210);
    expect(utcOffsetMinIn('Asia/Kolkata')(Date.UTC(2026, 0, 15))).toBe(330);
    expect(utcOffsetMinIn('UTC')(Date.UTC(2026, 6, 15))).toBe(0);
    expect(() => utcOffsetMinIn('Nowhere/Special')).toThrow(RangeError);
  });
});

describe('wallClockPieces', () => {
  test('one piece when no change falls inside the run', () => {
    const startSec = Date.UTC(2026, 10, 22, 12) / 1000;
    expect(wallClockPieces(startSec, 7200, berlin)).toEqual([{ fromSec: 0, wallClockStartSec: startSec + 3600 }]);
  });

  test('a new piece where summer time starts and where it ends, to the millisecond', () => {
    const springSec = springForwardMs / 1000 - 90;
    expect(wallClockPieces(springSec, 600, berlin)).toEqual([
      { fromSec: 0, wallClockStartSec: springSec + 3600 },
      { fromSec: 90, wallClockStartSec: springSec + 7200 },
    ]);
    const autumnSec = fallBackMs / 1000 - 3 * 3600 - 0.5;
    expect(wallClockPieces(autumnSec, 4 * 3600, berlin)).toEqual([
      { fromSec: 0, wallClockStartSec: autumnSec + 7200 },
      { fromSec: 3 * 3600 + 0.5, wallClockStartSec: autumnSec + 3600 },
    ]);
  });

  test('property: each piece prints the local time of its first moment, and pieces change only where the offset does', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2025, 0, 1) / 1000, max: Date.UTC(2028, 0, 1) / 1000 }), fc.integer({ min: 1, max: 6 * 3600 }), (startSec, durationSec) => {
        const pieces = wallClockPieces(startSec, durationSec, berlin);
        expect(pieces[0]!.fromSec).toBe(0);
        for (const [i, piece] of pieces.entries()) {
          const momentMs = (startSec + piece.fromSec) * 1000;
          expect(piece.wallClockStartSec).toBe(startSec + berlin(momentMs) * 60);
          if (i > 0) expect(berlin(momentMs - 1)).not.toBe(berlin(momentMs));
        }
        expect(berlin((startSec + durationSec) * 1000)).toBe(berlin((startSec + pieces.at(-1)!.fromSec) * 1000));
      }),
    );
  });
});
