import { ALL_FORMATS, BlobSource, Input } from 'mediabunny';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { DEMO_SEGMENT_SEC, openTestStore, storeDemoRecording, type TestStore } from '../../storage/test-fixtures.ts';
import { exportRecording } from '../exporter.ts';
import { planKeyframeCut } from './keyframe-cut.ts';

let testStore: TestStore;
beforeEach(async () => {
  testStore = await openTestStore();
});
afterEach(async () => {
  await testStore.dispose();
});

test('plans only the segments needed, from the keyframe at or before the in point', async () => {
  const recording = await storeDemoRecording(testStore.store, [0, 1, 2, 3, 4, 5]);
  const segments = await testStore.store.listSegments(recording.id);
  const cut = await planKeyframeCut(segments, { startSec: 3.3, endSec: 7.1 });
  expect(cut.segments.map((segment) => segment.msn)).toEqual([1, 2, 3]);
  // The demo clip has a keyframe at the start of every 2 s segment (its video starts a few
  // frames after its audio); the in point, 1.3 s into segment 1, is well after it.
  expect(cut.windowSec.startSec).toBeGreaterThanOrEqual(0);
  expect(cut.windowSec.startSec).toBeLessThan(0.2);
  expect(cut.windowSec.endSec).toBeCloseTo(5.1, 5);
});

test('a keyframe-cut MP4 starts on a keyframe and lasts the range plus at most one segment', async () => {
  const recording = await storeDemoRecording(testStore.store, [0, 1, 2, 3, 4, 5]);
  const exported = await exportRecording(recording, { format: 'mp4', range: { startSec: 3.3, endSec: 7.1, mode: 'keyframe' }, dbName: testStore.dbName });
  const input = new Input({ source: new BlobSource(exported.file), formats: ALL_FORMATS });
  try {
    const durationSec = await input.computeDuration();
    expect(durationSec).toBeGreaterThanOrEqual(3.8 - 0.05);
    expect(durationSec).toBeLessThanOrEqual(3.8 + DEMO_SEGMENT_SEC);
    // It may start early, at the keyframe, but no frame runs past the out point.
    const cut = await planKeyframeCut(await testStore.store.listSegments(recording.id), { startSec: 3.3, endSec: 7.1 });
    expect(durationSec).toBeLessThanOrEqual(cut.windowSec.endSec - cut.windowSec.startSec + 0.001);
    const video = (await input.getPrimaryVideoTrack())!;
    expect(await video.getFirstTimestamp()).toBeCloseTo(0, 1);
    expect(exported.durationSec).toBeCloseTo(durationSec, 0);
  } finally {
    input.dispose();
  }
  // Only read: the recording keeps all its segments.
  expect(await testStore.store.listSegments(recording.id)).toHaveLength(6);
});
