import { afterEach, describe, expect, test, vi } from 'vitest';
import { demoSegment } from '../storage/test-fixtures.ts';
import { DemuxPool } from './demux-pool.ts';
import { remuxRuns } from './remux.ts';
import { demuxSegment, type DemuxedSegment } from './segment-demux.ts';
import { memoryWritable } from './test-writable.ts';

/**
 * The export's demux workers: real workers in Chromium demuxing the demo stream's MPEG-TS
 * segments (H.264 + AAC, made by ffmpeg) must give what demuxing in the export worker gives,
 * byte for byte, and a remux through them the same file.
 */

const pools: DemuxPool[] = [];
afterEach(() => {
  for (const pool of pools.splice(0)) pool.close();
  vi.useRealTimers();
});

function summary(segment: DemuxedSegment) {
  return [segment.video, segment.audio].map(
    (track) =>
      track && {
        codec: track.codec,
        codecString: track.codecString,
        firstTimestampSec: track.firstTimestampSec,
        packets: track.packets,
        bytes: Array.from(new Uint8Array(track.data)),
      },
  );
}

describe('DemuxPool', () => {
  test('two workers demux four segments exactly as the export worker would, video dropped when not kept', async () => {
    const segments = await Promise.all([0, 1, 2, 3].map(demoSegment));
    const pool = new DemuxPool(2);
    pools.push(pool);
    expect(pool.size).toBe(2);
    const inWorkers = await Promise.all(segments.map((segment) => pool.demux(segment!, true)));
    const here = await Promise.all(segments.map((segment) => demuxSegment(segment!, true)));
    expect(inWorkers.map(summary)).toEqual(here.map(summary));
    expect(inWorkers[0]!.video?.codec).toBe('avc');
    expect(inWorkers[0]!.audio?.codec).toBe('aac');
    expect(inWorkers.every((segment) => segment.video!.packets.length > 0 && segment.audio!.packets.length > 0)).toBe(true);

    const audioOnly = await pool.demux(segments[0]!, false);
    expect(audioOnly.video).toBeNull();
    expect(summary(audioOnly)[1]).toEqual(summary(here[0]!)[1]);
  });

  test('a remux through the pool writes the same MP4 as one without it', async () => {
    const segments = (await Promise.all([0, 1, 2, 3].map(demoSegment))) as Blob[];
    const pool = new DemuxPool(2);
    pools.push(pool);
    const plain = memoryWritable();
    const pooled = memoryWritable();
    // The MP4 muxer stamps mvhd/tkhd/mdhd with the wall-clock second it starts; the two runs
    // may straddle a second, so the clock stands still for them (nothing else is faked).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 0, 1) });
    const a = await remuxRuns([segments], { format: 'mp4', destination: plain.writable, totalDurationSec: 16 });
    const b = await remuxRuns([segments], { format: 'mp4', destination: pooled.writable, totalDurationSec: 16, demux: pool.demux, demuxAheadCount: 4 });
    expect(b).toEqual(a);
    expect(pooled.bytes()).toEqual(plain.bytes());
  });

  test('bytes that are no media reject with the demuxer’s error; after close, jobs reject with AbortError', async () => {
    const pool = new DemuxPool(1);
    pools.push(pool);
    const garbage = new Blob([new Uint8Array(4096).fill(0x47)]);
    const error = await pool.demux(garbage, true).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toBe('');
    const waiting = pool.demux((await demoSegment(0))!, true);
    pool.close();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    await expect(pool.demux((await demoSegment(1))!, true)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
