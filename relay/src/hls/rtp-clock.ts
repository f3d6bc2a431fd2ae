/**
 * Maps one track's 32-bit RTP timestamps (RFC 3550 section 5.1) to Unix time in seconds:
 * timestamps are unwrapped across the 2^32 wrap (a step of under half the range either way is
 * taken as the nearer one), and anchored at the wall clock given with the first timestamp.
 */
export class RtpClock {
  private anchorUnixSec: number | null = null;
  private anchorTicks = 0;
  private lastTicks = 0;

  /** @param clockRateHz The track's RTP clock rate, in Hz (90000 for video). */
  constructor(private readonly clockRateHz: number) {
    if (!(clockRateHz > 0)) throw new RangeError(`clockRateHz must be positive, got ${clockRateHz}`);
  }

  /**
   * @param rtpTimestamp 32-bit RTP timestamp.
   * @param wallClockMs Unix time in ms of this timestamp; used only for the first call.
   * @returns Unix time of the timestamp, in seconds.
   */
  toUnixSec(rtpTimestamp: number, wallClockMs: number): number {
    if (this.anchorUnixSec === null) {
      this.anchorUnixSec = wallClockMs / 1000;
      this.anchorTicks = rtpTimestamp;
      this.lastTicks = rtpTimestamp;
      return this.anchorUnixSec;
    }
    let delta = (rtpTimestamp - (this.lastTicks % 2 ** 32) + 2 ** 32) % 2 ** 32;
    if (delta >= 2 ** 31) delta -= 2 ** 32;
    this.lastTicks += delta;
    return this.anchorUnixSec + (this.lastTicks - this.anchorTicks) / this.clockRateHz;
  }
}
