/**
 * Reception of one set-up track: RTP packets parsed, counted (RFC 3550 A.1/A.3/A.8) and put in
 * order by the reorder buffer; RTCP sender reports kept for the wall clock mapping; receiver
 * reports built (RFC 3550 section 6.4.2).
 */
import { isRtpPacketProblem, parseRtpPacket } from '../rtp/packet.ts';
import { RtpReceptionStatsCounter } from '../rtp/reception-stats.ts';
import { RtpReorderBuffer } from '../rtp/reorder-buffer.ts';
import {
  buildReceiverReport,
  middleNtpBits,
  parseRtcpCompound,
  wallClockOfRtpTimestamp,
  type RtcpSenderReport,
} from '../rtp/rtcp.ts';
import type { RtpPacket, RtpReceptionStats, RtspTrack } from './types.ts';

/** Options of {@link TrackReceiver}. */
export interface TrackReceiverOptions {
  track: RtspTrack;
  /** SSRC the SETUP answer announced, or null (see {@link TrackReceiver.onRtp}). */
  expectedSsrc: number | null;
  reorderWindowPackets: number;
  reorderMaxDelayMs: number;
  onPacket: (packet: RtpPacket) => void;
  /** Steady clock in ms; defaults to `performance.now()`. */
  nowMs?: () => number;
  /** This host's wall clock in ms since the Unix epoch; defaults to `Date.now()`. */
  unixNowMs?: () => number;
}

/** See the module description. */
export class TrackReceiver {
  private readonly counter: RtpReceptionStatsCounter;
  private readonly buffer: RtpReorderBuffer;
  /** The last sender report, with when it arrived: on the steady clock, and on this host's wall clock (`arrivalUnixMs`). */
  private lastSenderReport: { report: RtcpSenderReport; arrivalMs: number; arrivalUnixMs: number } | null = null;
  private readonly nowMs: () => number;
  /** Packets that were not RTP or came from another SSRC. */
  malformedPackets = 0;
  /** Steady time of the last RTP packet accepted, in ms, or null. */
  lastPacketMs: number | null = null;
  /** True once the track's source said BYE (RTCP). */
  byeReceived = false;
  /** SSRC the SETUP answer announced (`ssrc=`), or null: then the first packet's SSRC is kept. */
  expectedSsrc: number | null;

  constructor(private readonly options: TrackReceiverOptions) {
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.expectedSsrc = options.expectedSsrc;
    this.counter = new RtpReceptionStatsCounter(options.track.clockRateHz);
    this.buffer = new RtpReorderBuffer({
      windowPackets: options.reorderWindowPackets,
      maxDelayMs: options.reorderMaxDelayMs,
      onPacket: options.onPacket,
    });
  }

  /**
   * Takes one RTP datagram or interleaved frame.
   * @returns true when it is media of this track's source, false when it was dropped: not RTP,
   *   or from another SSRC than the one followed (RFC 3550 section 8.2). The first packet's SSRC
   *   is followed, and an `ssrc=` from SETUP only until then: some cameras announce one their
   *   packets never carry.
   */
  onRtp(bytes: Uint8Array): boolean {
    const parsed = parseRtpPacket(bytes);
    if (isRtpPacketProblem(parsed)) {
      this.malformedPackets += 1;
      return false;
    }
    if (this.counter.sourceSsrc === null && this.expectedSsrc !== null && parsed.ssrc !== this.expectedSsrc) this.expectedSsrc = null;
    const ssrc = this.expectedSsrc ?? this.counter.sourceSsrc;
    if (ssrc !== null && parsed.ssrc !== ssrc) {
      this.malformedPackets += 1;
      return false;
    }
    const packet: RtpPacket = {
      payloadType: parsed.payloadType,
      sequenceNumber: parsed.sequenceNumber,
      timestamp: parsed.timestamp,
      ssrc: parsed.ssrc,
      marker: parsed.marker,
      payload: parsed.payload,
    };
    const now = this.nowMs();
    this.lastPacketMs = now;
    // Counted only when the buffer takes it: duplicates are dropped and late packets count as lost.
    if (this.buffer.push(packet, now) === 'accepted') {
      this.counter.record(packet.sequenceNumber, packet.timestamp, packet.ssrc, now, packet.payload.length);
    }
    return true;
  }

  /** Takes one RTCP compound packet from the server. */
  onRtcp(bytes: Uint8Array): void {
    const compound = parseRtcpCompound(bytes);
    const ssrc = this.expectedSsrc ?? this.counter.sourceSsrc;
    for (const report of compound.senderReports) {
      if (ssrc === null || report.ssrc === ssrc) this.lastSenderReport = { report, arrivalMs: this.nowMs(), arrivalUnixMs: (this.options.unixNowMs ?? Date.now)() };
    }
    if (ssrc !== null && compound.byeSsrcs.includes(ssrc)) this.byeReceived = true;
  }

  /** Releases packets held longer than the reorder delay (call from a timer). */
  flushDue(): void {
    this.buffer.flushDue(this.nowMs());
  }

  /** Releases everything held (at the end). */
  flush(): void {
    this.buffer.flush();
  }

  /** Statistics now. */
  stats(): RtpReceptionStats {
    return this.counter.snapshot();
  }

  /**
   * Wall clock of an RTP timestamp in ms since the Unix epoch, from the last SR (RFC 3550
   * section 6.4.1), on this host's clock; null before an SR came. The SR pairs an RTP timestamp
   * with an instant; that instant is taken as when the SR arrived here, not as the NTP time the
   * camera wrote: cameras without NTP, or reset by a power cut, are hours or years off, which
   * put recordings on the wrong day (and a track anchored before the SR, on arrival time, hours
   * away from one anchored after it). Tracks stay in step within the network's delay.
   */
  wallClockMs(rtpTimestamp: number): number | null {
    const sr = this.lastSenderReport;
    if (!sr) return null;
    return wallClockOfRtpTimestamp({ ...sr.report, wallClockMs: sr.arrivalUnixMs }, rtpTimestamp, this.options.track.clockRateHz);
  }

  /** An RR + SDES CNAME compound packet for this track (no report block before the first packet). */
  receiverReport(reporterSsrc: number, cname: string): Uint8Array {
    const numbers = this.counter.takeReportBlock();
    const sr = this.lastSenderReport;
    const blocks = numbers
      ? [{
          ...numbers,
          lastSenderReport: sr ? middleNtpBits(sr.report) : 0,
          delaySinceLastSenderReport: sr ? Math.floor(((this.nowMs() - sr.arrivalMs) / 1000) * 65536) >>> 0 : 0,
        }]
      : [];
    return buildReceiverReport(reporterSsrc, blocks, cname);
  }
}
