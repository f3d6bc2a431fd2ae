import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Recording, SegmentRecord } from './types.ts';

/** Name of Tapedeck's IndexedDB database. */
export const DB_NAME = 'tapedeck';
/** Current schema version; raise it with an upgrade step, never rewrite an old one. */
export const DB_VERSION = 1;

/** IndexedDB layout: recordings by id, segments by `[recordingId, msn]`. */
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
    },
  });
}

/** Key range of all segments of one recording, in media sequence order. */
export function segmentRange(recordingId: string): IDBKeyRange {
  return IDBKeyRange.bound([recordingId, -Infinity], [recordingId, Infinity]);
}
