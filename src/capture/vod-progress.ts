/**
 * Progress of a VOD download (a playlist with EXT-X-ENDLIST, RFC 8216 section 4.3.3.4): how
 * many of its segments are done, how fast bytes come and how long the rest should take.
 */

/** Payload of the recorder's `vod-progress` event. */
export interface VodProgress {
  /** Segments settled so far (stored, or given up as gaps). */
  doneSegments: number;
  /** Segments the VOD playlist lists from the recording's start. */
  totalSegments: number;
  /** Bytes stored so far. */
  bytes: number;
  /** Average download speed since the start, in bytes per second; 0 until measurable. */
  bytesPerSec: number;
  /** Estimated seconds until all segments are done, or null until a first segment is done. */
  etaSec: number | null;
}

/** Counts settled segments and bytes against the wall clock. */
export class VodProgressMeter {
  private doneSegments = 0;
  private bytes = 0;

  /**
   * @param totalSegments - segments to fetch, ≥ 0.
   * @param startedAtMs - wall clock of the start, in ms since the Unix epoch.
   */
  constructor(
    private readonly totalSegments: number,
    private readonly startedAtMs: number,
  ) {}

  /**
   * Notes one settled segment.
   * @param byteLength - bytes stored for it (0 for a gap).
   * @param nowMs - wall clock, in ms since the Unix epoch.
   * @returns the progress after it.
   */
  settle(byteLength: number, nowMs: number): VodProgress {
    this.doneSegments += 1;
    this.bytes += byteLength;
    const elapsedSec = Math.max(nowMs - this.startedAtMs, 1) / 1000;
    const bytesPerSec = this.bytes / elapsedSec;
    const secPerSegment = elapsedSec / this.doneSegments;
    return {
      doneSegments: this.doneSegments,
      totalSegments: this.totalSegments,
      bytes: this.bytes,
      bytesPerSec,
      etaSec: Math.max(0, (this.totalSegments - this.doneSegments) * secPerSegment),
    };
  }
}

/**
 * Reads a progress in words, e.g. `12 of 40 segments · 3.1 MB/s · about 8 s left`.
 */
export function describeVodProgress(progress: VodProgress): string {
  const parts = [`${progress.doneSegments} of ${progress.totalSegments} segments`];
  if (progress.bytesPerSec > 0) parts.push(`${(progress.bytesPerSec / 1e6).toFixed(1)} MB/s`);
  if (progress.etaSec !== null && progress.doneSegments < progress.totalSegments) parts.push(`about ${Math.ceil(progress.etaSec)} s left`);
  return parts.join(' · ');
}
