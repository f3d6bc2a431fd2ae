/**
 * What the `bench:*` scripts share: running a native command while sampling its memory,
 * making a VOD of real H.264+AAC segments with ffmpeg, and driving the built app in Debian's
 * Chromium while sampling the browser's memory.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { build, preview, type PreviewServer } from 'vite';
import { chromiumArgs, chromiumExecutablePath } from '../tests/helpers/chromium.ts';
import { makeLoopedVod, type LoopedVod, type LoopedVodOptions } from '../tests/helpers/looped-vod.ts';
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

/** Options of {@link makeVod}: those of {@link makeLoopedVod}, with a folder name under {@link workDir}. */
export type VodOptions = Omit<LoopedVodOptions, 'dir'> & { name: string };

/** Makes (once) a looped 720p H.264+AAC VOD under the bench's scratch folder; see {@link makeLoopedVod}. */
export async function makeVod(options: VodOptions): Promise<LoopedVod> {
  const { name, ...rest } = options;
  if (!existsSync(join(workDir, name, 'vod.m3u8'))) console.log(`Encoding a ${options.clipSec} s 720p clip at ${options.videoBitrate}b/s with ffmpeg, then looping it…`);
  return makeLoopedVod({ dir: join(workDir, name), ...rest });
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

