import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input } from 'mediabunny';
import { describe, expect, inject, it } from 'vitest';
import type { Recording, SegmentRecord } from '../storage/types.ts';
import { remuxWithRenditions, mergedWebVtt, type RenditionPart } from './merge-renditions.ts';
import { PTS_WRAP_SEC } from './remux.ts';
import { fetchVodSegments, ffprobe, ffprobeFrames } from './test-format-streams.ts';
import { memoryWritable } from './test-writable.ts';

const formats = inject('formatStreamsUrl');

function vtt(msn: number, text: string): SegmentRecord {
  const data = new Blob([text]);
  return { recordingId: 'r', msn, durationSec: 2, discontinuity: false, programDateTimeMs: null, storedAtMs: 0, byteLength: data.size, data };
}

describe('mergedWebVtt', () => {
  it('puts HLS WebVTT cues on the export timeline through X-TIMESTAMP-MAP, once each', async () => {
    const map = 'X-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000';
    const segments = [
      vtt(0, `WEBVTT\n${map}\n\n00:00:00.200 --> 00:00:01.800\nCue 0\n`),
      // A cue spanning two segments is listed in both (RFC 8216 section 3.5); cue ids are dropped.
      vtt(1, `WEBVTT\r\n${map}\r\n\r\nlong\r\n00:00:02.200 --> 00:00:04.500 align:start\r\nCue 1\r\nsecond line\r\n`),
      vtt(2, `WEBVTT\n${map}\n\n00:00:02.200 --> 00:00:04.500 align:start\nCue 1\nsecond line\n\n00:01:04.000 --> 00:01:05.000\nCue 2\n`),
    ];
    // The export's zero is the first video packet at 1.4 s of MPEG-TS time plus 0.1 s.
    expect(await mergedWebVtt(segments, 1.5)).toBe(
      [
        'WEBVTT',
        '',
        '00:00:00.100 --> 00:00:01.700\nCue 0',
        '',
        '00:00:02.100 --> 00:00:04.400 align:start\nCue 1\nsecond line',
        '',
        '00:01:03.900 --> 00:01:04.900\nCue 2',
        '',
      ].join('\n'),
    );
  });

  it('unwraps each segment’s 33-bit X-TIMESTAMP-MAP near the one before', async () => {
    // 10 s before the MPEG-TS clock wraps, then 2 s after; the export's zero is 20 s before it.
    const ticks = [Math.round((PTS_WRAP_SEC - 10) * 90_000), 2 * 90_000];
    const segments = ticks.map((mpegts, msn) => vtt(msn, `WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:${mpegts},LOCAL:00:00:00.000\n\n00:00:00.500 --> 00:00:01.500\nCue ${msn}\n`));
    expect(await mergedWebVtt(segments, PTS_WRAP_SEC - 20)).toBe(['WEBVTT', '', '00:00:10.500 --> 00:00:11.500\nCue 0', '', '00:00:22.500 --> 00:00:23.500\nCue 1', ''].join('\n'));
  });
});

/** A file of the `fmp4-renditions` VOD (tests/helpers/ffmpeg-hls-variants.ts). */
async function renditionFile(name: string, variant: 'fmp4-renditions' | 'fmp4-renditions-small' = 'fmp4-renditions'): Promise<Blob> {
  const response = await fetch(`${formats}/vod/${variant}/${name}`);
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  return response.blob();
}

function recording(id: string, title: string): Recording {
  return {
    id, title, sourceName: 't', sourceUrl: 'https://example.com/master.m3u8', mediaPlaylistUrl: 'https://example.com/index.m3u8', startedAtMs: 0, endedAtMs: 1,
    durationSec: 0, bytes: 0, segmentCount: 0, gapCount: 0, gapSec: 0, gaps: [], codecs: [], kind: null, status: 'complete', lastError: null,
  };
}

/**
 * Stored fMP4 segments of one stream played twice, as an encoder restart leaves them: the files
 * `files` at msns from 0, then again after an EXT-X-DISCONTINUITY (timestamps start over), the
 * msns in `missing` left out (gaps).
 */
async function twoStretches(recordingId: string, files: string[], missing: number[] = []): Promise<SegmentRecord[]> {
  const blobs = await Promise.all(files.map((file) => renditionFile(file)));
  return [...blobs, ...blobs]
    .map((data, msn): SegmentRecord => ({ recordingId, msn, durationSec: 2, discontinuity: msn === blobs.length, programDateTimeMs: null, storedAtMs: 0, byteLength: data.size, data, initSectionId: 0 }))
    .filter((segment) => !missing.includes(segment.msn));
}

/** Presentation timestamps (seconds) of a file's video key packets and of its audio packets. */
async function packetTimes(bytes: Uint8Array): Promise<{ videoKeys: number[]; audio: number[] }> {
  const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS });
  const videoKeys: number[] = [];
  const audio: number[] = [];
  for await (const packet of new EncodedPacketSink((await input.getPrimaryVideoTrack())!).packets()) if (packet.type === 'key') videoKeys.push(packet.timestamp);
  for await (const packet of new EncodedPacketSink((await input.getPrimaryAudioTrack())!).packets()) audio.push(packet.timestamp);
  input.dispose();
  return { videoKeys, audio };
}

describe('remuxWithRenditions on fMP4 with discontinuities and gaps', () => {
  const video = ['seg0-000.m4s', 'seg0-001.m4s', 'seg0-002.m4s'];
  const audio = ['seg1-000.m4s', 'seg1-001.m4s', 'seg1-002.m4s', 'seg1-003.m4s'];
  const readInit = (recordingId: string) => renditionFile(recordingId === 'main' ? 'init0.mp4' : 'init1.mp4');

  it('writes each discontinuity stretch after the last, the audio rendition in sync with the video, a gap a hole in its own track', async () => {
    const main = recording('main', 'Show');
    // The audio rendition lost its msn 1 (the 2nd segment, 2 to 4 s of the first stretch).
    const part: RenditionPart = { recording: recording('audio', 'Show (audio: audio_2)'), segments: await twoStretches('audio', audio, [1]) };
    const out = memoryWritable();
    const outcome = await remuxWithRenditions(main, await twoStretches('main', video), [part], { format: 'mp4', destination: out.writable, totalDurationSec: 12, readInit });

    if (!('merged' in outcome)) throw new Error(`not merged: ${outcome.notMergedBecause}`);
    expect(outcome.merged.durationSec).toBeGreaterThan(11.9);
    expect(outcome.merged.durationSec).toBeLessThan(12.2);
    const probed = await ffprobe(out.bytes());
    expect(probed.streams.map((s) => `${s.codecType}:${s.codecName}`)).toEqual(['video:h264', 'audio:aac']);
    expect(probed.durationSec).toBeGreaterThan(11.9);

    const { videoKeys, audio: audioTimes } = await packetTimes(out.bytes());
    expect(videoKeys).toHaveLength(6);
    // The second stretch starts where the first ended (its own clock started over at 0).
    const secondStartSec = videoKeys[3]!;
    expect(secondStartSec).toBeGreaterThan(5.9);
    expect(secondStartSec).toBeLessThan(6.1);
    // Audio starts with the video in both stretches, and is missing only where its segment is.
    const firstAudioOfSecond = audioTimes.find((t) => t >= secondStartSec - 0.05)!;
    expect(Math.abs(firstAudioOfSecond - secondStartSec)).toBeLessThan(0.05);
    expect(Math.abs(audioTimes[0]! - videoKeys[0]!)).toBeLessThan(0.05);
    expect(audioTimes.filter((t) => t > 2.1 && t < 3.9)).toEqual([]);
    expect(audioTimes.filter((t) => t > 8.1 && t < 9.9).length).toBeGreaterThan(80);
  });

  it('across an init section change (320x180, then 256x144 after a discontinuity): every frame decodes at its own size, the audio with it', { timeout: 60_000 }, async () => {
    // The files at msns from 0 under init section 0, then the small encode's under init section 1.
    const switched = async (recordingId: string, files: string[]) => {
      const large = await Promise.all(files.map((file) => renditionFile(file)));
      const small = await Promise.all(files.map((file) => renditionFile(file, 'fmp4-renditions-small')));
      return [...large, ...small].map((data, msn): SegmentRecord => {
        const second = msn >= files.length;
        return { recordingId, msn, durationSec: 2, discontinuity: msn === files.length, programDateTimeMs: null, storedAtMs: 0, byteLength: data.size, data, initSectionId: second ? 1 : 0 };
      });
    };
    const readSwitchedInit = (recordingId: string, id: number) => renditionFile(recordingId === 'main' ? 'init0.mp4' : 'init1.mp4', id === 0 ? 'fmp4-renditions' : 'fmp4-renditions-small');
    const part: RenditionPart = { recording: recording('audio', 'Show (audio: audio_2)'), segments: await switched('audio', audio) };
    const out = memoryWritable();
    const outcome = await remuxWithRenditions(recording('main', 'Show'), await switched('main', video), [part], { format: 'mp4', destination: out.writable, totalDurationSec: 12, readInit: readSwitchedInit });

    if (!('merged' in outcome)) throw new Error(`not merged: ${outcome.notMergedBecause}`);
    const frames = await ffprobeFrames(out.bytes());
    expect(frames.decodeErrors).toEqual([]);
    expect(frames.frameSizes).toEqual([
      { width: 320, height: 180, count: 150 },
      { width: 256, height: 144, count: 150 },
    ]);
    const { videoKeys, audio: audioTimes } = await packetTimes(out.bytes());
    const secondStartSec = videoKeys[3]!;
    expect(Math.abs(secondStartSec - 6)).toBeLessThan(0.1);
    expect(Math.abs(audioTimes.find((t) => t >= secondStartSec - 0.05)! - secondStartSec)).toBeLessThan(0.05);
  });

  it('does not merge, and says why, when a rendition breaks at other places than the video', async () => {
    const main = recording('main', 'Show');
    const once = await Promise.all(audio.map((file) => renditionFile(file)));
    const segments = once.map((data, msn): SegmentRecord => ({ recordingId: 'audio', msn, durationSec: 2, discontinuity: false, programDateTimeMs: null, storedAtMs: 0, byteLength: data.size, data, initSectionId: 0 }));
    const out = memoryWritable();
    const outcome = await remuxWithRenditions(main, await twoStretches('main', video), [{ recording: recording('audio', 'Show (audio: audio_2)'), segments }], {
      format: 'mkv', destination: out.writable, totalDurationSec: 12, readInit,
    });
    expect(outcome).toEqual({ notMergedBecause: 'audio_2 breaks (EXT-X-DISCONTINUITY) at other places than the main recording, so it could not be lined up with it' });
    expect(out.bytes().byteLength).toBe(0);
  });
});

/**
 * The `ts-renditions-wrap` VOD (tests/helpers/ffmpeg-hls-variants.ts): video and audio as two
 * MPEG-TS media playlists, 76 s long, whose 33-bit clock wraps to 0 70 s in.
 */
const WRAP_VOD_DURATION_SEC = 76;
const WRAP_VOD_WRAP_AFTER_SEC = 70;

/** One playlist of the `ts-renditions-wrap` VOD, its segments stored as `recordingId`'s. */
async function wrapVodSegments(playlist: 'index0.m3u8' | 'index1.m3u8', recordingId: string): Promise<SegmentRecord[]> {
  const segments = await fetchVodSegments('ts-renditions-wrap', playlist);
  return segments.map(({ data, durationSec }, msn) => ({ recordingId, msn, durationSec, discontinuity: false, programDateTimeMs: null, storedAtMs: 0, byteLength: data.size, data }));
}

/** Largest step between consecutive values: where a clock jumped. */
function largestStep(values: number[]): number {
  return Math.max(...values.slice(1).map((value, i) => value - values[i]!));
}

describe('remuxWithRenditions on MPEG-TS whose 33-bit clock wraps', () => {
  it('keeps the audio rendition in sync with the video across the wrap', { timeout: 60_000 }, async () => {
    const audio: RenditionPart = { recording: recording('audio', 'Show (audio: audio_1)'), segments: await wrapVodSegments('index1.m3u8', 'audio') };
    const out = memoryWritable();
    const outcome = await remuxWithRenditions(recording('main', 'Show'), await wrapVodSegments('index0.m3u8', 'main'), [audio], {
      format: 'mp4', destination: out.writable, totalDurationSec: WRAP_VOD_DURATION_SEC, readInit: () => Promise.resolve(undefined),
    });

    if (!('merged' in outcome)) throw new Error(`not merged: ${outcome.notMergedBecause}`);
    expect(Math.abs(outcome.merged.durationSec - WRAP_VOD_DURATION_SEC)).toBeLessThan(0.2);
    const probed = await ffprobe(out.bytes());
    expect(probed.streams.map((s) => `${s.codecType}:${s.codecName}`)).toEqual(['video:h264', 'audio:aac']);
    expect(Math.abs(probed.durationSec - WRAP_VOD_DURATION_SEC)).toBeLessThan(0.2);

    const { videoKeys, audio: audioTimes } = await packetTimes(out.bytes());
    // A keyframe every 2 s on both sides of the wrap, none piled up at 0 or thrown far.
    expect(videoKeys).toHaveLength(WRAP_VOD_DURATION_SEC / 2);
    expect(largestStep(videoKeys)).toBeLessThan(2.05);
    // AAC frames of 1024 samples at 48 kHz, 21.3 ms apart, with no hole at the wrap.
    expect(largestStep(audioTimes)).toBeLessThan(0.03);
    expect(Math.abs(audioTimes[0]! - videoKeys[0]!)).toBeLessThan(0.05);
    expect(audioTimes.at(-1)).toBeGreaterThan(WRAP_VOD_DURATION_SEC - 0.1);
    // After the wrap, the audio still starts with the video keyframe.
    const keyAfterWrap = videoKeys.find((key) => key > WRAP_VOD_WRAP_AFTER_SEC)!;
    expect(Math.min(...audioTimes.map((t) => Math.abs(t - keyAfterWrap)))).toBeLessThan(0.022);
  });
});
