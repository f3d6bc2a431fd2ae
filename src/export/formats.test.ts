import { ALL_FORMATS, BlobSource, BufferSource, EncodedPacketSink, EncodedVideoPacketSource, Input, MATROSKA, MP3, MP4, MpegTsOutputFormat, Output, StreamTarget } from 'mediabunny';
import { describe, expect, test } from 'vitest';
import { DEMO_SEGMENT_SEC, demoSegment, newRecording } from '../storage/test-fixtures.ts';
import type { Recording } from '../storage/types.ts';
import { encodeMp3Runs } from './mp3-encode.ts';
import { remuxRuns, UnsupportedExportError } from './remux.ts';
import { exportTags, localDate, readTags, toMetadataTags, type ExportTags } from './tags.ts';
import { concatSegments } from './ts-concat.ts';
import { memoryWritable } from './test-writable.ts';

const TAGS: ExportTags = { title: 'Evening news', artist: 'Radio Test', album: 'News', genre: 'Speech', date: '2026-11-21', comment: 'http://127.0.0.1/live.m3u8' };

async function probe(bytes: Uint8Array) {
  const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS });
  const result = {
    format: await input.getFormat(),
    video: (await input.getVideoTracks()).map((track) => track.codec),
    audio: (await input.getAudioTracks()).map((track) => track.codec),
    durationSec: await input.computeDuration(),
  };
  input.dispose();
  return result;
}

/** A demo segment's H.264 video alone, as an MPEG-TS segment without audio. */
async function videoOnlySegment(index: number): Promise<Blob> {
  const input = new Input({ source: new BlobSource(await demoSegment(index)), formats: ALL_FORMATS });
  const track = (await input.getPrimaryVideoTrack())!;
  const out = memoryWritable();
  const output = new Output({ format: new MpegTsOutputFormat(), target: new StreamTarget(out.writable) });
  const source = new EncodedVideoPacketSource('avc');
  output.addVideoTrack(source);
  await output.start();
  const decoderConfig = await track.getDecoderConfig();
  let first = true;
  for await (const packet of new EncodedPacketSink(track).packets()) {
    await source.add(packet, first ? { decoderConfig: decoderConfig! } : undefined);
    first = false;
  }
  await output.finalize();
  input.dispose();
  return new Blob([out.bytes()]);
}

describe('export formats from real demo segments', () => {
  test('MKV keeps H.264 and AAC, 8 s across a discontinuity, with tags', { timeout: 30_000 }, async () => {
    const [s8, s9, s0, s1] = await Promise.all([8, 9, 0, 1].map(demoSegment));
    const out = memoryWritable();
    const result = await remuxRuns(
      [
        [s8!, s9!],
        [s0!, s1!],
      ],
      { format: 'mkv', destination: out.writable, totalDurationSec: 8, tags: toMetadataTags(TAGS) },
    );
    expect(result.durationSec).toBeCloseTo(8, 0);
    const probed = await probe(out.bytes());
    expect(probed.format).toBe(MATROSKA);
    expect(probed.video).toEqual(['avc']);
    expect(probed.audio).toEqual(['aac']);
    expect(Math.abs(probed.durationSec - 8)).toBeLessThanOrEqual(DEMO_SEGMENT_SEC);
  });

  test('MPEG-TS is the segments byte for byte', async () => {
    const segments = await Promise.all([3, 4, 0].map(demoSegment));
    const out = memoryWritable();
    const progress: number[] = [];
    const written = await concatSegments(segments, { writable: out.writable, onProgress: (f) => progress.push(f) });
    const expected = new Uint8Array(await new Blob(segments).arrayBuffer());
    expect(written).toBe(expected.byteLength);
    expect(out.isClosed()).toBe(true);
    expect(out.bytes()).toEqual(expected);
    expect(progress.at(-1)).toBe(1);
  });

  test('MP3 at 128, 192 and 320 kb/s: MP3 audio of ≈ 8 s, sizes in proportion to the bitrate', { timeout: 60_000 }, async () => {
    const [s8, s9, s0, s1] = await Promise.all([8, 9, 0, 1].map(demoSegment));
    const runs = [
      [s8!, s9!],
      [s0!, s1!],
    ];
    const sizes: number[] = [];
    for (const bitrateKbps of [128, 192, 320] as const) {
      const out = memoryWritable();
      const progress: number[] = [];
      const result = await encodeMp3Runs(runs, { bitrateKbps, writable: out.writable, totalDurationSec: 8, onProgress: (f) => progress.push(f) });
      expect(result.codecs).toEqual(['mp3']);
      expect(progress.at(-1)).toBe(1);
      const probed = await probe(out.bytes());
      expect(probed.format).toBe(MP3);
      expect(probed.video).toEqual([]);
      expect(probed.audio).toEqual(['mp3']);
      expect(Math.abs(probed.durationSec - 8)).toBeLessThanOrEqual(DEMO_SEGMENT_SEC);
      sizes.push(out.bytes().byteLength);
      // bytes ≈ bitrate × duration / 8
      expect(out.bytes().byteLength).toBeGreaterThan(((bitrateKbps * 1000) / 8) * 8 * 0.8);
      expect(out.bytes().byteLength).toBeLessThan(((bitrateKbps * 1000) / 8) * 8 * 1.3);
    }
    // 192/128 = 1.5, 320/128 = 2.5.
    expect(sizes[1]! / sizes[0]!).toBeGreaterThan(1.3);
    expect(sizes[1]! / sizes[0]!).toBeLessThan(1.7);
    expect(sizes[2]! / sizes[0]!).toBeGreaterThan(2);
    expect(sizes[2]! / sizes[0]!).toBeLessThan(3);
  });

  test('a recording without audio cannot become an M4A or an MP3, with a clear message', { timeout: 30_000 }, async () => {
    const run = [await videoOnlySegment(0)];
    await expect(remuxRuns([run], { format: 'm4a', destination: memoryWritable().writable, totalDurationSec: 2 })).rejects.toThrow(new UnsupportedExportError('This recording has no audio to put in an M4A file.'));
    await expect(encodeMp3Runs([run], { bitrateKbps: 128, writable: memoryWritable().writable, totalDurationSec: 2 })).rejects.toThrow(new UnsupportedExportError('This recording has no audio to put in an MP3 file.'));
  });

  test('an empty recording cannot become an MP3', async () => {
    await expect(encodeMp3Runs([], { bitrateKbps: 128, writable: memoryWritable().writable, totalDurationSec: 0 })).rejects.toBeInstanceOf(UnsupportedExportError);
  });
});

describe('tags', () => {
  test('exportTags fills the station, title, start date and source URL', () => {
    const recording = { ...newRecording({ title: 'Morning show', sourceName: 'Radio X', sourceUrl: 'http://example.test/x.m3u8' }) } as Recording;
    expect(exportTags(recording)).toEqual({ title: 'Morning show', artist: 'Radio X', album: '', genre: '', date: localDate(recording.startedAtMs), comment: 'http://example.test/x.m3u8' });
    expect(exportTags({ ...recording, tags: { artist: 'DJ', genre: 'Jazz', album: 'Mornings' } })).toMatchObject({ title: 'Morning show', artist: 'DJ', genre: 'Jazz', album: 'Mornings' });
    expect(localDate(new Date(2026, 0, 5, 23, 59).getTime())).toBe('2026-01-05');
    // A tag emptied on purpose stays empty; toMetadataTags then leaves it out of the file.
    const emptied = exportTags({ ...recording, tags: { comment: '', title: '' } });
    expect(emptied).toMatchObject({ comment: '', title: '', artist: 'Radio X' });
    expect(toMetadataTags(emptied)).not.toHaveProperty('comment');
  });

  test('tags written into MP4, M4A and MP3 are read back by music-metadata', { timeout: 60_000 }, async () => {
    const run = await Promise.all([0, 1].map(demoSegment));
    for (const format of ['mp4', 'm4a', 'mp3'] as const) {
      const out = memoryWritable();
      if (format === 'mp3') await encodeMp3Runs([run], { bitrateKbps: 128, writable: out.writable, totalDurationSec: 4, tags: toMetadataTags(TAGS) });
      else await remuxRuns([run], { format, destination: out.writable, totalDurationSec: 4, tags: toMetadataTags(TAGS) });
      const probed = await probe(out.bytes());
      expect(probed.format).toBe(format === 'mp3' ? MP3 : MP4);
      expect(await readTags(new Blob([out.bytes()]))).toEqual(TAGS);
    }
  });
});
