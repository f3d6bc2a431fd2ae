import { chromium, expect, test } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, chromiumExecutablePath } from '../helpers/chromium.ts';
import { probeMedia } from '../helpers/ffprobe.ts';
import { makeLoopedVod } from '../helpers/looped-vod.ts';
import { launchedChromiumPid, sampleTreeMemory } from '../helpers/process-memory.ts';
import { serveDirectory } from '../helpers/static-dir-server.ts';
import { AppPage, recordUntilEnd } from './app-page.ts';

/**
 * A long recording exports with bounded memory (#4): the app records a VOD of more than 2 GiB of
 * real H.264+AAC segments into IndexedDB, then exports it to MP4 while the test samples the
 * resident memory of Chromium's renderer (the page and its export worker) from /proc.
 *
 * The bound is a property of the export design, not of this machine's speed: export demuxes one
 * segment at a time and streams the MP4 into an Origin Private File System file, so nothing the
 * size of the recording is ever held. Measured renderer peaks: about 530 MB for 364 MB, 550 MB
 * for 1 GB and 770 MB for 2.2 GB: it still rises with length, for a reason not yet profiled.
 *
 * It runs in a real profile: Playwright's own contexts are incognito, where IndexedDB and the
 * Origin Private File System live in memory under a small quota, which 2 GiB stored plus 2 GiB
 * exported exceed.
 */
const RENDERER_BOUND_BYTES = 1024 * 1024 * 1024;
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

test('a recording of more than 2 GiB exports to MP4 with the renderer under 1 GiB', async ({ baseURL }) => {
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
    await recordUntilEnd(app, `${files.origin}/${vod.playlistName}`, 10 * 60_000);
    const [stored] = await app.storedRecordings();
    expect(stored!.storedBytes).toBe(vod.totalBytes);
    expect(stored!.segmentCount).toBe(vod.segmentCount);

    const item = app.item(stored!.title);
    await item.getByLabel('Format').selectOption('mp4');
    const sampler = sampleTreeMemory(await launchedChromiumPid(process.pid, profileDir), 100);
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
