import { afterEach, expect, it } from 'vitest';
import { databaseEvents, DB_VERSION, openTapedeckDb, type DatabaseEvents } from './db.ts';
import { deleteTestDatabase } from './test-fixtures.ts';

/**
 * Version changes between tabs: a tab on a newer schema must not hang behind an older tab, and
 * an open that has to wait says so. Real IndexedDB; "another tab" is a second connection.
 */

const names: string[] = [];
afterEach(async () => {
  for (const name of names.splice(0)) await deleteTestDatabase(name);
});
const testName = () => {
  const name = `test-db-${crypto.randomUUID()}`;
  names.push(name);
  return name;
};

/** Opens `name` at `version` with the raw API, as another version of the app would. */
function rawOpen(name: string, version: number, upgrade?: (db: IDBDatabase) => void): { request: IDBOpenDBRequest; opened: Promise<IDBDatabase> } {
  const request = indexedDB.open(name, version);
  if (upgrade) request.onupgradeneeded = () => upgrade(request.result);
  const opened = new Promise<IDBDatabase>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return { request, opened };
}

function nextEvent<K extends keyof DatabaseEvents>(type: K, name: string): Promise<DatabaseEvents[K]> {
  return new Promise((resolve) => {
    const stop = databaseEvents.on(type, (detail) => {
      if (detail.name !== name) return;
      stop();
      resolve(detail);
    });
  });
}

it('a connection lets a newer version open: it closes itself and reports that this page is out of date', async () => {
  const name = testName();
  const db = await openTapedeckDb(name);
  await db.put('settings', 'http://192.168.1.10:8787', 'relayUrl');
  const outdated = nextEvent('outdated', name);
  const newer = rawOpen(name, DB_VERSION + 1);
  const newerDb = await newer.opened;
  expect(await outdated).toEqual({ name, newVersion: DB_VERSION + 1 });
  expect(() => db.transaction('settings')).toThrow(/closing|closed/i);
  // What was stored is still there for the newer version.
  const read = await new Promise((resolve) => {
    const request = newerDb.transaction('settings').objectStore('settings').get('relayUrl');
    request.onsuccess = () => resolve(request.result);
  });
  expect(read).toBe('http://192.168.1.10:8787');
  newerDb.close();
});

it('an open behind an older connection that holds on reports that it waits, and opens once that one closes', async () => {
  const name = testName();
  // Tapedeck's first schema, with no versionchange handler: it never lets go by itself.
  const older = await rawOpen(name, 1, (db) => {
    db.createObjectStore('recordings', { keyPath: 'id' }).createIndex('byStartedAt', 'startedAtMs');
    db.createObjectStore('segments', { keyPath: ['recordingId', 'msn'] });
  }).opened;
  const blocked = nextEvent('blocked', name);
  let opened = false;
  const opening = openTapedeckDb(name).then((db) => {
    opened = true;
    return db;
  });
  expect(await blocked).toEqual({ name, openVersion: DB_VERSION });
  expect(opened).toBe(false);
  older.close();
  const db = await opening;
  expect([...db.objectStoreNames].sort()).toEqual(['cameras', 'initSections', 'recordings', 'scheduleRuns', 'schedules', 'segments', 'settings']);
  db.close();
});
