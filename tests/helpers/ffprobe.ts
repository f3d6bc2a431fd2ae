import { execFile } from 'node:child_process';

/** One stream of a media file, as ffprobe reports it. */
export interface ProbedStream {
  /** ffprobe's `codec_type`: `'video'`, `'audio'`, or another type such as `'data'`. */
  codecType: 'video' | 'audio' | string;
  /** ffprobe's `codec_name`, e.g. `'h264'`, `'aac'`, `'opus'` (`''` when unknown). */
  codecName: string;
  /** Stream duration in seconds, or `null` when ffprobe gives none (common for MPEG-TS, WebM). */
  durationSec: number | null;
}

/** What {@link probeMedia} reports about a media file. */
export interface ProbedMedia {
  /** Container duration in seconds (`NaN` when ffprobe reports none). */
  durationSec: number;
  /** ffprobe's `format_name`, e.g. `'mpegts'`, `'mov,mp4,m4a,3gp,3g2,mj2'`, `'matroska,webm'`. */
  formatName: string;
  /** The file's streams in ffprobe's order. */
  streams: ProbedStream[];
  /** Container-level metadata tags (title, encoder, …), values as strings. */
  tags: Record<string, string>;
}

/** Longest time, in milliseconds, one ffprobe run may take before it is killed. */
const PROBE_TIMEOUT_MS = 30_000;

/**
 * Runs `ffprobe -v error -print_format json -show_format -show_streams` on a file and returns
 * the parts tests check.
 *
 * @param path Path of the file to probe (ffprobe also accepts an http:// URL here).
 * @throws Error with ffprobe's stderr when ffprobe cannot run, fails (not a media file, missing
 *   file), takes over 30 s, or prints output that is not the expected JSON.
 */
export async function probeMedia(path: string): Promise<ProbedMedia> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      'ffprobe',
      args,
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: PROBE_TIMEOUT_MS },
      (error, out, err) => {
        if (error) reject(new Error(`ffprobe failed on ${path}: ${err.trim() || error.message}`));
        else resolve(out);
      },
    );
  });

  let json: FfprobeJson;
  try {
    json = JSON.parse(stdout) as FfprobeJson;
  } catch {
    throw new Error(`ffprobe printed no JSON for ${path}: ${stdout.slice(0, 500)}`);
  }
  if (json.format === undefined) throw new Error(`ffprobe reported no format for ${path}`);
  return {
    durationSec: toSeconds(json.format.duration) ?? Number.NaN,
    formatName: json.format.format_name ?? '',
    streams: (json.streams ?? []).map((stream) => ({
      codecType: stream.codec_type ?? '',
      codecName: stream.codec_name ?? '',
      durationSec: toSeconds(stream.duration),
    })),
    tags: stringTags(json.format.tags),
  };
}

/** The subset of ffprobe's JSON output that {@link probeMedia} reads. */
interface FfprobeJson {
  format?: { duration?: string; format_name?: string; tags?: Record<string, unknown> };
  streams?: { codec_type?: string; codec_name?: string; duration?: string }[];
}

/** Parses ffprobe's decimal-seconds string; `null` when absent or not a finite number. */
function toSeconds(value: string | undefined): number | null {
  if (value === undefined) return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds : null;
}

/** Copies tags, turning every value into a string. */
function stringTags(tags: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags ?? {})) out[key] = String(value);
  return out;
}

/** What {@link probeFrames} reports about a file's first video stream. */
export interface ProbedFrames {
  /** Runs of consecutive decoded frames of one picture size, in decoding output order. */
  frameSizes: { width: number; height: number; count: number }[];
  /** What ffprobe printed at log level error while decoding (e.g. `error while decoding MB 16 0`); empty for a clean decode. */
  decodeErrors: string[];
}

/**
 * Decodes every frame of the first video stream with ffprobe (`-show_entries frame=width,height`)
 * and reports the picture size of each, and the decoder's errors: a frame decoded with the wrong
 * parameter sets shows in both.
 * @throws Error with ffprobe's stderr when ffprobe cannot run, fails, or takes over 30 s.
 */
export async function probeFrames(path: string): Promise<ProbedFrames> {
  const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=width,height', '-of', 'csv=p=0', path];
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile('ffprobe', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: PROBE_TIMEOUT_MS }, (error, out, err) => {
      if (error) reject(new Error(`ffprobe failed on ${path}: ${err.trim() || error.message}`));
      else resolve({ stdout: out, stderr: err });
    });
  });
  const frameSizes: ProbedFrames['frameSizes'] = [];
  // A frame's line is `width,height`, with a trailing comma when it carries side data.
  for (const [, width, height] of stdout.matchAll(/^(\d+),(\d+)/gm)) {
    const last = frameSizes.at(-1);
    if (last && last.width === Number(width) && last.height === Number(height)) last.count += 1;
    else frameSizes.push({ width: Number(width), height: Number(height), count: 1 });
  }
  return { frameSizes, decodeErrors: stderr.split('\n').filter((line) => line.trim() !== '') };
}
