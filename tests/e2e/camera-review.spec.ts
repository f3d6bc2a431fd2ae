import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeMedia } from '../helpers/ffprobe.ts';
import { waitFor } from '../helpers/poll.ts';
import { AppPage, setCaptureConfig } from './app-page.ts';

/**
 * Reviewing a camera's day, end to end. A real ffmpeg "camera" writes a live HLS stream with
 * EXT-X-PROGRAM-DATE-TIME (2-s segments, a 3-segment live window); the app records it while its
 * HTTP server is stopped for longer than the live window (an outage: segments slide out), then
 * the recording is made a camera's recording (a CameraRecord, `cameraId` and `dayKey`, as the
 * cameras feature stores them). The Review panel must then mark today in the calendar, draw the
 * two recorded spans and the outage gap at their wall-clock places, play from a tapped moment
 * with that moment's wall-clock time over the picture, and export a chosen range as an MP4 of
 * that length (ffprobe).
 */

const SEGMENT_SEC = 2;
const LIST_SIZE = 3;
const CAMERA = { id: 'cam-porch', name: 'Porch camera' };

/** An ffmpeg live stream with program date-times, behind an HTTP server that can be stopped and started again on the same port. */
interface Camera {
  playlistUrl: string;
  dir: string;
  /** Stops answering: the port refuses connections. */
  goDown(): Promise<void>;
  /** Answers again on the same port. */
  comeBack(): Promise<void>;
  /** Media sequence number the playlist on disk starts at. */
  mediaSequence(): Promise<number>;
  stop(): Promise<void>;
}

async function startCamera(): Promise<Camera> {
  const dir = await mkdtemp(join(tmpdir(), 'tapedeck-camera-'));
  const gop = String(SEGMENT_SEC * 25);
  const child: ChildProcess = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning'],
      ...['-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-map', '0:v:0', '-map', '1:a:0', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency'],
      ...['-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k'],
      ...['-f', 'hls', '-hls_time', String(SEGMENT_SEC), '-hls_list_size', String(LIST_SIZE)],
      ...['-hls_flags', 'delete_segments+program_date_time', '-hls_segment_type', 'mpegts', '-hls_segment_filename', 'seg%05d.ts', 'live.m3u8'],
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://localhost').pathname.slice(1);
    const headers = { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-cache' };
    if (!/^[\w.-]+\.(m3u8|ts)$/.test(name)) return void res.writeHead(404, headers).end();
    readFile(join(dir, name)).then(
      (body) => res.writeHead(200, { ...headers, 'Content-Type': name.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t' }).end(body),
      () => res.writeHead(404, headers).end(),
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  const playlistPath = join(dir, 'live.m3u8');
  const camera: Camera = {
    playlistUrl: `http://127.0.0.1:${port}/live.m3u8`,
    dir,
    goDown: close,
    comeBack: () => listen(port),
    async mediaSequence() {
      const text = await readFile(playlistPath, 'utf8').catch(() => '');
      return Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? -1);
    },
    async stop() {
      child.kill('SIGKILL');
      if (server.listening) await close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await waitFor(async () => ((await readFile(playlistPath, 'utf8').catch(() => '')).includes('#EXT-X-PROGRAM-DATE-TIME') ? true : undefined), {
    timeoutMs: 30_000,
    description: 'the camera playlist to list a dated segment',
  });
  return camera;
}

let camera: Camera | undefined;
test.afterEach(async () => {
  await camera?.stop();
  camera = undefined;
});

/** The stored segments of the newest recording (none before there is one): msn, EXTINF and program date-time. */
async function storedTimes(app: AppPage): Promise<{ recordingId: string; segments: { msn: number; durationSec: number; programDateTimeMs: number | null }[] }> {
  return app.page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('tapedeck');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const all = <T>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result as T[]);
        request.onerror = () => reject(request.error);
      });
    const recordings = await all<{ id: string; startedAtMs: number }>('recordings');
    const newest = recordings.sort((a, b) => b.startedAtMs - a.startedAtMs)[0];
    const segments = (await all<{ recordingId: string; msn: number; durationSec: number; programDateTimeMs: number | null }>('segments'))
      .filter((segment) => segment.recordingId === newest?.id)
      .map(({ msn, durationSec, programDateTimeMs }) => ({ msn, durationSec, programDateTimeMs }))
      .sort((a, b) => a.msn - b.msn);
    db.close();
    return { recordingId: newest?.id ?? '', segments };
  });
}

/** Makes the newest recording a camera's, as the cameras feature stores it: a CameraRecord, `cameraId` and the local `dayKey`. */
async function makeCameraRecording(app: AppPage, recordingId: string, streamUrl: string): Promise<void> {
  await app.page.evaluate(
    async ({ recordingId, camera, streamUrl }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('tapedeck');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const tx = db.transaction(['recordings', 'cameras'], 'readwrite');
      tx.objectStore('cameras').put({ ...camera, streamUrl });
      const recordings = tx.objectStore('recordings');
      const request = recordings.get(recordingId);
      request.onsuccess = () => {
        const recording = request.result as { startedAtMs: number } & Record<string, unknown>;
        const d = new Date(recording.startedAtMs);
        const p = (n: number) => String(n).padStart(2, '0');
        recordings.put({ ...recording, cameraId: camera.id, dayKey: `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}` });
      };
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    },
    { recordingId, camera: CAMERA, streamUrl },
  );
}

/** `HH:MM:SS` of an instant in the page's time zone, as the app shows it. */
function clock(app: AppPage, timeMs: number): Promise<string> {
  return app.page.evaluate((ms) => {
    const d = new Date(ms);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }, timeMs);
}

/** Left and right edges of an element as shares of the track's width. */
async function shareOfTrack(element: Locator, track: Locator): Promise<{ left: number; right: number }> {
  const box = (await track.boundingBox())!;
  const own = (await element.boundingBox())!;
  return { left: (own.x - box.x) / box.width, right: (own.x + own.width - box.x) / box.width };
}

test('a camera day with an outage: calendar, timeline, playback at a wall-clock moment, range export', async ({ page }) => {
  test.setTimeout(240_000);
  camera = await startCamera();
  const app = new AppPage(page);
  await page.goto('/');
  // Ride out the outage as a camera recorder does: keep retrying the playlist for half a minute.
  const patient = { maxAttempts: 40, initialDelayMs: 250, maxDelayMs: 1000, backoffMultiplier: 2, jitterRatio: 0 };
  await setCaptureConfig(app, { playlistRetry: patient, segmentRetry: { ...patient, maxAttempts: 3 } });
  await app.live.getByLabel('Stream URL').fill(camera.playlistUrl);
  await app.live.getByRole('button', { name: 'Record' }).click();
  await expect.poll(async () => (await storedTimes(app)).segments.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);

  // The outage: the server stops until the stream has moved a whole live window past what was stored.
  await camera.goDown();
  const lastBeforeMsn = Math.max(...(await storedTimes(app)).segments.map((s) => s.msn));
  await waitFor(async () => ((await camera!.mediaSequence()) > lastBeforeMsn + LIST_SIZE + 1 ? true : undefined), { timeoutMs: 30_000, description: 'the live window to move past the stored segments' });
  await camera.comeBack();
  await expect.poll(async () => (await storedTimes(app)).segments.filter((s) => s.msn > lastBeforeMsn + 1).length, { timeout: 40_000 }).toBeGreaterThanOrEqual(6);
  await app.stopRecording();

  const { recordingId, segments } = await storedTimes(app);
  expect(segments.every((s) => s.programDateTimeMs !== null)).toBe(true);
  const breakIndex = segments.findIndex((s, i) => i > 0 && s.msn !== segments[i - 1]!.msn + 1);
  expect(breakIndex, 'the outage left segments out').toBeGreaterThan(0);
  const before = segments.slice(0, breakIndex);
  const after = segments.slice(breakIndex);
  const end = (s: (typeof segments)[number]) => s.programDateTimeMs! + s.durationSec * 1000;
  const firstSpan = { startMs: before[0]!.programDateTimeMs!, endMs: end(before.at(-1)!) };
  const secondSpan = { startMs: after[0]!.programDateTimeMs!, endMs: end(after.at(-1)!) };

  await makeCameraRecording(app, recordingId, camera.playlistUrl);
  await page.reload();
  const review = page.getByRole('region', { name: 'Review' });
  await expect(review.getByLabel('Camera')).toHaveValue(CAMERA.id);
  await expect(review.getByRole('option', { name: CAMERA.name })).toBeAttached();

  // The calendar marks today as a day with recordings.
  const today = review.getByRole('button', { name: /, today, recordings$/ });
  await expect(today).toHaveAttribute('aria-current', 'date');
  await expect(today).toHaveAttribute('data-has-recordings', '');
  await today.click();

  // The timeline lists both spans and the outage gap, at the program date-times stored.
  const list = review.getByRole('list', { name: 'Recorded spans and gaps' });
  const items = list.getByRole('listitem');
  await expect(items).toHaveCount(3);
  await expect(items.nth(0)).toHaveText(new RegExp(`^Recorded ${await clock(app, firstSpan.startMs)}–${await clock(app, firstSpan.endMs)} `));
  await expect(items.nth(1)).toHaveText(new RegExp(`^Gap ${await clock(app, firstSpan.endMs)}–${await clock(app, secondSpan.startMs)} \\(\\d+ s\\): segments missed`));
  await expect(items.nth(2)).toHaveText(new RegExp(`^Recorded ${await clock(app, secondSpan.startMs)}–${await clock(app, secondSpan.endMs)} `));

  // Drawn where they are in the day: first the whole day, then zoomed to the recordings.
  const track = review.getByRole('slider', { name: 'Time of day' });
  const viewOf = async () => ({ startMs: Number(await track.getAttribute('data-view-start-ms')), endMs: Number(await track.getAttribute('data-view-end-ms')) });
  const day = await viewOf();
  expect([23, 24, 25]).toContain(Number(await track.getAttribute('data-day-hours')));
  const gap = track.locator('.gap');
  const drawnGap = await shareOfTrack(gap, track);
  expect(drawnGap.left).toBeCloseTo((firstSpan.endMs - day.startMs) / (day.endMs - day.startMs), 2);
  await review.getByRole('button', { name: 'Fit recordings' }).click();
  const view = await viewOf();
  const share = (timeMs: number) => (timeMs - view.startMs) / (view.endMs - view.startMs);
  const zoomedGap = await shareOfTrack(gap, track);
  expect(Math.abs(zoomedGap.left - share(firstSpan.endMs))).toBeLessThan(0.01);
  expect(Math.abs(zoomedGap.right - share(secondSpan.startMs))).toBeLessThan(0.01);
  const spans = track.locator('.span');
  await expect(spans).toHaveCount(2);
  expect(Math.abs((await shareOfTrack(spans.nth(1), track)).left - share(secondSpan.startMs))).toBeLessThan(0.01);

  // axe-core on the calendar and the timeline.
  const axe = await new AxeBuilder({ page }).include({ fromShadowDom: ['td-app', 'td-review'] }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(axe.passes.find((rule) => rule.id === 'button-name')?.nodes.length ?? 0, 'axe reached the calendar buttons').toBeGreaterThan(28);
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

  // A tap 3 s into the second span plays from there, with that wall-clock time over the picture.
  const targetMs = secondSpan.startMs + 3000;
  const box = (await track.boundingBox())!;
  await track.click({ position: { x: share(targetMs) * box.width, y: box.height / 2 } });
  const tappedMs = targetMs; // within a pixel: the view is a few tens of seconds wide.
  const overlay = review.getByLabel('Time in the picture');
  await expect(overlay).toBeVisible({ timeout: 30_000 });
  const video = review.getByLabel('Camera playback');
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => !v.seeking && !v.paused && v.currentTime > 0), { timeout: 30_000 }).toBe(true);
  const shownMs = Number(await overlay.getAttribute('data-wall-clock-ms'));
  expect(Math.abs(shownMs - tappedMs), 'the picture shows the tapped moment, within one segment').toBeLessThanOrEqual(SEGMENT_SEC * 1000);
  // Text and time read together: the picture plays on and may cross a minute between two reads.
  const [overlayText, overlayMs] = await overlay.evaluate((el) => [el.textContent ?? '', Number(el.getAttribute('data-wall-clock-ms'))] as const);
  expect(overlayText).toMatch(new RegExp(` ${await clock(app, overlayMs)}$`));
  // It advances as the picture plays.
  await expect.poll(async () => Number(await overlay.getAttribute('data-wall-clock-ms')), { timeout: 15_000 }).toBeGreaterThan(shownMs + 1000);

  // Export 6 s of the second span as MP4.
  const fromMs = secondSpan.startMs + 2000;
  const toMs = fromMs + 6000;
  await review.getByLabel('From', { exact: true }).fill(await clock(app, fromMs));
  await review.getByLabel('To', { exact: true }).fill(await clock(app, toMs));
  await expect(track.locator('.range')).toBeVisible();
  const downloadPromise = page.waitForEvent('download', { timeout: 120_000 });
  await review.getByRole('button', { name: 'Export range' }).click();
  const download = await downloadPromise;
  const path = join(await mkdtemp(join(tmpdir(), 'tapedeck-range-')), download.suggestedFilename());
  await download.saveAs(path);
  expect(download.suggestedFilename()).toMatch(/\.mp4$/);
  const probed = await probeMedia(path);
  expect(probed.streams.map((s) => `${s.codecType}:${s.codecName}`).sort()).toEqual(['audio:aac', 'video:h264']);
  // The clock times are whole seconds: the range asked is 6 s, and a keyframe cut may start up to one segment early.
  expect(Math.abs(probed.durationSec - 6), `exported ${probed.durationSec} s`).toBeLessThanOrEqual(SEGMENT_SEC);
  await expect(review.getByRole('status')).toContainText('Exported');
  test.info().annotations.push({ type: 'measured', description: `gap ${(secondSpan.startMs - firstSpan.endMs) / 1000} s; tapped-vs-shown ${shownMs - tappedMs} ms; keyframe export ${probed.durationSec} s for 6 s asked` });

  // The same range with the time burned into the picture: re-encoded (ffmpeg.wasm), frame-exact.
  await review.getByLabel('Burn time into picture').check();
  const burnedPromise = page.waitForEvent('download', { timeout: 180_000 });
  await review.getByRole('button', { name: 'Export range' }).click();
  const failure = review.getByRole('alert').filter({ hasText: 'Export failed' });
  const outcome = await Promise.race([burnedPromise, failure.waitFor({ timeout: 180_000 }).then(() => failure.textContent())]);
  expect(typeof outcome === 'string' ? outcome : null, 'the export with the time burned in finished').toBeNull();
  const burned = await burnedPromise;
  const burnedPath = join(await mkdtemp(join(tmpdir(), 'tapedeck-range-')), burned.suggestedFilename());
  await burned.saveAs(burnedPath);
  const burnedProbe = await probeMedia(burnedPath);
  expect(burnedProbe.streams.map((s) => `${s.codecType}:${s.codecName}`).sort()).toEqual(['audio:aac', 'video:h264']);
  expect(Math.abs(burnedProbe.durationSec - 6), `exported with the time burned in: ${burnedProbe.durationSec} s`).toBeLessThanOrEqual(0.5);
  test.info().annotations.push({ type: 'measured', description: `burned-in export ${burnedProbe.durationSec} s for 6 s asked` });

  // Bad input: a range over nothing recorded says so, and nothing stored changed.
  await review.getByLabel('From', { exact: true }).fill(await clock(app, view.startMs));
  await review.getByLabel('To', { exact: true }).fill(await clock(app, firstSpan.startMs - 5000));
  await review.getByRole('button', { name: 'Export range' }).click();
  await expect(review.getByRole('alert').filter({ hasText: 'Nothing was recorded from' })).toBeVisible();
  expect((await storedTimes(app)).segments).toEqual(segments);
});
