import type { GapReason } from '../storage/types.ts';
import type { MediaPlaylistSnapshot, PlaylistSegment } from './playlist.ts';

/** Segments a recording will not have, found while tracking a live playlist. */
export interface DetectedGap {
  /** Media sequence number of the first missing segment. */
  fromMsn: number;
  count: number;
  /**
   * Their duration in seconds. Segments never seen in any loaded playlist count one target
   * duration each, the most RFC 8216 section 4.3.3.1 allows a segment to last.
   */
  durationSec: number;
  reason: GapReason;
}

/** What one playlist load means for the recording. */
export interface TrackerUpdate {
  /** Segments not seen before, in media sequence order: fetch each exactly once. */
  newSegments: PlaylistSegment[];
  /** Segments that left the playlist window before this client saw them. */
  gaps: DetectedGap[];
  /** True when the load brought a new segment or EXT-X-ENDLIST (drives RFC 8216 section 6.3.4 timing). */
  changed: boolean;
  /**
   * Set when the playlist restarted its numbering (an encoder or packager restart): every
   * listed msn lies below the previous load's window, and it is not an older copy of a window
   * already seen; or the msns it lists again were stamped anew, later (see
   * {@link SegmentTracker}). Its value is the last msn handed out before; `newSegments` then
   * holds the whole new window, in the stream's new numbering.
   */
  restartedFromMsn?: number;
}

/**
 * How many listed segments the tracker remembers (msn, URI and program date time) to tell an
 * older copy of the playlist, as a lagging CDN edge serves it, from a restarted numbering.
 */
const REMEMBERED_SEGMENTS = 1000;

/**
 * How much later, in target durations, a msn listed again must be stamped
 * (EXT-X-PROGRAM-DATE-TIME) for a load that overlaps the last window to count as a restarted
 * numbering. Packagers that stamp each load from the wall clock move a segment's time by less
 * than one target duration.
 */
const RESTAMPED_TARGET_DURATIONS = 2;

/** What the tracker remembers of a segment it saw listed. */
interface ListedSegment {
  /** See {@link fingerprint}. */
  fingerprint: string;
  programDateTimeMs: number | null;
}

/**
 * Follows successive loads of one live media playlist and decides, by media sequence number
 * (RFC 8216 section 4.3.3.2 and 6.3.2), which segments are new and which were missed.
 *
 * The first load of a live playlist starts `liveEdgeSegmentCount` segments from its end,
 * where a player would join (section 6.3.3); a playlist with EXT-X-ENDLIST is taken whole.
 * A media sequence number is handed out once only, so a segment listed in many loads is
 * fetched once.
 *
 * The media sequence number must not decrease (section 6.2.1), but a restarted encoder or
 * packager starts its numbering again. A load whose every msn lies below the previous load's
 * first is taken as such a restart (`restartedFromMsn`, its window taken whole) unless a
 * segment it lists was listed before under the same msn, URI path and program date time: then
 * it is an older copy of the playlist (a lagging CDN edge), which brings nothing new. An
 * encoder that restarted while its playlist could not be loaded may already have numbered past
 * the previous load's first msn: a load that lists msns seen before, each with its own
 * EXT-X-PROGRAM-DATE-TIME more than two target durations later than before, is a restart too
 * (without program date times such a restart cannot be told from the stream going on; the
 * segments of the new numbering below the next expected msn are then not fetched). Any other
 * load that lists msns of the previous window again brings only what is above them, and, after
 * a restart, a load listing the old numbering's segments again brings nothing. (URI query
 * strings are left out of the comparison, since some CDNs sign each load's URIs anew; an edge
 * lagging by more than a whole window, on such a CDN, would be taken for a restart.)
 */
export class SegmentTracker {
  private nextMsn: number | null = null;
  private endList = false;
  /** What the last segments listed were, by msn, oldest first. */
  private readonly listed = new Map<number, ListedSegment>();
  /** First msn of the last playlist taken in, null before the first. */
  private windowFirstMsn: number | null = null;

  constructor(private readonly liveEdgeSegmentCount: number) {
    if (!Number.isInteger(liveEdgeSegmentCount) || liveEdgeSegmentCount < 1) {
      throw new RangeError(`liveEdgeSegmentCount must be a whole number of segments >= 1, got ${liveEdgeSegmentCount}`);
    }
  }

  /** The media sequence number the next new segment must have, or null before the first load. */
  get expectedMsn(): number | null {
    return this.nextMsn;
  }

  /** Takes one loaded playlist and tells what is new and what was missed since the last. */
  ingest(playlist: MediaPlaylistSnapshot): TrackerUpdate {
    const nextMsn = this.nextMsn;
    // Only a restart leaves listed msns at or above nextMsn: such a segment listed again is an
    // older copy of the playlist, from before the restart.
    if (nextMsn !== null && playlist.segments.some((segment) => segment.msn >= nextMsn && this.listed.get(segment.msn)?.fingerprint === fingerprint(segment))) {
      return { newSegments: [], gaps: [], changed: false };
    }
    const endListChanged = playlist.endList && !this.endList;
    this.endList ||= playlist.endList;
    const first = playlist.segments[0];
    const last = playlist.segments.at(-1);
    if (!first || !last) return { newSegments: [], gaps: [], changed: endListChanged };

    const gaps: DetectedGap[] = [];
    let startMsn: number;
    let restartedFromMsn: number | undefined;
    if (this.restarted(playlist)) {
      restartedFromMsn = this.nextMsn! - 1;
      startMsn = first.msn;
    } else if (this.nextMsn === null) {
      startMsn = playlist.endList ? first.msn : Math.max(first.msn, last.msn - this.liveEdgeSegmentCount + 1);
    } else {
      startMsn = this.nextMsn;
      if (first.msn > this.nextMsn) {
        const count = first.msn - this.nextMsn;
        gaps.push({ fromMsn: this.nextMsn, count, durationSec: count * playlist.targetDurationSec, reason: 'slid-out' });
        startMsn = first.msn;
      }
    }
    const newSegments = playlist.segments.filter((segment) => segment.msn >= startMsn);
    this.nextMsn = Math.max(startMsn, last.msn + 1);
    this.remember(playlist.segments);
    this.windowFirstMsn = first.msn;
    const update: TrackerUpdate = { newSegments, gaps, changed: newSegments.length > 0 || endListChanged };
    if (restartedFromMsn !== undefined) update.restartedFromMsn = restartedFromMsn;
    return update;
  }

  /**
   * Whether a load restarted the numbering: every msn it lists lies below the last window and
   * none is a segment listed before (an older copy), or every msn it lists again was stamped
   * anew, more than {@link RESTAMPED_TARGET_DURATIONS} target durations later than before (an
   * encoder that restarted and has already numbered past where the last window began).
   */
  private restarted(playlist: MediaPlaylistSnapshot): boolean {
    if (this.windowFirstMsn === null) return false;
    const again = playlist.segments.flatMap((segment) => {
      const before = this.listed.get(segment.msn);
      return before ? [{ before, segment }] : [];
    });
    if (playlist.segments.at(-1)!.msn < this.windowFirstMsn) return again.every(({ before, segment }) => before.fingerprint !== fingerprint(segment));
    const minJumpMs = RESTAMPED_TARGET_DURATIONS * playlist.targetDurationSec * 1000;
    return (
      again.length > 0 &&
      again.every(({ before, segment }) => before.programDateTimeMs !== null && segment.programDateTimeMs !== null && segment.programDateTimeMs - before.programDateTimeMs > minJumpMs)
    );
  }

  private remember(segments: readonly PlaylistSegment[]): void {
    for (const segment of segments.slice(-REMEMBERED_SEGMENTS)) {
      // Deleted first, so that a number listed again counts as the newest.
      this.listed.delete(segment.msn);
      this.listed.set(segment.msn, { fingerprint: fingerprint(segment), programDateTimeMs: segment.programDateTimeMs });
    }
    // A Map iterates in insertion order: the first keys are the oldest.
    for (const msn of this.listed.keys()) {
      if (this.listed.size <= REMEMBERED_SEGMENTS) break;
      this.listed.delete(msn);
    }
  }
}

/**
 * What tells one segment from another listed under the same msn: its URI without query or
 * fragment (which a CDN may sign anew for each load), and its wall-clock time.
 */
function fingerprint(segment: PlaylistSegment): string {
  return `${segment.programDateTimeMs ?? ''} ${segment.uri.split(/[?#]/, 1)[0]}`;
}
