/**
 * What the `bench:*` scripts share: running a native command while sampling its memory,
 * making a VOD of real H.264+AAC segments with ffmpeg, and driving the built app in Debian's
 * Chromium while sampling the browser's memory.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { freemem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright';
import { build, preview, type PreviewServer } from 'vite';
import { chromiumArgs, chromiumExecutablePath } from '../tests/helpers/chromium.ts';
import { makeLoopedVod, type LoopedVod, type LoopedVodOptions } from '../tests/helpers/looped-vod.ts';
import { launchedChromiumPid, sampleTreeMemory } from '../tests/helpers/process-memory.ts';

/** Scratch folder of the benchmarks (git-ignored). */
export const workDir = new URL('./.work/', import.meta.url).pathname;

/** Formats bytes as MB with one decimal. */
export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * One line of CPU seconds by Chromium process kind (from tests/helpers/process-cpu.ts), their
 * total first, e.g. `CPU 4.10 s: renderer 3.40 s, main 0.62 s, utility 0.08 s`; kinds under
 * 0.01 s are left out.
 */
export function cpuLine(byKindSec: Record<string, number>): string {
  const totalSec = totalCpuSec(byKindSec);
  const kinds = Object.entries(byKindSec).filter(([, sec]) => sec >= 0.01).sort((a, b) => b[1] - a[1]);
  return `CPU ${totalSec.toFixed(2)} s: ${kinds.map(([kind, sec]) => `${kind} ${sec.toFixed(2)} s`).join(', ')}`;
}

/** The sum of CPU seconds by process kind, over one or more readings. */
export function totalCpuSec(...byKindSec: Record<string, number>[]): number {
  return byKindSec.flatMap((byKind) => Object.values(byKind)).reduce((a, b) => a + b, 0);
}

/** What {@link run} measured of a command. */
export interface RunFigures {
  elapsedMs: number;
  /** Peak summed resident memory of its process tree, in bytes. */
  peakRssBytes: number;
  /** CPU time it and its children used, user and system together, in seconds. */
  cpuSec: number;
}

/**
 * Runs a command to completion, sampling its process tree's memory. It runs under `sh`, whose
 * `times` builtin then gives its children's CPU time exactly (on a descriptor of its own).
 * @throws Error with the stderr tail when it exits non-zero.
 */
export function run(command: string, args: string[]): Promise<RunFigures> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const script = '"$@"; status=$?; times >&3; exit $status';
    const child = spawn('sh', ['-c', script, 'sh', command, ...args], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    const sampler = sampleTreeMemory(child.pid!, 20);
    let stderr = '';
    let times = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.stdio[3]!.on('data', (chunk: Buffer) => (times += chunk.toString()));
    child.on('error', reject);
    child.on('close', async (code) => {
      const elapsedMs = performance.now() - startedAt;
      const peakRssBytes = (await sampler.stop()).totalBytes;
      // `times` prints the shell's user and system time, then its children's: "0m1.23s 0m0.10s".
      const seconds = [...times.matchAll(/(\d+)m([\d.]+)s/g)].map((match) => Number(match[1]) * 60 + Number(match[2]));
      if (code === 0) resolve({ elapsedMs, peakRssBytes, cpuSec: (seconds[2] ?? NaN) + (seconds[3] ?? NaN) });
      else reject(new Error(`${command} exited ${code}: ${stderr}`));
    });
  });
}

/**
 * Writes to `gib` GiB of memory (at most half of what is free) once, in a child process that
 * then exits, unless BENCH_COLD_MEMORY=1. On a freshly booted virtual machine the first write
 * to each page of RAM is several times slower than later ones: on the 2-core bench machine,
 * 264 MB written by Node to a new file took 478-654 ms before 6 GB had been touched once and
 * 52-62 ms after; Tapedeck's export took 2.69-2.93 s before and 2.47 s after, while native
 * ffmpeg took 1.16-1.28 s and 1.22 s. A native baseline rerun over its own output reuses the
 * pages it freed, while the browser's one run takes new ones, so a cold machine measures the
 * hypervisor against one side only. This puts both on memory as a machine that has been up a
 * while has it.
 */
export function warmMemory(gib = 4): void {
  if (process.env.BENCH_COLD_MEMORY === '1') {
    console.log('Memory not warmed (BENCH_COLD_MEMORY=1).');
    return;
  }
  const count = Math.max(0, Math.min(gib, Math.floor(freemem() / 2 / 2 ** 30)));
  const startedAt = performance.now();
  const script = `const held = []; for (let i = 0; i < ${count}; i++) held.push(Buffer.allocUnsafe(2 ** 30).fill(1));`;
  const result = spawnSync(process.execPath, ['-e', script], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`Warming memory failed (exit ${result.status}).`);
  console.log(`Memory warmed: ${count} GiB written once in ${((performance.now() - startedAt) / 1000).toFixed(1)} s (BENCH_COLD_MEMORY=1 skips it).`);
}

/** Runs of a native baseline: on a shared machine one run can take twice another (a cold page cache, a neighbour). */
export const BASELINE_RUNS = 3;

/**
 * Runs a command {@link BASELINE_RUNS} times (or `count`) with {@link run}.
 * @returns the median wall time in ms, the highest peak RSS in bytes and the median CPU time in seconds.
 * @throws as {@link run}.
 */
export async function runMedian(command: string, args: string[], count = BASELINE_RUNS): Promise<RunFigures> {
  const runs: RunFigures[] = [];
  for (let index = 0; index < count; index++) runs.push(await run(command, args));
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(count / 2)]!;
  return { elapsedMs: median(runs.map((one) => one.elapsedMs)), peakRssBytes: Math.max(...runs.map((one) => one.peakRssBytes)), cpuSec: median(runs.map((one) => one.cpuSec)) };
}

/** Options of {@link makeVod}: those of {@link makeLoopedVod}, with a folder name under {@link workDir}. */
export type VodOptions = Omit<LoopedVodOptions, 'dir'> & { name: string };

/**
 * The options of the 720p 2.5 Mb/s VOD of `minutes` minutes (6 s segments), as TV and camera
 * streams are, that bench:capture and bench:export both use (made once, in one folder).
 */
export function broadcastVodOptions(minutes: number): VodOptions {
  return { name: `vod-${minutes}min-2500k`, clipSec: 30, loops: minutes * 2, videoBitrate: '2500k', segmentSec: 6 };
}

/** Makes (once) a looped 720p H.264+AAC VOD under the bench's scratch folder; see {@link makeLoopedVod}. */
export async function makeVod(options: VodOptions): Promise<LoopedVod> {
  const { name, ...rest } = options;
  if (!existsSync(join(workDir, name, 'vod.m3u8'))) console.log(`Encoding a ${options.clipSec} s 720p clip at ${options.videoBitrate}b/s with ffmpeg, then looping it…`);
  return makeLoopedVod({ dir: join(workDir, name), ...rest });
}

/** The built app served by `vite preview`, open in Debian's Chromium with a profile of its own. */
export interface AppUnderTest {
  context: BrowserContext;
  page: Page;
  /** Id of Chromium's main process, for memory sampling. */
  browserPid: number;
  close(): Promise<void>;
}

/**
 * Builds the app, serves it on a free loopback port and opens it in Chromium with a fresh
 * on-disk profile, as a user's browser is: in an incognito context (Playwright's
 * `browser.newContext()`) Chromium keeps IndexedDB in memory, so every stored segment would
 * count as browser memory. The profile is removed on close.
 */
export async function openApp(): Promise<AppUnderTest> {
  await build({ logLevel: 'warn' });
  const server: PreviewServer = await preview({ preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  const profileDir = await mkdtemp(join(tmpdir(), 'tapedeck-bench-profile-'));
  const context = await chromium.launchPersistentContext(profileDir, { executablePath: chromiumExecutablePath(), args: chromiumArgs, acceptDownloads: true });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(server.resolvedUrls!.local[0]!);
  return {
    context,
    page,
    browserPid: await launchedChromiumPid(process.pid, profileDir),
    async close() {
      await context.close();
      await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

