import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startLiveHlsProcess, type LiveHlsProcess } from './live-process.ts';

/**
 * HLS streams in the segment formats users meet, made by ffmpeg:
 * - `fmp4`: fMP4/CMAF segments with an EXT-X-MAP init section (`-hls_segment_type fmp4`);
 * - `fmp4-small`: the same at 256x144, so its init section differs;
 * - `byterange`: one MPEG-TS file, each segment an EXT-X-BYTERANGE of it (`-hls_flags single_file`);
 * - `adts`: packed ADTS AAC audio (`-f segment -segment_format adts`), as radio serves it;
 * - `adts-51`: the same in 5.1 (the tone in the centre channel, the others silent);
 * - `adts-id3`: the same, each segment starting with an ID3 PRIV transportStreamTimestamp tag
 *   (RFC 8216 section 3.4), the PTS of segment i being {@link PACKED_AUDIO_BASE_PTS90K} plus
 *   its start;
 * - `mp3`: packed MP3 audio (`-segment_format mp3`);
 * - `ts`: plain MPEG-TS segments;
 * - `hevc-ts`: the same with H.265 (libx265) video, as newer cameras and TV streams send;
 * - `ac3-ts`: audio-only MPEG-TS segments of AC-3 (as TV streams carry), which Chromium's
 *   WebCodecs cannot decode;
 * - `eac3-ts`: the same with E-AC-3;
 * - `eac3-fmp4`: E-AC-3 audio in fMP4 segments (`init.mp4`, `seg%03d.m4s`), as Apple-style TV
 *   streams carry their audio renditions;
 * - `h264-ac3-ts`: MPEG-TS segments of H.264 with 5.1 AC-3 audio at 48 kHz, as a TV stream
 *   (the tone in the centre channel, the others silent);
 * - `av-sync`: MPEG-TS segments whose picture is dark but for one bright frame at every whole
 *   second ({@link AV_SYNC_FLASH_LUMA}) and whose stereo audio is silent but for a 40 ms 3 kHz
 *   beep starting at every whole second, to measure how far audio and video of an export are apart;
 * - `av-sync-fmp4`: the same in fMP4 segments (`init.mp4`, `seg%03d.m4s`);
 * - `fmp4-renditions`: one encode written as two fMP4 media playlists sharing its clock, as a
 *   master's video variant and its audio rendition are (`-var_stream_map "v:0 a:0"`): video in
 *   `index0.m3u8` (`init0.mp4`, `seg0-NNN.m4s`), audio in `index1.m3u8` (`init1.mp4`,
 *   `seg1-NNN.m4s`);
 * - `ts-renditions-wrap`: the same as two MPEG-TS media playlists (`index0.m3u8` with
 *   `seg0-NNN.ts`, `index1.m3u8` with `seg1-NNN.ts`, 4 s segments), lasting
 *   {@link WRAP_VOD_DURATION_SEC}, whose 33-bit presentation clock starts
 *   {@link WRAP_VOD_WRAP_AFTER_SEC} before it wraps to 0 (`-output_ts_offset`), as a stream
 *   running for a day does once every 26.5 hours;
 * - `ts-wrap`: the same clock in one MPEG-TS media playlist of video and audio (`seg%03d.ts`);
 * - `ts-bframes`: MPEG-TS segments (`seg%03d.ts`) of H.264 with B-frames, which are presented
 *   out of decode order, and four slices to a picture, as broadcast encoders make them;
 * - `ts-split-gop`: MPEG-TS segments of 1 s cut by time (`split_by_time`) from H.264 with a
 *   key frame every 2 s, so every other segment holds no key frame and no SPS or PPS, as
 *   packagers that cut by time make them;
 * - `ts-open-gop`: MPEG-TS segments of H.264 whose GOPs are open, so every segment after the
 *   first starts on an I picture that is not IDR (flagged by the random access indicator), with
 *   the SPS and PPS in front of every such picture, as broadcast encoders send them;
 * - `fmp4-renditions-small`: `fmp4-renditions` at 256x144, its init sections another picture size's.
 * Video is a 320x180 25 fps H.264 (or H.265) test pattern with a keyframe every 2 s segment; audio a 440 Hz
 * tone in AAC (or MP3). Every VOD but the two wrapping ones lasts {@link VOD_DURATION_SEC}.
 */
export type VodVariant = 'fmp4' | 'fmp4-small' | 'byterange' | 'adts' | 'adts-51' | 'adts-id3' | 'mp3' | 'ts' | 'hevc-ts' | 'fmp4-renditions' | 'fmp4-renditions-small' | 'ts-renditions-wrap' | 'ts-wrap' | 'ts-bframes' | 'ts-open-gop' | 'ts-split-gop' | 'ac3-ts' | 'eac3-ts' | 'eac3-fmp4' | 'h264-ac3-ts' | 'av-sync' | 'av-sync-fmp4';

/** Luma (Y, 16..235) of the `av-sync` flash frames; the others are at 16. */
export const AV_SYNC_FLASH_LUMA = 235;

/** Length of every VOD, in seconds. */
export const VOD_DURATION_SEC = 6;
/** Length of the `ts-renditions-wrap` and `ts-wrap` VODs, in seconds. */
export const WRAP_VOD_DURATION_SEC = 76;
/**
 * How far into the `ts-renditions-wrap` VOD its clock wraps, in seconds: more than the 60 s
 * mediabunny's MPEG-TS demuxer unwraps within one file, so the wrap falls between segments that
 * it reads on either side of it.
 */
export const WRAP_VOD_WRAP_AFTER_SEC = 70;
/** Playlist file name of every stream made here. */
export const VARIANT_PLAYLIST_NAME = 'index.m3u8';
/** PTS of the first `adts-id3` segment, in 90 kHz ticks (10 s). */
export const PACKED_AUDIO_BASE_PTS90K = 900_000;

const QUIET = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'];

const H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0'];
const H265 = ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'keyint=50:min-keyint=50:scenecut=0:log-level=error'];

/** The MPEG-TS clock's wrap, in seconds (2^33 ticks of 90 kHz). */
const PTS_WRAP_SEC = 2 ** 33 / 90_000;

function videoInputs(durationSec: number | null, realtime: boolean, size = '320x180', videoCodec = H264): string[] {
  const limit = durationSec === null ? [] : ['-t', String(durationSec)];
  const re = realtime ? ['-re'] : [];
  return [
    ...re, '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`,
    ...re, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    ...limit, '-map', '0:v', '-map', '1:a',
    ...videoCodec, '-pix_fmt', 'yuv420p',
    ...['-c:a', 'aac', '-b:a', '64k'],
  ];
}

function audioSegments(codec: string[], format: string, extension: string): string[] {
  return [
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', String(VOD_DURATION_SEC)],
    ...codec,
    ...['-f', 'segment', '-segment_time', '2', '-segment_list', VARIANT_PLAYLIST_NAME, '-segment_list_type', 'm3u8'],
    ...['-segment_format', format, `seg%03d.${extension}`],
  ];
}

function ffmpegArgs(variant: VodVariant): string[] {
  const vod = ['-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod'];
  switch (variant) {
    case 'fmp4':
    case 'fmp4-small':
      return [...videoInputs(VOD_DURATION_SEC, false, variant === 'fmp4' ? '320x180' : '256x144'), ...vod, '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', 'seg%03d.m4s', VARIANT_PLAYLIST_NAME];
    case 'fmp4-renditions':
    case 'fmp4-renditions-small':
      return [...videoInputs(VOD_DURATION_SEC, false, variant === 'fmp4-renditions' ? '320x180' : '256x144'), ...vod, '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init%v.mp4', '-hls_segment_filename', 'seg%v-%03d.m4s', '-var_stream_map', 'v:0 a:0', 'index%v.m3u8'];
    case 'ts-renditions-wrap':
      // ffmpeg's MPEG-TS muxer adds its 1.4 s of mux delay to the offset; 70 s is to the first packet.
      return [
        ...videoInputs(WRAP_VOD_DURATION_SEC, false), '-output_ts_offset', (PTS_WRAP_SEC - WRAP_VOD_WRAP_AFTER_SEC - 1.4).toFixed(6),
        '-f', 'hls', '-hls_time', '4', '-hls_playlist_type', 'vod', '-hls_segment_filename', 'seg%v-%03d.ts', '-var_stream_map', 'v:0 a:0', 'index%v.m3u8',
      ];
    case 'ts-wrap':
      return [
        ...videoInputs(WRAP_VOD_DURATION_SEC, false), '-output_ts_offset', (PTS_WRAP_SEC - WRAP_VOD_WRAP_AFTER_SEC - 1.4).toFixed(6),
        '-f', 'hls', '-hls_time', '4', '-hls_playlist_type', 'vod', '-hls_segment_filename', 'seg%03d.ts', VARIANT_PLAYLIST_NAME,
      ];
    case 'byterange':
      return [...videoInputs(VOD_DURATION_SEC, false), ...vod, '-hls_flags', 'single_file', '-hls_segment_filename', 'single.ts', VARIANT_PLAYLIST_NAME];
    case 'ts':
      return [...videoInputs(VOD_DURATION_SEC, false), ...vod, '-hls_segment_filename', 'seg%03d.ts', VARIANT_PLAYLIST_NAME];
    case 'ts-bframes':
      return [...videoInputs(VOD_DURATION_SEC, false, '320x180', [...H264, '-bf', '3', '-x264-params', 'slices=4']), ...vod, '-hls_segment_filename', 'seg%03d.ts', VARIANT_PLAYLIST_NAME];
    case 'ts-split-gop':
      return [...videoInputs(VOD_DURATION_SEC, false), '-f', 'hls', '-hls_time', '1', '-hls_flags', 'split_by_time', '-hls_playlist_type', 'vod', '-hls_segment_filename', 'seg%03d.ts', VARIANT_PLAYLIST_NAME];
    case 'ts-open-gop':
      return [...videoInputs(VOD_DURATION_SEC, false, '320x180', [...H264, '-bf', '2', '-x264-params', 'open-gop=1', '-flags:v', '+global_header', '-bsf:v', 'dump_extra=freq=keyframe']), ...vod, '-hls_segment_filename', 'seg%03d.ts', VARIANT_PLAYLIST_NAME];
    case 'hevc-ts':
      return [...videoInputs(VOD_DURATION_SEC, false, '320x180', H265), ...vod, '-hls_segment_filename', 'seg%03d.ts', VARIANT_PLAYLIST_NAME];
    case 'adts':
    case 'adts-id3':
      return audioSegments(['-c:a', 'aac', '-b:a', '64k'], 'adts', 'aac');
    case 'adts-51':
      return audioSegments(['-c:a', 'aac', '-ac', '6', '-b:a', '192k'], 'adts', 'aac');
    case 'mp3':
      return audioSegments(['-c:a', 'libmp3lame', '-b:a', '64k'], 'mp3', 'mp3');
    case 'ac3-ts':
      return audioSegments(['-c:a', 'ac3', '-b:a', '96k'], 'mpegts', 'ts');
    case 'eac3-ts':
      return audioSegments(['-c:a', 'eac3', '-b:a', '96k'], 'mpegts', 'ts');
    case 'eac3-fmp4':
      return [
        ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', String(VOD_DURATION_SEC), '-c:a', 'eac3', '-b:a', '96k'],
        ...vod, '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', 'seg%03d.m4s', VARIANT_PLAYLIST_NAME,
      ];
    case 'h264-ac3-ts':
      return [...videoInputs(VOD_DURATION_SEC, false), '-c:a', 'ac3', '-ac', '6', '-b:a', '384k', ...vod, '-hls_segment_filename', 'seg%03d.ts', VARIANT_PLAYLIST_NAME];
    case 'av-sync':
      return [...avSyncInputs(), ...vod, '-hls_segment_filename', 'seg%03d.ts', VARIANT_PLAYLIST_NAME];
    case 'av-sync-fmp4':
      return [...avSyncInputs(), ...vod, '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', 'seg%03d.m4s', VARIANT_PLAYLIST_NAME];
  }
}

/** The `av-sync` picture (a bright frame at every whole second) and sound (a beep at every whole second), encoded. */
function avSyncInputs(): string[] {
  return [
    ...['-f', 'lavfi', '-i', `nullsrc=size=160x90:rate=25,geq=lum='if(lt(mod(T,1),0.04),${AV_SYNC_FLASH_LUMA},16)':cb=128:cr=128`],
    ...['-f', 'lavfi', '-i', "aevalsrc='if(lt(mod(t,1),0.04),0.5*sin(2*PI*3000*t),0)':s=48000:c=stereo"],
    ...['-t', String(VOD_DURATION_SEC), '-map', '0:v', '-map', '1:a', ...H264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k'],
  ];
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve();
    });
  });
}

/**
 * Writes the VOD stream `variant` (see {@link VodVariant}) into the empty directory `dir`, as
 * `index.m3u8` and its segments (`fmp4-renditions`: its two playlists).
 * @throws Error when ffmpeg fails (with its stderr).
 */
export async function makeVodVariant(variant: VodVariant, dir: string): Promise<void> {
  await run('ffmpeg', [...QUIET, ...ffmpegArgs(variant)], dir);
  if (variant === 'adts-id3') await addTimestampTags(dir);
}

/** Synchsafe 28-bit integer (ID3v2.4 section 6.2). */
function synchsafe(value: number): number[] {
  return [(value >> 21) & 0x7f, (value >> 14) & 0x7f, (value >> 7) & 0x7f, value & 0x7f];
}

/**
 * An ID3v2.4 tag holding one PRIV frame `com.apple.streaming.transportStreamTimestamp` with a
 * 33-bit PTS as 8 big-endian bytes (RFC 8216 section 3.4).
 */
export function transportStreamTimestampTag(pts90k: number): Buffer {
  const owner = Buffer.from('com.apple.streaming.transportStreamTimestamp\0', 'latin1');
  const pts = Buffer.alloc(8);
  pts.writeBigUInt64BE(BigInt(pts90k));
  const body = Buffer.concat([owner, pts]);
  const frame = Buffer.concat([Buffer.from('PRIV', 'latin1'), Buffer.from(synchsafe(body.byteLength)), Buffer.from([0, 0]), body]);
  return Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, ...synchsafe(frame.byteLength)]), frame]);
}

/** Prepends a timestamp tag to every segment listed in `dir`'s playlist. */
async function addTimestampTags(dir: string): Promise<void> {
  const lines = (await readFile(join(dir, VARIANT_PLAYLIST_NAME), 'utf8')).split(/\r?\n/);
  let startSec = 0;
  let durationSec = 0;
  for (const line of lines) {
    const extinf = /^#EXTINF:([\d.]+)/.exec(line);
    if (extinf) durationSec = Number(extinf[1]);
    else if (line && !line.startsWith('#')) {
      const path = join(dir, line);
      const pts90k = PACKED_AUDIO_BASE_PTS90K + Math.round(startSec * 90_000);
      await writeFile(path, Buffer.concat([transportStreamTimestampTag(pts90k), await readFile(path)]));
      startSec += durationSec;
    }
  }
}

/**
 * Starts a live fMP4 HLS stream in `dir` (ffmpeg in real time, `-hls_segment_type fmp4`, 2 s
 * segments, a 6-segment window, `init.mp4`), and resolves once it lists a segment.
 * @throws Error when ffmpeg cannot run or lists no segment within 30 s.
 */
export function startFfmpegLiveFmp4(dir: string): Promise<LiveHlsProcess> {
  const args = [
    ...QUIET,
    ...videoInputs(null, true),
    ...['-f', 'hls', '-hls_time', '2', '-hls_list_size', '6', '-hls_flags', 'delete_segments'],
    ...['-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', 'seg%05d.m4s', VARIANT_PLAYLIST_NAME],
  ];
  return startLiveHlsProcess({ command: 'ffmpeg', args, dir, playlistName: VARIANT_PLAYLIST_NAME });
}
