import { expect, test, type Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRtspServer, type RtspTestServer } from '../../relay/tests/helpers/rtsp-server.ts';
import { probeMedia } from '../helpers/ffprobe.ts';
import { waitFor } from '../helpers/poll.ts';
import { startRelay, type RelayProcess } from '../helpers/relay-process.ts';
import { addRelayCamera, camerasRegion, connectRelay, localDayKey, tile } from './camera-grid.ts';

/**
 * Issue #8, end to end: the real relay (`node relay/bin/tapedeck-relay.mjs`) in front of a real
 * RTSP server (GStreamer's gst-rtsp-server, relay/tests/fixtures/rtsp-server.py), two relay
 * cameras added in the app with "Record continuously" and recorded for about two minutes into
 * IndexedDB. The second camera's RTSP feed goes through a TCP forwarder that is cut for about
 * 20 s (an outage: the relay reconnects, the app's recorder carries on in the same day
 * recording). Then the Review panel: the calendar marks today, the day timeline shows each
 * camera's recorded span, the outage as a gap where it happened, a tapped moment plays with
 * that wall-clock time over the picture (within one segment), and a 20-s range exports as an
 * MP4 of 20 s (within one segment, ffprobe).
 */

/** Stored media of the first camera the test waits for, in seconds ("a couple of minutes"). */
const RECORD_SEC = 120;
/** The second camera's media before the outage, in seconds. */
const BEFORE_OUTAGE_SEC = 30;
/** How long the outage lasts, measured in the first camera's media recorded meanwhile, in seconds. */
const OUTAGE_SEC = 20;
/** Length of the exported range, in seconds. */
const EXPORT_SEC = 20;
/**
 * Clock skew allowed between this process's `Date.now()` and a segment's
 * EXT-X-PROGRAM-DATE-TIME (the relay takes it from the RTCP sender reports of the RTSP server,
 * whose clock is the real time), plus the polling interval of the observations, in ms.
 */
const SKEW_MS = 1000;

/** A TCP forwarder in front of the RTSP server: a camera's network that can be cut and restored on the same port. */
interface Forwarder {
  port: number;
  /** Closes the listening socket and every forwarded connection: the port refuses connections. */
  cut(): Promise<void>;
  /** Listens on the same port again. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

async function startForwarder(targetPort: number): Promise<Forwarder> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  const cut = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  await listen(0);
  const port = (server.address() as { port: number }).port;
  return { port, cut, restore: () => listen(port), close: cut };
}

let rtsp: RtspTestServer | undefined;
let forwarder: Forwarder | undefined;
let relay: RelayProcess | undefined;
let downloadDir: string | undefined;
test.afterEach(async () => {
  await relay?.stop();
  relay = undefined;
  await forwarder?.close();
  forwarder = undefined;
  await rtsp?.stop();
  rtsp = undefined;
  if (downloadDir) await rm(downloadDir, { recursive: true, force: true });
  downloadDir = undefined;
});

/** A camera recording as stored, with its segments' timing in media sequence order. */
interface StoredCameraRecording {
  id: string;
  cameraName: string;
  status: string;
  dayKey: string;
  durationSec: number;
  segments: { msn: number; durationSec: number; programDateTimeMs: number | null; discontinuity: boolean }[];
}

/** Every camera recording in the page's IndexedDB, with its camera's name and its segments. */
function readCameraRecordings(page: Page): Promise<StoredCameraRecording[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('tapedeck');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    // One transaction: a consistent snapshot while recording goes on.
    const tx = db.transaction(['cameras', 'recordings', 'segments']);
    const read = <T>(request: IDBRequest) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result as T);
        request.onerror = () => reject(request.error);
      });
    const [cameras, recordings] = await Promise.all([
      read<{ id: string; name: string }[]>(tx.objectStore('cameras').getAll()),
      read<{ id: string; cameraId?: string; status: string; dayKey: string; durationSec: number }[]>(tx.objectStore('recordings').getAll()),
    ]);
    const result = await Promise.all(
      recordings
        .filter((r) => r.cameraId)
        .map(async (r) => {
          const segments = await read<{ msn: number; durationSec: number; programDateTimeMs: number | null; discontinuity: boolean }[]>(
            tx.objectStore('segments').getAll(IDBKeyRange.bound([r.id, -Infinity], [r.id, Infinity])),
          );
          return {
            id: r.id,
            cameraName: cameras.find((c) => c.id === r.cameraId)?.name ?? '',
            status: r.status,
            dayKey: r.dayKey,
            durationSec: r.durationSec,
            segments: segments.map(({ msn, durationSec, programDateTimeMs, discontinuity }) => ({ msn, durationSec, programDateTimeMs, discontinuity })).sort((a, b) => a.msn - b.msn),
          };
        }),
    );
    db.close();
    return result;
  });
}

/** The one stored recording of the named camera. */
async function recordingOf(page: Page, cameraName: string): Promise<StoredCameraRecording | undefined> {
  const own = (await readCameraRecordings(page)).filter((r) => r.cameraName === cameraName);
  expect(own.length, `${cameraName} has at most one recording`).toBeLessThanOrEqual(1);
  return own[0];
}

/** `HH:MM:SS` of an instant in the page's time zone, as the app shows it. */
function clock(page: Page, timeMs: number): Promise<string> {
  return page.evaluate((ms) => {
    const d = new Date(ms);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }, timeMs);
}

/** The relay's cameras, from its API. */
async function relayCameras(r: RelayProcess): Promise<{ id: string; name: string; stream_url: string; status: { state: string } }[]> {
  const response = await fetch(`${r.url}/api/cameras`, { headers: { Authorization: `Bearer ${r.token}` } });
  return ((await response.json()) as { cameras: { id: string; name: string; stream_url: string; status: { state: string } }[] }).cameras;
}

/** Wall-clock extent of stored segments, in ms since the Unix epoch. */
function extentOf(segments: StoredCameraRecording['segments']): { startMs: number; endMs: number } {
  const last = segments.at(-1)!;
  return { startMs: segments[0]!.programDateTimeMs!, endMs: last.programDateTimeMs! + last.durationSec * 1000 };
}

/** The Review panel's pieces. */
function reviewParts(page: Page) {
  const review = page.getByRole('region', { name: 'Review' });
  const track = review.getByRole('slider', { name: 'Time of day' });
  return {
    review,
    track,
    items: review.getByRole('list', { name: 'Recorded spans and gaps' }).getByRole('listitem'),
    overlay: review.getByLabel('Time in the picture'),
    video: review.getByLabel('Camera playback'),
  };
}

/** Picks a camera in Review, checks the calendar marks today, opens today and zooms to the recordings. */
async function openToday(page: Page, cameraName: string): Promise<void> {
  const { review } = reviewParts(page);
  await review.getByRole('combobox', { name: /^Camera/ }).selectOption({ label: cameraName });
  const today = review.getByRole('button', { name: /, today, recordings$/ });
  await expect(today).toHaveAttribute('aria-current', 'date');
  await expect(today).toHaveAttribute('data-has-recordings', '');
  await today.click();
  const fit = review.getByRole('button', { name: 'Fit recordings' });
  await expect(fit).toBeEnabled();
  if ((await fit.getAttribute('aria-pressed')) !== 'true') await fit.click();
  await expect(fit).toHaveAttribute('aria-pressed', 'true');
}

/**
 * Taps the timeline at `targetMs` and waits for the picture to play: resolves with the
 * wall-clock time over the picture and the time one pixel of the track stands for, in ms.
 */
async function tapAndPlay(page: Page, targetMs: number): Promise<{ shownMs: number; pixelMs: number }> {
  const { track, overlay, video } = reviewParts(page);
  const startMs = Number(await track.getAttribute('data-view-start-ms'));
  const endMs = Number(await track.getAttribute('data-view-end-ms'));
  const box = (await track.boundingBox())!;
  await track.click({ position: { x: ((targetMs - startMs) / (endMs - startMs)) * box.width, y: box.height / 2 } });
  await expect(overlay).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => !v.seeking && !v.paused && v.currentTime > 0), { timeout: 30_000 }).toBe(true);
  return { shownMs: Number(await overlay.getAttribute('data-wall-clock-ms')), pixelMs: (endMs - startMs) / box.width };
}

test('issue #8: two relay RTSP cameras recorded for two minutes with an outage on one, reviewed by calendar, timeline, playback at a wall-clock moment and range export', async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  rtsp = await startRtspServer({ mounts: ['/h264aac', '/pcmu'] });
  forwarder = await startForwarder(rtsp.port);
  relay = await startRelay({ allowedOrigins: [new URL(baseURL!).origin] });

  await page.goto('/');
  const region = camerasRegion(page);
  await connectRelay(page, relay);
  await expect(region.getByRole('status').filter({ hasText: 'Connected to the relay: 0 cameras.' })).toBeVisible();

  // Porch: H.264 + AAC straight from the RTSP server. Garage: H.264 (+ PCMU audio, which the
  // relay drops) through the forwarder, whose cut is the outage.
  const addedMs = Date.now();
  await addRelayCamera(page, 'Porch', rtsp.url('/h264aac'));
  await addRelayCamera(page, 'Garage', `rtsp://127.0.0.1:${forwarder.port}/pcmu`);
  for (const name of ['Porch', 'Garage']) {
    await expect(tile(page, name).locator('[data-playback-state]')).toHaveText('Live', { timeout: 45_000 });
    await expect(tile(page, name).locator('[data-recording-state]')).toHaveText('Recording', { timeout: 30_000 });
  }
  const today = await localDayKey(page);
  await expect.poll(async () => (await readCameraRecordings(page)).map((r) => [r.cameraName, r.dayKey, r.status, r.segments.length >= 2]).sort(), { timeout: 45_000 }).toEqual([
    ['Garage', today, 'recording', true],
    ['Porch', today, 'recording', true],
  ]);
  const cameras = await relayCameras(relay);
  const garageOnRelay = cameras.find((c) => c.name === 'Garage')!;
  // The relay's EXT-X-TARGETDURATION: "one segment" below.
  const playlist = await (await fetch(garageOnRelay.stream_url)).text();
  const segmentMs = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(playlist)?.[1]) * 1000;
  expect(segmentMs).toBeGreaterThan(0);

  // Recording before the outage; a moment of it to play back later.
  await expect.poll(async () => (await recordingOf(page, 'Garage'))?.durationSec ?? 0, { timeout: 90_000 }).toBeGreaterThanOrEqual(BEFORE_OUTAGE_SEC);
  const porchMarkMs = Date.now() - 5000;

  // The outage: Garage's network is cut until Porch recorded OUTAGE_SEC more (and Garage's tile says so), then restored.
  const porchAtCut = (await recordingOf(page, 'Porch'))!.durationSec;
  const garageRecordingId = (await recordingOf(page, 'Garage'))!.id;
  const cutMs = Date.now();
  await forwarder.cut();
  await expect(tile(page, 'Garage').locator('[data-playback-state]')).toHaveText(/Reconnecting|Offline/, { timeout: 30_000 });
  // Its recording no longer claims to be recording.
  await expect(tile(page, 'Garage').locator('[data-recording-state]')).toHaveText(/^Recording (interrupted|paused): /, { timeout: 30_000 });
  await expect(tile(page, 'Porch').locator('[data-recording-state]')).toHaveText('Recording');
  await expect(tile(page, 'Porch').locator('[data-playback-state]')).toHaveText('Live');
  await expect.poll(async () => (await recordingOf(page, 'Porch'))!.durationSec, { timeout: 60_000 }).toBeGreaterThanOrEqual(porchAtCut + OUTAGE_SEC);
  const restoreMs = Date.now();
  await forwarder.restore();
  // When the relay has the camera again (its backoff decides): the first moment the API says live.
  const liveAgainMs = await waitFor(async () => ((await relayCameras(relay!)).find((c) => c.id === garageOnRelay.id)?.status.state === 'live' ? Date.now() : undefined), {
    timeoutMs: 45_000,
    intervalMs: 200,
    description: 'the relay to have Garage live again',
  });
  await expect(tile(page, 'Garage').locator('[data-playback-state]')).toHaveText('Live', { timeout: 45_000 });
  await expect(tile(page, 'Garage').locator('[data-recording-state]')).toHaveText('Recording', { timeout: 30_000 });

  // Garage records again in the same day recording; both go on to about two minutes of media.
  await expect.poll(async () => (await recordingOf(page, 'Garage'))!.segments.filter((s) => (s.programDateTimeMs ?? 0) >= restoreMs).length, { timeout: 60_000 }).toBeGreaterThanOrEqual(5);
  const garageMarkMs = Date.now() - 5000;
  await expect.poll(async () => (await recordingOf(page, 'Porch'))!.durationSec, { timeout: 120_000 }).toBeGreaterThanOrEqual(RECORD_SEC);
  await region.getByRole('button', { name: 'Record none' }).click();
  for (const name of ['Porch', 'Garage']) await expect(tile(page, name).locator('[data-recording-state]')).toHaveText('Not recording');
  await expect.poll(async () => (await readCameraRecordings(page)).map((r) => r.status), { timeout: 20_000 }).toEqual(['complete', 'complete']);
  const porch = (await recordingOf(page, 'Porch'))!;
  const garage = (await recordingOf(page, 'Garage'))!;
  expect(garage.id, 'Garage recorded on in the same day recording after the outage').toBe(garageRecordingId);
  expect(porch.segments.every((s) => s.programDateTimeMs !== null) && garage.segments.every((s) => s.programDateTimeMs !== null), 'every segment is dated').toBe(true);

  // The stored media is where the wall clock says: each camera from about when it was added;
  // Garage breaks once, at the outage.
  const porchExtent = extentOf(porch.segments);
  expect(porchExtent.startMs).toBeGreaterThanOrEqual(addedMs - SKEW_MS);
  const breakIndex = garage.segments.findIndex((s, i) => i > 0 && s.programDateTimeMs! - extentOf(garage.segments.slice(i - 1, i)).endMs > 1000);
  expect(breakIndex, 'Garage’s stored media breaks at the outage').toBeGreaterThan(0);
  const garageBefore = extentOf(garage.segments.slice(0, breakIndex));
  const garageAfter = extentOf(garage.segments.slice(breakIndex));

  // Review: Porch.
  const { review, track, items, overlay } = reviewParts(page);
  await openToday(page, 'Porch');
  await expect(items).toHaveCount(1);
  await expect(items.nth(0)).toHaveText(new RegExp(`^Recorded ${await clock(page, porchExtent.startMs)}–${await clock(page, porchExtent.endMs)} \\(\\d+ min( \\d+ s)?\\)$`));
  await expect(track.locator('.span')).toHaveCount(1);
  await expect(track.locator('.gap')).toHaveCount(0);
  expect(Number(await track.locator('.span').getAttribute('data-end-ms')) - Number(await track.locator('.span').getAttribute('data-start-ms'))).toBeGreaterThanOrEqual(RECORD_SEC * 1000);

  // A tap at a known moment of Porch plays it, with that wall-clock time over the picture.
  const porchPlay = await tapAndPlay(page, porchMarkMs);
  expect(Math.abs(porchPlay.shownMs - porchMarkMs), `Porch: tapped ${porchMarkMs}, shown ${porchPlay.shownMs}`).toBeLessThanOrEqual(segmentMs + porchPlay.pixelMs);
  // Text and time read together: the picture plays on and may cross a minute between two reads.
  const [overlayText, overlayMs] = await overlay.evaluate((el) => [el.textContent ?? '', Number(el.getAttribute('data-wall-clock-ms'))] as const);
  expect(overlayText).toBe(`${today} ${await clock(page, overlayMs)}`);
  await expect.poll(async () => Number(await overlay.getAttribute('data-wall-clock-ms')), { timeout: 15_000 }).toBeGreaterThan(porchPlay.shownMs + 1000);

  // Export EXPORT_SEC of Porch around that moment.
  const fromMs = porchMarkMs - (EXPORT_SEC / 2) * 1000;
  await review.getByLabel('From', { exact: true }).fill(await clock(page, fromMs));
  await review.getByLabel('To', { exact: true }).fill(await clock(page, fromMs + EXPORT_SEC * 1000));
  await expect(track.locator('.range')).toBeVisible();
  const downloadPromise = page.waitForEvent('download', { timeout: 120_000 });
  await review.getByRole('button', { name: 'Export range' }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/^Porch .*\.mp4$/);
  downloadDir = await mkdtemp(join(tmpdir(), 'tapedeck-relay-review-'));
  const path = join(downloadDir, download.suggestedFilename());
  await download.saveAs(path);
  await expect(review.getByRole('status')).toContainText('Exported');
  const probed = await probeMedia(path);
  expect(probed.streams.map((s) => `${s.codecType}:${s.codecName}`).sort()).toEqual(['audio:aac', 'video:h264']);
  // The clock times are whole seconds; a keyframe cut may start up to one segment early.
  expect(Math.abs(probed.durationSec - EXPORT_SEC), `exported ${probed.durationSec} s for ${EXPORT_SEC} s asked`).toBeLessThanOrEqual(segmentMs / 1000);

  // Review: Garage, with the outage as a gap.
  await openToday(page, 'Garage');
  await expect(items).toHaveCount(3);
  await expect(items.nth(0)).toHaveText(new RegExp(`^Recorded ${await clock(page, garageBefore.startMs)}–${await clock(page, garageBefore.endMs)} `));
  await expect(items.nth(1)).toHaveText(new RegExp(`^Gap ${await clock(page, garageBefore.endMs)}–${await clock(page, garageAfter.startMs)} \\(\\d+ s\\): (the stream was down|segments missed)`));
  await expect(items.nth(2)).toHaveText(new RegExp(`^Recorded ${await clock(page, garageAfter.startMs)}–${await clock(page, garageAfter.endMs)} `));
  await expect(track.locator('.span')).toHaveCount(2);
  const gap = track.locator('.gap');
  await expect(gap).toHaveCount(1);
  const gapStartMs = Number(await gap.getAttribute('data-start-ms'));
  const gapEndMs = Number(await gap.getAttribute('data-end-ms'));
  expect([gapStartMs, gapEndMs]).toEqual([garageBefore.endMs, garageAfter.startMs]);
  // The gap starts at the cut: the segment being made then is lost, and the one finished just
  // before may have left the relay before the recorder fetched it.
  expect(gapStartMs, `gap starts ${gapStartMs - cutMs} ms after the cut`).toBeGreaterThanOrEqual(cutMs - 2 * segmentMs - SKEW_MS);
  expect(gapStartMs).toBeLessThanOrEqual(cutMs + SKEW_MS);
  // It ends when the relay had the camera again, with the first segment made then.
  expect(gapEndMs, `gap ends ${gapEndMs - restoreMs} ms after the restore`).toBeGreaterThanOrEqual(restoreMs - SKEW_MS);
  expect(gapEndMs, `gap ends ${gapEndMs - liveAgainMs} ms after the relay was live again`).toBeLessThanOrEqual(liveAgainMs + segmentMs + SKEW_MS);

  // A tap after the outage plays Garage's reconnected media at that wall-clock time.
  const garagePlay = await tapAndPlay(page, garageMarkMs);
  expect(Math.abs(garagePlay.shownMs - garageMarkMs), `Garage: tapped ${garageMarkMs}, shown ${garagePlay.shownMs}`).toBeLessThanOrEqual(segmentMs + garagePlay.pixelMs);

  test.info().annotations.push({
    type: 'measured',
    description:
      `target duration ${segmentMs} ms; Porch ${porch.durationSec.toFixed(1)} s, Garage ${garage.durationSec.toFixed(1)} s stored; ` +
      `outage cut→restore ${restoreMs - cutMs} ms, relay live again ${liveAgainMs - restoreMs} ms after restore; ` +
      `gap ${gapStartMs - cutMs} ms after cut to ${gapEndMs - restoreMs} ms after restore; ` +
      `tapped-vs-shown Porch ${porchPlay.shownMs - porchMarkMs} ms, Garage ${garagePlay.shownMs - garageMarkMs} ms; export ${probed.durationSec} s for ${EXPORT_SEC} s`,
  });
});
