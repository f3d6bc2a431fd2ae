/**
 * `npm run bench:export`: time, CPU time and peak memory of Tapedeck's Download (mediabunny
 * remux in a worker, IndexedDB in, OPFS out) next to `ffmpeg -c copy` on the same segments,
 * printed as ratios, on two recordings of about 300-400 MB:
 * - 720p at 24 Mb/s for 2 minutes: few, large frames (3,600 video access units), the case of
 *   a large recording's memory;
 * - 720p at 2.5 Mb/s for 20 minutes, as TV and camera streams are: ten times the frames
 *   (36,000 video access units and 56,000 AAC frames) for about the same bytes. The export
 *   works per frame, ffmpeg's remux barely does, so this is the harder ratio.
 * After each export, the browser's floor for it: a bare worker that reads the same stored
 * segments out of IndexedDB into an OPFS file, with no demuxing or muxing
 * (bench/browser-floor.ts). Nothing is asserted.
 *
 * The recordings are made the way a user makes one: the app records a VOD playlist of real
 * H.264+AAC segments, made here by ffmpeg and served on 127.0.0.1, into IndexedDB.
 * BENCH_TARGET_MB sets the size of the first (default 320), BENCH_BROADCAST_MIN the length of
 * the second (default 20, 0 skips it).
 */
import { join } from 'node:path';
import { measureExportFloor } from './browser-floor.ts';
import { probeMedia } from '../tests/helpers/ffprobe.ts';
import { serveDirectory } from '../tests/helpers/static-dir-server.ts';
import { BASELINE_RUNS, broadcastVodOptions, cpuLine, makeVod, mb, openApp, runMedian, totalCpuSec, warmMemory, workDir, type VodOptions } from './harness.ts';
import { sampleTreeMemory, treeRssBytes } from '../tests/helpers/process-memory.ts';
import { cpuSecBetween, treeCpuSecByKind } from '../tests/helpers/process-cpu.ts';

/** One recording of the bench: what it is, and the VOD it is recorded from. */
interface BenchCase {
  label: string;
  vod: VodOptions;
}

/** One case's figures, for the summary. */
interface CaseFigures {
  label: string;
  nativeMs: number;
  exportMs: number;
  floorMs: number;
  cpuRatio: number;
  riseBytes: number;
}

const targetMb = Number(process.env.BENCH_TARGET_MB ?? 320);
const broadcastMin = Number(process.env.BENCH_BROADCAST_MIN ?? 20);
const cases: BenchCase[] = [
  // The 20 s clip at 24 Mb/s is about 60 MB.
  { label: '720p, 24 Mb/s', vod: { name: `vod-${targetMb}mb`, clipSec: 20, loops: Math.ceil(targetMb / 60), videoBitrate: '24M', segmentSec: 4 } },
  // The same VOD as bench:capture's, made once for both.
  ...(broadcastMin > 0 ? [{ label: '720p, 2.5 Mb/s', vod: broadcastVodOptions(broadcastMin) }] : []),
];

warmMemory();
const figures: CaseFigures[] = [];
for (const benchCase of cases) figures.push(await runCase(benchCase));

console.log('');
console.log('Summary (export time ratio = Tapedeck / ffmpeg -c copy; floor = the bare worker reading the stored segments into an OPFS file):');
for (const one of figures) {
  const ratio = (ms: number) => `${(ms / one.nativeMs).toFixed(2)}x`;
  console.log(`  ${one.label}: export ${ratio(one.exportMs)} (floor ${ratio(one.floorMs)}, Tapedeck / floor ${(one.exportMs / one.floorMs).toFixed(2)}x), CPU ${one.cpuRatio.toFixed(2)}x, memory rise ${mb(one.riseBytes)}`);
}

/** Records `benchCase`'s VOD in a fresh browser profile, exports it as MP4 and prints its figures next to ffmpeg's. */
async function runCase(benchCase: BenchCase): Promise<CaseFigures> {
  const source = await makeVod(benchCase.vod);
  console.log('');
  console.log(`== ${benchCase.label}: ${source.segmentCount} segments, ${mb(source.totalBytes)}`);
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
    const riseBytes = peaks.totalBytes - baselineBytes;
    const cpuRatio = totalCpuSec(exportCpu) / native.cpuSec;

    console.log(`Tapedeck export: ${(exportMs / 1000).toFixed(2)} s, browser peak RSS ${mb(peaks.totalBytes)} (before export ${mb(baselineBytes)}, rise ${mb(riseBytes)})`);
    console.log(`  peak by Chromium process kind: ${Object.entries(peaks.byKindBytes).map(([kind, bytes]) => `${kind} ${mb(bytes)}`).join(', ')}`);
    console.log(`  ${cpuLine(exportCpu)}`);
    console.log(`Output: ${probed.streams.map((s) => s.codecName).join('+')}, ${probed.durationSec.toFixed(2)} s (ffmpeg's: ${nativeProbe.durationSec.toFixed(2)} s)`);

    const floor = await measureExportFloor(page);
    console.log(`Browser floor, no Tapedeck code (a bare worker reads the ${floor.segmentCount} stored segments, ${mb(floor.bytes)}, ${floor.concurrency} at once, into an OPFS file): ${(floor.elapsedMs / 1000).toFixed(2)} s`);
    console.log('');
    console.log(`export time ratio (Tapedeck / ffmpeg -c copy): ${(exportMs / native.elapsedMs).toFixed(2)}x`);
    console.log(`floor time ratio (bare worker / ffmpeg -c copy): ${(floor.elapsedMs / native.elapsedMs).toFixed(2)}x`);
    console.log(`CPU time ratio (Tapedeck's browser / ffmpeg):  ${cpuRatio.toFixed(2)}x (ffmpeg ${native.cpuSec.toFixed(2)} s)`);
    console.log(`memory rise during export / ffmpeg peak RSS:   ${(riseBytes / native.peakRssBytes).toFixed(2)}x (${mb(riseBytes)} vs ${mb(native.peakRssBytes)})`);
    return { label: benchCase.label, nativeMs: native.elapsedMs, exportMs, floorMs: floor.elapsedMs, cpuRatio, riseBytes };
  } finally {
    await app.close();
    await files.close();
  }
}
