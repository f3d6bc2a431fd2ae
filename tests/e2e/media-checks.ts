import { execFile } from 'node:child_process';

/** Longest a native ffmpeg check may take, in ms. */
const CHECK_TIMEOUT_MS = 60_000;

function runFfmpeg(args: string[], encoding: 'buffer' | 'utf8'): Promise<{ stdout: Buffer | string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('ffmpeg', args, { encoding: encoding === 'buffer' ? 'buffer' : 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: CHECK_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) reject(new Error(`ffmpeg ${args.join(' ')} failed: ${String(stderr).slice(-2000)}`));
      else resolve({ stdout, stderr: String(stderr) });
    });
  });
}

/**
 * Integrated loudness of a file's audio, in LUFS, measured by native ffmpeg's `ebur128`
 * filter (EBU R128 / ITU-R BS.1770).
 * @throws Error when ffmpeg fails or prints no summary.
 */
export async function integratedLoudnessLufs(path: string): Promise<number> {
  const { stderr } = await runFfmpeg(['-nostats', '-hide_banner', '-i', path, '-map', '0:a:0', '-af', 'ebur128', '-f', 'null', '-'], 'utf8');
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const match = /I:\s+(-?[\d.]+) LUFS/.exec(summary);
  if (!match) throw new Error(`No integrated loudness in ffmpeg's output for ${path}`);
  return Number(match[1]);
}

/**
 * One video frame's luma (8-bit gray, row by row) of a region, decoded by native ffmpeg.
 * @param atSec time of the frame, in seconds.
 * @param region crop rectangle in pixels of the picture as stored.
 */
export async function lumaRegion(path: string, atSec: number, region: { x: number; y: number; width: number; height: number }): Promise<Buffer> {
  const crop = `crop=${region.width}:${region.height}:${region.x}:${region.y},format=gray`;
  const { stdout } = await runFfmpeg(['-v', 'error', '-ss', String(atSec), '-i', path, '-frames:v', '1', '-vf', crop, '-f', 'rawvideo', '-'], 'buffer');
  return stdout as Buffer;
}

/** Mean absolute difference of two equally sized 8-bit pictures, 0..255. */
export function meanAbsoluteDifference(a: Buffer, b: Buffer): number {
  if (a.length !== b.length || a.length === 0) throw new RangeError(`Pictures differ in size: ${a.length} and ${b.length} bytes.`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
