import { TypedEventTarget } from '../events.ts';
import { openTapedeckDb, segmentRange, type TapedeckDb } from './db.ts';
import { getInitSection, initSectionRange, listInitSections, putInitSection } from './init-sections.ts';
import type { GapRecord, InitSectionRecord, Recording, RecordingKind, RecordingStatus, SegmentRecord, TimeRange, UrlTemplate } from './types.ts';
import { SegmentTimingCache } from './segment-timing-cache.ts';

/** What a new recording starts with; the store fills in the rest. */
export interface NewRecording {
  title: string;
  sourceName: string;
  sourceUrl: string;
  mediaPlaylistUrl: string;
  /** Wall clock at start, in ms since the Unix epoch. */
  startedAtMs: number;
  /** For an alternate rendition recorded alongside a main recording: that recording's id. */
  parentRecordingId?: string;
  /** For a recording made from a URL template: the template, kept so the recording can be resumed. */
  urlTemplate?: UrlTemplate;
  /** For a recording of part of a VOD: the part, kept so that resuming fetches only that part. */
  timeRange?: TimeRange;
}

/** A segment to store; `byteLength` and `storedAtMs` are filled in by the store. */
export type NewSegment = Omit<SegmentRecord, 'byteLength' | 'storedAtMs'>;

/** Fields of a recording that capture may change after creation. */
export interface RecordingPatch {
  codecs?: string[];
  kind?: RecordingKind | null;
  status?: RecordingStatus;
  endedAtMs?: number | null;
  lastError?: string | null;
  tags?: Recording['tags'];
  schedule?: Recording['schedule'];
}

/** Payload of the store's `change` event; `recordingId` is null when many changed. */
export interface RecordingChange {
  recordingId: string | null;
}

/** Thrown for a recording id that is not (or no longer) in the database. */
export class RecordingNotFoundError extends Error {
  constructor(readonly recordingId: string) {
    super(`No recording with id ${recordingId}: it may have been deleted.`);
    this.name = 'RecordingNotFoundError';
  }
}


/** Events of {@link RecordingStore}. */
export interface RecordingStoreEvents {
  change: RecordingChange;
}

/**
 * Recordings and their segments in IndexedDB. Every segment is written in the same
 * transaction as its recording's totals, so after a crash the metadata always agrees
 * with the segments stored. Dispatches `change` ({@link RecordingChange} as `detail`)
 * after every write, in this tab and, through a BroadcastChannel, in other tabs.
 *
 * Storage errors (a `QuotaExceededError` DOMException when the disk or quota is full)
 * are thrown to the caller unchanged; a failed transaction leaves nothing half written.
 */
export class RecordingStore extends TypedEventTarget<RecordingStoreEvents> {
  private readonly channel: BroadcastChannel;

  private constructor(private readonly db: TapedeckDb) {
    super();
    // One channel per database, so stores on other databases (tests) do not hear each other.
    this.channel = new BroadcastChannel(`tapedeck-recordings:${db.name}`);
    this.channel.onmessage = (event: MessageEvent<RecordingChange>) => this.notify(event.data, false);
  }

  /** Name of the database this store works on, for workers that open it too. */
  get dbName(): string {
    return this.db.name;
  }

  /** Opens the store on the named database (tests pass their own name). */
  static async open(dbName?: string): Promise<RecordingStore> {
    return new RecordingStore(await openTapedeckDb(dbName));
  }

  /** Closes the database and the cross-tab channel. */
  close(): void {
    this.channel.close();
    this.db.close();
  }

  /** Creates a recording with status `recording` and no segments. */
  async create(init: NewRecording): Promise<Recording> {
    const recording: Recording = {
      id: crypto.randomUUID(),
      ...init,
      endedAtMs: null,
      durationSec: 0,
      bytes: 0,
      segmentCount: 0,
      gapCount: 0,
      gapSec: 0,
      gaps: [],
      codecs: [],
      kind: null,
      status: 'recording',
      lastError: null,
    };
    await this.db.put('recordings', recording);
    this.notify({ recordingId: recording.id });
    return recording;
  }

  /**
   * Stores one segment and adds it to its recording's totals, atomically. A segment whose
   * media sequence number is already stored is not stored again.
   * @returns the updated recording, and whether the segment was new.
   * @throws RecordingNotFoundError if the recording was deleted meanwhile.
   * @throws DOMException `QuotaExceededError` when storage is full (nothing is written).
   */
  async appendSegment(segment: NewSegment, storedAtMs: number = Date.now()): Promise<{ recording: Recording; added: boolean }> {
    const tx = this.db.transaction(['recordings', 'segments'], 'readwrite');
    const recordings = tx.objectStore('recordings');
    const segments = tx.objectStore('segments');
    const recording = await recordingIn(tx, segment.recordingId);
    const existing = await segments.getKey([segment.recordingId, segment.msn]);
    if (existing !== undefined) {
      await tx.done;
      return { recording, added: false };
    }
    const record: SegmentRecord = { ...segment, byteLength: segment.data.size, storedAtMs };
    await segments.put(record);
    recording.durationSec += segment.durationSec;
    recording.bytes += record.byteLength;
    recording.segmentCount += 1;
    await recordings.put(recording);
    await tx.done;
    this.notify({ recordingId: recording.id });
    return { recording, added: true };
  }

  /** Adds a gap to a recording's gap list and totals. */
  async addGap(recordingId: string, gap: GapRecord): Promise<Recording> {
    return this.mutate(recordingId, (recording) => {
      recording.gaps.push(gap);
      recording.gapCount += gap.count;
      recording.gapSec += gap.durationSec;
    });
  }

  /**
   * Removes the gaps `drop` picks from a recording's gap list and totals (a resumed VOD fetches
   * its missing segments again; any that fail again make new gaps).
   */
  async removeGaps(recordingId: string, drop: (gap: GapRecord) => boolean): Promise<Recording> {
    return this.mutate(recordingId, (recording) => {
      const dropped = recording.gaps.filter(drop);
      recording.gaps = recording.gaps.filter((gap) => !drop(gap));
      for (const gap of dropped) {
        recording.gapCount -= gap.count;
        recording.gapSec -= gap.durationSec;
      }
    });
  }

  /**
   * Cuts a recording off before media sequence number `endMsn`: deletes its segments from
   * `endMsn` on and takes them off its totals, drops its gaps from there on and shortens one
   * that runs past it (its duration in proportion), in one transaction. A URL template that
   * stops at its first missing segment ends there, although segments after it, fetched at the
   * same time, may have been stored.
   * @returns the updated recording.
   * @throws RecordingNotFoundError for an unknown id.
   */
  async endBefore(recordingId: string, endMsn: number): Promise<Recording> {
    const tx = this.db.transaction(['recordings', 'segments'], 'readwrite');
    const recordings = tx.objectStore('recordings');
    const recording = await recordingIn(tx, recordingId);
    let cursor = await tx.objectStore('segments').openCursor(IDBKeyRange.bound([recordingId, endMsn], [recordingId, Infinity]));
    while (cursor) {
      recording.durationSec -= cursor.value.durationSec;
      recording.bytes -= cursor.value.byteLength;
      recording.segmentCount -= 1;
      await cursor.delete();
      cursor = await cursor.continue();
    }
    const gaps: GapRecord[] = [];
    for (const gap of recording.gaps) {
      const count = Math.min(gap.count, endMsn - gap.fromMsn);
      const kept = gap.fromMsn >= endMsn ? null : count === gap.count ? gap : { ...gap, count, durationSec: (gap.durationSec * count) / gap.count };
      recording.gapCount -= gap.count - (kept?.count ?? 0);
      recording.gapSec -= gap.durationSec - (kept?.durationSec ?? 0);
      if (kept) gaps.push(kept);
    }
    recording.gaps = gaps;
    await recordings.put(recording);
    await tx.done;
    this.notify({ recordingId });
    return recording;
  }

  /** Changes capture-owned fields of a recording. */
  async update(recordingId: string, patch: RecordingPatch): Promise<Recording> {
    return this.mutate(recordingId, (recording) => Object.assign(recording, patch));
  }

  /**
   * Gives a recording a new title.
   * @throws RangeError for a title that is empty after trimming.
   */
  async rename(recordingId: string, title: string): Promise<Recording> {
    const trimmed = title.trim();
    if (!trimmed) throw new RangeError('A recording needs a title; the new title is empty.');
    return this.mutate(recordingId, (recording) => {
      recording.title = trimmed;
    });
  }

  /**
   * Deletes a recording and all its segments and fMP4 init sections, which frees their storage, together with its
   * alternate renditions (child recordings) and theirs. Unknown ids are a no-op.
   */
  async delete(recordingId: string): Promise<void> {
    const tx = this.db.transaction(['recordings', 'segments', 'initSections'], 'readwrite');
    const recordings = tx.objectStore('recordings');
    const childIds = await recordings.index('byParent').getAllKeys(recordingId);
    for (const id of [recordingId, ...childIds]) {
      await tx.objectStore('segments').delete(segmentRange(id));
      await tx.objectStore('initSections').delete(initSectionRange(id));
      await recordings.delete(id);
    }
    await tx.done;
    this.notify({ recordingId });
  }

  /**
   * Stores an fMP4 init section of a recording (EXT-X-MAP, RFC 8216 section 4.3.2.5); see
   * src/storage/init-sections.ts. Its bytes are not counted in the recording's `bytes`.
   * @throws DOMException `QuotaExceededError` when storage is full.
   */
  putInitSection(record: InitSectionRecord): Promise<void> {
    return putInitSection(this.db, record);
  }

  /** One init section of a recording, or undefined. */
  getInitSection(recordingId: string, initSectionId: number): Promise<InitSectionRecord | undefined> {
    return getInitSection(this.db, recordingId, initSectionId);
  }

  /** All init sections of a recording, by initSectionId; empty for MPEG-TS and packed audio. */
  listInitSections(recordingId: string): Promise<InitSectionRecord[]> {
    return listInitSections(this.db, recordingId);
  }

  /** One recording, or undefined. */
  get(recordingId: string): Promise<Recording | undefined> {
    return this.db.get('recordings', recordingId);
  }

  /** All recordings, newest start first. */
  async list(): Promise<Recording[]> {
    const all = await this.db.getAllFromIndex('recordings', 'byStartedAt');
    return all.reverse();
  }

  /** All segments of a recording in media sequence order; `data` Blobs are read lazily by the browser. */
  listSegments(recordingId: string): Promise<SegmentRecord[]> {
    return this.db.getAll('segments', segmentRange(recordingId));
  }

  /**
   * A reader of recordings' segment timing that reads only what was stored since its last read
   * (see {@link SegmentTimingCache}), for a playlist reloaded while a recording grows.
   */
  segmentTimingCache(): SegmentTimingCache {
    return new SegmentTimingCache(this.db);
  }

  /**
   * The media sequence numbers of a recording's stored segments, ascending, without reading
   * their data (for resuming a recording: what is already there).
   */
  async listSegmentMsns(recordingId: string): Promise<number[]> {
    const keys = await this.db.getAllKeys('segments', segmentRange(recordingId));
    return keys.map(([, msn]) => msn);
  }

  /** The alternate renditions recorded alongside `recordingId` (index `byParent`), oldest first. */
  listChildren(recordingId: string): Promise<Recording[]> {
    return this.db.getAllFromIndex('recordings', 'byParent', recordingId);
  }

  /** One segment, or undefined. */
  getSegment(recordingId: string, msn: number): Promise<SegmentRecord | undefined> {
    return this.db.get('segments', [recordingId, msn]);
  }

  /**
   * Marks recordings left in status `recording` by a closed or crashed tab as `interrupted`,
   * ending them at their last stored segment. Nothing stored is removed.
   * @param isActive - tells whether another open tab is still recording that id.
   * @returns the ids marked.
   */
  async recoverInterrupted(isActive: (recordingId: string) => Promise<boolean>): Promise<string[]> {
    const marked: string[] = [];
    for (const recording of await this.db.getAll('recordings')) {
      if (recording.status !== 'recording' || (await isActive(recording.id))) continue;
      const last = await this.db.transaction('segments').store.openCursor(segmentRange(recording.id), 'prev');
      const lastStoredAtMs = last?.value.storedAtMs ?? recording.startedAtMs;
      await this.update(recording.id, { status: 'interrupted', endedAtMs: lastStoredAtMs });
      marked.push(recording.id);
    }
    return marked;
  }

  private async mutate(recordingId: string, change: (recording: Recording) => void): Promise<Recording> {
    const tx = this.db.transaction('recordings', 'readwrite');
    const recording = await recordingIn(tx, recordingId);
    change(recording);
    await tx.store.put(recording);
    await tx.done;
    this.notify({ recordingId });
    return recording;
  }

  private notify(change: RecordingChange, broadcast = true): void {
    this.emit('change', change);
    if (broadcast) this.channel.postMessage(change);
  }
}

/** A read-write transaction over the `recordings` store (and perhaps others). */
interface RecordingsTransaction {
  objectStore(name: 'recordings'): { get(recordingId: string): Promise<Recording | undefined> };
  abort(): void;
  readonly done: Promise<void>;
}

/**
 * Reads recording `recordingId` in `tx`.
 * @throws RecordingNotFoundError when there is none, after aborting `tx` (nothing it did is kept).
 */
async function recordingIn(tx: RecordingsTransaction, recordingId: string): Promise<Recording> {
  const recording = await tx.objectStore('recordings').get(recordingId);
  if (recording) return recording;
  tx.abort();
  await tx.done.catch(() => undefined);
  throw new RecordingNotFoundError(recordingId);
}
