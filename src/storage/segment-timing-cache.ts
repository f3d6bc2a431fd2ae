import { segmentRange, type TapedeckDb } from './db.ts';
import type { Recording, SegmentRecord } from './types.ts';

/** A stored segment without its bytes: what playlists and timelines are built from. */
export type SegmentTiming = Omit<SegmentRecord, 'recordingId' | 'data'>;

/** What {@link SegmentTimingCache.read} read, from one snapshot of the database. */
export interface SegmentTimingRead {
  /** The recording as stored then, or undefined when it does not exist (any more). */
  recording: Recording | undefined;
  /** Its segments' timing, in media sequence order; none when the recording does not exist. */
  segments: readonly SegmentTiming[];
}

/**
 * Reads recordings' segment timing again and again as they grow (a player reloading the
 * playlist of a recording in progress every target duration, the review rereading a camera's
 * day) without reading every segment record each time: a day of 2 s segments is 43,200
 * records, about a second to read whole. What was read is kept; a read fetches only segments
 * after the last msn kept, in one transaction with the recording, and reads the recording whole
 * again when what it kept may be out of date: when the last msn kept is gone (segments are only
 * ever removed from the end, by `RecordingStore.endBefore`, or all at once with the recording),
 * or when the total differs from the recording's `segmentCount` (a segment was stored below the
 * last msn read, as concurrent VOD fetches do). So a read gives what a fresh read would.
 */
export class SegmentTimingCache {
  private readonly kept = new Map<string, SegmentTiming[]>();

  constructor(private readonly db: TapedeckDb) {}

  /**
   * A recording and its segments' timing, as stored now.
   * @throws DOMException when IndexedDB fails.
   */
  async read(recordingId: string): Promise<SegmentTimingRead> {
    const cached = this.kept.get(recordingId) ?? [];
    const lastMsn = cached.at(-1)?.msn ?? -Infinity;
    const tx = this.db.transaction(['recordings', 'segments']);
    const [recording, added, lastKept] = await Promise.all([
      tx.objectStore('recordings').get(recordingId),
      tx.objectStore('segments').getAll(IDBKeyRange.bound([recordingId, lastMsn], [recordingId, Infinity], true)),
      cached.length === 0 ? undefined : tx.objectStore('segments').getKey([recordingId, lastMsn]),
    ]);
    if (!recording) {
      await tx.done;
      this.kept.delete(recordingId);
      return { recording, segments: [] };
    }
    let segments = cached.concat(added.map(timingOf));
    const cutOff = cached.length > 0 && lastKept === undefined;
    if (cutOff || segments.length !== recording.segmentCount) {
      segments = (await tx.objectStore('segments').getAll(segmentRange(recordingId))).map(timingOf);
    }
    await tx.done;
    this.kept.set(recordingId, segments);
    return { recording, segments };
  }

  /** Lets go of what was read of every recording but `recordingIds`. */
  keepOnly(recordingIds: ReadonlySet<string>): void {
    for (const recordingId of this.kept.keys()) {
      if (!recordingIds.has(recordingId)) this.kept.delete(recordingId);
    }
  }

  /** Lets go of what was read of one recording (it will not be read again soon). */
  forget(recordingId: string): void {
    this.kept.delete(recordingId);
  }
}

/** A segment record's timing fields, without its bytes (which would keep the Blob alive). */
function timingOf({ recordingId: _recordingId, data: _data, ...timing }: SegmentRecord): SegmentTiming {
  return timing;
}
