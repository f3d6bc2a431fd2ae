import { afterEach, describe, expect, test } from 'vitest';
import { DB_VERSION } from './db.ts';
import { SettingsStore } from './settings-store.ts';
import { deleteTestDatabase } from './test-fixtures.ts';
import type { Recording } from './types.ts';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A unique database name, deleted after the test (once every connection is closed). */
function testDbName(): string {
  const name = 'test-' + crypto.randomUUID();
  cleanups.push(() => deleteTestDatabase(name));
  return name;
}

function requestDone<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

async function open(name: string): Promise<SettingsStore> {
  const store = await SettingsStore.open(name);
  cleanups.push(() => store.close());
  return store;
}

describe('SettingsStore', () => {
  test('a value written is read back by another connection, which hears of the change', async () => {
    const name = testDbName();
    const writer = await open(name);
    const reader = await open(name);
    expect(await reader.get('persistenceAskedAtMs')).toBeUndefined();

    const heard = new Promise<string>((resolve) => reader.on('change', ({ key }) => resolve(key)));
    const stored = await writer.update('persistenceAskedAtMs', (current) => current ?? 42);
    expect(stored).toBe(42);
    expect(await heard).toBe('persistenceAskedAtMs');
    expect(await reader.get('persistenceAskedAtMs')).toBe(42);
    expect(await writer.update('persistenceAskedAtMs', (current) => current ?? 99)).toBe(42);
  });

  test('updates at once from two connections both land', async () => {
    const name = testDbName();
    const [a, b] = [await open(name), await open(name)];
    const rule = (sourceUrl: string) => ({ sourceUrl, sourceName: sourceUrl, maxBytes: 1, maxAgeDays: null });
    await Promise.all([
      a.update('retentionRules', (rules = []) => [...rules, rule('a')]),
      b.update('retentionRules', (rules = []) => [...rules, rule('b')]),
    ]);
    expect((await a.get('retentionRules'))!.map((r) => r.sourceUrl).sort()).toEqual(['a', 'b']);
  });
});

describe('database upgrade from version 2', () => {
  test('a version 2 database keeps its recordings and gains the settings, init section and camera stores and the new indexes', async () => {
    const name = testDbName();
    const v2 = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name, 2);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore('recordings', { keyPath: 'id' }).createIndex('byStartedAt', 'startedAtMs');
        db.createObjectStore('segments', { keyPath: ['recordingId', 'msn'] });
        db.createObjectStore('schedules', { keyPath: 'id' });
        db.createObjectStore('scheduleRuns', { keyPath: ['scheduleId', 'startAtMs'] }).createIndex('byStartAt', 'startAtMs');
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('open failed'));
    });
    const old = { id: 'old-1', title: 'Kept through the upgrade', startedAtMs: 1 } as Recording;
    await requestDone(v2.transaction('recordings', 'readwrite').objectStore('recordings').put(old));
    v2.close();

    const settings = await open(name);
    await settings.update('persistenceAskedAtMs', () => 7);
    const v3 = await requestDone(indexedDB.open(name));
    try {
      expect(v3.version).toBe(DB_VERSION);
      expect([...v3.objectStoreNames].sort()).toEqual(['cameras', 'initSections', 'recordings', 'scheduleRuns', 'schedules', 'segments', 'settings']);
      const recordings = v3.transaction('recordings').objectStore('recordings');
      expect([...recordings.indexNames].sort()).toEqual(['byCameraDay', 'byParent', 'byStartedAt']);
      expect(await requestDone(recordings.get('old-1'))).toEqual(old);
    } finally {
      v3.close();
    }
  });
});
