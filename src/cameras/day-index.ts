import { openTapedeckDb, type TapedeckDb } from '../storage/db.ts';
import { SegmentTimingCache } from '../storage/segment-timing-cache.ts';
import type { WallClockSegment } from '../player/wall-clock.ts';
import { timelineEntries } from '../storage/playback-timeline.ts';
import { startsDiscontinuity } from '../storage/segment-timeline.ts';
import type { CameraRecord, GapReason, Recording, SegmentRecord } from '../storage/types.ts';
import { addDays, dayBoundsMs, dayKeyOf } from './local-day.ts';

/**
 * A camera's days: which local calendar days have recordings, and for one day the recorded
 * spans and the gaps between them, on the wall clock. A segment's wall-clock time is its
 * EXT-X-PROGRAM-DATE-TIME (RFC 8216 section 4.3.2.6) where the stream gives one, else it is
 * estimated from when it was stored (arrival time minus its duration).
 */

/** The timing fields of a stored segment read here. */
export type TimedSegment = Pick<SegmentRecord, 'msn' | 'durationSec' | 'discontinuity' | 'programDateTimeMs' | 'storedAtMs'>;

/** Where a segment's wall-clock time came from. */
export type WallClockSource = 'program-date-time' | 'arrival';

/** One segment placed on the wall clock; times in ms since the Unix epoch. */
export interface SegmentWallClock {
  msn: number;
  durationSec: number;
  /** Wall-clock time of the segment's first sample. */
  startMs: number;
  /** `startMs` plus the segment's EXTINF duration. */
  endMs: number;
  source: WallClockSource;
}

/**
 * Places one recording's segments on the wall clock. Within a run of segments that continue
 * each other (consecutive media sequence numbers, no EXT-X-DISCONTINUITY: see
 * {@link startsDiscontinuity}) a segment without EXT-X-PROGRAM-DATE-TIME follows the one before
 * it, as RFC 8216 section 4.3.2.6 says; a run with no date at all is placed by arrival time: a
 * segment cannot be stored before its last sample exists, so the run starts no later than the
 * earliest of `storedAtMs - (duration of the run up to and including that segment)`, and that
 * bound is taken (it is exact for the segment fetched soonest after it was published).
 * @param segments - one recording's segments, in media sequence order.
 * @returns one entry per segment, in the same order.
 */
export function segmentWallClock(segments: readonly TimedSegment[]): SegmentWallClock[] {
  const placed: SegmentWallClock[] = [];
  let runStart = 0;
  while (runStart < segments.length) {
    let runEnd = runStart + 1;
    while (runEnd < segments.length && !startsDiscontinuity(segments[runEnd - 1], segments[runEnd]!)) runEnd += 1;
    const run = segments.slice(runStart, runEnd);
    const offsetsMs: number[] = [];
    let cumulativeMs = 0;
    for (const segment of run) {
      offsetsMs.push(cumulativeMs);
      cumulativeMs += segment.durationSec * 1000;
    }
    const datedIndex = run.findIndex((segment) => segment.programDateTimeMs !== null);
    let anchorMs: number;
    if (datedIndex >= 0) {
      anchorMs = run[datedIndex]!.programDateTimeMs! - offsetsMs[datedIndex]!;
    } else {
      // A reduce, not Math.min(...): a run can be a day of 1-second segments, too many arguments to spread.
      anchorMs = run.reduce((min, segment, index) => Math.min(min, segment.storedAtMs - offsetsMs[index]! - segment.durationSec * 1000), Infinity);
    }
    let previous: SegmentWallClock | undefined;
    run.forEach((segment, index) => {
      const dated = segment.programDateTimeMs !== null;
      const startMs = dated ? segment.programDateTimeMs! : previous ? previous.endMs : anchorMs + offsetsMs[index]!;
      previous = {
        msn: segment.msn,
        durationSec: segment.durationSec,
        startMs,
        endMs: startMs + segment.durationSec * 1000,
        source: dated || datedIndex >= 0 ? 'program-date-time' : 'arrival',
      };
      placed.push(previous);
    });
    runStart = runEnd;
  }
  return placed;
}

/**
 * Local days a recording covers, from its start to its end (or, while recording, to the end
 * of its stored media), plus its own `dayKey`.
 */
export function recordingDayKeys(recording: Pick<Recording, 'startedAtMs' | 'endedAtMs' | 'durationSec' | 'dayKey'>, timeZone?: string): string[] {
  const keys = new Set<string>();
  if (recording.dayKey) keys.add(recording.dayKey);
  const endMs = Math.max(recording.startedAtMs, recording.endedAtMs ?? recording.startedAtMs + recording.durationSec * 1000);
  let key = dayKeyOf(recording.startedAtMs, timeZone);
  const lastKey = dayKeyOf(endMs, timeZone);
  for (let guard = 0; guard < 400 && key <= lastKey; guard += 1) {
    keys.add(key);
    key = addDays(key, 1);
  }
  return [...keys].sort();
}

/** A stretch of a day that a recording has media for; times in ms since the Unix epoch. */
export interface DaySpan {
  recordingId: string;
  startMs: number;
  endMs: number;
  /** Media sequence numbers of its first and last segment. */
  fromMsn: number;
  toMsn: number;
  source: WallClockSource;
}

/**
 * Why a stretch between two spans has no media:
 * - `missed-segments`: the stream had segments there that the recording lacks (a recorded gap,
 *   {@link GapRecord}: they slid out of the live window, failed, ...);
 * - `stream-outage`: the recording's media continues, but the stream's clock jumped (the
 *   camera or its server was down, or restarted with EXT-X-DISCONTINUITY);
 * - `not-recording`: no recording of the camera was running.
 */
export type DayGapKind = 'missed-segments' | 'stream-outage' | 'not-recording';

/** A stretch between two spans with no media; times in ms since the Unix epoch. */
export interface DayGap {
  startMs: number;
  endMs: number;
  kind: DayGapKind;
  /** For `missed-segments`: the recorded reason, when the recording noted one. */
  reason: GapReason | null;
}

/** A camera's day on the wall clock. */
export interface DayTimeline {
  dayKey: string;
  /** Local 00:00 of the day and of the next day, in ms since the Unix epoch (23, 24 or 25 h apart). */
  startMs: number;
  endMs: number;
  /** Recorded stretches clipped to the day, by start time. */
  spans: DaySpan[];
  /** Stretches between spans with no media, by start time (none before the first span or after the last). */
  gaps: DayGap[];
  /**
   * Each recording's playback timeline (its segments and dropouts, as its generated playlist
   * lists them: src/storage/playback-timeline.ts) on the wall clock, by recording id (not
   * clipped): what a {@link WallClockMap} of the recording is made from.
   */
  playbackByRecording: Map<string, WallClockSegment[]>;
}

/** Options of {@link buildDayTimeline}. */
export interface DayTimelineOptions {
  /** IANA zone name; the browser's zone when not given. */
  timeZone?: string;
  /**
   * Largest break between two segments of a recording still drawn as one span, in ms (clock
   * jitter of dated segments). Default {@link DEFAULT_JOIN_TOLERANCE_MS} (the app passes
   * `review.spanJoinToleranceMs` of src/config.ts).
   */
  joinToleranceMs?: number;
}

/** Default of {@link DayTimelineOptions.joinToleranceMs}, in ms. */
export const DEFAULT_JOIN_TOLERANCE_MS = 1000;

/**
 * Builds a camera's day: the recordings' segments on the wall clock, joined into spans,
 * clipped to the local day, with the gaps between spans classified (see {@link DayGapKind}).
 * @param recordings - the camera's recordings that may touch the day, each with its segments
 *   in media sequence order.
 * @throws RangeError for a malformed day key.
 */
export function buildDayTimeline(dayKey: string, recordings: readonly { recording: Pick<Recording, 'id' | 'gaps'>; segments: readonly TimedSegment[] }[], options: DayTimelineOptions = {}): DayTimeline {
  const { startMs: dayStartMs, endMs: dayEndMs } = dayBoundsMs(dayKey, options.timeZone);
  const toleranceMs = options.joinToleranceMs ?? DEFAULT_JOIN_TOLERANCE_MS;
  const playbackByRecording = new Map<string, WallClockSegment[]>();
  const spans: DaySpan[] = [];
  for (const { recording, segments } of recordings) {
    const placed = segmentWallClock(segments);
    playbackByRecording.set(recording.id, playbackWallClock(segments, placed, recording.gaps));
    let open: DaySpan | null = null;
    for (const segment of placed) {
      if (open && segment.startMs - open.endMs <= toleranceMs && segment.startMs >= open.startMs) {
        open.endMs = Math.max(open.endMs, segment.endMs);
        open.toMsn = segment.msn;
        continue;
      }
      if (open) spans.push(open);
      open = { recordingId: recording.id, startMs: segment.startMs, endMs: segment.endMs, fromMsn: segment.msn, toMsn: segment.msn, source: segment.source };
    }
    if (open) spans.push(open);
  }
  const clipped = spans
    .map((span) => ({ ...span, startMs: Math.max(span.startMs, dayStartMs), endMs: Math.min(span.endMs, dayEndMs) }))
    .filter((span) => span.endMs > span.startMs)
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const gapsByRecording = new Map(recordings.map(({ recording }) => [recording.id, recording.gaps]));
  const gaps: DayGap[] = [];
  let latest: DaySpan | null = null;
  for (const span of clipped) {
    if (latest && span.startMs - latest.endMs > toleranceMs) {
      gaps.push({ startMs: latest.endMs, endMs: span.startMs, ...classifyGap(latest, span, gapsByRecording.get(span.recordingId) ?? []) });
    }
    if (!latest || span.endMs > latest.endMs) latest = span;
  }
  return { dayKey, startMs: dayStartMs, endMs: dayEndMs, spans: clipped, gaps, playbackByRecording };
}

/**
 * A recording's playback timeline on the wall clock: its placed segments (`placed`, from
 * {@link segmentWallClock} of `segments`), with each dropout (marked `dropout`) starting where
 * the entry before it ends.
 */
function playbackWallClock(segments: readonly TimedSegment[], placed: readonly SegmentWallClock[], gaps: Recording['gaps']): WallClockSegment[] {
  // `placed` has one entry per segment, in the same order as the timeline lists them.
  let placedIndex = 0;
  let endMs = 0;
  return timelineEntries(segments, gaps).map((entry) => {
    const startMs = entry.kind === 'segment' ? placed[placedIndex++]!.startMs : endMs;
    const durationSec = entry.kind === 'segment' ? entry.segment.durationSec : entry.durationSec;
    endMs = startMs + durationSec * 1000;
    return entry.kind === 'segment' ? { durationSec, startMs } : { durationSec, startMs, dropout: true };
  });
}

function classifyGap(before: DaySpan, after: DaySpan, recordedGaps: readonly Recording['gaps'][number][]): Pick<DayGap, 'kind' | 'reason'> {
  if (before.recordingId !== after.recordingId) return { kind: 'not-recording', reason: null };
  if (after.fromMsn === before.toMsn + 1) return { kind: 'stream-outage', reason: null };
  const recorded = recordedGaps.find((gap) => gap.fromMsn > before.toMsn && gap.fromMsn < after.fromMsn);
  return { kind: 'missed-segments', reason: recorded?.reason ?? null };
}

/** A camera for the review picker: a stored camera, or an id found only on recordings. */
export interface ReviewCamera {
  id: string;
  name: string;
}

/**
 * Reads a camera's days from IndexedDB (the `cameras` store and the `byCameraDay` index of
 * `recordings`). Read-only: it never changes what is stored.
 */
export class CameraDayIndex {
  /** A day that grows while it is watched is read on from its last segment, not whole again. */
  private readonly segmentTiming: SegmentTimingCache;

  private constructor(private readonly db: TapedeckDb) {
    this.segmentTiming = new SegmentTimingCache(db);
  }

  /**
   * Opens the index on the named database (tests pass their own name).
   * @throws DOMException when IndexedDB is unavailable.
   */
  static async open(dbName?: string): Promise<CameraDayIndex> {
    return new CameraDayIndex(await openTapedeckDb(dbName));
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }

  /**
   * Every camera that can be reviewed, by name: the stored cameras, and any other `cameraId`
   * found on recordings (named by the id), so that a group of recordings is reviewable too.
   */
  async listCameras(): Promise<ReviewCamera[]> {
    const cameras = new Map<string, ReviewCamera>();
    for (const camera of (await this.db.getAll('cameras')) as CameraRecord[]) cameras.set(camera.id, { id: camera.id, name: camera.name });
    let cursor = await this.db.transaction('recordings').store.index('byCameraDay').openKeyCursor(null, 'nextunique');
    while (cursor) {
      const [cameraId] = cursor.key;
      if (!cameras.has(cameraId)) cameras.set(cameraId, { id: cameraId, name: cameraId });
      cursor = await cursor.continue([cameraId, '\uffff']);
    }
    return [...cameras.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A camera's recordings (alternate renditions left out), by start time. */
  async cameraRecordings(cameraId: string): Promise<Recording[]> {
    const range = IDBKeyRange.bound([cameraId, ''], [cameraId, '\uffff']);
    const recordings = await this.db.getAllFromIndex('recordings', 'byCameraDay', range);
    return recordings.filter((recording) => !recording.parentRecordingId).sort((a, b) => a.startedAtMs - b.startedAtMs);
  }

  /**
   * Local days on which a camera has recordings, `YYYY-MM-DD` (a recording across midnight
   * counts for every day it covers).
   * @param timeZone - IANA zone name; the browser's zone when not given.
   */
  async daysWithRecordings(cameraId: string, timeZone?: string): Promise<Set<string>> {
    const days = new Set<string>();
    for (const recording of await this.cameraRecordings(cameraId)) {
      if (recording.segmentCount === 0) continue;
      for (const key of recordingDayKeys(recording, timeZone)) days.add(key);
    }
    return days;
  }

  /**
   * A camera's day on the wall clock (see {@link buildDayTimeline}), from the recordings that
   * touch it and their stored segments.
   * @throws RangeError for a malformed day key.
   */
  async dayTimeline(cameraId: string, dayKey: string, options: DayTimelineOptions = {}): Promise<{ timeline: DayTimeline; recordings: Recording[] }> {
    const touching = (await this.cameraRecordings(cameraId)).filter((recording) => recording.segmentCount > 0 && recordingDayKeys(recording, options.timeZone).includes(dayKey));
    const withSegments = await Promise.all(touching.map(async (recording) => ({ recording, segments: (await this.segmentTiming.read(recording.id)).segments })));
    // Only the day shown is kept read.
    this.segmentTiming.keepOnly(new Set(touching.map((recording) => recording.id)));
    return { timeline: buildDayTimeline(dayKey, withSegments, options), recordings: touching };
  }
}
