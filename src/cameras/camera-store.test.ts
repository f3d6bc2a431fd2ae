import { afterEach, expect, it } from 'vitest';
import { deleteTestDatabase } from '../storage/test-fixtures.ts';
import { CameraNotFoundError, CameraStore, CameraValidationError } from './camera-store.ts';

const opened: CameraStore[] = [];
async function openStore(): Promise<CameraStore> {
  const store = await CameraStore.open(`test-cameras-${crypto.randomUUID()}`);
  opened.push(store);
  return store;
}
afterEach(async () => {
  for (const store of opened.splice(0)) {
    store.close();
    await deleteTestDatabase(store.dbName);
  }
});

it('adds cameras with defaults, lists them oldest first, edits and removes them', async () => {
  const store = await openStore();
  const porch = await store.add({ name: ' Porch ', streamUrl: 'http://127.0.0.1:1/porch.m3u8' }, 2000);
  const gate = await store.add({ name: 'Gate', streamUrl: 'http://127.0.0.1:1/gate.m3u8', source: 'relay', relayCameraId: 'cam-1', recordMode: 'continuous', splitEveryHours: 6, retention: { days: 7 } }, 1000);
  expect(porch).toMatchObject({ name: 'Porch', source: 'hls', recordMode: 'off', splitEveryHours: 24, retention: {}, createdAtMs: 2000 });
  expect((await store.list()).map((c) => c.name)).toEqual(['Gate', 'Porch']);
  expect(await store.get(gate.id)).toEqual(gate);

  const edited = await store.update(porch.id, { recordMode: 'continuous', retention: { bytes: 1e9 } });
  expect(edited).toMatchObject({ recordMode: 'continuous', retention: { bytes: 1e9 }, name: 'Porch' });
  await store.remove(porch.id);
  expect((await store.list()).map((c) => c.name)).toEqual(['Gate']);
});

it('reads records written without the optional fields with their defaults', async () => {
  const store = await openStore();
  const { openTapedeckDb } = await import('../storage/db.ts');
  const db = await openTapedeckDb(store.dbName);
  await db.put('cameras', { id: 'bare', name: 'Bare', streamUrl: 'http://127.0.0.1:1/bare.m3u8' });
  db.close();
  expect(await store.get('bare')).toEqual({ id: 'bare', name: 'Bare', streamUrl: 'http://127.0.0.1:1/bare.m3u8', source: 'hls', recordMode: 'off', splitEveryHours: 24, retention: {}, createdAtMs: 0 });
});

it('refuses invalid cameras with a clear message and keeps what was stored', async () => {
  const store = await openStore();
  await expect(store.add({ name: '', streamUrl: 'http://127.0.0.1:1/a.m3u8' })).rejects.toThrow('Give the camera a name.');
  await expect(store.add({ name: 'A', streamUrl: 'rtsp://cam/stream' })).rejects.toThrow(/must start with http:\/\/ or https:\/\//);
  await expect(store.add({ name: 'A', streamUrl: 'not a url' })).rejects.toThrow(CameraValidationError);
  await expect(store.add({ name: 'A', streamUrl: 'http://127.0.0.1:1/a.m3u8', splitEveryHours: 5 })).rejects.toThrow(/Split every 5 hours/);
  await expect(store.add({ name: 'A', streamUrl: 'http://127.0.0.1:1/a.m3u8', retention: { days: 0.5 } })).rejects.toThrow(/whole number of days/);
  await expect(store.add({ name: 'A', streamUrl: 'http://127.0.0.1:1/a.m3u8', source: 'relay' })).rejects.toThrow(/relay camera needs its id/);
  const kept = await store.add({ name: 'Kept', streamUrl: 'http://127.0.0.1:1/k.m3u8' });
  await expect(store.update(kept.id, { name: '  ' })).rejects.toThrow('Give the camera a name.');
  await expect(store.update('missing', { name: 'X' })).rejects.toThrow(CameraNotFoundError);
  expect(await store.list()).toEqual([kept]);
});

it('tells other stores on the same database about changes', async () => {
  const store = await openStore();
  const other = await CameraStore.open(store.dbName);
  try {
    const heard = new Promise<string | null>((resolve) => other.on('change', ({ cameraId }) => resolve(cameraId), { once: true }));
    const camera = await store.add({ name: 'A', streamUrl: 'http://127.0.0.1:1/a.m3u8' });
    expect(await heard).toBe(camera.id);
  } finally {
    other.close();
  }
});
