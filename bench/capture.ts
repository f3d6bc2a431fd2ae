/**
 * `npm run bench:capture`: Tapedeck downloading a 20-minute, 2.5 Mb/s VOD served on 127.0.0.1
 * and exporting it as MP4, next to `ffmpeg -i URL -c copy out.mp4` on the same playlist over
 * the same server. Prints both times, the ratio and the browser's peak memory (the issue's
 * targets: at most 2x ffmpeg's time, under 300 MB whatever the length). Then, for scale, the
 * browser's floor: the same segments fetched, and fetched and stored into IndexedDB, and the
 * stored segments read back into an OPFS file, by a bare worker with no Tapedeck code
 * (bench/browser-floor.ts). Nothing is asserted.
 * Set BENCH_CAPTURE_MIN to change the length (default 20 minutes).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultConfig } from '../src/config.ts';
import { measureBrowserFloor, measureExportFloor } from './browser-floor.ts';
import { probeMedia } from '../tests/helpers/ffprobe.ts';
import { serveDirectory } from '../tests/helpers/static-dir-server.ts';
import { BASELINE_RUNS, broadcastVodOptions, cpuLine, makeVod, mb, openApp, runMedian, totalCpuSec, warmMemory, workDir } from './harness.ts';
import { sampleTreeMemory, treeRssBytes } from '../tests/helpers/process-memory.ts';
import { cpuSecBetween, treeCpuSecByKind } from '../tests/helpers/process-cpu.ts';

const minutes = Number(process.env.BENCH_CAPTURE_MIN ?? 20);
const source = await makeVod(broadcastVodOptions(minutes));
console.log(`Source: ${minutes} min, ${source.segmentCount} segments, ${mb(source.totalBytes)}`);
warmMemory();
const files = await serveDirectory(source.dir);
const playlistUrl = `${files.origin}/${source.playlistName}`;
const app = await openApp();
try {
  const native = await runMedian('ffmpeg', ['-v', 'error', '-y', '-i', playlistUrl, '-c', 'copy', join(workDir, 'capture-native.mp4')]);
  console.log(`ffmpeg -i URL -c copy: ${(native.elapsedMs / 1000).toFixed(2)} s (median of ${BASELINE_RUNS} runs), peak RSS ${mb(native.peakRssBytes)}`);

  const { page, browserPid } = app;
  const baselineBytes = await treeRssBytes(browserPid);
  const downloadSampler = sampleTreeMemory(browserPid, 100);
  const live = page.getByRole('region', { name: 'Record a stream' });
  await live.getByLabel('Stream URL').fill(playlistUrl);
  const cpuAtStart = await treeCpuSecByKind(browserPid);
  const startedAt = performance.now();
  await live.getByRole('button', { name: 'Record' }).click();
  await live.getByRole('status').filter({ hasText: 'Recorded' }).waitFor({ timeout: 60 * 60_000 });
  const downloadMs = performance.now() - startedAt;
  const cpuAtDownloaded = await treeCpuSecByKind(browserPid);
  const downloadPeaks = await downloadSampler.stop();
  const exportSampler = sampleTreeMemory(browserPid, 100);
  const item = page.getByRole('region', { name: 'Library' }).getByRole('listitem').first();
  await item.getByLabel('Format').selectOption('mp4');
  const exportStartedAt = performance.now();
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60 * 60_000 }), item.getByRole('button', { name: 'Download' }).click()]);
  const exportMs = performance.now() - exportStartedAt;
  const cpuAtExported = await treeCpuSecByKind(browserPid);
  const exportPeaks = await exportSampler.stop();
  const peaks = downloadPeaks.totalBytes >= exportPeaks.totalBytes ? downloadPeaks : exportPeaks;
  const outPath = join(workDir, 'capture-tapedeck.mp4');
  await download.saveAs(outPath);
  const probed = await probeMedia(outPath);

  const totalMs = downloadMs + exportMs;
  console.log(`Tapedeck: download ${(downloadMs / 1000).toFixed(2)} s + export ${(exportMs / 1000).toFixed(2)} s = ${(totalMs / 1000).toFixed(2)} s`);
  console.log(`  output ${probed.streams.map((s) => s.codecName).join('+')}, ${probed.durationSec.toFixed(1)} s`);
  console.log(`  browser peak RSS ${mb(peaks.totalBytes)} (idle app ${mb(baselineBytes)}, rise ${mb(peaks.totalBytes - baselineBytes)})`);
  console.log(`  rise while downloading ${mb(downloadPeaks.totalBytes - baselineBytes)}, while exporting ${mb(exportPeaks.totalBytes - baselineBytes)}`);
  console.log(`  peak by Chromium process kind: ${Object.entries(peaks.byKindBytes).map(([kind, bytes]) => `${kind} ${mb(bytes)}`).join(', ')}`);
  const downloadCpu = cpuSecBetween(cpuAtStart, cpuAtDownloaded);
  const exportCpu = cpuSecBetween(cpuAtDownloaded, cpuAtExported);
  console.log(`  while downloading: ${cpuLine(downloadCpu)}`);
  console.log(`  while exporting: ${cpuLine(exportCpu)}`);
  console.log(`  ffmpeg: CPU ${native.cpuSec.toFixed(2)} s`);
  console.log('');
  console.log(`time ratio (Tapedeck download+export / ffmpeg -i URL -c copy): ${(totalMs / native.elapsedMs).toFixed(2)}x`);
  console.log(`CPU time ratio (Tapedeck's browser, download+export / ffmpeg): ${(totalCpuSec(downloadCpu, exportCpu) / native.cpuSec).toFixed(2)}x`);

  const playlist = await readFile(join(source.dir, source.playlistName), 'utf8');
  const segmentUrls = playlist.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => new URL(line.trim(), playlistUrl).href);
  const concurrency = defaultConfig.capture.vodConcurrency;
  const floor = await measureBrowserFloor(page, segmentUrls, concurrency);
  const ratio = (ms: number) => `${(ms / 1000).toFixed(2)} s, ${(ms / native.elapsedMs).toFixed(2)}x ffmpeg`;
  console.log('');
  console.log(`Browser floor, no Tapedeck code (a bare worker, ${segmentUrls.length} segments, ${mb(floor.bytes)}, ${concurrency} at once):`);
  console.log(`  fetch into Blobs: ${ratio(floor.fetchMs)}`);
  console.log(`  fetch and store into IndexedDB: ${ratio(floor.fetchAndStoreMs)} (Tapedeck's download: ${ratio(downloadMs)})`);
  const exportFloor = await measureExportFloor(page);
  console.log(`  read the stored segments back into an OPFS file, ${exportFloor.concurrency} at once: ${ratio(exportFloor.elapsedMs)} (Tapedeck's export: ${ratio(exportMs)})`);
  console.log(`  the two together, the least a browser that records into IndexedDB can take: ${ratio(floor.fetchAndStoreMs + exportFloor.elapsedMs)}`);
} finally {
  await app.close();
  await files.close();
}
