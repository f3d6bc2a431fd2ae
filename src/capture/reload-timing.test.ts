import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { playlistReloadDelayMs } from './reload-timing.ts';

describe('playlistReloadDelayMs (RFC 8216 section 6.3.4)', () => {
  it('waits one target duration from the start of a load that changed the playlist', () => {
    expect(playlistReloadDelayMs({ targetDurationSec: 6, changed: true, loadStartedAtMs: 1_000, nowMs: 1_000 })).toBe(6_000);
  });

  it('waits one-half the target duration after a load that did not change it', () => {
    expect(playlistReloadDelayMs({ targetDurationSec: 6, changed: false, loadStartedAtMs: 1_000, nowMs: 1_000 })).toBe(3_000);
  });

  it('counts the time the load itself took towards the wait', () => {
    // The load began at t=10 s and took 1.25 s: 6 s after its start is 4.75 s from now.
    expect(playlistReloadDelayMs({ targetDurationSec: 6, changed: true, loadStartedAtMs: 10_000, nowMs: 11_250 })).toBe(4_750);
    expect(playlistReloadDelayMs({ targetDurationSec: 6, changed: false, loadStartedAtMs: 10_000, nowMs: 11_250 })).toBe(1_750);
  });

  it('reloads at once, never with a negative delay, when the load outlasted the wait', () => {
    expect(playlistReloadDelayMs({ targetDurationSec: 2, changed: true, loadStartedAtMs: 0, nowMs: 2_000 })).toBe(0);
    expect(playlistReloadDelayMs({ targetDurationSec: 2, changed: true, loadStartedAtMs: 0, nowMs: 9_500 })).toBe(0);
    expect(playlistReloadDelayMs({ targetDurationSec: 2, changed: false, loadStartedAtMs: 0, nowMs: 1_001 })).toBe(0);
  });

  it('handles fractional target durations in whole milliseconds', () => {
    expect(playlistReloadDelayMs({ targetDurationSec: 2.5, changed: false, loadStartedAtMs: 0, nowMs: 0 })).toBe(1_250);
  });

  it('property: the reload is due exactly at load start + target duration (or half), and never in the past', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 120_000 }),
        (targetDurationSec, changed, loadStartedAtMs, elapsedMs) => {
          const nowMs = loadStartedAtMs + elapsedMs;
          const waitMs = playlistReloadDelayMs({ targetDurationSec, changed, loadStartedAtMs, nowMs });
          const dueAfterStartMs = targetDurationSec * 1000 * (changed ? 1 : 0.5);
          expect(waitMs).toBeGreaterThanOrEqual(0);
          expect(Number.isInteger(waitMs)).toBe(true);
          if (elapsedMs <= dueAfterStartMs) expect(nowMs + waitMs).toBe(loadStartedAtMs + dueAfterStartMs);
          else expect(waitMs).toBe(0);
        },
      ),
    );
  });

  it('property: an unchanged playlist is never reloaded later than a changed one, and later loads wait less', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 30, noNaN: true }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        (targetDurationSec, elapsedMs, moreMs) => {
          const at = (changed: boolean, nowMs: number) => playlistReloadDelayMs({ targetDurationSec, changed, loadStartedAtMs: 0, nowMs });
          expect(at(false, elapsedMs)).toBeLessThanOrEqual(at(true, elapsedMs));
          expect(at(true, elapsedMs + moreMs)).toBeLessThanOrEqual(at(true, elapsedMs));
          expect(at(false, elapsedMs + moreMs)).toBeLessThanOrEqual(at(false, elapsedMs));
        },
      ),
    );
  });
});
