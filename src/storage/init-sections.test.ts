import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { RetentionKeeper } from './retention-keeper.ts';
import { SettingsStore } from './settings-store.ts';
import { newRecording, openTestStore, type TestStore } from './test-fixtures.ts';

/** The `initSections` store through RecordingStore: kept apart per recording, deleted with it. */

const SOURCE = 'https://radio.example/fmp4.m3u8';
const T0 = 1_800_000_000_000;
let t: TestStore;

beforeEach(async () => {
  t = await openTestStore();
});
afterEach(() => t.dispose());

async function fmp4Recording(startedAtMs: number, initBytes: number[]) {
  const recording = await t.store.create(newRecording({ sourceUrl: SOURCE, startedAtMs, title: `at ${startedAtMs}` }));
  for (const [initSectionId, size] of initBytes.entries()) {
    await t.store.putInitSection({ recordingId: recording.id, initSectionId, data: new Blob([new Uint8Array(size)]) });
  }
  await t.store.appendSegment({ recordingId: recording.id, msn: 0, durationSec: 2, discontinuity: false, programDateTimeMs: null, data: new Blob([new Uint8Array(1000)]), initSectionId: 0 });
  return t.store.update(recording.id, { status: 'complete', endedAtMs: startedAtMs + 2000 });
}

describe('init sections in IndexedDB', () => {
  test('are read back per recording by id, in id order, and are not counted in the recording\'s bytes', async () => {
    const a = await fmp4Recording(T0, [700, 800]);
    const b = await fmp4Recording(T0 + 1, [900]);
    expect((await t.store.listInitSections(a.id)).map((i) => [i.initSectionId, i.data.size])).toEqual([[0, 700], [1, 800]]);
    expect((await t.store.getInitSection(b.id, 0))?.data.size).toBe(900);
    expect(await t.store.getInitSection(b.id, 1)).toBeUndefined();
    expect(a.bytes).toBe(1000);
    expect((await t.store.listSegments(a.id))[0]?.initSectionId).toBe(0);
  });

  test('deleting a recording deletes its init sections, and only its own', async () => {
    const a = await fmp4Recording(T0, [700]);
    const b = await fmp4Recording(T0 + 1, [900]);
    await t.store.delete(a.id);
    expect(await t.store.listInitSections(a.id)).toEqual([]);
    expect(await t.store.listInitSections(b.id)).toHaveLength(1);
  });

  test('retention deletes the init sections of the recordings it deletes', async () => {
    const settings = await SettingsStore.open(t.dbName);
    const keeper = new RetentionKeeper(t.store, settings, { logMaxEntries: 3, now: () => T0 + 10_000 });
    try {
      const oldest = await fmp4Recording(T0, [700]);
      const newest = await fmp4Recording(T0 + 1, [900]);
      await keeper.start();
      const deleted = await keeper.saveRule({ sourceUrl: SOURCE, sourceName: 'Radio', maxBytes: 1500, maxAgeDays: null });
      expect(deleted.map((d) => d.recordingId)).toEqual([oldest.id]);
      expect(await t.store.listInitSections(oldest.id)).toEqual([]);
      expect(await t.store.listInitSections(newest.id)).toHaveLength(1);
    } finally {
      keeper.stop();
      settings.close();
    }
  });
});
