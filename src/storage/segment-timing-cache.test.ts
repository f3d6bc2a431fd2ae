import fc from 'fast-check';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openTapedeckDb, type TapedeckDb } from './db.ts';
import { SegmentTimingCache } from './segment-timing-cache.ts';
import { newRecording, openTestStore, type TestStore } from './test-fixtures.ts';

/**
 * The cache must read what a fresh read of the database reads, whatever happened to the
 * recording between two reads: segments appended in order, stored out of order below the last
 * msn read (concurrent VOD fetches), or cut off at the end (`endBefore`).
 */

let t: TestStore;
let db: TapedeckDb;
beforeEach(async () => {
  t = await openTestStore();
  db = await openTapedeckDb(t.dbName);
});
afterEach(async () => {
  db.close();
  await t.dispose();
});

type Step = { kind: 'store'; msns: number[] } | { kind: 'end-before'; msn: number } | { kind: 'read' };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('store' as const), msns: fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('end-before' as const), msn: fc.nat({ max: 40 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('read' as const) }) },
);

// Each run is up to about 60 small IndexedDB transactions: a minute allows for a busy CI machine.
it('reads, after any mix of appends, late segments and cut-off ends, what a fresh read does', { timeout: 60_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 15 }), async (steps) => {
      const recording = await t.store.create(newRecording());
      const cache = new SegmentTimingCache(db);
      const expectFresh = async () => {
        const [cached, fresh] = [await cache.read(recording.id), await new SegmentTimingCache(db).read(recording.id)];
        expect(cached).toEqual(fresh);
        expect(cached.segments.map((segment) => segment.msn)).toEqual(await t.store.listSegmentMsns(recording.id));
      };
      for (const change of steps) {
        if (change.kind === 'read') await expectFresh();
        else if (change.kind === 'end-before') await t.store.endBefore(recording.id, change.msn);
        else {
          for (const msn of change.msns) {
            await t.store.appendSegment({ recordingId: recording.id, msn, durationSec: 1 + msn / 100, discontinuity: msn % 7 === 0, programDateTimeMs: null, data: new Blob([`${msn}`]) }, 1000 * msn);
          }
        }
      }
      await expectFresh();
      await t.store.delete(recording.id);
      expect(await cache.read(recording.id)).toEqual({ recording: undefined, segments: [] });
    }),
    { numRuns: 30 },
  );
});

it('a late segment below the last read, then the end cut off, leaves the count as it was: still read afresh', async () => {
  // fast-check's counterexample to a count check alone: kept [0, 2]; 1 is stored; 2 is cut off.
  const recording = await t.store.create(newRecording());
  const cache = new SegmentTimingCache(db);
  const store = (msn: number) => t.store.appendSegment({ recordingId: recording.id, msn, durationSec: 2, discontinuity: false, programDateTimeMs: null, data: new Blob([`${msn}`]) });
  await store(2);
  await store(0);
  expect((await cache.read(recording.id)).segments.map((segment) => segment.msn)).toEqual([0, 2]);
  await store(1);
  await t.store.endBefore(recording.id, 2);
  expect((await cache.read(recording.id)).segments.map((segment) => segment.msn)).toEqual([0, 1]);
});

it('keeps no bytes: a read gives timing fields only', async () => {
  const recording = await t.store.create(newRecording());
  await t.store.appendSegment({ recordingId: recording.id, msn: 3, durationSec: 2, discontinuity: false, programDateTimeMs: 5000, data: new Blob(['abc']) }, 7000);
  const { segments } = await new SegmentTimingCache(db).read(recording.id);
  expect(segments).toEqual([{ msn: 3, durationSec: 2, discontinuity: false, programDateTimeMs: 5000, storedAtMs: 7000, byteLength: 3 }]);
});
