import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RtspTrack } from '../rtsp/types.ts';
import { startGstRtpSender, type GstRtpSender } from '../hls/test-rtp-sender.ts';
import { MediaPipeline, UnsupportedCameraError, chooseTracks } from './media-pipeline.ts';

const execFileAsync = promisify(execFile);

const H264_TRACK: RtspTrack = { mediaType: 'video', encodingName: 'H264', clockRateHz: 90000, channels: null, payloadType: 96, fmtp: { 'packetization-mode': '1' }, controlUrl: 'rtsp://x/0' };
const H265_TRACK: RtspTrack = { ...H264_TRACK, encodingName: 'H265', fmtp: {} };
const AAC_TRACK: RtspTrack = {
  mediaType: 'audio',
  encodingName: 'MPEG4-GENERIC',
  clockRateHz: 48000,
  channels: 2,
  payloadType: 97,
  fmtp: { mode: 'AAC-hbr', sizelength: '13', indexlength: '3', indexdeltalength: '3', config: '1190' },
  controlUrl: 'rtsp://x/1',
};
const PCMU_TRACK: RtspTrack = { mediaType: 'audio', encodingName: 'PCMU', clockRateHz: 8000, channels: 1, payloadType: 0, fmtp: {}, controlUrl: 'rtsp://x/2' };

/** Video at 25 fps with a keyframe every second, for `seconds` seconds. */
function videoPipeline(encoder: 'x264enc' | 'x265enc', seconds: number): string {
  const encode = encoder === 'x264enc' ? 'x264enc key-int-max=25 tune=zerolatency bitrate=600 speed-preset=ultrafast ! rtph264pay config-interval=1 pt=96' : 'x265enc key-int-max=25 tune=zerolatency bitrate=600 speed-preset=ultrafast ! rtph265pay config-interval=1 pt=96';
  return `videotestsrc is-live=true num-buffers=${seconds * 25} pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1 ! ${encode}`;
}
const AUDIO_PIPELINE = (seconds: number): string => `audiotestsrc is-live=true num-buffers=${Math.ceil((seconds * 48000) / 1024)} ! audio/x-raw,rate=48000,channels=2 ! avenc_aac ! rtpmp4gpay pt=97`;

function ffprobeJson(args: string[]): Promise<{ streams?: Record<string, unknown>[]; packets?: Record<string, unknown>[]; frames?: Record<string, unknown>[]; format?: Record<string, unknown> }> {
  return new Promise((resolve, reject) =>
    execFile('ffprobe', ['-v', 'error', '-print_format', 'json', ...args], { maxBuffer: 32 * 1024 * 1024, timeout: 30_000 }, (error, out, err) =>
      error ? reject(new Error(`ffprobe ${args.join(' ')}: ${err || error.message}`)) : resolve(JSON.parse(out) as never),
    ),
  );
}

/**
 * The H.264 slices (NAL unit types 1 and 5) of an MP4 file's video, as ffmpeg copies them out
 * in Annex B form, and how many of them start a picture (first_mb_in_slice 0, whose ue(v) code
 * is a single 1 bit: ITU-T H.264 section 7.3.3).
 */
function countSlices(path: string): Promise<{ slices: number; pictureStarts: number }> {
  return new Promise((resolve, reject) =>
    execFile('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v', '-c', 'copy', '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', '-'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 }, (error, out) => {
      if (error) return reject(error);
      let slices = 0;
      let pictureStarts = 0;
      for (let i = 0; i + 4 < out.length; i += 1) {
        if (out[i] !== 0 || out[i + 1] !== 0 || out[i + 2] !== 1) continue;
        const type = out[i + 3]! & 0x1f;
        if (type === 1 || type === 5) {
          slices += 1;
          if ((out[i + 4]! & 0x80) !== 0) pictureStarts += 1;
        }
        i += 3;
      }
      resolve({ slices, pictureStarts });
    }),
  );
}

/** Writes the pipeline's playlist, init section and listed segments to a directory; returns the segment names. */
async function writeLiveFiles(pipeline: MediaPipeline, dir: string): Promise<string[]> {
  const playlist = new TextDecoder().decode(pipeline.getFile('index.m3u8')!.body);
  const segments = playlist.split('\n').filter((line) => line.endsWith('.m4s'));
  await writeFile(join(dir, 'index.m3u8'), playlist);
  const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)![1]!;
  await writeFile(join(dir, init), pipeline.getFile(init)!.body);
  for (const name of segments) await writeFile(join(dir, name), pipeline.getFile(name)!.body);
  return segments;
}

describe('MediaPipeline on real GStreamer RTP', () => {
  let sender: GstRtpSender | null = null;
  let pipeline: MediaPipeline | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    await sender?.stop();
    await pipeline?.close();
    if (dir !== null) await rm(dir, { recursive: true, force: true });
    sender = pipeline = dir = null;
  });

  for (const [codec, encoder, videoTrack] of [['h264', 'x264enc', H264_TRACK], ['hevc', 'x265enc', H265_TRACK]] as const) {
    it(`packages ${codec} + AAC RTP into live fMP4 HLS that ffprobe reads: codecs, size, duration, a keyframe first in every segment`, async () => {
      const errors: Error[] = [];
      const livePipeline = new MediaPipeline([videoTrack, AAC_TRACK], 0, 1, { targetDurationSec: 1, maxSegmentCount: 3, onError: (e) => errors.push(e) });
      pipeline = livePipeline;
      const playlists: string[] = [];
      let bytesPeak = 0;
      sender = await startGstRtpSender([{ pipeline: videoPipeline(encoder, 6) }, { pipeline: AUDIO_PIPELINE(6) }], (index, packet, arrivalMs) => {
        livePipeline.push(index, packet, arrivalMs);
        bytesPeak = Math.max(bytesPeak, livePipeline.bytesHeld);
      });
      await sender.done;
      expect(errors).toEqual([]);
      dir = await mkdtemp(join(tmpdir(), 'tapedeck-live-'));
      const segments = await writeLiveFiles(livePipeline, dir);
      const playlist = new TextDecoder().decode(livePipeline.getFile('index.m3u8')!.body);
      playlists.push(playlist);
      // Sliding window: 3 segments listed; the 4 before them still fetchable (RFC 8216
      // section 6.2.2), older ones gone from memory.
      expect(segments).toHaveLength(3);
      expect(playlist).toMatch(/#EXT-X-MEDIA-SEQUENCE:[1-9]/);
      expect(segments[0]).toMatch(/^segment-\w+-\d+\.m4s$/);
      const firstListed = Number(/-(\d+)\.m4s$/.exec(segments[0]!)![1]);
      const segmentNamed = (n: number) => livePipeline.getFile(segments[0]!.replace(/-\d+\.m4s$/, `-${n}.m4s`));
      for (let n = Math.max(1, firstListed - 4); n < firstListed; n += 1) expect(segmentNamed(n), `segment ${n}, out of the playlist`).not.toBeNull();
      if (firstListed - 5 >= 1) expect(segmentNamed(firstListed - 5)).toBeNull();
      const initName = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)![1]!;
      expect(playlist).toMatch(/#EXT-X-PROGRAM-DATE-TIME:20\d\d-/);
      const programDateMs = Date.parse(/#EXT-X-PROGRAM-DATE-TIME:(\S+)/.exec(playlist)![1]!);
      expect(Math.abs(programDateMs - Date.now())).toBeLessThan(10_000);

      const probed = await ffprobeJson(['-show_streams', '-show_format', join(dir, 'index.m3u8')]);
      const streams = probed.streams ?? [];
      expect(streams.map((s) => s['codec_name']).sort()).toEqual(['aac', codec].sort());
      const video = streams.find((s) => s['codec_type'] === 'video')!;
      expect([video['width'], video['height']]).toEqual([320, 240]);
      // A live playlist has no total duration: each EXTINF is about the 1 s keyframe interval.
      const extinfSec = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
      for (const durationSec of extinfSec) expect(durationSec).toBeCloseTo(1, 1);
      for (const name of segments) {
        const joined = join(dir, `probe-${name}.mp4`);
        await writeFile(joined, Buffer.concat([livePipeline.getFile(initName)!.body, livePipeline.getFile(name)!.body]));
        const packets = (await ffprobeJson(['-select_streams', 'v', '-show_packets', '-show_entries', 'packet=flags,duration_time', joined])).packets ?? [];
        expect(packets.length).toBe(25);
        expect(String(packets[0]!['flags'])).toMatch(/^K/);
        expect(packets.slice(1).every((p) => !String(p['flags']).startsWith('K'))).toBe(true);
      }
      expect(bytesPeak).toBeLessThan(2 * 1024 * 1024);
      expect(livePipeline.stats.video.droppedUnits).toBe(0);
    }, 40_000);
  }
});

/** True when an H.264 RTP payload ends a slice NAL unit (types 1 and 5): a single NAL unit packet or an FU-A end fragment (RFC 6184 5.6, 5.8). */
function endsSlice(payload: Uint8Array): boolean {
  const type = payload[0]! & 0x1f;
  if (type === 1 || type === 5) return true;
  return type === 28 && (payload[1]! & 0x40) !== 0 && [1, 5].includes(payload[1]! & 0x1f);
}

/**
 * Packages 8 s of 25 fps H.264 sent by GStreamer (a key frame every `keyframeInterval` frames,
 * `slices` slices per picture; or, with `keyframesAtSec`, an ffmpeg-encoded file with key frames
 * at those times) with a 1 s target duration and `maxSegmentCount` segments listed, then runs
 * `check` on the pipeline and every media playlist it wrote, in order, once the sender is done.
 * `markerOnEverySlice` sets the RTP marker bit on the last packet of every slice, as some camera
 * firmware does.
 */
async function packageH264(
  options: { keyframeInterval: number; maxSegmentCount: number; slices?: number; markerOnEverySlice?: boolean; bFrames?: number } | { keyframesAtSec: number[]; maxSegmentCount: number },
  check: (pipeline: MediaPipeline, playlists: string[]) => void | Promise<void>,
): Promise<void> {
  const playlists: string[] = [];
  const pipeline = new MediaPipeline([H264_TRACK], 0, -1, { targetDurationSec: 1, maxSegmentCount: options.maxSegmentCount, onError: (e) => expect.fail(e.message), onPlaylist: (text) => playlists.push(text) });
  const dir = await mkdtemp(join(tmpdir(), 'tapedeck-gop-'));
  let source: string;
  if ('keyframesAtSec' in options) {
    // x264 in GStreamer keeps one key frame interval; ffmpeg places key frames where asked.
    const file = join(dir, 'keyframes.mp4');
    await execFileAsync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25:duration=8', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-x264-params', 'keyint=1000:min-keyint=1:scenecut=0', '-force_key_frames', options.keyframesAtSec.join(','), file]);
    source = `filesrc location=${file} ! qtdemux ! h264parse ! rtph264pay config-interval=1 pt=96`;
  } else {
    const slices = options.slices === undefined ? '' : ` option-string=slices=${options.slices}`;
    // tune=zerolatency turns B-frames off; without it x264 holds pictures back to reorder them.
    const latency = options.bFrames === undefined ? ' tune=zerolatency' : ` bframes=${options.bFrames} b-adapt=false`;
    source = `videotestsrc is-live=true num-buffers=200 pattern=ball ! video/x-raw,width=160,height=120,framerate=25/1 ! x264enc key-int-max=${options.keyframeInterval}${latency} bitrate=200 speed-preset=ultrafast${slices} ! rtph264pay config-interval=1 pt=96`;
  }
  const markerOnEverySlice = 'markerOnEverySlice' in options && options.markerOnEverySlice === true;
  const sender = await startGstRtpSender([{ pipeline: source }], (index, packet, arrivalMs) => pipeline.push(index, markerOnEverySlice && endsSlice(packet.payload) ? { ...packet, marker: true } : packet, arrivalMs));
  try {
    await sender.done;
    await check(pipeline, playlists);
  } finally {
    await sender.stop();
    await pipeline.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Writes the pipeline's live files to a temporary directory and runs `check` on each listed
 * segment joined to its init section (an MP4 file ffprobe reads); returns how many there were.
 */
async function checkEachSegment(pipeline: MediaPipeline, check: (joinedPath: string) => Promise<void>): Promise<number> {
  const playlist = new TextDecoder().decode(pipeline.getFile('index.m3u8')!.body);
  const dir = await mkdtemp(join(tmpdir(), 'tapedeck-segments-'));
  try {
    const segments = await writeLiveFiles(pipeline, dir);
    const initName = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)![1]!;
    for (const name of segments) {
      const joined = join(dir, `probe-${name}.mp4`);
      await writeFile(joined, Buffer.concat([pipeline.getFile(initName)!.body, pipeline.getFile(name)!.body]));
      await check(joined);
    }
    return segments.length;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('MediaPipeline target duration', () => {
  it('raises EXT-X-TARGETDURATION to a keyframe interval longer than the configured one (RFC 8216 4.3.3.1)', async () => {
    await packageH264({ keyframeInterval: 60, maxSegmentCount: 6 }, (pipeline) => {
      const playlist = new TextDecoder().decode(pipeline.getFile('index.m3u8')!.body);
      expect(playlist).toContain('#EXT-X-TARGETDURATION:3\n');
      const extinfSec = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
      expect(extinfSec.length).toBeGreaterThanOrEqual(2);
      for (const durationSec of extinfSec) expect(durationSec).toBeCloseTo(2.4, 1);
    });
  }, 30_000);

  it('raises EXT-X-TARGETDURATION to a segment made longer by a key frame interval that grows after the first GOP, and keeps it raised', async () => {
    // GOPs of 1 s, then 3 s (a camera's "smart" codec stretching it), then 1 s again; the
    // GOP from 7 s is still open when the sender stops, so it is never written.
    await packageH264({ keyframesAtSec: [0, 1, 4, 5, 6, 7], maxSegmentCount: 3 }, (pipeline, playlists) => {
      const extinfSec = (text: string) => [...text.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
      const targetSec = (text: string) => Number(/#EXT-X-TARGETDURATION:(\d+)\n/.exec(text)![1]);
      expect(playlists.flatMap(extinfSec).map((durationSec) => Math.round(durationSec))).toEqual(expect.arrayContaining([1, 3]));
      // Every playlist written: each segment it lists, rounded, within its target (RFC 8216 4.3.3.1).
      for (const text of playlists) for (const durationSec of extinfSec(text)) expect(Math.round(durationSec)).toBeLessThanOrEqual(targetSec(text));
      // The target only grows: it stays 3 once the 3 s segment has left the window.
      const last = playlists.at(-1)!;
      expect(extinfSec(last).map((durationSec) => Math.round(durationSec))).toEqual([1, 1, 1]);
      expect(targetSec(last)).toBe(3);
      expect(pipeline.targetDurationSec).toBe(3);
    });
  }, 30_000);
});

describe('MediaPipeline access units', () => {
  it('joins the slices of a picture that a camera sends each with the RTP marker bit into one access unit', async () => {
    await packageH264({ keyframeInterval: 50, maxSegmentCount: 6, slices: 2, markerOnEverySlice: true }, async (pipeline) => {
      const playlist = new TextDecoder().decode(pipeline.getFile('index.m3u8')!.body);
      // The key frame interval (2 s) is measured from whole pictures, not from a picture's two slices.
      expect(playlist).toContain('#EXT-X-TARGETDURATION:2\n');
      const segmentCount = await checkEachSegment(pipeline, async (joined) => {
        const frames = (await ffprobeJson(['-select_streams', 'v', '-show_frames', '-show_entries', 'frame=pict_type', joined])).frames ?? [];
        // Every picture of the 2 s segment, each with both its slices (ffmpeg conceals a missing one without a word).
        expect(frames).toHaveLength(50);
        expect(await countSlices(joined)).toEqual({ slices: 100, pictureStarts: 50 });
      });
      expect(segmentCount).toBeGreaterThanOrEqual(2);
    });
  }, 30_000);
});

describe('MediaPipeline B-frames', () => {
  it('keeps the B-frames of a camera that sends pictures out of presentation order, each shown once at its own time', async () => {
    await packageH264({ keyframeInterval: 50, maxSegmentCount: 6, bFrames: 2 }, async (pipeline) => {
      const playlist = new TextDecoder().decode(pipeline.getFile('index.m3u8')!.body);
      for (const [, durationSec] of playlist.matchAll(/#EXTINF:([\d.]+)/g)) expect(Number(durationSec)).toBeCloseTo(2, 1);
      const segmentCount = await checkEachSegment(pipeline, async (joined) => {
        const frames = (await ffprobeJson(['-select_streams', 'v', '-show_frames', '-show_entries', 'frame=pict_type,pts_time', joined])).frames ?? [];
        // Every picture of the 2 s segment, two in three of them B-frames, in presentation order 40 ms apart.
        expect(frames).toHaveLength(50);
        expect(frames.filter((frame) => frame['pict_type'] === 'B').length).toBeGreaterThanOrEqual(30);
        const ptsSec = frames.map((frame) => Number(frame['pts_time']));
        for (let i = 1; i < ptsSec.length; i += 1) expect(ptsSec[i]! - ptsSec[i - 1]!).toBeCloseTo(0.04, 3);
      });
      expect(segmentCount).toBeGreaterThanOrEqual(2);
      expect(pipeline.stats.video.droppedUnits).toBe(0);
    });
  }, 30_000);
});

describe('MediaPipeline sliding window', () => {
  it('keeps a segment that left the playlist fetchable for a playlist more, then frees it (RFC 8216 6.2.2)', async () => {
    await packageH264({ keyframeInterval: 25, maxSegmentCount: 2 }, (pipeline) => {
      const playlist = new TextDecoder().decode(pipeline.getFile('index.m3u8')!.body);
      const listed = [...playlist.matchAll(/^(segment-\w+-(\d+)\.m4s)$/gm)];
      expect(listed).toHaveLength(2);
      const firstListed = Number(listed[0]![2]);
      expect(firstListed).toBeGreaterThanOrEqual(5); // 8 s of 1 s GOPs: at least four have left the playlist
      const named = (n: number) => pipeline.getFile(listed[0]![1]!.replace(/-\d+\.m4s$/, `-${n}.m4s`));
      for (let n = firstListed - 3; n < firstListed; n += 1) expect(named(n), `segment ${n}, out of the playlist for under a playlist's length`).not.toBeNull();
      for (let n = 1; n < firstListed - 3; n += 1) expect(named(n), `segment ${n}, out of the playlist long since`).toBeNull();
    });
  }, 30_000);
});

describe('chooseTracks', () => {
  it('takes H.264 video and AAC audio', () => {
    expect(chooseTracks([H264_TRACK, AAC_TRACK])).toEqual({ video: H264_TRACK, audio: AAC_TRACK, droppedAudioCodec: null });
  });
  it('drops PCMU audio, naming it, and keeps the video', () => {
    expect(chooseTracks([PCMU_TRACK, H265_TRACK])).toEqual({ video: H265_TRACK, audio: null, droppedAudioCodec: 'PCMU' });
  });
  it('refuses a camera without H.264 or H.265 video, listing what it offers', () => {
    expect(() => chooseTracks([PCMU_TRACK, { ...H264_TRACK, encodingName: 'JPEG' }])).toThrow(new UnsupportedCameraError(['audio PCMU', 'video JPEG']));
  });
});
