import { afterEach, expect, it } from 'vitest';
import { RecordingStore } from '../storage/recording-store.ts';
import { deleteTestDatabase, newRecording } from '../storage/test-fixtures.ts';
import { CameraDayIndex } from './day-index.ts';
import { dayBoundsMs } from './local-day.ts';

/**
 * CameraDayIndex on real IndexedDB: the review rereads the day shown every few seconds while a
 * camera records, from where its last read ended. What it shows must be what a fresh read of
 * the database shows, however the recording changed in between.
 */

const DAY = '2026-06-01';
const opened: { store: RecordingStore; index: CameraDayIndex; name: string }[] = [];
afterEach(async () => {
  for (const { store, index, name } of opened.splice(0)) {
    index.close();
    store.close();
    await deleteTestDatabase(name);
  }
});

async function open() {
  const name = `test-day-index-${crypto.randomUUID()}`;
  const opening = { store: await RecordingStore.open(name), index: await CameraDayIndex.open(name), name };
  opened.push(opening);
  return opening;
}

const dayStartMs = dayBoundsMs(DAY).startMs;
/** Stores 2 s segments `msns` of `recordingId`, dated as a camera 2 s apart from the day's start. */
async function store2s(store: RecordingStore, recordingId: string, msns: number[]): Promise<void> {
  for (const msn of msns) {
    await store.appendSegment({ recordingId, msn, durationSec: 2, discontinuity: false, programDateTimeMs: dayStartMs + msn * 2000, data: new Blob([`segment ${msn}`]) }, dayStartMs + (msn + 1) * 2000);
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);

it('a day reread as it grows, loses segments and gains one out of order shows what a fresh read shows', async () => {
  const { store, index, name } = await open();
  const camera = { cameraId: 'porch', dayKey: DAY };
  const recording = await store.create({ ...newRecording({ startedAtMs: dayStartMs }), ...camera });
  const expectSameAsFresh = async () => {
    const fresh = await CameraDayIndex.open(name);
    try {
      const [reread, read] = [await index.dayTimeline('porch', DAY), await fresh.dayTimeline('porch', DAY)];
      expect(reread.timeline).toEqual(read.timeline);
      return reread.timeline;
    } finally {
      fresh.close();
    }
  };

  await store2s(store, recording.id, range(0, 10));
  expect((await expectSameAsFresh()).spans).toMatchObject([{ startMs: dayStartMs, endMs: dayStartMs + 20_000, fromMsn: 0, toMsn: 9 }]);

  // It grows: a span to the new end.
  await store2s(store, recording.id, range(10, 15));
  expect((await expectSameAsFresh()).spans).toMatchObject([{ endMs: dayStartMs + 30_000, toMsn: 14 }]);

  // It grows past a hole (msns 15–19 were never stored): two spans with the gap between.
  await store2s(store, recording.id, range(20, 23));
  let timeline = await expectSameAsFresh();
  expect(timeline.spans.map((span) => [span.fromMsn, span.toMsn])).toEqual([[0, 14], [20, 22]]);
  expect(timeline.gaps).toMatchObject([{ startMs: dayStartMs + 30_000, endMs: dayStartMs + 40_000, kind: 'missed-segments' }]);

  // A late segment fills part of the hole (stored after segments with higher msns).
  await store2s(store, recording.id, [15]);
  timeline = await expectSameAsFresh();
  expect(timeline.spans.map((span) => [span.fromMsn, span.toMsn])).toEqual([[0, 15], [20, 22]]);

  // The end is cut off (as "stop at the first 404" does), then more is stored: the cut stays cut.
  await store.endBefore(recording.id, 21);
  timeline = await expectSameAsFresh();
  expect(timeline.spans.map((span) => [span.fromMsn, span.toMsn])).toEqual([[0, 15], [20, 20]]);
  await store2s(store, recording.id, [30]);
  timeline = await expectSameAsFresh();
  expect(timeline.spans.map((span) => [span.fromMsn, span.toMsn])).toEqual([[0, 15], [20, 20], [30, 30]]);

  // Deleted: the day is empty.
  await store.delete(recording.id);
  expect((await expectSameAsFresh()).spans).toEqual([]);
});
