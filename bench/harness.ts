/**
 * What the `bench:*` scripts share: running a native command while sampling its memory,
 * making a VOD of real H.264+AAC segments with ffmpeg, and driving the built app in Debian's
 * Chromium while sampling the browser's memory.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { build, preview, type PreviewServer } from 'vite';
import { chromiumArgs, chromiumExecutablePath } from '../tests/helpers/chromium.ts';
import { launchedChromiumPid, sampleTreeMemory } from '../tests/helpers/process-memory.ts';

/** Scratch folder of the benchmarks (git-ignored). */
export const workDir = new URL('./.work/', import.meta.url).pathname;

/** Formats bytes as MB with one decimal. */
export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Runs a command to completion, sampling its process tree's memory.
 * @returns wall time in ms and peak summed RSS in bytes.
 * @throws Error with the stderr tail when it exits non-zero.
 */
export function run(command: string, args: string[]): Promise<{ elapsedMs: number; peakRssBytes: number }> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const sampler = sampleTreeMemory(child.pid!, 20);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', async (code) => {
      const elapsedMs = performance.now() - startedAt;
      const peakRssBytes = (await sampler.stop()).totalBytes;
      if (code === 0) resolve({ elapsedMs, peakRssBytes });
      else reject(new Error(`${command} exited ${code}: ${stderr}`));
    });
  });
}

/** Options of {@link makeVod}. */
export interface VodOptions {
  /** Folder name under {@link workDir}; an existing complete VOD there is reused. */
  name: string;
  /** Length of the clip ffmpeg encodes once, in seconds; it is then looped. */
  clipSec: number;
  /** How many times the clip plays in all. */
  loops: number;
  /** Video bitrate, e.g. `24M`. */
  videoBitrate: string;
  /** Segment length, in seconds. */
  segmentSec: number;
}

/** A VOD made by {@link makeVod}: its folder, playlist name, size and segment count. */
export interface Vod {
  dir: string;
  playlistName: string;
  totalBytes: number;
  segmentCount: number;
}

/** Makes (once) a VOD playlist of 720p H.264+AAC MPEG-TS segments by looping an encoded clip. */
export async function makeVod(options: VodOptions): Promise<Vod> {
  const dir = join(workDir, options.name);
  const playlistName = 'vod.m3u8';
  if (!existsSync(join(dir, playlistName))) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const clip = join(dir, 'clip.ts');
    console.log(`Encoding a ${options.clipSec} s 720p clip at ${options.videoBitrate}b/s with ffmpeg…`);
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(options.clipSec),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', options.videoBitrate, '-maxrate', options.videoBitrate, '-bufsize', options.videoBitrate, '-g', '60', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '128k', '-f', 'mpegts', clip]);
    await run('ffmpeg', ['-v', 'error', '-stream_loop', String(options.loops - 1), '-i', clip, '-c', 'copy', '-f', 'hls', '-hls_time', String(options.segmentSec), '-hls_playlist_type', 'vod',
      '-hls_segment_filename', join(dir, 'seg%05d.ts'), join(dir, playlistName)]);
    await rm(clip);
  }
  const segments = (await readdir(dir)).filter((name) => name.endsWith('.ts'));
  let totalBytes = 0;
  for (const name of segments) totalBytes += (await stat(join(dir, name))).size;
  return { dir, playlistName, totalBytes, segmentCount: segments.length };
}

/** The built app served by `vite preview`, open in Debian's Chromium. */
export interface AppUnderTest {
  browser: Browser;
  page: Page;
  /** Id of Chromium's main process, for memory sampling. */
  browserPid: number;
  close(): Promise<void>;
}

/** Builds the app, serves it on a free loopback port and opens it in Chromium. */
export async function openApp(): Promise<AppUnderTest> {
  await build({ logLevel: 'warn' });
  const server: PreviewServer = await preview({ preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  const browser = await chromium.launch({ executablePath: chromiumExecutablePath(), args: chromiumArgs });
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(server.resolvedUrls!.local[0]!);
  return {
    browser,
    page,
    browserPid: await launchedChromiumPid(),
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
    },
  };
}

