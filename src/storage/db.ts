import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { TypedEventTarget } from '../events.ts';
import type { Schedule, ScheduleRun } from '../schedule/types.ts';
import type { SettingKey, SettingValue } from './settings-store.ts';
import type { CameraRecord, InitSectionRecord, Recording, SegmentRecord } from './types.ts';

/** Name of Tapedeck's IndexedDB database. */
export const DB_NAME = 'tapedeck';
/** Current schema version; raise it with an upgrade step, never rewrite an old one. */
export const DB_VERSION = 4;

/**
 * IndexedDB layout: recordings by id, segments by `[recordingId, msn]`; since version 2,
 * schedules by id and their runs by `[scheduleId, startAtMs]`; since version 3, settings
 * (retention rules and log, the persistent-storage request) by name, out-of-line keys; since
 * version 4, init sections of fMP4 recordings by `[recordingId, initSectionId]` (EXT-X-MAP, RFC 8216
 * section 4.3.2.5, stored once per change), cameras by id, and recordings indexed by parent
 * recording (alternate renditions) and by `[cameraId, dayKey]` (a camera's day-long recordings).
 */
export interface TapedeckSchema extends DBSchema {
  recordings: {
    key: string;
    value: Recording;
    indexes: { byStartedAt: number; byParent: string; byCameraDay: [string, string] };
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
  initSections: {
    key: [string, number];
    value: InitSectionRecord;
  };
  cameras: {
    key: string;
    value: CameraRecord;
  };
}

/** An open handle on Tapedeck's database. */
export type TapedeckDb = IDBPDatabase<TapedeckSchema>;

/** Events of the database connections opened in this page or worker ({@link databaseEvents}). */
export interface DatabaseEvents {
  /**
   * Opening `name` waits: another tab (or worker) holds it open on an older schema version
   * and does not let go. It opens once that tab closes or reloads.
   */
  blocked: { name: string; openVersion: number };
  /**
   * Another tab opened `name` on a newer schema version (`newVersion`; null: it deletes the
   * database). This page's connection to it was closed so that the other tab can go on; its
   * stores fail from now on, and the page must reload to use the new version.
   */
  outdated: { name: string; newVersion: number | null };
}

class DatabaseEventTarget extends TypedEventTarget<DatabaseEvents> {
  report<K extends keyof DatabaseEvents>(type: K, detail: DatabaseEvents[K]): void {
    this.emit(type, detail);
  }
}

/**
 * Version changes met by this page's connections (see {@link DatabaseEvents}), for the app to
 * tell the user: an update to a newer schema must not hang a tab without a word.
 */
export const databaseEvents = new DatabaseEventTarget();

/**
 * Opens (and creates or upgrades) Tapedeck's database. Works in windows and workers. The
 * connection closes itself when another tab needs a newer version (or deletes the database),
 * and reports `outdated`; an open that waits for an older tab reports `blocked` (see
 * {@link databaseEvents}).
 * @param name - database name; tests pass their own to stay apart.
 * @throws DOMException when IndexedDB is unavailable (private modes of some browsers).
 */
export function openTapedeckDb(name: string = DB_NAME): Promise<TapedeckDb> {
  return openDB<TapedeckSchema>(name, DB_VERSION, {
    blocked(_currentVersion, blockedVersion) {
      databaseEvents.report('blocked', { name, openVersion: blockedVersion ?? DB_VERSION });
    },
    blocking(_currentVersion, newVersion, event) {
      (event.target as IDBDatabase).close();
      databaseEvents.report('outdated', { name, newVersion });
    },
    upgrade(db, oldVersion, _newVersion, transaction) {
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
      if (oldVersion < 4) {
        db.createObjectStore('initSections', { keyPath: ['recordingId', 'initSectionId'] });
        db.createObjectStore('cameras', { keyPath: 'id' });
        const recordings = transaction.objectStore('recordings');
        recordings.createIndex('byParent', 'parentRecordingId');
        recordings.createIndex('byCameraDay', ['cameraId', 'dayKey']);
      }
    },
  });
}

/** Key range of all segments of one recording, in media sequence order. */
export function segmentRange(recordingId: string): IDBKeyRange {
  return IDBKeyRange.bound([recordingId, -Infinity], [recordingId, Infinity]);
}
