import type { StreamTargetChunk } from 'mediabunny';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { demoSegment } from '../storage/test-fixtures.ts';
import { CoalescedTarget } from './coalesced-target.ts';
import { CoalescedWrites } from './coalesced-writes.ts';
import { remuxRuns, type RemuxFormat } from './remux.ts';
import { memoryWritable } from './test-writable.ts';

/**
 * The export's own Target against mediabunny's StreamTarget: the same remux through either
 * must give the same file, byte for byte, and a write the disk refuses must fail the export.
 */

/** Gathered writes into an in-memory file, each write out recorded. */
function gatheredFile(bufferBytes: number) {
  const file = memoryWritable();
  const writer = file.writable.getWriter();
  const counts = { put: 0, writeOut: 0 };
  const writes = new CoalescedWrites(async (chunk: StreamTargetChunk) => {
    counts.writeOut++;
    // Copied: the gathered buffer is reused once this settles.
    await writer.write({ ...chunk, data: chunk.data.slice() });
  }, bufferBytes);
  const put = writes.put.bind(writes);
  writes.put = (data, position) => {
    counts.put++;
    put(data, position);
  };
  return { writes, target: new CoalescedTarget(writes), bytes: file.bytes, counts };
}

describe('CoalescedTarget', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test.each<RemuxFormat>(['mp4', 'mkv', 'm4a'])('a %s remux of real MPEG-TS segments gives the same bytes as through a StreamTarget, in few large writes', async (format) => {
    // An MP4 holds the second it was made in (mvhd, tkhd, mdhd): both remuxes must see the same one.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-23T12:00:00Z'));
    const segments = await Promise.all([0, 1, 2, 3].map(demoSegment));
    const viaStream = memoryWritable();
    await remuxRuns([segments], { format, destination: viaStream.writable, totalDurationSec: 8 });

    const gathered = gatheredFile(64 * 1024);
    await remuxRuns([segments], { format, destination: gathered.target, totalDurationSec: 8 });
    await gathered.writes.flush();

    const expected = viaStream.bytes();
    expect(expected.byteLength).toBeGreaterThan(50_000);
    expect(gathered.bytes()).toEqual(expected);
    if (format !== 'mkv') {
      // The muxer saw the fixed clock: mvhd's creation time, in seconds since 1904 (ISO/IEC 14496-12 8.2.2).
      const at = new TextDecoder('latin1').decode(expected).indexOf('mvhd');
      expect(new DataView(expected.buffer, expected.byteOffset).getUint32(at + 8)).toBe(Date.UTC(2026, 10, 23, 12) / 1000 + 2_082_844_800);
    }
    // Gathered: the muxer's writes, one or more per packet and header field, reach the file as a few.
    expect(gathered.counts.writeOut * 20).toBeLessThan(gathered.counts.put);
  });

  test('a write the disk refuses fails the remux with that error', async () => {
    const full = new DOMException('The disk is full.', 'QuotaExceededError');
    let writtenBytes = 0;
    const writes = new CoalescedWrites(async (chunk) => {
      if (writtenBytes > 200_000) throw full;
      writtenBytes += chunk.data.byteLength;
    }, 64 * 1024);
    const segments = await Promise.all([0, 1, 2, 3].map(demoSegment));
    await expect(remuxRuns([segments], { format: 'mp4', destination: new CoalescedTarget(writes), totalDurationSec: 8 })).rejects.toBe(full);
  });
});
