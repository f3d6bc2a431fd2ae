import { describe, expect, test } from 'vitest';
import { audioDecodeArgs, chunkArgs, drawtextFilter, outputZeroSec } from './ffmpeg-args.ts';
import { checkTranscodeSettings, VIDEO_QUALITIES, type TranscodeSettings } from './settings.ts';

const aac: TranscodeSettings['audio'] = { codec: 'aac', bitrateKbps: 96, loudnorm: false };
const base = { inputPath: 'in.ts', outputPath: 'out.mkv', inputStartSec: 0, seekSec: 0, keepSec: null, wallClock: [{ fromSec: 0, wallClockStartSec: 1_763_726_400.25 }] };

describe('chunkArgs', () => {
  test('video alone (the audio is encoded apart), cut with output options at source times: the input start plus the in point', () => {
    const input = { ...base, inputStartSec: 1.4, seekSec: 1.2, keepSec: 2.8, settings: { audio: { ...aac, loudnorm: true }, video: { crf: 23, maxHeight: null }, burnWallClock: false } };
    expect(chunkArgs(input)).toEqual([
      ...['-hide_banner', '-stats', '-loglevel', 'warning', '-copyts', '-i', 'in.ts', '-ss', '2.600000', '-t', '2.800'],
      ...['-map', '0:v:0', '-vf', 'format=yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-enc_time_base:v', '-1'],
      ...['-f', 'matroska', 'out.mkv'],
    ]);
    expect(outputZeroSec(input)).toBe(2.6);
    expect(() => chunkArgs({ ...input, settings: { ...input.settings, video: null } })).toThrow(TypeError);
  });

  test('H.264 scaled down with the wall clock burned in', () => {
    const args = chunkArgs({ ...base, settings: { audio: aac, video: { ...VIDEO_QUALITIES.small }, burnWallClock: true } });
    const filters = args[args.indexOf('-vf') + 1];
    expect(filters).toBe(`scale=-2:'min(ih,360)',${drawtextFilter(1_763_726_400.25)},format=yuv420p`);
    expect(filters).toContain(`text='%{pts\\:gmtime\\:1763726400.250}'`);
    expect(args.join(' ')).toContain('-map 0:v:0 -vf');
    expect(args.join(' ')).toContain('-c:v libx264 -preset veryfast -crf 30 -enc_time_base:v -1');
  });

  test('after the first chunk, pictures are fitted into its size: scaled inside it, padded with black around', () => {
    const args = chunkArgs({ ...base, frameSize: { width: 640, height: 360 }, settings: { audio: aac, video: { ...VIDEO_QUALITIES.small }, burnWallClock: true } });
    expect(args[args.indexOf('-vf') + 1]).toBe(
      `scale=640:360:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=640:360:-1:-1,${drawtextFilter(1_763_726_400.25)},format=yuv420p`,
    );
  });

  test("the burned clock is moved to drawtext's source times: at output time 0 it shows the piece's wall clock", () => {
    const args = chunkArgs({ ...base, inputStartSec: 3.4, seekSec: 1.2, settings: { audio: aac, video: { ...VIDEO_QUALITIES.small }, burnWallClock: true } });
    expect(args[args.indexOf('-vf') + 1]).toContain(drawtextFilter(1_763_726_400.25 - 4.6));
  });

  test('a wall clock that changes offset mid-run: one drawtext per piece, each enabled from its start to the next', () => {
    const wallClock = [{ fromSec: 0, wallClockStartSec: 1000 }, { fromSec: 90, wallClockStartSec: 4600 }];
    const args = chunkArgs({ ...base, inputStartSec: 10, wallClock, settings: { audio: aac, video: { ...VIDEO_QUALITIES.small }, burnWallClock: true } });
    expect(args[args.indexOf('-vf') + 1]).toBe(
      `scale=-2:'min(ih,360)',${drawtextFilter(990)}:enable='gte(t,10.000)*lt(t,100.000)',${drawtextFilter(4590)}:enable='gte(t,100.000)',format=yuv420p`,
    );
  });
});

describe('audioDecodeArgs', () => {
  test('raw AC-3 to 16-bit PCM, the dither seeded per frame', () => {
    expect(audioDecodeArgs({ inputPath: 'in.raw', inputFormat: 'ac3', outputPath: 'out.pcm' })).toEqual([
      ...['-hide_banner', '-nostats', '-loglevel', 'warning', '-cons_noisegen', '1'],
      ...['-f', 'ac3', '-i', 'in.raw', '-f', 's16le', 'out.pcm'],
    ]);
  });
});

describe('checkTranscodeSettings', () => {
  test('refuses values out of range with the value and its unit', () => {
    expect(() => checkTranscodeSettings({ audio: { ...aac, bitrateKbps: 1000 }, video: null, burnWallClock: false })).toThrow('The audio bitrate must be 6 to 512 kb/s, not 1000 kb/s.');
    expect(() => checkTranscodeSettings({ audio: aac, video: { crf: 60, maxHeight: null }, burnWallClock: false })).toThrow('The H.264 CRF must be a whole number from 0 to 51, not 60.');
    expect(() => checkTranscodeSettings({ audio: aac, video: { crf: 23, maxHeight: 8 }, burnWallClock: false })).toThrow('The largest height must be at least 16 px, not 8 px.');
    expect(() => checkTranscodeSettings({ audio: aac, video: null, burnWallClock: true })).toThrow('The wall clock can only be burned into a video export (MP4).');
  });
});
