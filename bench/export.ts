/**
 * `npm run bench:export`: time and peak memory of Tapedeck's Download (mediabunny remux in a
 * worker, IndexedDB in, OPFS out) on a recording of at least 300 MB, next to
 * `ffmpeg -c copy` on the same segments, printed as ratios. Nothing is asserted.
 *
 * The recording is made the way a user makes one: the app records a VOD playlist of real
 * H.264+AAC segments, made here by ffmpeg and served on 127.0.0.1, into IndexedDB.
 * Set BENCH_TARGET_MB to change the size (default 320).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { build, preview } from 'vite';
import { chromiumArgs, chromiumExecutablePath } from '../tests/helpers/chromium.ts';
import { probeMedia } from '../tests/helpers/ffprobe.ts';
import { serveDirectory } from '../tests/helpers/static-dir-server.ts';
import { processTree, sampleTreeMemory, treeRssBytes } from './process-memory.ts';

const workDir = new URL('./.work/', import.meta.url).pathname;
const targetBytes = Number(process.env.BENCH_TARGET_MB ?? 320) * 1024 * 1024;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function run(command: string, args: string[]): Promise<{ elapsedMs: number; peakRssBytes: number }> {
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

/** Makes (once) a VOD playlist of 4 s H.264+AAC TS segments adding up to at least `targetBytes`. */
async function makeSource(): Promise<{ dir: string; totalBytes: number; segmentCount: number }> {
  const dir = join(workDir, `vod-${targetBytes}`);
  if (!existsSync(join(dir, 'vod.m3u8'))) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const clip = join(dir, 'clip.ts');
    console.log('Encoding a 20 s 720p clip at ~24 Mb/s with ffmpeg…');
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '20',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '24M', '-maxrate', '24M', '-bufsize', '48M', '-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-f', 'mpegts', clip]);
    const loops = Math.ceil(targetBytes / (await stat(clip)).size);
    await run('ffmpeg', ['-v', 'error', '-stream_loop', String(loops - 1), '-i', clip, '-c', 'copy', '-f', 'hls', '-hls_time', '4', '-hls_playlist_type', 'vod',
      '-hls_segment_filename', join(dir, 'seg%05d.ts'), join(dir, 'vod.m3u8')]);
    await rm(clip);
  }
  const segments = (await readdir(dir)).filter((name) => name.endsWith('.ts'));
  let totalBytes = 0;
  for (const name of segments) totalBytes += (await stat(join(dir, name))).size;
  return { dir, totalBytes, segmentCount: segments.length };
}

async function main(): Promise<void> {
  const source = await makeSource();
  console.log(`Source: ${source.segmentCount} segments, ${mb(source.totalBytes)}`);

  const native = await run('ffmpeg', ['-v', 'error', '-y', '-allowed_extensions', 'ALL', '-i', join(source.dir, 'vod.m3u8'), '-c', 'copy', join(workDir, 'native.mp4')]);
  console.log(`ffmpeg -c copy: ${(native.elapsedMs / 1000).toFixed(2)} s, peak RSS ${mb(native.peakRssBytes)}`);

  const files = await serveDirectory(source.dir);
  await build({ logLevel: 'warn' });
  const server = await preview({ preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  const appUrl = server.resolvedUrls!.local[0]!;
  const browser = await chromium.launch({ executablePath: chromiumExecutablePath(), args: chromiumArgs });
  try {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(appUrl);
    const live = page.getByRole('region', { name: 'Record a stream' });
    await live.getByLabel('Stream URL').fill(`${files.origin}/vod.m3u8`);
    const recordStartedAt = performance.now();
    await live.getByRole('button', { name: 'Record' }).click();
    await live.getByRole('status').filter({ hasText: 'Recorded' }).waitFor({ timeout: 30 * 60_000 });
    console.log(`Recorded into IndexedDB in ${((performance.now() - recordStartedAt) / 1000).toFixed(1)} s`);

    const browserPid = await findBrowserPid();
    const item = page.getByRole('region', { name: 'Library' }).getByRole('listitem').first();
    await item.getByLabel('Format').selectOption('mp4');
    const baselineBytes = await treeRssBytes(browserPid);
    const sampler = sampleTreeMemory(browserPid, 50);
    const exportStartedAt = performance.now();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30 * 60_000 }), item.getByRole('button', { name: 'Download' }).click()]);
    const exportMs = performance.now() - exportStartedAt;
    const peaks = await sampler.stop();
    const peakBytes = peaks.totalBytes;
    const outPath = join(workDir, 'tapedeck.mp4');
    await download.saveAs(outPath);
    const probed = await probeMedia(outPath);
    const nativeProbe = await probeMedia(join(workDir, 'native.mp4'));

    console.log(`Tapedeck export: ${(exportMs / 1000).toFixed(2)} s, browser peak RSS ${mb(peakBytes)} (before export ${mb(baselineBytes)}, rise ${mb(peakBytes - baselineBytes)})`);
    console.log(`  peak by Chromium process kind: ${Object.entries(peaks.byKindBytes).map(([kind, bytes]) => `${kind} ${mb(bytes)}`).join(', ')}`);
    console.log(`Output: ${probed.streams.map((s) => s.codecName).join('+')}, ${probed.durationSec.toFixed(2)} s (ffmpeg's: ${nativeProbe.durationSec.toFixed(2)} s)`);
    console.log('');
    console.log(`export time ratio (Tapedeck / ffmpeg -c copy): ${(exportMs / native.elapsedMs).toFixed(2)}x`);
    console.log(`memory rise during export / ffmpeg peak RSS:   ${((peakBytes - baselineBytes) / native.peakRssBytes).toFixed(2)}x (${mb(peakBytes - baselineBytes)} vs ${mb(native.peakRssBytes)})`);
    console.log(`input size: ${mb(source.totalBytes)}`);
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
    await files.close();
  }
}

/** The browser's main process: the chromium launched by this process. */
async function findBrowserPid(): Promise<number> {
  for (const pid of await processTree(process.pid)) {
    if (pid === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('chromium') && !cmdline.includes('--type=')) return pid;
  }
  throw new Error('Could not find the browser process.');
}

await main();
