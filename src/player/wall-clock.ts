/**
 * Maps between the media time of a recording's generated playlist ({@link buildRecordingPlaylist}:
 * its playback timeline, every stored segment and dropout in media sequence order, so an entry
 * starts at the sum of the EXTINF durations before it, RFC 8216 section 4.3.2.1) and the wall
 * clock (the segments' EXT-X-PROGRAM-DATE-TIME, section 4.3.2.6, or their estimated
 * arrival-based times).
 */

/** One segment of the generated playlist with its wall-clock start. */
export interface WallClockSegment {
  /** EXTINF duration, in seconds. */
  durationSec: number;
  /** Wall-clock time of its first sample, in ms since the Unix epoch. */
  startMs: number;
  /**
   * True for a dropout (an EXT-X-GAP entry, src/storage/playback-timeline.ts): it takes media
   * time, but has no media, so no instant maps into it.
   */
  dropout?: boolean;
}

/** Where a wall-clock instant falls in a recording's media time. */
export interface MediaPosition {
  /** Media time of the generated playlist, in seconds (0 = start of the first stored segment). */
  mediaSec: number;
  /**
   * False when the instant had no media (a gap, or before the first segment) and the position
   * is the start of the next segment instead.
   */
  exact: boolean;
}

/**
 * The two-way map of one recording. Segments are taken in playlist order; their wall-clock
 * ranges are expected not to overlap (where a stream's clock went back, the wall clock of the
 * later segment wins for {@link mediaSecAt}).
 */
export class WallClockMap {
  /** Media start of each segment, in seconds, in playlist order. */
  private readonly mediaStartsSec: number[] = [];
  /** Indexes of the segments by wall-clock start. */
  private readonly byWallClock: number[];
  /** Wall-clock starts in the order of {@link byWallClock}, in ms. */
  private readonly wallStartsMs: number[];
  /** Sum of the segments' durations, in seconds. */
  readonly durationSec: number;

  /**
   * @param segments - in playlist (media sequence) order.
   * @throws RangeError for a negative or non-finite duration or start.
   */
  constructor(private readonly segments: readonly WallClockSegment[]) {
    let sumSec = 0;
    for (const segment of segments) {
      if (!(segment.durationSec >= 0) || !Number.isFinite(segment.durationSec) || !Number.isFinite(segment.startMs)) {
        throw new RangeError(`Bad segment for the wall-clock map: duration ${segment.durationSec} s, start ${segment.startMs} ms`);
      }
      this.mediaStartsSec.push(sumSec);
      sumSec += segment.durationSec;
    }
    this.durationSec = sumSec;
    this.byWallClock = segments.flatMap((segment, index) => (segment.dropout ? [] : [index])).sort((a, b) => segments[a]!.startMs - segments[b]!.startMs || a - b);
    this.wallStartsMs = this.byWallClock.map((index) => segments[index]!.startMs);
  }

  /** Wall-clock start of the first segment, in ms since the Unix epoch; null when empty. */
  get firstMs(): number | null {
    const first = this.byWallClock[0];
    return first === undefined ? null : this.segments[first]!.startMs;
  }

  /** Wall-clock end of the latest segment, in ms since the Unix epoch; null when empty. */
  get lastMs(): number | null {
    return this.byWallClock.length === 0 ? null : this.byWallClock.reduce((max, index) => Math.max(max, this.segments[index]!.startMs + this.segments[index]!.durationSec * 1000), -Infinity);
  }

  /**
   * The wall-clock time shown at a media position, in ms since the Unix epoch: the segment's
   * start plus the time into it. Positions past the end map into the last segment's end.
   * @returns null when the map is empty or `mediaSec` is not a finite number.
   */
  wallClockMsAt(mediaSec: number): number | null {
    if (this.segments.length === 0 || !Number.isFinite(mediaSec)) return null;
    const index = lastAtOrBelow(this.mediaStartsSec, Math.max(0, mediaSec));
    const segment = this.segments[index]!;
    const intoSec = Math.min(Math.max(0, mediaSec - this.mediaStartsSec[index]!), segment.durationSec);
    return segment.startMs + intoSec * 1000;
  }

  /**
   * The media position of a wall-clock instant: inside the segment that covers it, or the start
   * of the next segment when no segment does (`exact: false`).
   * @returns null when the instant is after the end of the last segment, or the map is empty.
   */
  mediaSecAt(wallClockMs: number): MediaPosition | null {
    if (!Number.isFinite(wallClockMs)) return null;
    const found = lastAtOrBelow(this.wallStartsMs, wallClockMs);
    if (found >= 0) {
      const index = this.byWallClock[found]!;
      const intoMs = wallClockMs - this.segments[index]!.startMs;
      if (intoMs < this.segments[index]!.durationSec * 1000) return { mediaSec: this.mediaStartsSec[index]! + intoMs / 1000, exact: true };
    }
    const next = this.byWallClock[found + 1];
    if (next === undefined) return null;
    return { mediaSec: this.mediaStartsSec[next]!, exact: false };
  }
}

/** Index of the last value ≤ `target` in ascending `values`; -1 when none. */
function lastAtOrBelow(values: readonly number[], target: number): number {
  let low = 0;
  let high = values.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (values[middle]! <= target) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}
