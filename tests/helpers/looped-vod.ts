import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Options of {@link makeLoopedVod}. */
export interface LoopedVodOptions {
  /** Folder to write into; an existing complete VOD there is reused. */
  dir: string;
  /** Length of the clip ffmpeg encodes once, in seconds; it is then looped. */
  clipSec: number;
  /** How many times the clip plays in all. */
  loops: number;
  /** Video bitrate as ffmpeg takes it, e.g. `24M`. */
  videoBitrate: string;
  /** Segment length, in seconds. */
  segmentSec: number;
}

/** A VOD made by {@link makeLoopedVod}: its folder, playlist name, size and segment count. */
export interface LoopedVod {
  dir: string;
  playlistName: string;
  /** Sum of the segment files' sizes, in bytes. */
  totalBytes: number;
  segmentCount: number;
}

/**
 * Makes (once per folder) a VOD playlist of 720p H.264+AAC MPEG-TS segments: ffmpeg encodes a
 * clip once, then loops it with `-stream_loop` and `-c copy` into HLS, so the timestamps run on
 * across loops and a long, large recording costs one short encode.
 * @throws Error with ffmpeg's stderr when an ffmpeg run fails.
 */
export async function makeLoopedVod(options: LoopedVodOptions): Promise<LoopedVod> {
  const { dir } = options;
  const playlistName = 'vod.m3u8';
  if (!existsSync(join(dir, playlistName))) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const clip = join(dir, 'clip.ts');
    const rate = options.videoBitrate;
    await execFileAsync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(options.clipSec),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', rate, '-maxrate', rate, '-bufsize', rate, '-g', '60', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '128k', '-f', 'mpegts', clip]);
    await execFileAsync('ffmpeg', ['-v', 'error', '-stream_loop', String(options.loops - 1), '-i', clip, '-c', 'copy', '-f', 'hls', '-hls_time', String(options.segmentSec), '-hls_playlist_type', 'vod',
      '-hls_segment_filename', join(dir, 'seg%05d.ts'), join(dir, playlistName)]);
    await rm(clip);
  }
  const segments = (await readdir(dir)).filter((name) => name.endsWith('.ts'));
  let totalBytes = 0;
  for (const name of segments) totalBytes += (await stat(join(dir, name))).size;
  return { dir, playlistName, totalBytes, segmentCount: segments.length };
}
