import { afterEach, expect, it } from 'vitest';
import type { RecordingStore } from '../storage/recording-store.ts';
import { SettingsStore } from '../storage/settings-store.ts';
import { demoSegment, newRecording, openTestStore, type TestStore } from '../storage/test-fixtures.ts';
import type { Recording } from '../storage/types.ts';
import { applyCameraRetention, planCameraRetention, type PlannedCameraRecording } from './camera-retention.ts';
import { withCameraDefaults, type Camera } from './camera-store.ts';

const opened: { test: TestStore; settings: SettingsStore }[] = [];
afterEach(async () => {
  for (const { test, settings } of opened.splice(0)) {
    settings.close();
    await test.dispose();
  }
});

async function openStores(): Promise<{ store: RecordingStore; settings: SettingsStore }> {
  const test = await openTestStore();
  const settings = await SettingsStore.open(test.dbName);
  opened.push({ test, settings });
  return { store: test.store, settings };
}

/** Noon on a local day of June 2026. */
const noon = (day: number) => new Date(2026, 5, day, 12).getTime();
const dayKey = (day: number) => `2026-06-${String(day).padStart(2, '0')}`;

/** Stores a camera recording of local day `day` of June 2026 with real demo segments. */
async function storeDay(store: RecordingStore, cameraId: string, day: number, segments: number, status: Recording['status'] = 'complete'): Promise<Recording> {
  const recording = await store.create({ ...newRecording({ title: `Cam — ${dayKey(day)}`, startedAtMs: noon(day) - 3_600_000 }), cameraId, dayKey: dayKey(day) } as Parameters<RecordingStore['create']>[0]);
  for (let msn = 0; msn < segments; msn += 1) {
    await store.appendSegment({ recordingId: recording.id, msn, durationSec: 2, discontinuity: false, programDateTimeMs: null, data: await demoSegment(msn) });
  }
  return store.update(recording.id, { status, endedAtMs: status === 'recording' ? null : noon(day) });
}

function cam(retention: Camera['retention']): Camera {
  return withCameraDefaults({ id: 'cam-1', name: 'Cam', streamUrl: 'http://127.0.0.1:1/cam.m3u8', retention });
}

it('a byte cap deletes the oldest days and keeps the day being recorded, even alone over the cap (real IndexedDB)', async () => {
  const { store, settings } = await openStores();
  const day1 = await storeDay(store, 'cam-1', 1, 2);
  const day2 = await storeDay(store, 'cam-1', 2, 2);
  const today = await storeDay(store, 'cam-1', 3, 3, 'recording');
  const otherCamera = await storeDay(store, 'cam-2', 1, 1);
  // Room for today and one more segment: day 1 and day 2 must both go, today stays.
  const capBytes = today.bytes + 1;
  const deleted = await applyCameraRetention([cam({ bytes: capBytes })], store, settings, { logMaxEntries: 10, now: () => noon(3) });
  expect(deleted.map((d) => [d.recordingId, d.reason.kind])).toEqual([
    [day1.id, 'max-bytes'],
    [day2.id, 'max-bytes'],
  ]);
  const kept = (await store.list()).map((r) => r.id).sort();
  expect(kept).toEqual([today.id, otherCamera.id].sort());
  expect(await store.listSegments(day1.id)).toEqual([]);
  expect((await store.listSegments(today.id)).length).toBe(3);
  const log = await settings.get('retentionLog');
  expect(log?.map((e) => e.title)).toEqual(['Cam — 2026-06-01', 'Cam — 2026-06-02']);

  // Today alone over a smaller cap: it is still kept.
  expect(await applyCameraRetention([cam({ bytes: 1 })], store, settings, { logMaxEntries: 10, now: () => noon(3) })).toEqual([]);
  expect((await store.get(today.id))?.segmentCount).toBe(3);
});

it('a cap that the newest days fit in deletes only the oldest day', async () => {
  const { store, settings } = await openStores();
  const day1 = await storeDay(store, 'cam-1', 1, 1);
  const day2 = await storeDay(store, 'cam-1', 2, 1);
  const today = await storeDay(store, 'cam-1', 3, 1);
  const deleted = await applyCameraRetention([cam({ bytes: day2.bytes + today.bytes })], store, settings, { logMaxEntries: 10, now: () => noon(3) });
  expect(deleted.map((d) => d.recordingId)).toEqual([day1.id]);
  expect((await store.list()).map((r) => r.id).sort()).toEqual([day2.id, today.id].sort());
});

it('a days rule keeps the last N local days, today counted', () => {
  const recordings: PlannedCameraRecording[] = [1, 2, 3, 4].map((day) => ({ id: `r${day}`, cameraId: 'cam-1', dayKey: dayKey(day), bytes: 10, status: 'complete', startedAtMs: noon(day) }));
  expect(planCameraRetention(recordings, cam({ days: 2 }), noon(4)).map((d) => [d.recordingId, d.reason])).toEqual([
    ['r1', { kind: 'max-age', maxAgeDays: 2, sourceUrl: 'http://127.0.0.1:1/cam.m3u8', sourceName: 'Cam' }],
    ['r2', { kind: 'max-age', maxAgeDays: 2, sourceUrl: 'http://127.0.0.1:1/cam.m3u8', sourceName: 'Cam' }],
  ]);
  expect(planCameraRetention(recordings, cam({ days: 1 }), noon(4)).map((d) => d.recordingId)).toEqual(['r1', 'r2', 'r3']);
  // No limit: nothing is ever deleted.
  expect(planCameraRetention(recordings, cam({}), noon(30))).toEqual([]);
  // A past day still being recorded (another tab's capture across midnight) stays.
  const running = recordings.map((r) => (r.id === 'r1' ? { ...r, status: 'recording' as const } : r));
  expect(planCameraRetention(running, cam({ days: 1 }), noon(4)).map((d) => d.recordingId)).toEqual(['r2', 'r3']);
});
