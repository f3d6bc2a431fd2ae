import type { TapedeckDb } from './db.ts';
import type { InitSectionRecord } from './types.ts';

/**
 * The `initSections` store: fMP4/CMAF init sections (EXT-X-MAP, RFC 8216 section 4.3.2.5) of
 * recordings, keyed `[recordingId, initSectionId]`, stored once per change of init section
 * (capture decides what a change is: see src/capture/init-section.ts). Segments name theirs by
 * `SegmentRecord.initSectionId`. These functions take an open database; {@link RecordingStore}
 * wraps them, and deletes a recording's init sections with the recording.
 */

/** Key range of all init sections of one recording, in initSectionId order. */
export function initSectionRange(recordingId: string): IDBKeyRange {
  return IDBKeyRange.bound([recordingId, -Infinity], [recordingId, Infinity]);
}

/**
 * Stores an init section in `db` (a readwrite transaction over `initSections` of its own).
 * An id already stored for the recording is overwritten.
 * @throws DOMException `QuotaExceededError` when storage is full (nothing is written).
 */
export async function putInitSection(db: TapedeckDb, record: InitSectionRecord): Promise<void> {
  await db.put('initSections', record);
}

/** One init section, or undefined when the recording has no such id. */
export function getInitSection(db: TapedeckDb, recordingId: string, initSectionId: number): Promise<InitSectionRecord | undefined> {
  return db.get('initSections', [recordingId, initSectionId]);
}

/** All init sections of a recording, by ascending initSectionId; empty for MPEG-TS and packed audio. */
export function listInitSections(db: TapedeckDb, recordingId: string): Promise<InitSectionRecord[]> {
  return db.getAll('initSections', initSectionRange(recordingId));
}
