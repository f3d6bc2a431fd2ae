import fc from 'fast-check';
import { expect, test } from 'vitest';
import { startsDiscontinuity } from './segment-timeline.ts';

test('the first segment always starts a new timeline', () => {
  expect(startsDiscontinuity(undefined, { msn: 0, discontinuity: false })).toBe(true);
  expect(startsDiscontinuity(undefined, { msn: 42, discontinuity: true })).toBe(true);
});

test('the next msn without a discontinuity tag continues the timeline', () => {
  expect(startsDiscontinuity({ msn: 5, discontinuity: false }, { msn: 6, discontinuity: false })).toBe(false);
  // A discontinuity before the previous segment does not carry over.
  expect(startsDiscontinuity({ msn: 5, discontinuity: true }, { msn: 6, discontinuity: false })).toBe(false);
});

test('an EXT-X-DISCONTINUITY tag or a missing msn breaks the timeline', () => {
  expect(startsDiscontinuity({ msn: 5, discontinuity: false }, { msn: 6, discontinuity: true })).toBe(true);
  expect(startsDiscontinuity({ msn: 5, discontinuity: false }, { msn: 7, discontinuity: false })).toBe(true);
  expect(startsDiscontinuity({ msn: 5, discontinuity: false }, { msn: 5, discontinuity: false })).toBe(true);
  expect(startsDiscontinuity({ msn: 5, discontinuity: false }, { msn: 4, discontinuity: false })).toBe(true);
});

test('property: continues exactly when the msn is the next one and no discontinuity is tagged', () => {
  fc.assert(
    fc.property(fc.nat({ max: 1_000_000 }), fc.boolean(), fc.integer({ min: -3, max: 3 }), fc.boolean(), (msn, previousFlag, step, flag) => {
      const breaks = startsDiscontinuity({ msn, discontinuity: previousFlag }, { msn: msn + step, discontinuity: flag });
      expect(breaks).toBe(flag || step !== 1);
    }),
  );
});
