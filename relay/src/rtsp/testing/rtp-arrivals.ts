/**
 * Test support (not used at run time): fast-check arbitraries of RTP arrival orders and a
 * reference RFC 3550 A.3 loss computation, shared by the reorder buffer and statistics tests.
 */
import fc from 'fast-check';
import { extend } from '../../rtp/reorder-buffer.ts';

/**
 * Arrival orders of 16-bit sequence numbers with losses, duplicates and local reordering,
 * starting anywhere (so some cross the 65535 -> 0 wrap). The first copy of every packet moves
 * at most 7 places (blocks of up to 8 are shuffled); a duplicate follows its original within
 * 5 places; so every jump stays far inside A.1's MAX_DROPOUT and MAX_MISORDER, and a reorder
 * window of 8 packets or more never has to give up on a packet that does arrive.
 */
export const arrivalOrders: fc.Arbitrary<number[]> = fc
  .record({
    base: fc.integer({ min: 0, max: 0xffff }),
    length: fc.integer({ min: 1, max: 300 }),
    dropMask: fc.array(fc.boolean(), { minLength: 300, maxLength: 300 }),
    duplicates: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 5 })), { maxLength: 20 }),
    blockSize: fc.integer({ min: 1, max: 8 }),
    shuffleKeys: fc.array(fc.nat(), { minLength: 300, maxLength: 300 }),
  })
  .map(({ base, length, dropMask, duplicates, blockSize, shuffleKeys }) => {
    const kept: number[] = [];
    for (let i = 0; i < length; i += 1) if (i === 0 || !dropMask[i]) kept.push(i);
    // Shuffle within blocks: the first copy of every packet moves at most blockSize - 1 places.
    const order: number[] = [];
    for (let start = 0; start < kept.length; start += blockSize) {
      const block = kept.slice(start, start + blockSize);
      block.sort((a, b) => shuffleKeys[a]! - shuffleKeys[b]!);
      order.push(...block);
    }
    for (const [at, after] of duplicates) {
      const index = at % order.length;
      order.splice(Math.min(order.length, index + after), 0, order[index]!);
    }
    return order.map((i) => (base + i) & 0xffff);
  });

/** RFC 3550 A.3 the simple way: unwrap against the highest so far; expected = highest - first + 1. */
export function referenceLoss(arrivals: readonly number[]): { expected: number; received: number; lost: number; highestExt: number; firstExt: number } {
  const firstExt = arrivals[0]!;
  let highestExt = firstExt;
  for (const seq of arrivals) highestExt = Math.max(highestExt, extend(seq, highestExt));
  const expected = highestExt - firstExt + 1;
  return { expected, received: arrivals.length, lost: expected - arrivals.length, highestExt, firstExt };
}
