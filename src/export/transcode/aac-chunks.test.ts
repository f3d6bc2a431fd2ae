import { ALL_FORMATS, AudioSample, BlobSource, EncodedPacketSink, Input } from 'mediabunny';
import { describe, expect, test } from 'vitest';
import { defaultConfig } from '../../config.ts';
import { ffprobe } from '../test-format-streams.ts';
import { memoryWritable } from '../test-writable.ts';
import { transcodeSegments } from './transcode.ts';
import { encodeAacChunks } from './aac-chunks.ts';
import { FfmpegOutputError, FfmpegSession } from './ffmpeg-session.ts';
import { decodedChannel, sineStray, vodSegments } from './test-signals.ts';

const base = { recordingStartedAtMs: Date.UTC(2026, 10, 22, 12), timeZone: 'UTC', ffmpegBasePath: defaultConfig.export.ffmpegBasePath, range: null, chunkSec: 2 };

describe('audio re-encoded to AAC in chunks (ffmpeg.wasm), 2 s chunks over 6 s of a 440 Hz sine', () => {
  for (const { variant, loudnorm, sampleRate } of [
    { variant: 'adts', loudnorm: true, sampleRate: 44_100 },
    { variant: 'ts', loudnorm: false, sampleRate: 48_000 },
  ] as const) {
    test(`${variant} at ${sampleRate / 1000} kHz${loudnorm ? ', loudness-normalised,' : ''} has no gap or click where chunks meet, and its length`, { timeout: 120_000 }, async () => {
      const segments = await vodSegments(variant);
      const out = memoryWritable();
      const result = await transcodeSegments(segments, {
        ...base,
        format: 'm4a',
        settings: { audio: { codec: 'aac', bitrateKbps: 128, loudnorm }, video: null, burnWallClock: false },
        writable: out.writable,
      });
      expect(result.codecs).toEqual(['mp4a.40.2']);
      const probed = await ffprobe(out.bytes());
      expect(probed.streams.map((s) => s.codecName)).toEqual(['aac']);
      // As long as the source decodes to (an edit list hides our priming), not a priming frame more per chunk.
      const source = await decodedChannel(new Uint8Array(await new Blob(segments.map((segment) => segment.data)).arrayBuffer()));
      expect(probed.durationSec).toBeCloseTo(source.pcm.length / sampleRate, 3);

      const { pcm, sampleRate: decodedRate } = await decodedChannel(out.bytes());
      expect(decodedRate).toBe(sampleRate);
      const { insideMax, everywhereMax } = sineStray(pcm, decodedRate, 440);
      expect(insideMax).toBeGreaterThan(0);
      expect(everywhereMax).toBeLessThan(3 * insideMax);
    });
  }

  test('audio the browser cannot decode (AC-3, 44.1 kHz) is decoded by ffmpeg.wasm and re-encoded without a seam, as long as its frames', { timeout: 120_000 }, async () => {
    const segments = await vodSegments('ac3-ts');
    const out = memoryWritable();
    const result = await transcodeSegments(segments, {
      ...base,
      format: 'm4a',
      settings: { audio: { codec: 'aac', bitrateKbps: 128, loudnorm: true }, video: null, burnWallClock: false },
      writable: out.writable,
    });
    expect(result.codecs).toEqual(['mp4a.40.2']);
    const probed = await ffprobe(out.bytes());
    expect(probed.streams.map((s) => s.codecName)).toEqual(['aac']);
    expect(probed.durationSec).toBeCloseTo((await ac3FrameCount(segments)) * 1536 / 44_100, 3);
    const { pcm, sampleRate } = await decodedChannel(out.bytes());
    expect(sampleRate).toBe(44_100);
    const { insideMax, everywhereMax } = sineStray(pcm, sampleRate, 440);
    expect(insideMax).toBeGreaterThan(0);
    expect(everywhereMax).toBeLessThan(3 * insideMax);
  });

  test('5.1 AC-3 with H.264 (as TV streams carry it) re-encodes into an MP4 of H.264 and 5.1 AAC, the audio without a seam at the 2 s chunk joins', { timeout: 180_000 }, async () => {
    const out = memoryWritable();
    const result = await transcodeSegments(await vodSegments('h264-ac3-ts'), {
      ...base,
      format: 'mp4',
      settings: { audio: { codec: 'aac', bitrateKbps: 192, loudnorm: false }, video: { crf: 30, maxHeight: null }, burnWallClock: false },
      chunkSec: 2,
      writable: out.writable,
    });
    expect(result.codecs).toEqual([expect.stringMatching(/^avc1\./), expect.stringMatching(/^mp4a\./)]);
    const bytes = out.bytes();
    const probed = await ffprobe(bytes);
    expect(probed.streams.map((s) => s.codecName)).toEqual(['h264', 'aac']);
    expect(Math.abs(probed.durationSec - 6)).toBeLessThan(0.1);
    for (const stream of probed.streams) expect(Math.abs(stream.durationSec! - 6)).toBeLessThan(0.1);
    // The tone is in the centre channel (the third of 5.1).
    const { pcm, sampleRate } = await decodedChannel(bytes, 2);
    expect(sampleRate).toBe(48_000);
    const { insideMax, everywhereMax } = sineStray(pcm, sampleRate, 440);
    expect(insideMax).toBeGreaterThan(0);
    expect(everywhereMax).toBeLessThan(3 * insideMax);
  });
});

/** AC-3 frames in the segments' audio, as mediabunny demuxes them. */
async function ac3FrameCount(segments: { data: Blob }[]): Promise<number> {
  let count = 0;
  for (const { data } of segments) {
    const input = new Input({ source: new BlobSource(data), formats: ALL_FORMATS });
    try {
      for await (const packet of new EncodedPacketSink((await input.getPrimaryAudioTrack())!).packets()) {
        void packet;
        count++;
      }
    } finally {
      input.dispose();
    }
  }
  return count;
}

/** The frames of an ADTS stream (ISO/IEC 14496-3 1.A.3.2): each header gives its frame's length. */
function adtsFrames(bytes: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset + 7 <= bytes.length; ) {
    const length = ((bytes[offset + 3]! & 0x03) << 11) | (bytes[offset + 4]! << 3) | (bytes[offset + 5]! >> 5);
    frames.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return frames;
}

describe('encodeAacChunks', () => {
  test('an encoder that returns fewer AAC frames than its input needs fails the export rather than shifting the audio', { timeout: 120_000 }, async () => {
    // The real ffmpeg.wasm, its AAC output losing its last frame on the way back (as a core
    // with another encoder delay or a dropped flush would give it).
    const session = await FfmpegSession.load(defaultConfig.export.ffmpegBasePath);
    const readFile = session.readFile.bind(session);
    session.readFile = async (path) => {
      const bytes = await readFile(path);
      if (path !== 'out.aac') return bytes;
      const frames = adtsFrames(bytes);
      return new Uint8Array(await new Blob(frames.slice(0, -1) as Uint8Array<ArrayBuffer>[]).arrayBuffer());
    };
    const sampleRate = 48_000;
    const data = new Int16Array(sampleRate).map((_, n) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * n) / sampleRate)));
    async function* oneSecond() {
      yield new AudioSample({ data, format: 's16', numberOfChannels: 1, sampleRate, timestamp: 0 });
    }
    try {
      const packets = encodeAacChunks(oneSecond(), { session, bitrateKbps: 96, loudness: null, chunkSec: 10, chunkBytes: Infinity });
      const drained = (async () => {
        for await (const packet of packets) void packet;
      })();
      await expect(drained).rejects.toThrow(FfmpegOutputError);
      await expect(drained).rejects.toThrow(/^ffmpeg\.wasm's output cannot be used: it returned 47 AAC frames for audio that needs 48\.$/);
    } finally {
      session.terminate();
    }
  });
});
