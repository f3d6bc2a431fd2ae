import fc from 'fast-check';
import { ALL_FORMATS, BlobSource, BufferSource, EncodedPacketSink, Input, MP4 } from 'mediabunny';
import { describe, expect, test } from 'vitest';
import { startsDiscontinuity, type StoredSegmentTiming } from '../storage/segment-timeline.ts';
import { demoSegment } from '../storage/test-fixtures.ts';
import { PTS_WRAP_SEC, ptsWrapSec, remuxRuns, splitAtDiscontinuities, UnsupportedExportError } from './remux.ts';
import { DemuxPool } from './demux-pool.ts';
import { fetchVodSegments, ffprobe, ffprobeFrames } from './test-format-streams.ts';
import { memoryWritable } from './test-writable.ts';

async function packetTimestamps(input: Input, kind: 'video' | 'audio'): Promise<number[]> {
  const track = kind === 'video' ? await input.getPrimaryVideoTrack() : await input.getPrimaryAudioTrack();
  const timestamps: number[] = [];
  for await (const packet of new EncodedPacketSink(track!).packets()) timestamps.push(packet.timestamp);
  return timestamps;
}

/** Deterministic bytes that are no media format. */
function garbage(size: number): Blob {
  const bytes = new Uint8Array(size);
  let state = 0x2545f491;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return new Blob([bytes]);
}

describe('remuxRuns with real MPEG-TS segments', () => {
  test('joins two runs whose timestamps restart into one continuous 8 s MP4 with H.264 and AAC', async () => {
    const [s8, s9, s0, s1] = await Promise.all([8, 9, 0, 1].map(demoSegment));
    const out = memoryWritable();
    const progress: number[] = [];

    const result = await remuxRuns(
      [
        [s8!, s9!],
        [s0!, s1!],
      ],
      { format: 'mp4', destination: out.writable, totalDurationSec: 8, onProgress: (fraction) => progress.push(fraction) },
    );

    expect(out.isClosed()).toBe(true);
    expect(result.durationSec).toBeCloseTo(8, 0);
    expect(result.codecs).toEqual([expect.stringMatching(/^avc1\./), expect.stringMatching(/^mp4a\./)]);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((fraction) => fraction >= 0 && fraction <= 1)).toBe(true);

    const input = new Input({ source: new BufferSource(out.bytes()), formats: ALL_FORMATS });
    expect(await input.getFormat()).toBe(MP4);
    const videoTracks = await input.getVideoTracks();
    const audioTracks = await input.getAudioTracks();
    expect(videoTracks.map((track) => track.codec)).toEqual(['avc']);
    expect(audioTracks.map((track) => track.codec)).toEqual(['aac']);
    const durationSec = await input.computeDuration();
    expect(Math.abs(durationSec - 8)).toBeLessThanOrEqual(0.2);

    // The second run must be re-timed to follow the first, not restart at the first run's start.
    const firstRun = new Input({ source: new BlobSource(new Blob([s8!, s9!])), formats: ALL_FORMATS });
    const firstRunFrames = (await packetTimestamps(firstRun, 'video')).length;
    const video = await packetTimestamps(input, 'video');
    const firstHalf = video.slice(0, firstRunFrames);
    const secondHalf = video.slice(firstRunFrames);
    const frameSec = 4 / firstRunFrames;
    expect(secondHalf.length).toBeGreaterThan(0);
    expect(Math.min(...secondHalf)).toBeGreaterThan(Math.max(...firstHalf) - frameSec);
    // ...and follow it closely: no visible jump across the join.
    expect(Math.min(...secondHalf) - Math.max(...firstHalf)).toBeLessThan(0.2);
    expect(Math.min(...firstHalf)).toBeLessThan(0.2);
    expect(Math.max(...secondHalf)).toBeLessThanOrEqual(durationSec);
    const sorted = [...video].sort((a, b) => a - b);
    expect(new Set(sorted).size).toBe(sorted.length);

    const audio = await packetTimestamps(input, 'audio');
    expect(audio.every((timestamp, i) => i === 0 || timestamp > audio[i - 1]!)).toBe(true);
    input.dispose();
    firstRun.dispose();
  });

  test("format 'm4a' keeps only the AAC audio", async () => {
    const run = await Promise.all([0, 1].map(demoSegment));
    const out = memoryWritable();
    const progress: number[] = [];

    const result = await remuxRuns([run], { format: 'm4a', destination: out.writable, totalDurationSec: 4, onProgress: (f) => progress.push(f) });

    expect(result.codecs).toEqual([expect.stringMatching(/^mp4a\./)]);
    expect(progress.at(-1)).toBe(1);
    const input = new Input({ source: new BufferSource(out.bytes()), formats: ALL_FORMATS });
    expect(await input.getVideoTracks()).toEqual([]);
    expect((await input.getAudioTracks()).map((track) => track.codec)).toEqual(['aac']);
    expect(Math.abs((await input.computeDuration()) - 4)).toBeLessThanOrEqual(0.2);
    input.dispose();
  });

  test('an empty runs list throws UnsupportedExportError', async () => {
    await expect(remuxRuns([], { format: 'mp4', destination: memoryWritable().writable, totalDurationSec: 0 })).rejects.toBeInstanceOf(UnsupportedExportError);
    await expect(remuxRuns([[]], { format: 'm4a', destination: memoryWritable().writable, totalDurationSec: 0 })).rejects.toBeInstanceOf(UnsupportedExportError);
  });

  test('bytes that are no media reject with an error instead of hanging', { timeout: 10_000 }, async () => {
    await expect(remuxRuns([[garbage(200_000)]], { format: 'mp4', destination: memoryWritable().writable, totalDurationSec: 2 })).rejects.toThrow(Error);
  });

  test('a garbage run after a good one rejects too, instead of ending the file early', { timeout: 10_000 }, async () => {
    const progress: number[] = [];
    const writable = memoryWritable().writable;
    await expect(remuxRuns([[await demoSegment(0)], [garbage(100_000)]], { format: 'mp4', destination: writable, totalDurationSec: 4, onProgress: (f) => progress.push(f) })).rejects.toThrow(Error);
    expect(progress).not.toContain(1);
  });
});

describe('the 33-bit MPEG-TS clock wrapping', () => {
  test('property: a timestamp taken modulo the wrap is put back within half a wrap of its neighbour', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 10 * PTS_WRAP_SEC, noNaN: true }), fc.double({ min: -3600, max: 3600, noNaN: true }), (trueSec, stepSec) => {
        const wrappedSec = trueSec % PTS_WRAP_SEC;
        expect(wrappedSec + ptsWrapSec(wrappedSec, trueSec + stepSec)).toBeCloseTo(trueSec, 6);
      }),
    );
    // A clock that does not wrap (fMP4) is left as it is.
    expect(ptsWrapSec(12.5, 10)).toBe(0);
    expect(ptsWrapSec(3600 * 12, 0)).toBe(0);
  });

  test('remuxRuns writes a stream whose clock wraps 70 s in as one continuous 76 s file', { timeout: 60_000 }, async () => {
    // The video playlist of the `ts-renditions-wrap` VOD (tests/helpers/ffmpeg-hls-variants.ts).
    const segments = (await fetchVodSegments('ts-renditions-wrap', 'index0.m3u8')).map((segment) => segment.data);
    const out = memoryWritable();
    const result = await remuxRuns([segments], { format: 'mp4', destination: out.writable, totalDurationSec: 76 });

    expect(Math.abs(result.durationSec - 76)).toBeLessThan(0.2);
    const input = new Input({ source: new BufferSource(out.bytes()), formats: ALL_FORMATS });
    const track = (await input.getPrimaryVideoTrack())!;
    const keys: number[] = [];
    for await (const packet of new EncodedPacketSink(track).packets()) if (packet.type === 'key') keys.push(packet.timestamp);
    input.dispose();
    // A keyframe every 2 s from 0 on both sides of the wrap, none piled up at 0 or thrown far.
    expect(keys).toHaveLength(38);
    expect(keys[0]).toBeLessThan(0.1);
    keys.slice(1).forEach((key, i) => expect(Math.abs(key - keys[i]! - 2)).toBeLessThan(0.05));
  });
});

describe('segments without parameter sets', () => {
  test.each([
    ['in this thread', false],
    ['in demux workers', true],
  ])('segments cut between key frames, half of them without SPS and PPS, remux (%s) into an MP4 whose every frame decodes', { timeout: 60_000 }, async (_, inWorkers) => {
    // The `ts-split-gop` VOD: 1 s segments of a stream with a key frame every 2 s.
    const segments = (await fetchVodSegments('ts-split-gop')).map((segment) => segment.data);
    expect(segments.length).toBeGreaterThanOrEqual(6);
    const pool = inWorkers ? new DemuxPool(2) : null;
    const out = memoryWritable();
    try {
      const result = await remuxRuns([segments], { format: 'mp4', destination: out.writable, totalDurationSec: 6, ...(pool ? { demux: pool.demux, demuxAheadCount: 2 } : {}) });
      expect(Math.abs(result.durationSec - 6)).toBeLessThan(0.1);
      // It starts on a key frame: nothing was left out, so nothing to tell.
      expect(result.warnings).toEqual([]);
    } finally {
      pool?.close();
    }
    const frames = await ffprobeFrames(out.bytes());
    expect(frames.decodeErrors).toEqual([]);
    expect(frames.frameSizes).toEqual([{ width: 320, height: 180, count: 150 }]);
    expect((await ffprobe(out.bytes())).streams.map((stream) => stream.codecName)).toEqual(['h264', 'aac']);
  });

  test.each([
    ['in this thread', false],
    ['in demux workers', true],
  ])('a recording that starts between key frames, its first segment without SPS, PPS or key frame, remuxes (%s) with its video from the first key frame', { timeout: 60_000 }, async (_, inWorkers) => {
    // Segment 1 of `ts-split-gop` is the second half of a 2 s GOP; segment 2 starts the next.
    const segments = (await fetchVodSegments('ts-split-gop')).map((segment) => segment.data).slice(1, 6);
    const pool = inWorkers ? new DemuxPool(2) : null;
    const out = memoryWritable();
    try {
      const result = await remuxRuns([segments], { format: 'mp4', destination: out.writable, totalDurationSec: 5, ...(pool ? { demux: pool.demux, demuxAheadCount: 2 } : {}) });
      // The user is told what was left out.
      expect(result.warnings).toEqual([
        'The video starts 1.0 s into the file: the recording began between key frames, and its first 25 frames could not be decoded without the pictures before them, so they were left out.',
      ]);
    } finally {
      pool?.close();
    }
    const frames = await ffprobeFrames(out.bytes());
    expect(frames.decodeErrors).toEqual([]);
    // Segments 2 to 5: four seconds at 25 frames a second; segment 1's 25 frames are dropped.
    expect(frames.frameSizes).toEqual([{ width: 320, height: 180, count: 100 }]);
    const input = new Input({ source: new BufferSource(out.bytes()), formats: ALL_FORMATS });
    const videoStartSec = await (await input.getPrimaryVideoTrack())!.getFirstTimestamp();
    const audioStartSec = await (await input.getPrimaryAudioTrack())!.getFirstTimestamp();
    // Audio keeps segment 1's second; the video starts where its first key frame is shown.
    expect(videoStartSec - audioStartSec).toBeCloseTo(1, 1);
  });
});

describe('splitAtDiscontinuities', () => {
  const seg = (msn: number, discontinuity = false): StoredSegmentTiming => ({ msn, discontinuity });

  test('splits at discontinuity flags and at msn gaps', () => {
    const segments = [seg(3), seg(4), seg(5, true), seg(6), seg(8), seg(9), seg(10, true)];
    expect(splitAtDiscontinuities(segments).map((run) => run.map((s) => s.msn))).toEqual([[3, 4], [5, 6], [8, 9], [10]]);
  });

  test('keeps one run for continuous segments, and none for no segments', () => {
    expect(splitAtDiscontinuities([seg(0, true), seg(1), seg(2)]).map((run) => run.length)).toEqual([3]);
    expect(splitAtDiscontinuities([])).toEqual([]);
  });

  const timelines = fc
    .tuple(fc.nat({ max: 1000 }), fc.array(fc.record({ step: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 50 }) }), discontinuity: fc.boolean() }), { maxLength: 40 }))
    .map(([start, steps]) => {
      let msn = start;
      return steps.map(({ step, discontinuity }) => ({ msn: (msn += step), discontinuity }));
    });

  test('property: runs concatenate to the input, are never empty, and break exactly where the timeline does', () => {
    fc.assert(
      fc.property(timelines, (segments) => {
        const runs = splitAtDiscontinuities(segments);
        expect(runs.flat()).toEqual(segments);
        runs.flat().forEach((segment, i) => expect(segment).toBe(segments[i]));
        for (const [i, run] of runs.entries()) {
          expect(run.length).toBeGreaterThan(0);
          if (i > 0) {
            const previous = runs[i - 1]!.at(-1)!;
            expect(run[0]!.discontinuity || run[0]!.msn !== previous.msn + 1).toBe(true);
          }
          for (let j = 1; j < run.length; j++) expect(startsDiscontinuity(run[j - 1], run[j]!)).toBe(false);
        }
      }),
    );
  });
});
