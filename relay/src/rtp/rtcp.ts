/**
 * RTCP (RFC 3550 section 6): sender reports read (section 6.4.1) for the NTP-to-RTP timestamp
 * mapping, receiver reports with an SDES CNAME written as one compound packet (sections 6.1,
 * 6.4.2, 6.5.1).
 */
import type { ReportBlockNumbers } from './reception-stats.ts';

/** RTCP packet types (RFC 3550 section 12.1). */
export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;

/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET_SEC = 2_208_988_800;

/** A sender report's sender info (RFC 3550 section 6.4.1). */
export interface RtcpSenderReport {
  ssrc: number;
  /** NTP timestamp, whole seconds since 1900. */
  ntpSeconds: number;
  /** NTP timestamp, fraction of a second in units of 2^-32 s. */
  ntpFraction: number;
  /** The RTP timestamp of the same instant, in the source's clock. */
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  /** The NTP time as ms since the Unix epoch. */
  wallClockMs: number;
}

/** What one RTCP compound packet said that the receiver uses. */
export interface RtcpCompound {
  senderReports: RtcpSenderReport[];
  /** SSRCs that said BYE. */
  byeSsrcs: number[];
  /** Packet types seen, in order. */
  packetTypes: number[];
}

/**
 * Reads an RTCP compound packet. Never throws: it stops at the first packet whose header is
 * not version 2 or whose length runs past the end, and returns what came before.
 */
export function parseRtcpCompound(bytes: Uint8Array): RtcpCompound {
  const result: RtcpCompound = { senderReports: [], byeSsrcs: [], packetTypes: [] };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  while (offset + 4 <= bytes.length) {
    const first = bytes[offset]!;
    if (first >> 6 !== 2) break;
    const count = first & 0x1f;
    const packetType = bytes[offset + 1]!;
    const lengthBytes = (view.getUint16(offset + 2) + 1) * 4;
    if (offset + lengthBytes > bytes.length) break;
    result.packetTypes.push(packetType);
    if (packetType === RTCP_SR && lengthBytes >= 28) {
      const ntpSeconds = view.getUint32(offset + 8);
      const ntpFraction = view.getUint32(offset + 12);
      result.senderReports.push({
        ssrc: view.getUint32(offset + 4),
        ntpSeconds,
        ntpFraction,
        rtpTimestamp: view.getUint32(offset + 16),
        packetCount: view.getUint32(offset + 20),
        octetCount: view.getUint32(offset + 24),
        wallClockMs: ntpToUnixMs(ntpSeconds, ntpFraction),
      });
    } else if (packetType === RTCP_BYE) {
      for (let i = 0; i < count && 4 + (i + 1) * 4 <= lengthBytes; i += 1) result.byeSsrcs.push(view.getUint32(offset + 4 + i * 4));
    }
    offset += lengthBytes;
  }
  return result;
}

/** An NTP timestamp (RFC 3550 section 4) as ms since the Unix epoch. */
export function ntpToUnixMs(ntpSeconds: number, ntpFraction: number): number {
  return (ntpSeconds - NTP_UNIX_OFFSET_SEC) * 1000 + (ntpFraction / 2 ** 32) * 1000;
}

/**
 * The wall clock of an RTP timestamp from a sender report's mapping, in ms since the Unix
 * epoch. The difference to the report's RTP timestamp is taken as signed 32-bit, so it works
 * across the timestamp's wrap for up to 2^31 ticks either side.
 */
export function wallClockOfRtpTimestamp(report: RtcpSenderReport, rtpTimestamp: number, clockRateHz: number): number {
  const deltaTicks = ((rtpTimestamp >>> 0) - report.rtpTimestamp) | 0;
  return report.wallClockMs + (deltaTicks * 1000) / clockRateHz;
}

/** A report block plus the last sender report data (RFC 3550 section 6.4.1, LSR and DLSR). */
export interface ReceiverReportBlock extends ReportBlockNumbers {
  /** Middle 32 bits of the last SR's NTP timestamp, 0 when none arrived. */
  lastSenderReport: number;
  /** Delay since that SR arrived, in units of 1/65536 s, 0 when none. */
  delaySinceLastSenderReport: number;
}

/** The LSR field of a sender report: the middle 32 bits of its NTP timestamp. */
export function middleNtpBits(report: Pick<RtcpSenderReport, 'ntpSeconds' | 'ntpFraction'>): number {
  return (((report.ntpSeconds & 0xffff) << 16) | (report.ntpFraction >>> 16)) >>> 0;
}

/**
 * A compound packet: one receiver report (PT 201) with up to 31 report blocks, then an SDES
 * (PT 202) with one CNAME item for `reporterSsrc` (RFC 3550 section 6.1: every compound starts
 * with SR or RR and carries CNAME).
 * @param reporterSsrc This receiver's own SSRC.
 * @param cname Canonical name, at most 255 UTF-8 bytes (e.g. `tapedeck@host`).
 * @throws RangeError when there are more than 31 blocks or the CNAME is too long.
 */
export function buildReceiverReport(reporterSsrc: number, blocks: readonly ReceiverReportBlock[], cname: string): Uint8Array {
  if (blocks.length > 31) throw new RangeError(`At most 31 report blocks, got ${blocks.length}`);
  const cnameBytes = new TextEncoder().encode(cname);
  if (cnameBytes.length > 255) throw new RangeError(`CNAME over 255 bytes (${cnameBytes.length})`);
  const rrBytes = 8 + blocks.length * 24;
  // SDES: header 4, SSRC 4, item type+length 2, text, then at least one null octet to end the
  // item list, padded to a 32-bit boundary (section 6.5).
  const sdesBytes = Math.ceil((8 + 2 + cnameBytes.length + 1) / 4) * 4;
  const out = new Uint8Array(rrBytes + sdesBytes);
  const view = new DataView(out.buffer);
  out[0] = 0x80 | blocks.length;
  out[1] = RTCP_RR;
  view.setUint16(2, rrBytes / 4 - 1);
  view.setUint32(4, reporterSsrc >>> 0);
  blocks.forEach((block, i) => {
    const at = 8 + i * 24;
    view.setUint32(at, block.ssrc >>> 0);
    view.setUint32(at + 4, ((block.fractionLost & 0xff) << 24) | (block.cumulativeLost & 0xffffff));
    view.setUint32(at + 8, block.extendedHighestSequence >>> 0);
    view.setUint32(at + 12, block.jitter >>> 0);
    view.setUint32(at + 16, block.lastSenderReport >>> 0);
    view.setUint32(at + 20, block.delaySinceLastSenderReport >>> 0);
  });
  const sdes = rrBytes;
  out[sdes] = 0x80 | 1;
  out[sdes + 1] = RTCP_SDES;
  view.setUint16(sdes + 2, sdesBytes / 4 - 1);
  view.setUint32(sdes + 4, reporterSsrc >>> 0);
  out[sdes + 8] = 1; // CNAME
  out[sdes + 9] = cnameBytes.length;
  out.set(cnameBytes, sdes + 10);
  return out;
}

/** A receiver report block as read back (for tests and diagnostics). */
export interface ParsedReportBlock {
  reporterSsrc: number;
  ssrc: number;
  fractionLost: number;
  /** Signed 24-bit. */
  cumulativeLost: number;
  extendedHighestSequence: number;
  jitter: number;
  lastSenderReport: number;
  delaySinceLastSenderReport: number;
}

/** Report blocks of every RR in a compound packet. Never throws (stops at a malformed packet). */
export function parseReceiverReports(bytes: Uint8Array): ParsedReportBlock[] {
  const blocks: ParsedReportBlock[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    const first = bytes[offset]!;
    if (first >> 6 !== 2) break;
    const lengthBytes = (view.getUint16(offset + 2) + 1) * 4;
    if (offset + lengthBytes > bytes.length) break;
    if (bytes[offset + 1] === RTCP_RR) {
      const reporterSsrc = view.getUint32(offset + 4);
      for (let i = 0; i < (first & 0x1f) && 8 + (i + 1) * 24 <= lengthBytes; i += 1) {
        const at = offset + 8 + i * 24;
        const lostWord = view.getUint32(at + 4);
        blocks.push({
          reporterSsrc,
          ssrc: view.getUint32(at),
          fractionLost: lostWord >>> 24,
          cumulativeLost: ((lostWord & 0xffffff) << 8) >> 8,
          extendedHighestSequence: view.getUint32(at + 8),
          jitter: view.getUint32(at + 12),
          lastSenderReport: view.getUint32(at + 16),
          delaySinceLastSenderReport: view.getUint32(at + 20),
        });
      }
    }
    offset += lengthBytes;
  }
  return blocks;
}
