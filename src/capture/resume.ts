/**
 * Continuing a recording after an outage: a pause, or a tab that closed or crashed and was
 * reopened (`RecordRequest.resumeRecordingId`). Segments already stored are not fetched again,
 * media sequence numbers stay increasing in the recording even when a live stream restarted
 * its numbering, and the time capture was away is recorded as a gap with reason `outage`.
 */

import { isRecordingLockHeld } from '../storage/recording-lock.ts';
import { RecordingNotFoundError, type RecordingStore } from '../storage/recording-store.ts';
import type { GapRecord, Recording } from '../storage/types.ts';
import { segmentIv } from './aes-128.ts';
import { CaptureError } from './errors.ts';
import type { PlaylistSegment } from './playlist.ts';
import type { DetectedGap, TrackerUpdate } from './segment-tracker.ts';

/** Where a stored recording left off. */
export interface ResumePoint {
  recording: Recording;
  /** Media sequence numbers of the segments stored, ascending (RFC 8216 section 4.3.3.2). */
  storedMsns: number[];
  /**
   * When capture stopped: the recording's end, else its last segment's storage time, else its
   * start; in ms since the Unix epoch.
   */
  interruptedAtMs: number;
}

/**
 * Reads what a recording holds so that it can be resumed.
 * @param isActive - tells whether some open tab is still capturing that id (default: its Web Lock is held).
 * @param asRendition - true when the main recording's recorder resumes one of its renditions.
 * @throws RecordingNotFoundError for an unknown id; CaptureError `resume-refused` for a recording
 *   another tab is still capturing, or an alternate rendition (resume its main recording instead).
 */
export async function loadResumePoint(
  store: RecordingStore,
  recordingId: string,
  isActive: (recordingId: string) => Promise<boolean> = isRecordingLockHeld,
  asRendition = false,
): Promise<ResumePoint> {
  const recording = await store.get(recordingId);
  if (!recording) throw new RecordingNotFoundError(recordingId);
  if (recording.parentRecordingId && !asRendition) {
    throw new CaptureError('resume-refused', `"${recording.title}" is an alternate rendition: resume its main recording instead.`, false);
  }
  if (await isActive(recordingId)) {
    throw new CaptureError('resume-refused', `"${recording.title}" is still being recorded in another tab or window.`, false);
  }
  const storedMsns = await store.listSegmentMsns(recordingId);
  const last = storedMsns.at(-1);
  const lastSegment = last === undefined ? undefined : await store.getSegment(recordingId, last);
  const interruptedAtMs = recording.endedAtMs ?? lastSegment?.storedAtMs ?? recording.startedAtMs;
  return { recording, storedMsns, interruptedAtMs };
}

/** Segments and gaps of one playlist load, numbered as the recording stores them. */
export interface ContinuedUpdate {
  segments: PlaylistSegment[];
  gaps: DetectedGap[];
}

/** What {@link MsnContinuity} starts from. */
export interface ContinuityStart {
  /** Media sequence numbers already stored (a resumed recording), else empty. */
  storedMsns?: readonly number[];
  /**
   * The resumed recording's gap records. A live stream goes on after the last msn stored or
   * reported missing, so a segment that failed just before the interruption is not fetched
   * again and counted missing too; {@link openRecording} first drops the gaps it fetches again.
   */
  gaps?: readonly Pick<GapRecord, 'fromMsn' | 'count'>[];
  /**
   * When capture went away, in ms since the Unix epoch, for a resumed recording; null for a new
   * one. The next live segment then closes an `outage` gap.
   */
  outageStartedAtMs?: number | null;
}

/**
 * Maps the segments a {@link SegmentTracker} finds to the numbers the recording stores them
 * under, across outages (pauses, and resumes after a reload):
 * - a VOD (EXT-X-ENDLIST) skips every msn already stored and records no outage: nothing of it
 *   is missing, it is fetched later. But after an outage, msns between the last stored one and
 *   the first listed are an `outage` gap: a live stream that ended while capture was away lists
 *   only its last window (its first segment is then a discontinuity);
 * - a live stream continues after the last msn stored or reported missing. When the first
 *   segment after an outage does not follow the last stored one (msns were skipped, or the
 *   stream restarted its numbering), an `outage` gap of the wall-clock time away and of the msns
 *   skipped is recorded before it, and it is marked as a discontinuity (RFC 8216 section
 *   4.3.2.3), so exports and players restart their timeline there; when it does follow, nothing
 *   is missing and no gap is recorded. A restart is a playlist whose every msn is below the last stored one; every
 *   later msn is then shifted up by a fixed offset.
 * - a live stream that restarts its numbering while capture goes on (the tracker's
 *   `restartedFromMsn`) is shifted up the same way, its first segment marked as a
 *   discontinuity; no gap is recorded, as capture was not away.
 *
 * Live msns handed on are strictly increasing: a segment at or below the last one is dropped.
 */
export class MsnContinuity {
  private readonly stored: Set<number>;
  /** Added to live playlist msns to give stored msns. */
  private offset = 0;
  /** Highest msn (recording numbering) handed on or stored; null before any. */
  private lastMsn: number | null;
  private outageStartedAtMs: number | null;

  constructor(start: ContinuityStart = {}) {
    this.stored = new Set(start.storedMsns ?? []);
    // Not Math.max(...msns): spreading a recording of 125,000 or so segments overflows the stack.
    const lastStored = start.storedMsns?.length ? start.storedMsns.reduce((max, msn) => Math.max(max, msn)) : null;
    const missing = (start.gaps ?? []).filter((gap) => gap.count > 0);
    this.lastMsn = missing.reduce<number | null>((max, gap) => Math.max(max ?? -1, gap.fromMsn + gap.count - 1), lastStored);
    this.outageStartedAtMs = start.outageStartedAtMs ?? null;
  }

  /** Offset added to live msns after a numbering restart; 0 when the numbering went on. */
  get msnOffset(): number {
    return this.offset;
  }

  /** Capture stops fetching from now on (a pause); the next live segment closes the outage. */
  beginOutage(nowMs: number): void {
    this.outageStartedAtMs ??= nowMs;
  }

  /**
   * How many of a VOD's `segments` are still to fetch (those not stored yet).
   */
  remaining(segments: readonly PlaylistSegment[]): number {
    return segments.reduce((n, segment) => (this.stored.has(segment.msn) ? n : n + 1), 0);
  }

  /**
   * Takes one tracker update and gives it in the recording's numbering, with the outage gap.
   * @param endList - the playlist has EXT-X-ENDLIST (a VOD, or a live stream that ended).
   * @param nowMs - wall clock, in ms since the Unix epoch.
   */
  apply(update: Pick<TrackerUpdate, 'newSegments' | 'gaps' | 'restartedFromMsn'>, endList: boolean, nowMs: number): ContinuedUpdate {
    if (endList && this.offset === 0 && update.restartedFromMsn === undefined) {
      // A VOD: what is stored is skipped, the rest is fetched now. A live stream that ended
      // while capture was away may list only its last window: what went before it is lost.
      const segments = update.newSegments.filter((segment) => !this.stored.has(segment.msn));
      const gaps = [...update.gaps];
      const lost = this.outageStartedAtMs === null ? null : this.lostBefore(update.newSegments, update.gaps, nowMs);
      this.outageStartedAtMs = null;
      if (lost) {
        gaps.push(lost);
        const first = segments.findIndex((segment) => segment.msn === lost.fromMsn + lost.count);
        if (first >= 0) segments[first] = { ...segments[first]!, discontinuity: true };
      }
      return { segments, gaps };
    }
    const gaps: DetectedGap[] = [];
    const last = update.newSegments.at(-1);
    let restarted = false;
    if (last && this.lastMsn !== null && (update.restartedFromMsn !== undefined || (this.outageStartedAtMs !== null && last.msn + this.offset < this.lastMsn))) {
      // The stream restarted its numbering: the tracker saw it go back, or, after an outage,
      // every listed segment is below what is stored.
      this.offset = this.lastMsn + 1 - update.newSegments[0]!.msn;
      restarted = true;
    }
    for (const gap of update.gaps) gaps.push({ ...gap, fromMsn: gap.fromMsn + this.offset });
    const segments = this.offset ? update.newSegments.map((segment) => renumbered(segment, this.offset)) : [...update.newSegments];
    const handed: PlaylistSegment[] = [];
    for (const segment of segments) {
      if (this.lastMsn !== null && segment.msn <= this.lastMsn) continue;
      // The first segment after a restart starts a new timeline.
      let discontinuity = segment.discontinuity || (restarted && handed.length === 0);
      if (this.outageStartedAtMs !== null) {
        const fromMsn = this.lastMsn === null ? segment.msn : this.lastMsn + 1;
        const count = segment.msn - fromMsn;
        if (this.lastMsn !== null && (count > 0 || restarted)) {
          const durationSec = Math.max(0, nowMs - this.outageStartedAtMs) / 1000;
          gaps.push({ fromMsn, count, durationSec, reason: 'outage' });
          discontinuity = true;
        }
        this.outageStartedAtMs = null;
      }
      handed.push(discontinuity === segment.discontinuity ? segment : { ...segment, discontinuity });
      this.lastMsn = segment.msn;
    }
    return { segments: handed, gaps };
  }

  /**
   * The `outage` gap between the last stored msn and the first that an ended stream's playlist
   * still lists (or a gap already found covers), or null when nothing lies between. Its
   * duration is the listed segments' mean duration per missing msn, at most the time away.
   */
  private lostBefore(listed: readonly PlaylistSegment[], found: readonly DetectedGap[], nowMs: number): DetectedGap | null {
    if (this.lastMsn === null || listed.length === 0) return null;
    const coveredFromMsn = found.reduce((min, gap) => Math.min(min, gap.fromMsn), listed[0]!.msn);
    const count = coveredFromMsn - (this.lastMsn + 1);
    if (count <= 0) return null;
    const meanSec = listed.reduce((sum, segment) => sum + segment.durationSec, 0) / listed.length;
    const awaySec = Math.max(0, nowMs - this.outageStartedAtMs!) / 1000;
    return { fromMsn: this.lastMsn + 1, count, durationSec: Math.min(awaySec, count * meanSec), reason: 'outage' };
  }
}

/**
 * `segment` stored `offset` msns further on. An AES-128 key without IV takes the media
 * sequence number as IV (RFC 8216 section 5.2): that IV is written out first, so decryption
 * still uses the playlist's number.
 */
function renumbered(segment: PlaylistSegment, offset: number): PlaylistSegment {
  const key = segment.key && !segment.key.iv ? { ...segment.key, iv: segmentIv(null, segment.msn) } : segment.key;
  return { ...segment, key, msn: segment.msn + offset };
}

