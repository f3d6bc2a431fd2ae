import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildReceiverReport, middleNtpBits, ntpToUnixMs, parseReceiverReports, parseRtcpCompound,
  wallClockOfRtpTimestamp, RTCP_RR, RTCP_SDES, RTCP_SR, RTCP_BYE,
} from './rtcp.ts';

/** A sender report (RFC 3550 section 6.4.1) with no report blocks, as a camera sends it. */
function senderReport(ssrc: number, ntpSeconds: number, ntpFraction: number, rtpTimestamp: number): Uint8Array {
  const out = new Uint8Array(28);
  const view = new DataView(out.buffer);
  out[0] = 0x80;
  out[1] = RTCP_SR;
  view.setUint16(2, 6);
  view.setUint32(4, ssrc);
  view.setUint32(8, ntpSeconds);
  view.setUint32(12, ntpFraction);
  view.setUint32(16, rtpTimestamp);
  view.setUint32(20, 10);
  view.setUint32(24, 1000);
  return out;
}

function bye(ssrc: number): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = 0x81;
  out[1] = RTCP_BYE;
  new DataView(out.buffer).setUint16(2, 1);
  new DataView(out.buffer).setUint32(4, ssrc);
  return out;
}

describe('RTCP (RFC 3550 section 6)', () => {
  it('reads a sender report in a compound packet and maps RTP time to the wall clock', () => {
    // 2026-01-01T00:00:00.500Z as NTP: Unix seconds + 2208988800, fraction 0.5.
    const unixSec = Date.UTC(2026, 0, 1) / 1000;
    const sr = senderReport(0xabc, unixSec + 2_208_988_800, 0x80000000, 0xfffffff0);
    const compound = new Uint8Array([...sr, ...bye(0xabc)]);
    const parsed = parseRtcpCompound(compound);
    expect(parsed.packetTypes).toEqual([RTCP_SR, RTCP_BYE]);
    expect(parsed.byeSsrcs).toEqual([0xabc]);
    const report = parsed.senderReports[0]!;
    expect(report.wallClockMs).toBe(Date.UTC(2026, 0, 1) + 500);
    expect(ntpToUnixMs(2_208_988_800, 0)).toBe(0);
    // 90 kHz: 9000 ticks later is 100 ms later, across the 32-bit wrap.
    expect(wallClockOfRtpTimestamp(report, (0xfffffff0 + 9000) >>> 0, 90000)).toBeCloseTo(report.wallClockMs + 100, 6);
    expect(wallClockOfRtpTimestamp(report, 0xfffffff0 - 45000, 90000)).toBeCloseTo(report.wallClockMs - 500, 6);
    expect(middleNtpBits(report)).toBe((((unixSec + 2_208_988_800) & 0xffff) << 16 | 0x8000) >>> 0);
  });

  it('writes RR + SDES CNAME that reads back, padded to 32 bits', () => {
    const block = { ssrc: 0x1234, fractionLost: 25, cumulativeLost: -3, extendedHighestSequence: 0x1_0005, jitter: 42, lastSenderReport: 7, delaySinceLastSenderReport: 65536 };
    const packet = buildReceiverReport(0xfeed, [block], 'tapedeck@test');
    expect(packet.length % 4).toBe(0);
    expect(packet[1]).toBe(RTCP_RR);
    expect(parseRtcpCompound(packet).packetTypes).toEqual([RTCP_RR, RTCP_SDES]);
    expect(parseReceiverReports(packet)).toEqual([{ reporterSsrc: 0xfeed, ...block }]);
    const sdes = packet.subarray(32);
    expect(sdes[8]).toBe(1); // CNAME item
    expect(new TextDecoder().decode(sdes.subarray(10, 10 + sdes[9]!))).toBe('tapedeck@test');
    expect(buildReceiverReport(1, [], 'x').length).toBe(8 + 12);
  });

  it('never throws on random or cut compound packets', () => {
    const seed = new Uint8Array([...senderReport(1, 2, 3, 4), ...buildReceiverReport(5, [], 'abc')]);
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 100 }), fc.nat({ max: seed.length }).map((n) => seed.subarray(0, n))), (bytes) => {
        parseRtcpCompound(bytes);
        parseReceiverReports(bytes);
      }),
      { numRuns: 1000 },
    );
  });
});
