import fc from 'fast-check';
import { expect, test } from 'vitest';
import { isDropout, playbackDurationSec, storedSecAt, timelineDurationSec, timelineEntries } from './playback-timeline.ts';
import type { GapReason } from './types.ts';

const segment = (msn: number, durationSec = 2, discontinuity = false) => ({ msn, durationSec, discontinuity });
const gap = (fromMsn: number, count: number, durationSec: number, reason: GapReason = 'not-found') => ({ fromMsn, count, durationSec, reason });

test('an outage, or a gap of no segments or no time, is not kept as time', () => {
  expect(isDropout(gap(3, 2, 4))).toBe(true);
  expect(isDropout(gap(3, 2, 4, 'slid-out'))).toBe(true);
  expect(isDropout(gap(3, 2, 4, 'outage'))).toBe(false);
  expect(isDropout(gap(3, 0, 4))).toBe(false);
  expect(isDropout(gap(3, 2, 0))).toBe(false);
});

test('dropouts sit where their msns are, between stored segments only, and replace the discontinuity of the hole they fill', () => {
  const gaps = [gap(0, 2, 4), gap(4, 2, 3), gap(7, 1, 2), gap(10, 1, 2)];
  const entries = timelineEntries([segment(2), segment(3), segment(6), segment(9)], gaps);
  expect(entries.map((entry) => (entry.kind === 'segment' ? `${entry.segment.msn}${entry.discontinuity ? '!' : ''}` : `gap ${entry.durationSec}`))).toEqual([
    '2',
    '3',
    'gap 1.5',
    'gap 1.5',
    '6',
    'gap 2',
    // msn 8 is missing and no gap record says why: the timeline breaks there.
    '9!',
  ]);
  expect(timelineDurationSec(entries)).toBe(13);
  const recording = { durationSec: 8, gaps: [...gaps, gap(12, 3, 60, 'outage')] };
  expect(playbackDurationSec(recording, { firstMsn: 2, lastMsn: 9 })).toBe(13);
  // Not knowing where the segments are, every dropout counts.
  expect(playbackDurationSec(recording, null)).toBe(19);
  expect(timelineEntries([], gaps)).toEqual([]);
});

test('stored time leaves the dropouts out: a position inside one goes to the segment after it', () => {
  const entries = timelineEntries([segment(0), segment(2), segment(3)], [gap(1, 1, 5)]);
  expect([0, 1.5, 2, 4.9, 7, 8, 11, 20].map((sec) => storedSecAt(entries, sec))).toEqual([0, 1.5, 2, 2, 2, 3, 6, 6]);
});

test('property: each segment keeps its order, the timeline is as long as its parts, and stored time runs with it', () => {
  const recording = fc.array(fc.record({ step: fc.integer({ min: 1, max: 4 }), durationSec: fc.integer({ min: 1, max: 4000 }).map((ms) => ms / 1000), discontinuity: fc.boolean(), gapSec: fc.option(fc.integer({ min: 1, max: 9000 }).map((ms) => ms / 1000)) }), { minLength: 1, maxLength: 30 });
  fc.assert(
    fc.property(recording, (rows) => {
      let msn = 0;
      const segments: ReturnType<typeof segment>[] = [];
      const gaps: ReturnType<typeof gap>[] = [];
      for (const row of rows) {
        if (segments.length > 0 && row.step > 1 && row.gapSec !== null) gaps.push(gap(msn + 1, row.step - 1, row.gapSec));
        msn += row.step;
        segments.push(segment(msn, row.durationSec, row.discontinuity));
      }
      const entries = timelineEntries(segments, gaps);
      expect(entries.flatMap((entry) => (entry.kind === 'segment' ? [entry.segment] : []))).toEqual(segments);
      const storedSec = segments.reduce((sum, s) => sum + s.durationSec, 0);
      const gapSec = gaps.reduce((sum, g) => sum + g.durationSec, 0);
      expect(timelineDurationSec(entries)).toBeCloseTo(storedSec + gapSec, 6);
      expect(playbackDurationSec({ durationSec: storedSec, gaps }, { firstMsn: segments[0]!.msn, lastMsn: msn })).toBeCloseTo(storedSec + gapSec, 6);
      // A hole breaks the timeline exactly when no gap record fills it.
      entries.forEach((entry, index) => {
        if (entry.kind !== 'segment' || index === 0) return;
        const row = rows[segments.indexOf(entry.segment)]!;
        const first = segments.indexOf(entry.segment) === 0;
        if (!first) expect(entry.discontinuity).toBe(row.discontinuity || (row.step > 1 && row.gapSec === null));
      });
      let playbackSec = 0;
      let previousStoredSec = 0;
      for (const entry of entries) {
        const atSec = storedSecAt(entries, playbackSec);
        expect(atSec).toBeGreaterThanOrEqual(previousStoredSec - 1e-9);
        previousStoredSec = atSec;
        playbackSec += entry.kind === 'segment' ? entry.segment.durationSec : entry.durationSec;
      }
      expect(storedSecAt(entries, playbackSec + 1)).toBeCloseTo(storedSec, 6);
    }),
  );
});
