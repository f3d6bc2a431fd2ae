import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RtpReceptionStatsCounter } from './reception-stats.ts';
import { arrivalOrders, referenceLoss } from '../rtsp/testing/rtp-arrivals.ts';

describe('RtpReceptionStatsCounter (RFC 3550 A.1, A.3, A.8)', () => {
  it('counts a loss across the sequence number wrap', () => {
    const stats = new RtpReceptionStatsCounter(90000);
    for (const seq of [65534, 65535, 0, 1, 3]) stats.record(seq, 0, 9, 0, 100);
    expect(stats.snapshot()).toMatchObject({ ssrc: 9, packetsReceived: 5, packetsLost: 1, bytesReceived: 500 });
    expect(stats.snapshot().lossRate).toBeCloseTo(1 / 6);
    const block = stats.takeReportBlock()!;
    expect(block.extendedHighestSequence).toBe(0x10003);
    expect(block.cumulativeLost).toBe(1);
    expect(block.fractionLost).toBe(Math.floor(256 / 6));
    // The next interval: nothing lost, so fraction 0 while the cumulative count stays.
    for (const seq of [4, 5]) stats.record(seq, 0, 9, 0, 100);
    expect(stats.takeReportBlock()).toMatchObject({ fractionLost: 0, cumulativeLost: 1 });
  });

  it('counts duplicates as received, so loss can go negative (A.3)', () => {
    const stats = new RtpReceptionStatsCounter(90000);
    for (const seq of [10, 11, 11, 12]) stats.record(seq, 0, 1, 0, 1);
    expect(stats.snapshot()).toMatchObject({ packetsReceived: 4, packetsLost: -1, lossRate: 0 });
  });

  it('restarts on a large jump confirmed by the next packet, and ignores a stray one (A.1)', () => {
    const stats = new RtpReceptionStatsCounter(90000);
    for (const seq of [100, 101, 102]) stats.record(seq, 0, 1, 0, 1);
    expect(stats.record(30000, 0, 1, 0, 1)).toBe(false); // stray
    expect(stats.record(103, 0, 1, 0, 1)).toBe(true);
    expect(stats.record(40000, 0, 1, 0, 1)).toBe(false);
    expect(stats.record(40001, 0, 1, 0, 1)).toBe(true); // confirmed: a new sequence from 40001
    expect(stats.snapshot()).toMatchObject({ packetsReceived: 1, packetsLost: 0 });
  });

  it('computes interarrival jitter exactly as A.8', () => {
    const stats = new RtpReceptionStatsCounter(90000);
    // 40 ms apart = 3600 ticks; the second packet is 10 ms (900 ticks) late.
    stats.record(1, 0, 1, 0, 1);
    stats.record(2, 3600, 1, 50, 1);
    expect(stats.snapshot().jitter).toBe(900 / 16);
    stats.record(3, 7200, 1, 80, 1);
    expect(stats.snapshot().jitter).toBe(900 / 16 + (900 - 900 / 16) / 16);
    const steady = new RtpReceptionStatsCounter(8000);
    for (let i = 0; i < 50; i += 1) steady.record(i, (0xffffff00 + i * 160) >>> 0, 1, i * 20, 1); // wraps the timestamp
    expect(steady.snapshot().jitter).toBe(0);
  });

  it('model: lost, received and the extended highest sequence match a simple A.3 computation', () => {
    fc.assert(
      fc.property(arrivalOrders, (arrivals) => {
        const stats = new RtpReceptionStatsCounter(90000);
        const counted = arrivals.filter((seq) => stats.record(seq, 0, 1, 0, 1)).length;
        const reference = referenceLoss(arrivals);
        expect(counted).toBe(arrivals.length);
        expect(stats.snapshot()).toMatchObject({ packetsReceived: reference.received, packetsLost: reference.lost });
        const block = stats.takeReportBlock()!;
        // Cycles count from 0 at the first packet, so the extended number is relative to it.
        expect(block.extendedHighestSequence).toBe(reference.highestExt);
        expect(block.cumulativeLost).toBe(reference.lost);
      }),
      { numRuns: 300 },
    );
  });
});
