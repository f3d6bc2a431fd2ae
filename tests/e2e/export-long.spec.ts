import { chromium, expect, test } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, chromiumExecutablePath } from '../helpers/chromium.ts';
import { probeMedia } from '../helpers/ffprobe.ts';
import { makeLoopedVod } from '../helpers/looped-vod.ts';
import { launchedChromiumPid, sampleTreeMemory, treeRssBytes } from '../helpers/process-memory.ts';
import { serveDirectory } from '../helpers/static-dir-server.ts';
import { AppPage, recordUntilEnd } from './app-page.ts';

/**
 * A long recording is captured and exported with bounded memory (#3, #4): the app records a VOD
 * of more than 2 GiB of real H.264+AAC segments into IndexedDB while the test samples the whole
 * browser's resident memory from /proc, then exports it to MP4 while it samples Chromium's
 * renderer (the page and its export and demux workers).
 *
 * The bounds are properties of the design, not of this machine's speed. Capture fetches and
 * stores segments in workers replaced every 32 MiB (src/capture/segment-fetch-pool.ts), so the
 * browser holds a few segments, not the recording: the target is a rise under 300 MB
 * whatever the length (measured 237 MiB here at 24 Mb/s; 120 MB for bench:capture's 2.5 Mb/s).
 * Export demuxes a segment or so ahead and streams the MP4 into an Origin Private File System
 * file, so nothing the size of the recording is ever held: renderer peak 672-680 MiB at 2.2 GB.
 * What does grow is the MP4 muxer's per-packet entry (about 160 B in mediabunny 1.61), kept until
 * the moov is written: this recording has few packets (24 Mb/s), so it does not show here.
 * (It was 770-870 MiB while capture read segments in the page, which left some 200 MB of blob
 * copies in the renderer.)
 *
 * It runs in a real profile: Playwright's own contexts are incognito, where IndexedDB and the
 * Origin Private File System live in memory under a small quota, which 2 GiB stored plus 2 GiB
 * exported exceed.
 */
const RENDERER_BOUND_BYTES = 1024 * 1024 * 1024;
/** Capture's bound: the whole browser's rise over the idle app while recording (#3's target). */
const CAPTURE_RISE_BOUND_BYTES = 300 * 1024 * 1024;
/**
 * Loops of the 20 s clip: 46 (about 2.2 GB) unless `TAPEDECK_LONG_EXPORT_LOOPS` says more, e.g.
 * 66 for the 3 GB run of #4 (about 3.2 GB; give the disk some 14 GB).
 */
const LOOPS = Math.max(46, Number(process.env.TAPEDECK_LONG_EXPORT_LOOPS ?? 46));
const MIN_RECORDING_BYTES = 2 * 1024 * 1024 * 1024;

let workDir: string | undefined;
test.afterEach(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
  workDir = undefined;
});

test('a recording of more than 2 GiB is recorded with the browser rising under 300 MiB, and exports to MP4 with the renderer under 1 GiB', async ({ baseURL }) => {
  test.setTimeout(30 * 60_000);
  workDir = await mkdtemp(join(tmpdir(), 'tapedeck-long-export-'));
  // The 20 s clip comes out at about 48 MB; 46 loops make about 2.2 GB, 920 s, in 4 s segments.
  const vod = await makeLoopedVod({ dir: join(workDir, 'vod'), clipSec: 20, loops: LOOPS, videoBitrate: '24M', segmentSec: 4 });
  expect(vod.totalBytes).toBeGreaterThan(MIN_RECORDING_BYTES);
  const files = await serveDirectory(vod.dir);
  const profileDir = join(workDir, 'profile');
  const context = await chromium.launchPersistentContext(profileDir, { executablePath: chromiumExecutablePath(), args: chromiumArgs, baseURL, acceptDownloads: true });
  const page = context.pages()[0] ?? (await context.newPage());
  try {
    const app = new AppPage(page);
    const browserPid = await launchedChromiumPid(process.pid, profileDir);
    const idleBytes = await treeRssBytes(browserPid);
    const captureSampler = sampleTreeMemory(browserPid, 100);
    await recordUntilEnd(app, `${files.origin}/${vod.playlistName}`, 10 * 60_000);
    const captureRiseBytes = (await captureSampler.stop()).totalBytes - idleBytes;
    console.log(`${(vod.totalBytes / 1e9).toFixed(2)} GB recorded: whole browser rose ${(captureRiseBytes / 1048576).toFixed(0)} MB over the idle app`);
    expect(captureRiseBytes).toBeLessThan(CAPTURE_RISE_BOUND_BYTES);
    const [stored] = await app.storedRecordings();
    expect(stored!.storedBytes).toBe(vod.totalBytes);
    expect(stored!.segmentCount).toBe(vod.segmentCount);

    const item = app.item(stored!.title);
    await item.getByLabel('Format').selectOption('mp4');
    const sampler = sampleTreeMemory(browserPid, 100);
    const downloadPromise = page.waitForEvent('download', { timeout: 15 * 60_000 });
    await item.getByRole('button', { name: 'Download' }).click();
    const download = await downloadPromise;
    const path = join(workDir, 'long.mp4');
    await download.saveAs(path);
    const peaks = await sampler.stop();
    await download.delete();

    const rendererPeakBytes = peaks.byKindBytes.renderer ?? 0;
    console.log(`${(vod.totalBytes / 1e9).toFixed(2)} GB export: renderer peak ${(rendererPeakBytes / 1048576).toFixed(0)} MB, whole browser ${(peaks.totalBytes / 1048576).toFixed(0)} MB`);
    expect(rendererPeakBytes).toBeGreaterThan(0);
    expect(rendererPeakBytes).toBeLessThan(RENDERER_BOUND_BYTES);

    const probed = await probeMedia(path);
    expect(probed.streams.map((s) => `${s.codecType}:${s.codecName}`).sort()).toEqual(['audio:aac', 'video:h264']);
    expect(Math.abs(probed.durationSec - stored!.durationSec)).toBeLessThanOrEqual(4);
  } finally {
    await context.close();
    await files.close();
  }
});
