/**
 * Notices a live playlist that stops growing. RFC 8216 section 6.3.4 lets a client give up
 * on a playlist that has not changed for a while; Tapedeck keeps recording and only warns.
 */

/** How many target durations without a new segment count as a stall. */
export const STALL_TARGET_DURATIONS = 3;

/** What {@link StallDetector.observe} found. */
export type StallChange = { stalled: true; sinceMs: number; silentMs: number } | { stalled: false } | null;

/**
 * Tracks the time of the last new segment of a live playlist and says when the stream has
 * brought none for {@link STALL_TARGET_DURATIONS} target durations, and when it flows again.
 */
export class StallDetector {
  private lastNewSegmentAtMs: number;
  private stalled = false;

  /** @param startedAtMs - wall clock of the first playlist load, in ms since the Unix epoch. */
  constructor(startedAtMs: number) {
    this.lastNewSegmentAtMs = startedAtMs;
  }

  /** True while a stall has been reported and no segment came since. */
  get isStalled(): boolean {
    return this.stalled;
  }

  /**
   * Takes one playlist load into account.
   * @param newSegmentCount - segments this load brought that no earlier load listed.
   * @param targetDurationSec - the playlist's EXT-X-TARGETDURATION, in seconds (section 4.3.3.1),
   *   or the longest segment seen when longer (a stream that breaks that rule).
   * @param nowMs - wall clock of the load, in ms since the Unix epoch.
   * @returns `{stalled: true, …}` when a stall begins (with the silent time in ms),
   *   `{stalled: false}` when segments flow again after one, null when nothing changed.
   */
  observe(newSegmentCount: number, targetDurationSec: number, nowMs: number): StallChange {
    if (newSegmentCount > 0) {
      this.lastNewSegmentAtMs = nowMs;
      if (!this.stalled) return null;
      this.stalled = false;
      return { stalled: false };
    }
    const silentMs = nowMs - this.lastNewSegmentAtMs;
    if (this.stalled || silentMs < STALL_TARGET_DURATIONS * targetDurationSec * 1000) return null;
    this.stalled = true;
    return { stalled: true, sinceMs: this.lastNewSegmentAtMs, silentMs };
  }
}

/** The message shown for a stall of `silentMs` milliseconds. */
export function stallMessage(silentMs: number): string {
  return `No new segment for ${Math.round(silentMs / 1000)} s: the stream may have stalled.`;
}
