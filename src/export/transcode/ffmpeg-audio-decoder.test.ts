import { ALL_FORMATS, BufferSource, Input } from 'mediabunny';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { recordToEnd } from '../../../tests/helpers/recorder-harness.ts';
import { openTestStore, type TestStore } from '../../storage/test-fixtures.ts';
import type { Recording } from '../../storage/types.ts';
import { defaultConfig } from '../../config.ts';
import { decodeAudioRuns } from '../audio-decode.ts';
import { exportRecording } from '../exporter.ts';
import { readTags } from '../tags.ts';
import { collect } from '../test-pcm.ts';
import { ffprobe } from '../test-format-streams.ts';
import { syncFrameSamples } from './ffmpeg-audio-decoder.ts';
import { FfmpegLoadError, FfmpegOutputError, FfmpegSession } from './ffmpeg-session.ts';
import { decodedChannel, sineStray, vodSegments } from './test-signals.ts';

/**
 * AC-3 and E-AC-3 audio (which Chromium's WebCodecs cannot decode) decoded by the real
 * ffmpeg.wasm, from MPEG-TS segments ffmpeg made: `ac3-ts` and `eac3-ts` (mono, 44.1 kHz) and
 * `h264-ac3-ts` (5.1, 48 kHz, the tone in the centre channel).
 */

const base = { blockFrames: 48_000, decodeQueueCount: 64, noAudioMessage: 'No audio here.' };

function largestDifference(a: Int16Array, b: Int16Array): number {
  let largest = 0;
  for (let n = 0; n < a.length; n++) largest = Math.max(largest, Math.abs(a[n]! - b[n]!));
  return largest;
}

function rms(plane: Int16Array): number {
  return Math.sqrt(plane.reduce((sum, value) => sum + value * value, 0) / plane.length);
}

describe('audio the browser cannot decode, decoded by ffmpeg.wasm', () => {
  let session: FfmpegSession;
  beforeAll(async () => {
    session = await FfmpegSession.load(defaultConfig.export.ffmpegBasePath);
  }, 60_000);
  afterAll(() => session.terminate());
  const ffmpeg = (chunkBytes: number) => ({ session: () => Promise.resolve(session), chunkBytes });

  for (const [variant, codec] of [
    ['ac3-ts', 'AC-3'],
    ['eac3-ts', 'E-AC-3'],
  ] as const) {
    test(`${codec} decoded in chunks of 7 frames joins without a seam: the very PCM of one ffmpeg run over the whole stream, every sample of its frames`, { timeout: 120_000 }, async () => {
      const runs = [(await vodSegments(variant)).map((segment) => segment.data)];
      const whole = await collect(decodeAudioRuns(runs, { ...base, ffmpeg: ffmpeg(Infinity) }));
      // 1536 samples of one channel per frame: 21 504 bytes of PCM end a chunk at 7 frames.
      const chunked = await collect(decodeAudioRuns(runs, { ...base, ffmpeg: ffmpeg(7 * 1536 * 2) }));
      expect(whole.sampleRate).toBe(44_100);
      expect(whole.planes).toHaveLength(1);
      // 6 s of tone, in whole AC-3 frames.
      expect(whole.planes[0]!.length % 1536).toBe(0);
      expect(Math.abs(whole.planes[0]!.length / 44_100 - 6)).toBeLessThan(0.1);
      expect(chunked.planes[0]!.length).toBe(whole.planes[0]!.length);
      // Without the frames decoded again in front of each chunk, the joins are thousands off.
      expect(largestDifference(chunked.planes[0]!, whole.planes[0]!)).toBe(0);
      expect(rms(whole.planes[0]!)).toBeGreaterThan(1000);
    });
  }

  test('5.1 AC-3 decodes to its six channels in WebCodecs order, the tone in the centre (the third)', { timeout: 120_000 }, async () => {
    const runs = [(await vodSegments('h264-ac3-ts')).map((segment) => segment.data)];
    const all = await collect(decodeAudioRuns(runs, { ...base, ffmpeg: ffmpeg(1 << 20) }));
    expect(all.sampleRate).toBe(48_000);
    expect(all.planes.map(rms).map((level) => level > 1000)).toEqual([false, false, true, false, false, false]);
    expect(Math.abs(all.planes[2]!.length / 48_000 - 6)).toBeLessThan(0.1);
  });

  test('ffmpeg.wasm PCM shorter than the frames hold fails the export rather than moving the audio after it', { timeout: 120_000 }, async () => {
    const runs = [(await vodSegments('ac3-ts')).map((segment) => segment.data).slice(0, 1)];
    // The real session, its PCM losing its last 100 bytes on the way back.
    const readFile = session.readFile.bind(session);
    const shortened = Object.assign(Object.create(session) as FfmpegSession, {
      readFile: async (path: string) => (await readFile(path)).slice(0, path === 'decode-out.pcm' ? -100 : undefined),
    });
    const decoding = collect(decodeAudioRuns(runs, { ...base, ffmpeg: { session: () => Promise.resolve(shortened), chunkBytes: Infinity } }));
    await expect(decoding).rejects.toThrow(FfmpegOutputError);
    await expect(decoding).rejects.toThrow(/^ffmpeg\.wasm's output cannot be used: it decoded \d+ samples per channel from ac-3 frames that hold \d+\.$/);
  });
});

describe('syncFrameSamples', () => {
  /** The first six bytes of a sync frame: sync word, two bytes, then byte 4 and byte 5 (bsid in its top five bits). */
  const header = (byte4: number, bsid: number) => new Uint8Array([0x0b, 0x77, 0, 0, byte4, bsid << 3]);
  test('AC-3 frames hold 1536 samples; E-AC-3 frames 256 per block (numblkscod), six when fscod is 3', () => {
    expect(syncFrameSamples(header(0x1c, 8))).toBe(1536);
    expect(syncFrameSamples(header(0b00_00_0000, 16))).toBe(256);
    expect(syncFrameSamples(header(0b00_10_0000, 16))).toBe(768);
    expect(syncFrameSamples(header(0b00_11_0000, 16))).toBe(1536);
    expect(syncFrameSamples(header(0b11_00_0000, 16))).toBe(1536);
  });

  test('a packet that is no sync frame is refused with a message', () => {
    expect(() => syncFrameSamples(new Uint8Array([0xff, 0xf1, 0x50, 0x80, 0, 0]))).toThrow('An AC-3 packet of the recording does not start with a sync frame.');
  });
});

describe('AC-3 with the ffmpeg.wasm core unreachable (offline before its first use)', () => {
  test('decoding rejects with the load error, which says to connect once', { timeout: 60_000 }, async () => {
    const runs = [(await vodSegments('ac3-ts')).map((segment) => segment.data).slice(0, 1)];
    const decoding = collect(decodeAudioRuns(runs, { ...base, ffmpeg: { session: () => FfmpegSession.load('/no-such-folder/'), chunkBytes: Infinity } }));
    await expect(decoding).rejects.toThrow(FfmpegLoadError);
    await expect(decoding).rejects.toThrow(/connect to the network once and try again/);
  });
});

/**
 * Checks an exported audio file with ffprobe and by decoding it: one stream of `codec`, 6 s
 * long, its first channel the 440 Hz tone without a break.
 * @returns the file's sample rate, in Hz.
 */
async function expectUnbrokenTone(bytes: Uint8Array<ArrayBuffer>, codec: string): Promise<number> {
  const probed = await ffprobe(bytes);
  expect(probed.streams.map((stream) => stream.codecName)).toEqual([codec]);
  expect(Math.abs(probed.durationSec - 6)).toBeLessThan(0.1);
  const { pcm, sampleRate } = await decodedChannel(bytes);
  const { insideMax, everywhereMax } = sineStray(pcm, sampleRate, 440);
  expect(insideMax).toBeGreaterThan(0);
  expect(everywhereMax).toBeLessThan(3 * insideMax);
  return sampleRate;
}

describe('recorded TV audio the browser cannot decode, exported as audio through the export worker', () => {
  let t: TestStore;
  let recording: Recording;
  beforeAll(async () => {
    t = await openTestStore();
    recording = await recordToEnd(t.store, `${inject('formatStreamsUrl')}/vod/h264-ac3-ts/index.m3u8`);
  });
  afterAll(async () => {
    await t.dispose();
  });

  test.each([
    ['MP3 at 192 kb/s', { format: 'mp3', bitrateKbps: 192 }, 'mp3'],
    ['Ogg Opus at 96 kb/s', { format: 'ogg', transcode: { audio: { codec: 'opus', bitrateKbps: 96, loudnorm: false }, video: null, burnWallClock: false } }, 'opus'],
  ] as const)('H.264 and 5.1 AC-3, %s: stereo at 48 kHz, as long as the recording, the tone unbroken, tagged', { timeout: 120_000 }, async (_name, options, codec) => {
    const exported = await exportRecording(recording, { ...options, dbName: t.dbName });
    expect(exported.codecs).toEqual([codec]);
    expect(Math.abs(exported.durationSec - 6)).toBeLessThan(0.1);
    const bytes = new Uint8Array(await exported.file.arrayBuffer());
    await expectUnbrokenTone(bytes, codec);
    const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS });
    try {
      const track = (await input.getPrimaryAudioTrack())!;
      expect([track.numberOfChannels, track.sampleRate]).toEqual([2, 48_000]);
    } finally {
      input.dispose();
    }
    expect((await readTags(exported.file)).comment).toBe(recording.sourceUrl);
  });

  test('E-AC-3 in fMP4 (an audio rendition as Apple-style TV streams carry it) exports as MP3: decoded by ffmpeg.wasm behind its init section, as long as the recording, the tone unbroken', { timeout: 120_000 }, async () => {
    const eac3 = await recordToEnd(t.store, `${inject('formatStreamsUrl')}/vod/eac3-fmp4/index.m3u8`);
    const exported = await exportRecording(eac3, { format: 'mp3', bitrateKbps: 128, dbName: t.dbName });
    expect(exported.codecs).toEqual(['mp3']);
    expect(await expectUnbrokenTone(new Uint8Array(await exported.file.arrayBuffer()), 'mp3')).toBe(44_100);
  });
});
