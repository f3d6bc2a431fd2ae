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
}

/**
 * Follows successive loads of one live media playlist and decides, by media sequence number
 * (RFC 8216 section 4.3.3.2 and 6.3.2), which segments are new and which were missed.
 *
 * The first load of a live playlist starts `liveEdgeSegmentCount` segments from its end,
 * where a player would join (section 6.3.3); a playlist with EXT-X-ENDLIST is taken whole.
 * A media sequence number is handed out once only, so a segment listed in many loads is
 * fetched once.
 */
export class SegmentTracker {
  private nextMsn: number | null = null;
  private endList = false;

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
    const endListChanged = playlist.endList && !this.endList;
    this.endList ||= playlist.endList;
    const first = playlist.segments[0];
    const last = playlist.segments.at(-1);
    if (!first || !last) return { newSegments: [], gaps: [], changed: endListChanged };

    const gaps: DetectedGap[] = [];
    let startMsn: number;
    if (this.nextMsn === null) {
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
    return { newSegments, gaps, changed: newSegments.length > 0 || endListChanged };
  }
}
