/**
 * Reception statistics of one RTP source exactly as RFC 3550 defines them: sequence number
 * validation and the extended highest sequence number (appendix A.1), expected, lost and
 * fraction lost (appendix A.3), and interarrival jitter (appendix A.8).
 */
import type { RtpReceptionStats } from '../rtsp/types.ts';

/** A.1: largest forward jump still taken as the same sequence, in packets. */
export const MAX_DROPOUT = 3000;
/** A.1: largest backward jump taken as a late packet rather than a restart, in packets. */
export const MAX_MISORDER = 100;
const RTP_SEQ_MOD = 0x10000;

/** One report block's numbers (RFC 3550 section 6.4.1) for an RTCP receiver report. */
export interface ReportBlockNumbers {
  ssrc: number;
  /** Fraction lost since the last report, 8-bit fixed point (0 to 255), A.3. */
  fractionLost: number;
  /** Cumulative packets lost, clamped to the 24-bit signed range, A.3. */
  cumulativeLost: number;
  /** Extended highest sequence number received (cycles << 16 | max_seq), A.1. */
  extendedHighestSequence: number;
  /** Interarrival jitter in timestamp units, truncated to an integer, A.8. */
  jitter: number;
}

/**
 * Per-source statistics. Feed it every packet as it arrives with {@link record}; read them with
 * {@link snapshot}, and take report block numbers (which restart the "since the last report"
 * interval) with {@link takeReportBlock}. Probation (MIN_SEQUENTIAL) is not applied: the source
 * is the one SETUP gave us, so the first packet starts the sequence (A.1 `init_seq`).
 */
export class RtpReceptionStatsCounter {
  private ssrc: number | null = null;
  private maxSeq = 0;
  private cycles = 0;
  private baseSeq = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  private received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private bytes = 0;
  private jitterValue = 0;
  private lastTransit: number | null = null;

  /** @param clockRateHz The source's RTP clock rate, in Hz, to express arrival times in timestamp units (A.8). */
  constructor(private readonly clockRateHz: number) {
    if (!(clockRateHz > 0)) throw new RangeError(`clockRateHz must be positive, got ${clockRateHz}`);
  }

  /**
   * Counts one arrived packet (A.1 `update_seq`, then A.8 jitter).
   * @param arrivalMs Arrival time in ms on any steady clock (e.g. `performance.now()`).
   * @param payloadBytes Payload size in bytes.
   * @returns False when A.1 rejects the packet (a large jump not yet confirmed by a second
   *   packet); it is then not counted.
   */
  record(sequenceNumber: number, rtpTimestamp: number, ssrc: number, arrivalMs: number, payloadBytes: number): boolean {
    const seq = sequenceNumber & 0xffff;
    if (this.ssrc === null) {
      this.ssrc = ssrc >>> 0;
      this.initSeq(seq);
    } else if (!this.updateSeq(seq)) {
      return false;
    }
    this.received += 1;
    this.bytes += payloadBytes;
    const arrival = Math.floor((arrivalMs * this.clockRateHz) / 1000);
    const transit = arrival - (rtpTimestamp >>> 0);
    if (this.lastTransit !== null) {
      // Differences are taken modulo 2^32 (the timestamp wraps), then as a signed 32-bit value.
      const d = Math.abs((transit - this.lastTransit) | 0);
      this.jitterValue += (d - this.jitterValue) / 16;
    }
    this.lastTransit = transit;
    return true;
  }

  /** SSRC of the first packet counted, or null before any. */
  get sourceSsrc(): number | null {
    return this.ssrc;
  }

  /** The numbers as {@link RtpReceptionStats}. */
  snapshot(): RtpReceptionStats {
    const expected = this.expected();
    const lost = expected - this.received;
    return {
      ssrc: this.ssrc,
      packetsReceived: this.received,
      packetsLost: lost,
      lossRate: expected > 0 ? Math.max(0, lost) / expected : 0,
      jitter: this.jitterValue,
      bytesReceived: this.bytes,
    };
  }

  /** A.3 numbers for a report block, and starts a new interval for the next fraction lost; null before any packet. */
  takeReportBlock(): ReportBlockNumbers | null {
    if (this.ssrc === null) return null;
    const expected = this.expected();
    const lost = expected - this.received;
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.received - this.receivedPrior;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    return {
      ssrc: this.ssrc,
      fractionLost: Math.min(255, fractionLost),
      cumulativeLost: Math.max(-0x800000, Math.min(0x7fffff, lost)),
      extendedHighestSequence: (this.cycles + this.maxSeq) >>> 0,
      jitter: Math.floor(this.jitterValue) >>> 0,
    };
  }

  /** A.3: extended_max - base_seq + 1 (cycles counted in units of 65536). */
  private expected(): number {
    if (this.ssrc === null) return 0;
    return this.cycles + this.maxSeq - this.baseSeq + 1;
  }

  /** A.1 `init_seq`. */
  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.received = 0;
    this.expectedPrior = 0;
    this.receivedPrior = 0;
  }

  /** A.1 `update_seq` without probation; false when the packet is not counted. */
  private updateSeq(seq: number): boolean {
    const udelta = (seq - this.maxSeq + RTP_SEQ_MOD) % RTP_SEQ_MOD;
    if (udelta < MAX_DROPOUT) {
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD;
      this.maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // A very large jump: a restart if the next packet follows this one, else a stray packet.
      if (seq === this.badSeq) {
        this.initSeq(seq);
      } else {
        this.badSeq = (seq + 1) & (RTP_SEQ_MOD - 1);
        return false;
      }
    }
    // Otherwise a duplicate or reordered packet: counted as received, max unchanged.
    return true;
  }
}
