import { describe, expect, test } from 'vitest';
import { defaultConfig } from '../../config.ts';
import { ffprobe, ffprobeFrames } from '../test-format-streams.ts';
import { memoryWritable } from '../test-writable.ts';
import { beepOnsetsSec, brightFramesSec, decodedChannel, sineStray, vodSegments } from './test-signals.ts';
import { transcodeSegments } from './transcode.ts';

const base = { recordingStartedAtMs: Date.UTC(2026, 10, 22, 12), timeZone: 'UTC', ffmpegBasePath: defaultConfig.export.ffmpegBasePath, chunkSec: 2 };
const settings = { audio: { codec: 'aac', bitrateKbps: 128, loudnorm: false }, video: { crf: 30, maxHeight: null }, burnWallClock: false } as const;

describe('video transcodes in chunks (2 s chunks): audio encoded on its own, placed by timestamps', () => {
  test('the audio has no gap or click where the video chunks meet, and is as long as the picture', { timeout: 120_000 }, async () => {
    const segments = await vodSegments('ts');
    const out = memoryWritable();
    const result = await transcodeSegments(segments, { ...base, format: 'mp4', settings, range: null, writable: out.writable });
    expect(result.codecs).toEqual([expect.stringMatching(/^avc1\./), 'mp4a.40.2']);
    const probed = await ffprobe(out.bytes());
    expect(probed.streams.map((stream) => stream.codecName)).toEqual(['h264', 'aac']);
    expect(Math.abs(probed.durationSec - 6)).toBeLessThan(0.1);

    const { pcm, sampleRate } = await decodedChannel(out.bytes());
    expect(Math.abs(pcm.length / sampleRate - 6)).toBeLessThan(0.1);
    const { insideMax, everywhereMax } = sineStray(pcm, sampleRate, 440);
    expect(insideMax).toBeGreaterThan(0);
    expect(everywhereMax).toBeLessThan(3 * insideMax);
  });

  test('a range across a discontinuity keeps every beep on its flash', { timeout: 120_000 }, async () => {
    // The same 6 s twice, the second time after a discontinuity (its timestamps start over).
    const segments = [...(await vodSegments('av-sync')), ...(await vodSegments('av-sync', 3, true))];
    const out = memoryWritable();
    await transcodeSegments(segments, { ...base, format: 'mp4', settings, range: { startSec: 0.5, endSec: 11.3 }, writable: out.writable });
    const probed = await ffprobe(out.bytes());
    expect(probed.streams.map((stream) => stream.codecName)).toEqual(['h264', 'aac']);
    expect(Math.abs(probed.durationSec - 10.8)).toBeLessThan(0.1);

    const flashes = await brightFramesSec(out.bytes());
    const beeps = beepOnsetsSec(await decodedChannel(out.bytes()));
    // Whole seconds 1 to 5 of the first pass (0 is before the in point), 0 to 5 of the second.
    expect(flashes).toHaveLength(11);
    expect(beeps).toHaveLength(11);
    const offsetsMs = flashes.map((flashSec, i) => Math.round((beeps[i]! - flashSec) * 1000));
    // An AAC frame is 21 ms: audio placed a frame off, or from the wrong start, fails.
    for (const offsetMs of offsetsMs) expect(Math.abs(offsetMs)).toBeLessThanOrEqual(5);
  });

  test('across the 33-bit clock’s wrap (76 s of video and audio, the wrap 70 s in), every frame and the audio unbroken', { timeout: 300_000 }, async () => {
    const segments = await vodSegments('ts-wrap');
    const out = memoryWritable();
    const result = await transcodeSegments(segments, { ...base, chunkSec: 20, format: 'mp4', settings: { ...settings, video: { crf: 35, maxHeight: null } }, range: null, writable: out.writable });
    expect(Math.abs(result.durationSec - 76)).toBeLessThan(0.1);
    const bytes = out.bytes();
    const probed = await ffprobe(bytes);
    expect(probed.streams.map((stream) => stream.codecName)).toEqual(['h264', 'aac']);
    for (const stream of probed.streams) expect(Math.abs(stream.durationSec! - 76)).toBeLessThan(0.1);
    expect(await ffprobeFrames(bytes)).toEqual({ frameSizes: [{ width: 320, height: 180, count: 76 * 25 }], decodeErrors: [] });
    const { pcm, sampleRate } = await decodedChannel(bytes);
    expect(Math.abs(pcm.length / sampleRate - 76)).toBeLessThan(0.1);
    const { insideMax, everywhereMax } = sineStray(pcm, sampleRate, 440);
    expect(everywhereMax).toBeLessThan(3 * insideMax);
  });
});
