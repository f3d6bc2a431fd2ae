import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { RecordingNotFoundError, RecordingStore, type NewSegment, type RecordingChange } from './recording-store.ts';
import { newRecording, openTestStore, type TestStore } from './test-fixtures.ts';
import type { GapRecord } from './types.ts';

let t: TestStore;
let store: RecordingStore;

beforeEach(async () => {
  t = await openTestStore();
  store = t.store;
});

afterEach(async () => {
  await t.dispose();
});

function segment(recordingId: string, msn: number, bytes: number, durationSec = 2): NewSegment {
  return { recordingId, msn, durationSec, discontinuity: false, programDateTimeMs: null, data: new Blob([new Uint8Array(bytes).fill(msn % 256)]) };
}

/** Resolves with the first `change` event `target` dispatches for `recordingId`. */
function nextChange(target: RecordingStore, recordingId: string): Promise<RecordingChange> {
  return new Promise((resolve) => {
    const off = target.on('change', (change) => {
      if (change.recordingId !== recordingId) return; // other test files share the BroadcastChannel
      off();
      resolve(change);
    });
  });
}

describe('create and list', () => {
  test('a new recording is empty, in status recording, and list() shows the newest start first', async () => {
    const old = await store.create(newRecording({ title: 'old', startedAtMs: 1_000 }));
    const newest = await store.create(newRecording({ title: 'newest', startedAtMs: 3_000 }));
    const middle = await store.create(newRecording({ title: 'middle', startedAtMs: 2_000 }));

    expect(old).toMatchObject({ status: 'recording', endedAtMs: null, durationSec: 0, bytes: 0, segmentCount: 0, gapCount: 0, gaps: [] });
    expect((await store.list()).map((r) => r.title)).toEqual(['newest', 'middle', 'old']);
    expect(await store.get(middle.id)).toEqual(middle);
    expect(newest.id).not.toBe(old.id);
  });
});

describe('appendSegment', () => {
  test('adds duration, bytes and count, and stores the bytes', async () => {
    const { id } = await store.create(newRecording());
    const first = await store.appendSegment(segment(id, 10, 100, 2), 5_000);
    const second = await store.appendSegment(segment(id, 11, 250, 1.5), 6_000);

    expect(first.added).toBe(true);
    expect(second).toMatchObject({ added: true, recording: { durationSec: 3.5, bytes: 350, segmentCount: 2 } });
    expect(await store.get(id)).toMatchObject({ durationSec: 3.5, bytes: 350, segmentCount: 2 });
    const stored = await store.getSegment(id, 11);
    expect(stored).toMatchObject({ msn: 11, byteLength: 250, storedAtMs: 6_000, durationSec: 1.5 });
    expect(new Uint8Array(await stored!.data.arrayBuffer())).toEqual(new Uint8Array(250).fill(11));
    expect((await store.listSegments(id)).map((s) => s.msn)).toEqual([10, 11]);
  });

  test('a duplicate msn is not stored again and leaves the totals unchanged', async () => {
    const { id } = await store.create(newRecording());
    await store.appendSegment(segment(id, 7, 100));
    const duplicate = await store.appendSegment({ ...segment(id, 7, 999), data: new Blob([new Uint8Array(999)]) });

    expect(duplicate.added).toBe(false);
    expect(duplicate.recording).toMatchObject({ durationSec: 2, bytes: 100, segmentCount: 1 });
    expect(await store.get(id)).toMatchObject({ durationSec: 2, bytes: 100, segmentCount: 1 });
    expect((await store.getSegment(id, 7))!.byteLength).toBe(100);
  });

  test('concurrent appends lose no update and store a concurrent duplicate once', async () => {
    const { id } = await store.create(newRecording());
    const results = await Promise.all([...Array.from({ length: 10 }, (_, msn) => store.appendSegment(segment(id, msn, 10 + msn))), store.appendSegment(segment(id, 3, 13))]);

    expect(results.filter((r) => r.added)).toHaveLength(10);
    expect(await store.get(id)).toMatchObject({ segmentCount: 10, durationSec: 20, bytes: 10 * 10 + 45 });
    expect(await store.listSegments(id)).toHaveLength(10);
  });

  test('to a deleted recording throws RecordingNotFoundError and stores nothing', async () => {
    const { id } = await store.create(newRecording());
    await store.delete(id);

    const attempt = store.appendSegment(segment(id, 0, 100));
    await expect(attempt).rejects.toBeInstanceOf(RecordingNotFoundError);
    await expect(attempt).rejects.toMatchObject({ recordingId: id });
    expect(await store.listSegments(id)).toEqual([]);
    expect(await store.getSegment(id, 0)).toBeUndefined();
    expect(await store.get(id)).toBeUndefined();
  });
});

describe('gaps, rename, update', () => {
  test('addGap appends the gap and adds to gapCount and gapSec', async () => {
    const { id } = await store.create(newRecording());
    const gap: GapRecord = { fromMsn: 4, count: 3, durationSec: 6, reason: 'slid-out', detectedAtMs: 9_000 };
    await store.addGap(id, gap);
    const after = await store.addGap(id, { ...gap, fromMsn: 10, count: 1, durationSec: 2.5, reason: 'not-found' });

    expect(after).toMatchObject({ gapCount: 4, gapSec: 8.5 });
    expect((await store.get(id))!.gaps.map((g) => [g.fromMsn, g.reason])).toEqual([
      [4, 'slid-out'],
      [10, 'not-found'],
    ]);
  });

  test('endBefore deletes the segments from an msn on with their totals, drops later gaps, shortens one running past it, keeps earlier ones', async () => {
    const { id } = await store.create(newRecording());
    for (const msn of [0, 1, 2, 5, 6, 9]) await store.appendSegment(segment(id, msn, 100 + msn));
    const gap = (fromMsn: number, count: number, durationSec: number): GapRecord => ({ fromMsn, count, durationSec, reason: 'not-found', detectedAtMs: 0 });
    for (const g of [gap(1, 0, 30), gap(3, 2, 4), gap(7, 2, 4), gap(10, 1, 2)]) await store.addGap(id, g);

    const after = await store.endBefore(id, 6);

    expect((await store.listSegmentMsns(id))).toEqual([0, 1, 2, 5]);
    expect(after).toMatchObject({ segmentCount: 4, durationSec: 8, bytes: 100 + 101 + 102 + 105, gapCount: 2, gapSec: 34 });
    expect(after.gaps.map((g) => [g.fromMsn, g.count, g.durationSec])).toEqual([[1, 0, 30], [3, 2, 4]]);
    expect(await store.get(id)).toEqual(after);
    const shortened = await store.endBefore(id, 4);
    expect(shortened).toMatchObject({ segmentCount: 3, gapCount: 1, gapSec: 32, gaps: [expect.objectContaining({ fromMsn: 1 }), expect.objectContaining({ fromMsn: 3, count: 1, durationSec: 2 })] });
    await expect(store.endBefore('missing', 0)).rejects.toBeInstanceOf(RecordingNotFoundError);
  });

  test('rename trims the title and rejects an empty one with RangeError, keeping the old title', async () => {
    const { id } = await store.create(newRecording({ title: 'Before' }));
    expect((await store.rename(id, '  Evening news \n')).title).toBe('Evening news');

    await expect(store.rename(id, '   \t')).rejects.toBeInstanceOf(RangeError);
    await expect(store.rename(id, '')).rejects.toBeInstanceOf(RangeError);
    expect((await store.get(id))!.title).toBe('Evening news');
  });

  test('rename and addGap of an unknown recording throw RecordingNotFoundError', async () => {
    await expect(store.rename('missing', 'x')).rejects.toBeInstanceOf(RecordingNotFoundError);
    await expect(store.addGap('missing', { fromMsn: 0, count: 1, durationSec: 2, reason: 'http-error', detectedAtMs: 0 })).rejects.toBeInstanceOf(RecordingNotFoundError);
    expect(await store.list()).toEqual([]);
  });
});

describe('delete', () => {
  test('removes the recording and all its segments, and leaves another recording alone', async () => {
    const doomed = await store.create(newRecording({ title: 'doomed' }));
    const kept = await store.create(newRecording({ title: 'kept' }));
    for (const msn of [0, 1, 2]) {
      await store.appendSegment(segment(doomed.id, msn, 50));
      await store.appendSegment(segment(kept.id, msn, 60));
    }

    await store.delete(doomed.id);

    expect(await store.get(doomed.id)).toBeUndefined();
    expect(await store.listSegments(doomed.id)).toEqual([]);
    expect(await store.getSegment(doomed.id, 1)).toBeUndefined();
    expect((await store.list()).map((r) => r.id)).toEqual([kept.id]);
    expect((await store.listSegments(kept.id)).map((s) => [s.msn, s.byteLength])).toEqual([
      [0, 60],
      [1, 60],
      [2, 60],
    ]);
    await expect(store.delete(doomed.id)).resolves.toBeUndefined();
  });
});

describe('recoverInterrupted', () => {
  test("marks a 'recording' recording interrupted, ending at its last stored segment", async () => {
    const { id } = await store.create(newRecording({ startedAtMs: 1_000 }));
    await store.appendSegment(segment(id, 0, 10), 5_000);
    await store.appendSegment(segment(id, 1, 10), 7_000);

    expect(await store.recoverInterrupted(async () => false)).toEqual([id]);
    expect(await store.get(id)).toMatchObject({ status: 'interrupted', endedAtMs: 7_000, segmentCount: 2 });
    expect(await store.listSegments(id)).toHaveLength(2);
  });

  test('ends a recording without segments at its start', async () => {
    const { id } = await store.create(newRecording({ startedAtMs: 4_321 }));
    expect(await store.recoverInterrupted(async () => false)).toEqual([id]);
    expect(await store.get(id)).toMatchObject({ status: 'interrupted', endedAtMs: 4_321 });
  });

  test('leaves alone a recording another tab is still capturing, and complete ones', async () => {
    const active = await store.create(newRecording());
    const complete = await store.create(newRecording());
    await store.appendSegment(segment(complete.id, 0, 10), 5_000);
    await store.update(complete.id, { status: 'complete', endedAtMs: 6_000 });
    const asked: string[] = [];

    const marked = await store.recoverInterrupted(async (recordingId) => {
      asked.push(recordingId);
      return recordingId === active.id;
    });

    expect(marked).toEqual([]);
    expect(asked).toEqual([active.id]);
    expect(await store.get(active.id)).toMatchObject({ status: 'recording', endedAtMs: null });
    expect(await store.get(complete.id)).toMatchObject({ status: 'complete', endedAtMs: 6_000 });
  });
});

describe('change events', () => {
  test('fire in this store on every write, with the recording id', async () => {
    const seen: (string | null)[] = [];
    const off = store.on('change', (change) => seen.push(change.recordingId));
    const { id } = await store.create(newRecording());
    await store.appendSegment(segment(id, 0, 10));
    await store.appendSegment(segment(id, 0, 10)); // duplicate: nothing written
    await store.addGap(id, { fromMsn: 1, count: 1, durationSec: 2, reason: 'not-found', detectedAtMs: 0 });
    await store.rename(id, 'renamed');
    await store.delete(id);
    off();

    expect(seen).toEqual([id, id, id, id, id]);
  });

  test('reach a second store on the same database through the BroadcastChannel', async () => {
    const other = await RecordingStore.open(t.dbName);
    try {
      const { id } = await store.create(newRecording());
      const renamed = nextChange(other, id);
      await store.rename(id, 'seen elsewhere');
      await expect(renamed).resolves.toEqual({ recordingId: id });
      expect((await other.get(id))!.title).toBe('seen elsewhere');

      const appended = nextChange(store, id);
      await other.appendSegment(segment(id, 0, 10));
      await appended;
      expect((await store.get(id))!.segmentCount).toBe(1);
    } finally {
      other.close();
    }
  });
});
