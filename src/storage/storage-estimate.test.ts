import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SettingsStore } from './settings-store.ts';
import { askPersistenceOnFirstStart, readPersistence, readStorageEstimate, requestPersistence } from './storage-estimate.ts';
import { newRecording, openTestStore, type TestStore } from './test-fixtures.ts';

let t: TestStore;
let settings: SettingsStore;

beforeEach(async () => {
  t = await openTestStore();
  settings = await SettingsStore.open(t.dbName);
});

afterEach(async () => {
  settings.close();
  await t.dispose();
});

describe('the browser storage estimate (real Chromium)', () => {
  test('reports usage within quota, and usage grows by what a recording stores', async () => {
    const before = await readStorageEstimate();
    expect(before).not.toBeNull();
    expect(before!.quotaBytes).toBeGreaterThan(0);
    expect(before!.usageBytes).toBeGreaterThanOrEqual(0);
    expect(before!.usageBytes).toBeLessThanOrEqual(before!.quotaBytes);

    const { id } = await t.store.create(newRecording());
    const segmentBytes = 4 * 1024 * 1024;
    await t.store.appendSegment({ recordingId: id, msn: 0, durationSec: 2, discontinuity: false, programDateTimeMs: null, data: new Blob([new Uint8Array(segmentBytes).fill(7)]) });
    await expect.poll(async () => (await readStorageEstimate())!.usageBytes).toBeGreaterThanOrEqual(before!.usageBytes + segmentBytes / 2);
  });
});

describe('persistence', () => {
  test('reading and asking give one of the three states, and asking twice gives the same answer', async () => {
    const states = ['persistent', 'best-effort', 'unsupported'];
    const read = await readPersistence();
    expect(states).toContain(read);
    const asked = await requestPersistence();
    expect(states).toContain(asked);
    expect(await requestPersistence()).toBe(asked);
    expect(await readPersistence()).toBe(asked);
  });

  test('the first start asks once and remembers it; later starts only read', async () => {
    const first = await askPersistenceOnFirstStart(settings, 1234);
    const state = await readPersistence();
    if (first.asked) {
      expect(await settings.get('persistenceAskedAtMs')).toBe(1234);
    } else {
      // Already persistent (or unsupported): there was nothing to ask for.
      expect(state).not.toBe('best-effort');
    }
    const second = await askPersistenceOnFirstStart(settings, 5678);
    expect(second).toEqual({ state, asked: false });
    if (first.asked) expect(await settings.get('persistenceAskedAtMs')).toBe(1234);
  });
});
