import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Schedule, ScheduleRun } from '../schedule/types.ts';
import type { SettingKey, SettingValue } from './settings-store.ts';
import type { Recording, SegmentRecord } from './types.ts';

/** Name of Tapedeck's IndexedDB database. */
export const DB_NAME = 'tapedeck';
/** Current schema version; raise it with an upgrade step, never rewrite an old one. */
export const DB_VERSION = 3;

/**
 * IndexedDB layout: recordings by id, segments by `[recordingId, msn]`; since version 2,
 * schedules by id and their runs by `[scheduleId, startAtMs]`; since version 3, settings
 * (retention rules and log, the persistent-storage request) by name, out-of-line keys.
 */
export interface TapedeckSchema extends DBSchema {
  recordings: {
    key: string;
    value: Recording;
    indexes: { byStartedAt: number };
  };
  segments: {
    key: [string, number];
    value: SegmentRecord;
  };
  schedules: {
    key: string;
    value: Schedule;
  };
  scheduleRuns: {
    key: [string, number];
    value: ScheduleRun;
    indexes: { byStartAt: number };
  };
  settings: {
    key: SettingKey;
    value: SettingValue;
  };
}

/** An open handle on Tapedeck's database. */
export type TapedeckDb = IDBPDatabase<TapedeckSchema>;

/**
 * Opens (and creates or upgrades) Tapedeck's database. Works in windows and workers.
 * @param name - database name; tests pass their own to stay apart.
 * @throws DOMException when IndexedDB is unavailable (private modes of some browsers).
 */
export function openTapedeckDb(name: string = DB_NAME): Promise<TapedeckDb> {
  return openDB<TapedeckSchema>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        const recordings = db.createObjectStore('recordings', { keyPath: 'id' });
        recordings.createIndex('byStartedAt', 'startedAtMs');
        db.createObjectStore('segments', { keyPath: ['recordingId', 'msn'] });
      }
      if (oldVersion < 2) {
        db.createObjectStore('schedules', { keyPath: 'id' });
        const runs = db.createObjectStore('scheduleRuns', { keyPath: ['scheduleId', 'startAtMs'] });
        runs.createIndex('byStartAt', 'startAtMs');
      }
      if (oldVersion < 3) {
        db.createObjectStore('settings');
      }
    },
  });
}

/** Key range of all segments of one recording, in media sequence order. */
export function segmentRange(recordingId: string): IDBKeyRange {
  return IDBKeyRange.bound([recordingId, -Infinity], [recordingId, Infinity]);
}
