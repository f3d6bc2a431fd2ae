import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { RtpPacket } from '../rtsp/types.ts';
import { RtpReorderBuffer, extend } from './reorder-buffer.ts';
import { RtpReceptionStatsCounter } from './reception-stats.ts';
import { arrivalOrders } from '../rtsp/testing/rtp-arrivals.ts';

function packet(sequenceNumber: number): RtpPacket {
  return { payloadType: 96, sequenceNumber, timestamp: sequenceNumber * 3000, ssrc: 1, marker: false, payload: Uint8Array.of(sequenceNumber & 0xff) };
}

/** Feeds a buffer and, for accepted packets only, a stats counter, as the RTSP client does. */
function run(arrivals: readonly number[], options: { windowPackets?: number; maxDelayMs?: number }, times?: readonly number[]) {
  const released: number[] = [];
  const buffer = new RtpReorderBuffer({ ...options, onPacket: (p) => released.push(p.sequenceNumber) });
  const stats = new RtpReceptionStatsCounter(90000);
  const verdicts = arrivals.map((seq, i) => {
    const verdict = buffer.push(packet(seq), times?.[i] ?? 0);
    if (verdict === 'accepted') stats.record(seq, seq * 3000, 1, times?.[i] ?? 0, 1);
    return verdict;
  });
  return { released, buffer, stats, verdicts };
}

describe('RtpReorderBuffer', () => {
  it('puts reordered packets back in order across the wrap and drops duplicates', () => {
    const { released, verdicts, buffer } = run([65534, 0, 65535, 1, 0, 65535, 2], {});
    expect(released).toEqual([65534, 65535, 0, 1, 2]);
    expect(verdicts).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'duplicate', 'duplicate', 'accepted']);
    expect(buffer.stats).toEqual({ released: 5, skipped: 0, duplicates: 2, late: 0 });
  });

  it('skips a missing packet when the window is full, and counts it late (lost) when it comes after', () => {
    const { released, verdicts, buffer, stats } = run([10, 12, 13, 14, 11], { windowPackets: 2 });
    expect(released).toEqual([10, 12, 13, 14]);
    expect(verdicts.at(-1)).toBe('late');
    expect(buffer.stats).toMatchObject({ skipped: 1, late: 1 });
    expect(stats.snapshot()).toMatchObject({ packetsReceived: 4, packetsLost: 1 });
  });

  it('skips a missing packet after maxDelayMs even with room in the window', () => {
    const released: number[] = [];
    const buffer = new RtpReorderBuffer({ windowPackets: 64, maxDelayMs: 100, onPacket: (p) => released.push(p.sequenceNumber) });
    buffer.push(packet(1), 0);
    buffer.push(packet(3), 10);
    buffer.flushDue(109);
    expect(released).toEqual([1]);
    buffer.flushDue(110);
    expect(released).toEqual([1, 3]);
    expect(buffer.push(packet(2), 120)).toBe('late');
  });

  it('follows a sequence restart instead of waiting for thousands of packets', () => {
    const { released, buffer } = run([5, 6, 30000, 30001], {});
    expect(released).toEqual([5, 6, 30000, 30001]);
    expect(buffer.stats.skipped).toBe(0);
  });

  it('checks its options', () => {
    expect(() => new RtpReorderBuffer({ windowPackets: 0, onPacket: () => {} })).toThrow(/windowPackets/);
    expect(() => new RtpReorderBuffer({ maxDelayMs: -1, onPacket: () => {} })).toThrow(/maxDelayMs/);
  });

  it('model: output is in order and unique, and losses, duplicates and late packets match a reference', () => {
    fc.assert(
      fc.property(arrivalOrders, fc.integer({ min: 8, max: 64 }), (arrivals, windowPackets) => {
        const { released, buffer, stats } = run(arrivals, { windowPackets, maxDelayMs: 1e9 });
        buffer.flush();
        // Reference: packets before the first arrival are late; the rest come out sorted, once.
        const firstExt = arrivals[0]!;
        let reference = firstExt;
        const exts = arrivals.map((seq) => {
          const ext = extend(seq, reference);
          reference = Math.max(reference, ext);
          return ext;
        });
        const kept = exts.filter((ext) => ext >= firstExt);
        const distinct = [...new Set(kept)].sort((a, b) => a - b);
        const maxExt = distinct.at(-1)!;
        expect(released).toEqual(distinct.map((ext) => ext & 0xffff));
        expect(buffer.stats).toEqual({
          released: distinct.length,
          skipped: maxExt - firstExt + 1 - distinct.length,
          duplicates: kept.length - distinct.length,
          late: exts.length - kept.length,
        });
        // Stats fed with accepted packets only: A.3 loss is exactly what the consumer missed.
        expect(stats.snapshot()).toMatchObject({ packetsReceived: distinct.length, packetsLost: buffer.stats.skipped });
      }),
      { numRuns: 300 },
    );
  });
});
