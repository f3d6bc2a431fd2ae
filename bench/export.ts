/**
 * `npm run bench:export`: time and peak memory of Tapedeck's Download (mediabunny remux in a
 * worker, IndexedDB in, OPFS out) on a recording of at least 300 MB, next to
 * `ffmpeg -c copy` on the same segments, printed as ratios. Nothing is asserted.
 *
 * The recording is made the way a user makes one: the app records a VOD playlist of real
 * H.264+AAC segments, made here by ffmpeg and served on 127.0.0.1, into IndexedDB.
 * Set BENCH_TARGET_MB to change the size (default 320).
 */
import { join } from 'node:path';
import { probeMedia } from '../tests/helpers/ffprobe.ts';
import { serveDirectory } from '../tests/helpers/static-dir-server.ts';
import { BASELINE_RUNS, makeVod, mb, openApp, runMedian, warmMemory, workDir } from './harness.ts';
import { sampleTreeMemory, treeRssBytes } from '../tests/helpers/process-memory.ts';
import { cpuSecBetween, treeCpuSecByKind } from '../tests/helpers/process-cpu.ts';
import { cpuLine } from './harness.ts';

const targetMb = Number(process.env.BENCH_TARGET_MB ?? 320);
/** The 20 s clip at 24 Mb/s is about 60 MB. */
const source = await makeVod({ name: `vod-${targetMb}mb`, clipSec: 20, loops: Math.ceil(targetMb / 60), videoBitrate: '24M', segmentSec: 4 });
console.log(`Source: ${source.segmentCount} segments, ${mb(source.totalBytes)}`);
warmMemory();

const native = await runMedian('ffmpeg', ['-v', 'error', '-y', '-i', join(source.dir, source.playlistName), '-c', 'copy', join(workDir, 'native.mp4')]);
console.log(`ffmpeg -c copy: ${(native.elapsedMs / 1000).toFixed(2)} s (median of ${BASELINE_RUNS} runs), peak RSS ${mb(native.peakRssBytes)}`);

const files = await serveDirectory(source.dir);
const app = await openApp();
try {
  const { page, browserPid } = app;
  const live = page.getByRole('region', { name: 'Record a stream' });
  await live.getByLabel('Stream URL').fill(`${files.origin}/${source.playlistName}`);
  const recordStartedAt = performance.now();
  await live.getByRole('button', { name: 'Record' }).click();
  await live.getByRole('status').filter({ hasText: 'Recorded' }).waitFor({ timeout: 30 * 60_000 });
  console.log(`Recorded into IndexedDB in ${((performance.now() - recordStartedAt) / 1000).toFixed(1)} s`);

  const item = page.getByRole('region', { name: 'Library' }).getByRole('listitem').first();
  await item.getByLabel('Format').selectOption('mp4');
  const baselineBytes = await treeRssBytes(browserPid);
  const sampler = sampleTreeMemory(browserPid, 50);
  const cpuBefore = await treeCpuSecByKind(browserPid);
  const exportStartedAt = performance.now();
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30 * 60_000 }), item.getByRole('button', { name: 'Download' }).click()]);
  const exportMs = performance.now() - exportStartedAt;
  const exportCpu = cpuSecBetween(cpuBefore, await treeCpuSecByKind(browserPid));
  const peaks = await sampler.stop();
  const outPath = join(workDir, 'tapedeck.mp4');
  await download.saveAs(outPath);
  const probed = await probeMedia(outPath);
  const nativeProbe = await probeMedia(join(workDir, 'native.mp4'));

  console.log(`Tapedeck export: ${(exportMs / 1000).toFixed(2)} s, browser peak RSS ${mb(peaks.totalBytes)} (before export ${mb(baselineBytes)}, rise ${mb(peaks.totalBytes - baselineBytes)})`);
  console.log(`  peak by Chromium process kind: ${Object.entries(peaks.byKindBytes).map(([kind, bytes]) => `${kind} ${mb(bytes)}`).join(', ')}`);
  console.log(`  ${cpuLine(exportCpu)}`);
  console.log(`Output: ${probed.streams.map((s) => s.codecName).join('+')}, ${probed.durationSec.toFixed(2)} s (ffmpeg's: ${nativeProbe.durationSec.toFixed(2)} s)`);
  console.log('');
  console.log(`export time ratio (Tapedeck / ffmpeg -c copy): ${(exportMs / native.elapsedMs).toFixed(2)}x`);
  console.log(`CPU time ratio (Tapedeck's browser / ffmpeg):  ${(Object.values(exportCpu).reduce((a, b) => a + b, 0) / native.cpuSec).toFixed(2)}x (ffmpeg ${native.cpuSec.toFixed(2)} s)`);
  console.log(`memory rise during export / ffmpeg peak RSS:   ${((peaks.totalBytes - baselineBytes) / native.peakRssBytes).toFixed(2)}x (${mb(peaks.totalBytes - baselineBytes)} vs ${mb(native.peakRssBytes)})`);
  console.log(`input size: ${mb(source.totalBytes)}`);
} finally {
  await app.close();
  await files.close();
}
