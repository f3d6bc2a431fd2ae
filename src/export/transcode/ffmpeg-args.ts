import { LOUDNORM_MEASURE_FILTER, loudnormApplyFilter, type LoudnessMeasurement } from './loudness.ts';
import type { WallClockPiece } from './wall-clock-zone.ts';
import type { TranscodeSettings } from './settings.ts';

/** Path of the drawtext font inside ffmpeg.wasm's in-memory file system. */
export const FONT_PATH = '/DejaVuSans.ttf';

/** One ffmpeg run over the video of one chunk of the recording. */
export interface ChunkArgsInput {
  /** Its `video` is the encode's; the audio is encoded apart (aac-chunks.ts). */
  settings: TranscodeSettings;
  /** Input file in ffmpeg's file system (MPEG-TS: the chunk's segments joined). */
  inputPath: string;
  /** Output file in ffmpeg's file system; always Matroska, joined into the final file later. */
  outputPath: string;
  /** Where to start inside the chunk, in seconds from its first packet; 0 for the start. */
  seekSec: number;
  /** How much to keep from `seekSec`, in seconds; null for the rest of the chunk. */
  keepSec: number | null;
  /**
   * The clock burned in when `settings.burnWallClock`: from each piece's start, the wall-clock
   * time at output time 0 moved by the UTC offset then in force (drawtext prints it as UTC);
   * more than one piece where a daylight-saving change falls inside the run.
   */
  wallClock: WallClockPiece[];
  /**
   * The size every picture of the output has, in pixels (the first chunk's output): a chunk of
   * another size is scaled to fit inside it and padded with black, so the whole file has one
   * size, as one encode would give. Null for the first chunk, which sets it.
   */
  frameSize?: { width: number; height: number } | null;
  /**
   * The input's first timestamp, in seconds of its clock (MPEG-TS: PTS / 90 kHz): the earliest
   * first timestamp of its tracks, which is what ffmpeg calls the input's start.
   */
  inputStartSec: number;
}

/**
 * The source time (seconds of the input's clock) at output time 0 of a chunk run by
 * {@link chunkArgs}: its start plus the in point, at the microsecond as the `-ss` given.
 */
export function outputZeroSec(input: Pick<ChunkArgsInput, 'inputStartSec' | 'seekSec'>): number {
  return Number((input.inputStartSec + input.seekSec).toFixed(6));
}

/** Seconds printed with three decimals, as ffmpeg's time options read them. */
function seconds(value: number): string {
  return Math.max(0, value).toFixed(3);
}

/**
 * The drawtext filter that prints `%{pts:gmtime:<base>}` (YYYY-MM-DD HH:MM:SS) in the top
 * left, white on a translucent box. The `:` of the expansion are escaped for the filter
 * option parser; the whole text is quoted for the filter graph parser (see ffmpeg-filters,
 * "Notes on filtergraph escaping").
 */
export function drawtextFilter(wallClockStartSec: number): string {
  return `drawtext=fontfile=${FONT_PATH}:fontsize=24:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6:x=8:y=8:text='%{pts\\:gmtime\\:${wallClockStartSec.toFixed(3)}}'`;
}

/**
 * The drawtext filters of a run's wall clock, comma-joined: one {@link drawtextFilter} per
 * piece, each enabled (timeline editing, `enable`) from its start to the next piece's.
 */
export function wallClockFilters(pieces: readonly WallClockPiece[]): string {
  if (pieces.length === 1) return drawtextFilter(pieces[0]!.wallClockStartSec);
  return pieces
    .map((piece, i) => {
      const next = pieces[i + 1];
      const enable = next ? `gte(t,${seconds(piece.fromSec)})*lt(t,${seconds(next.fromSec)})` : `gte(t,${seconds(piece.fromSec)})`;
      return `${drawtextFilter(piece.wallClockStartSec)}:enable='${enable}'`;
    })
    .join(',');
}

/**
 * Builds the ffmpeg command line (without the leading `ffmpeg`) for the video of one chunk: in
 * point and duration as output options (frame-exact: decoded, then cut), H.264 (libx264,
 * `veryfast`, CRF, scaled down to the largest height, even sizes, yuv420p; after the first
 * chunk, fitted into its size) with the optional wall-clock drawtext, timestamps kept exact
 * (the encoder counts in the input's time base, not whole frames), Matroska out. No network,
 * no stdin.
 * @returns the arguments, one element each (no shell quoting).
 * @throws TypeError when `settings.video` is null (nothing to encode).
 */
export function chunkArgs(input: ChunkArgsInput): string[] {
  const { settings } = input;
  // Stats lines (`time=`) are what ffmpeg.wasm's progress events are parsed from.
  // Timestamps are the input's own (`-copyts`), less the in point given as an absolute time
  // ({@link outputZeroSec}): output time 0 is then a known source time, whatever ffmpeg would
  // otherwise subtract (it starts a video-only output at its first frame), and the filters see
  // source times.
  const args = ['-hide_banner', '-stats', '-loglevel', 'warning', '-copyts', '-i', input.inputPath];
  // Output options: the chunk is decoded from its start and frames before the in point dropped.
  // As input options they would seek MPEG-TS by a timestamp search that can land on the
  // keyframe after the in point (ffmpeg 5.1), starting the picture late.
  const zeroSec = outputZeroSec(input);
  args.push('-ss', zeroSec.toFixed(6));
  if (input.keepSec !== null) args.push('-t', seconds(input.keepSec));
  const { video } = settings;
  if (!video) throw new TypeError('A video chunk needs video settings.');
  args.push('-map', '0:v:0');
  const filters: string[] = [];
  if (input.frameSize) {
    const { width, height } = input.frameSize;
    filters.push(`scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=${width}:${height}:-1:-1`);
  } else if (video.maxHeight !== null) {
    filters.push(`scale=-2:'min(ih,${video.maxHeight})'`);
  }
  // drawtext's `t` is the source time: the pieces' times, from output time 0, are moved to it.
  if (settings.burnWallClock) filters.push(wallClockFilters(input.wallClock.map((piece) => ({ fromSec: piece.fromSec + zeroSec, wallClockStartSec: piece.wallClockStartSec - zeroSec }))));
  filters.push('format=yuv420p');
  args.push('-vf', filters.join(','), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(video.crf));
  // Frames keep their source timestamps (less the start and in point); by default the encoder
  // counts in whole frames, moving each by up to half a frame.
  args.push('-enc_time_base:v', '-1');
  args.push('-f', 'matroska', input.outputPath);
  return args;
}

/**
 * The command line of the measuring pass over one chunk's audio (see
 * src/export/transcode/loudness.ts): the same in point and length as {@link chunkArgs}, decoded
 * through `loudnorm` printing its report at log level info, nothing written.
 */
export function loudnessMeasureArgs(input: Pick<ChunkArgsInput, 'inputPath' | 'seekSec' | 'keepSec'>): string[] {
  const args = ['-hide_banner', '-stats', '-loglevel', 'info', '-i', input.inputPath];
  if (input.seekSec > 0) args.push('-ss', seconds(input.seekSec));
  if (input.keepSec !== null) args.push('-t', seconds(input.keepSec));
  args.push('-map', '0:a:0', '-af', LOUDNORM_MEASURE_FILTER, '-f', 'null', '-');
  return args;
}

/** One ffmpeg run that encodes raw PCM to AAC (src/export/transcode/aac-chunks.ts). */
export interface PcmToAacInput {
  /** Interleaved signed 16-bit little-endian PCM in ffmpeg's file system. */
  inputPath: string;
  /** ADTS AAC written to ffmpeg's file system. */
  outputPath: string;
  /** Of the PCM, in Hz; the AAC keeps it. */
  sampleRate: number;
  numberOfChannels: number;
  bitrateKbps: number;
  /** The whole recording's loudness: `loudnorm` in linear mode gives every chunk its one gain. Null: no normalisation. */
  loudness: LoudnessMeasurement | null;
}

/**
 * The command line (without the leading `ffmpeg`) that encodes one chunk of PCM to ADTS AAC:
 * optionally through `loudnorm` (which works at 192 kHz) and back to the PCM's own rate, so the
 * AAC frames stay on the input's sample grid. No network, no stdin.
 * @returns the arguments, one element each (no shell quoting).
 */
export function pcmToAacArgs(input: PcmToAacInput): string[] {
  const args = ['-hide_banner', '-nostats', '-loglevel', 'warning'];
  args.push('-f', 's16le', '-ar', String(input.sampleRate), '-ac', String(input.numberOfChannels), '-i', input.inputPath);
  if (input.loudness) args.push('-af', loudnormApplyFilter(input.loudness), '-ar', String(input.sampleRate));
  args.push('-c:a', 'aac', '-b:a', `${input.bitrateKbps}k`, '-f', 'adts', input.outputPath);
  return args;
}

/** One ffmpeg run that decodes audio frames to PCM (src/export/transcode/ffmpeg-audio-decoder.ts). */
export interface AudioDecodeArgsInput {
  /** The frames as an elementary stream in ffmpeg's file system (AC-3 sync frames back to back). */
  inputPath: string;
  /** ffmpeg's name of the raw format: `ac3`, `eac3`. */
  inputFormat: string;
  /** Interleaved signed 16-bit little-endian PCM written to ffmpeg's file system, every channel. */
  outputPath: string;
}

/**
 * The command line (without the leading `ffmpeg`) that decodes one chunk of audio frames to
 * raw PCM at the source's sample rate and channels. The AC-3 decoder's dither of zero-bit
 * mantissas is seeded from each frame (`cons_noisegen`), not from the run's start, so a frame
 * decodes to the same PCM in whichever chunk it falls. No network, no stdin.
 * @returns the arguments, one element each (no shell quoting).
 */
export function audioDecodeArgs(input: AudioDecodeArgsInput): string[] {
  return ['-hide_banner', '-nostats', '-loglevel', 'warning', '-cons_noisegen', '1', '-f', input.inputFormat, '-i', input.inputPath, '-f', 's16le', input.outputPath];
}
