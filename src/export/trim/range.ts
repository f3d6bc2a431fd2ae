import { storedSecAt, timelineEntries } from '../../storage/playback-timeline.ts';
import { startsDiscontinuity, type StoredSegmentTiming } from '../../storage/segment-timeline.ts';
import type { GapRecord } from '../../storage/types.ts';

/**
 * A part of a recording to export, on the recording's playback timeline as the player shows it:
 * seconds from its start, where the stored segments are laid end to end by their EXTINF
 * durations (RFC 8216 section 4.3.2.1) with dropouts kept as time and outages left out
 * (src/storage/playback-timeline.ts). Exports leave dropouts out: {@link toStoredRange}.
 *
 * - `keyframe`: cut without re-encoding (mediabunny): only the segments needed are read, the
 *   file starts at the last video keyframe at or before `startSec` and ends at `endSec`; so it
 *   may start up to one keyframe interval (one segment for HLS) early.
 * - `exact`: re-encoded with ffmpeg.wasm, frame-exact at both ends.
 */
export interface ExportRange {
  /** In point, in seconds of the recording, >= 0. */
  startSec: number;
  /** Out point, in seconds of the recording, > `startSec`. */
  endSec: number;
  mode: 'keyframe' | 'exact';
}

/** Timing of a stored segment needed to place it on the recording's timeline. */
export interface TimedSegment extends StoredSegmentTiming {
  /** EXTINF duration, in seconds. */
  durationSec: number;
  /** Size of the segment's bytes, where known (chunks are limited by it too). */
  byteLength?: number;
}

/** Shortest range accepted, in seconds (one video frame at 25 fps). */
export const MIN_RANGE_SEC = 0.04;

/**
 * Checks a range against a recording's duration.
 * @throws RangeError naming the bad value, in seconds, when `startSec` is negative or not a
 *   number, `endSec` is not after `startSec` by {@link MIN_RANGE_SEC}, or `startSec` is at or past the end.
 */
export function checkRange(range: ExportRange, durationSec: number): void {
  const { startSec, endSec } = range;
  if (!Number.isFinite(startSec) || startSec < 0) throw new RangeError(`The in point must be 0 s or later, not ${startSec} s.`);
  if (!Number.isFinite(endSec) || endSec - startSec < MIN_RANGE_SEC) throw new RangeError(`The out point (${endSec} s) must come after the in point (${startSec} s).`);
  if (startSec >= durationSec) throw new RangeError(`The in point (${startSec} s) is past the end of the recording (${durationSec.toFixed(2)} s).`);
  if (range.mode !== 'keyframe' && range.mode !== 'exact') throw new RangeError(`Unknown trim mode: ${String(range.mode)}.`);
}

/**
 * A range on the recording's stored time (its segments end to end, dropouts left out), where
 * exports lay out the media and where {@link selectSegments} and {@link chunkSegments} count,
 * from a range on its playback timeline. An end inside a dropout moves to the segment after it,
 * so a range wholly inside one comes back empty (`endSec` equal to `startSec`).
 * @param segments - the recording's segments, in media sequence order.
 * @param gaps - the recording's gap records.
 */
export function toStoredRange(range: ExportRange, segments: readonly TimedSegment[], gaps: readonly GapRecord[]): ExportRange {
  const entries = timelineEntries(segments, gaps);
  return { ...range, startSec: storedSecAt(entries, range.startSec), endSec: storedSecAt(entries, range.endSec) };
}

/** The segments a range needs, and where the first of them starts. */
export interface SelectedSegments<T> {
  /** The segments overlapping the range, in order. */
  segments: T[];
  /** Start of the first selected segment, in seconds of the recording. */
  firstStartSec: number;
  /** The range in seconds from the start of the first selected segment, where an export of them cuts. */
  windowSec: { startSec: number; endSec: number };
}

/**
 * Picks the segments overlapping `[startSec, endSec)`, placed end to end by EXTINF duration;
 * `endSec` past the end is clamped to it. Reads no segment bytes.
 * @returns no segments when the range lies past the end.
 */
export function selectSegments<T extends TimedSegment>(segments: readonly T[], startSec: number, endSec: number): SelectedSegments<T> {
  const selected: T[] = [];
  let positionSec = 0;
  let firstStartSec = 0;
  for (const segment of segments) {
    const segmentEndSec = positionSec + segment.durationSec;
    if (segmentEndSec > startSec && positionSec < endSec) {
      if (selected.length === 0) firstStartSec = positionSec;
      selected.push(segment);
    }
    positionSec = segmentEndSec;
  }
  return { segments: selected, firstStartSec, windowSec: { startSec: Math.max(0, startSec - firstStartSec), endSec: endSec - firstStartSec } };
}

/** A stretch of continuous segments transcoded in one ffmpeg run. */
export interface SegmentChunk<T> {
  segments: T[];
  /** Start of the chunk's first segment, in seconds of the recording. */
  startSec: number;
  /** Sum of its segments' EXTINF durations, in seconds. */
  durationSec: number;
  /** Sum of its segments' sizes, in bytes (0 where unknown). */
  bytes: number;
}

/**
 * Groups segments (in order) into chunks of at most `maxChunkSec` and `maxChunkBytes` (a single
 * larger segment makes a chunk of its own), breaking also where timestamps break (see
 * {@link startsDiscontinuity}), so that each chunk's bytes joined are one continuous MPEG-TS.
 * @param firstStartSec where the first segment starts, in seconds of the recording.
 * @param maxChunkBytes largest chunk, in bytes of its segments; segments without `byteLength` count 0.
 * @throws RangeError when `maxChunkSec` or `maxChunkBytes` is not positive.
 */
export function chunkSegments<T extends TimedSegment>(segments: readonly T[], maxChunkSec: number, firstStartSec = 0, maxChunkBytes = Infinity): SegmentChunk<T>[] {
  if (!(maxChunkSec > 0)) throw new RangeError(`The chunk length must be positive, not ${maxChunkSec} s.`);
  if (!(maxChunkBytes > 0)) throw new RangeError(`The chunk size must be positive, not ${maxChunkBytes} bytes.`);
  const chunks: SegmentChunk<T>[] = [];
  let positionSec = firstStartSec;
  let previous: T | undefined;
  for (const segment of segments) {
    const current = chunks.at(-1);
    const breaks = previous === undefined || startsDiscontinuity(previous, segment);
    const bytes = segment.byteLength ?? 0;
    if (!current || breaks || current.durationSec + segment.durationSec > maxChunkSec || current.bytes + bytes > maxChunkBytes) {
      chunks.push({ segments: [segment], startSec: positionSec, durationSec: segment.durationSec, bytes });
    } else {
      current.segments.push(segment);
      current.durationSec += segment.durationSec;
      current.bytes += bytes;
    }
    positionSec += segment.durationSec;
    previous = segment;
  }
  return chunks;
}
