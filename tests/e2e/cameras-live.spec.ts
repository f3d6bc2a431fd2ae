import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { listenOnLoopback, type LoopbackServer } from '../helpers/loopback-server.ts';
import { fetchPlaylistState, startLiveStream, stopIfRunning, type LiveStream } from '../helpers/live-stream.ts';
import { startRtspServer, type RtspTestServer } from '../../relay/tests/helpers/rtsp-server.ts';
import { startRelay, type RelayProcess } from '../helpers/relay-process.ts';
import { addRelayCamera, camerasRegion, connectRelay, localDayKey, tile } from './camera-grid.ts';
import { AppPage } from './app-page.ts';
import { probeMedia } from '../helpers/ffprobe.ts';

/**
 * Cameras, end to end in Chromium: two real ffmpeg live HLS "cameras" on 127.0.0.1 added in the
 * app, shown live in the grid, recorded continuously into day-long recordings in IndexedDB, and
 * resumed after a reload; and the real relay (`node relay/bin/tapedeck-relay.mjs`) set up in the
 * app, a relay camera added through the UI and found in the relay's API, with the errors a user
 * meets (wrong token, relay unreachable, a camera the relay refuses).
 */

let streams: LiveStream[] = [];
let relay: RelayProcess | undefined;
let gated: LoopbackServer | undefined;
let rtsp: RtspTestServer | undefined;
test.afterEach(async () => {
  await rtsp?.stop();
  rtsp = undefined;
  await gated?.close();
  gated = undefined;
  await Promise.all(streams.map((s) => stopIfRunning(s)));
  streams = [];
  await relay?.stop();
  relay = undefined;
});

/** A camera recording as stored, with its segments' count read from the segments store. */
interface StoredCameraRecording {
  id: string;
  title: string;
  status: string;
  cameraId: string;
  dayKey: string;
  segmentCount: number;
  storedSegments: number;
  /** Highest media sequence number stored, or -1. */
  lastMsn: number;
  gaps: { reason: string; durationSec: number }[];
}

/** The cameras and camera recordings in the page's IndexedDB. */
function readCameraDb(page: Page): Promise<{ cameras: { id: string; name: string; streamUrl: string; source?: string; relayCameraId?: string }[]; recordings: StoredCameraRecording[] }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('tapedeck');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    // One transaction over all three stores: a consistent snapshot while recording goes on.
    const tx = db.transaction(['cameras', 'recordings', 'segments']);
    const read = <T>(request: IDBRequest) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result as T);
        request.onerror = () => reject(request.error);
      });
    const [cameras, allRecordings, segmentKeys] = await Promise.all([
      read<{ id: string; name: string; streamUrl: string }[]>(tx.objectStore('cameras').getAll()),
      read<StoredCameraRecording[]>(tx.objectStore('recordings').getAll()),
      read<IDBValidKey[]>(tx.objectStore('segments').getAllKeys()),
    ]);
    const recordings = allRecordings.filter((r) => r.cameraId);
    db.close();
    return {
      cameras,
      recordings: recordings.map((r) => {
        const msns = segmentKeys.filter((k) => (k as [string, number])[0] === r.id).map((k) => (k as [string, number])[1]);
        return { ...r, storedSegments: msns.length, lastMsn: Math.max(-1, ...msns) };
      }),
    };
  });
}

/**
 * The last stored msn of each stream's camera recording (streams in the order the cameras were
 * added: Porch, Garage), from a snapshot.
 */
function lastMsnByStream(snapshot: Awaited<ReturnType<typeof readCameraDb>>): number[] {
  return ['Porch', 'Garage'].map((name) => {
    const camera = snapshot.cameras.find((c) => c.name === name)!;
    return snapshot.recordings.find((r) => r.cameraId === camera.id)!.lastMsn;
  });
}

async function addHlsCamera(page: Page, name: string, url: string): Promise<void> {
  const region = camerasRegion(page);
  await region.getByRole('button', { name: 'Add camera' }).first().click();
  const form = region.getByRole('form', { name: 'Add camera' });
  await form.getByLabel('Camera name').fill(name);
  await form.getByLabel('HLS stream URL').fill(url);
  await form.getByRole('button', { name: 'Add camera' }).click();
  await expect(form).toBeHidden();
}

test('two HLS cameras: live grid, full screen and back, record all into day-long recordings that resume after a reload', async ({ page }) => {
  test.setTimeout(180_000);
  streams = await Promise.all([startLiveStream({ kind: 'video', segmentDurationSec: 1 }), startLiveStream({ kind: 'video', segmentDurationSec: 1 })]);
  await page.goto('/');
  await addHlsCamera(page, 'Porch', streams[0]!.playlistUrl);
  await addHlsCamera(page, 'Garage', streams[1]!.playlistUrl);

  for (const name of ['Porch', 'Garage']) {
    await expect(tile(page, name).getByRole('heading', { name })).toBeVisible();
    await expect(tile(page, name).locator('[data-playback-state]')).toHaveText('Live', { timeout: 30_000 });
    await expect(tile(page, name)).toContainText('Not recording');
  }
  // Each visible tile plays: its video has advanced.
  await expect.poll(() => tile(page, 'Porch').getByLabel('Porch live picture').evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 20_000 }).toBeGreaterThan(0);

  // Full screen and back.
  await tile(page, 'Porch').getByRole('button', { name: 'Full screen: Porch' }).click();
  const full = camerasRegion(page).getByRole('group', { name: 'Porch, full screen' });
  await expect(full).toBeVisible();
  await expect(camerasRegion(page).getByRole('list', { name: 'Camera grid' })).toBeHidden();
  await expect(full.locator('[data-playback-state]')).toHaveText('Live', { timeout: 30_000 });
  await full.getByRole('button', { name: 'Back to grid' }).click();
  await expect(tile(page, 'Garage')).toBeVisible();

  // One tile a page: the other page's camera has no tile, so no player and no video at all.
  const region = camerasRegion(page);
  await region.getByLabel('Tiles per page').selectOption('1');
  await expect(region.getByText('Page 1 of 2')).toBeVisible();
  await expect(tile(page, 'Garage')).toHaveCount(0);
  await expect(region.locator('video')).toHaveCount(1);
  await region.getByRole('button', { name: 'Next page' }).click();
  await expect(tile(page, 'Porch')).toHaveCount(0);
  await expect(tile(page, 'Garage').locator('[data-playback-state]')).toHaveText('Live', { timeout: 30_000 });
  await region.getByLabel('Tiles per page').selectOption('4');
  await expect(tile(page, 'Porch')).toBeVisible();

  // The grid passes axe-core (checked inside the components' shadow roots).
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const inCameras = axe.violations.filter((v) => v.nodes.some((n) => JSON.stringify(n.target).includes('td-camera')));
  expect(inCameras.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  expect(axe.passes.some((rule) => rule.nodes.some((n) => JSON.stringify(n.target).includes('td-camera-tile')))).toBe(true);

  // Record one: only that tile says so.
  await tile(page, 'Porch').getByRole('button', { name: 'Record Porch' }).click();
  await expect(tile(page, 'Porch').locator('[data-recording-state]')).toHaveText('Recording', { timeout: 30_000 });
  await expect(tile(page, 'Garage').locator('[data-recording-state]')).toHaveText('Not recording');

  // Record all: both tiles say so, and each camera gets one recording of today with segments.
  await camerasRegion(page).getByRole('button', { name: 'Record all' }).click();
  for (const name of ['Porch', 'Garage']) await expect(tile(page, name).locator('[data-recording-state]')).toHaveText('Recording', { timeout: 30_000 });
  const today = await localDayKey(page);
  await expect
    .poll(async () => (await readCameraDb(page)).recordings.filter((r) => r.storedSegments >= 2).length, { timeout: 30_000 })
    .toBe(2);
  const before = await readCameraDb(page);
  expect(before.cameras.map((c) => c.name).sort()).toEqual(['Garage', 'Porch']);
  for (const camera of before.cameras) {
    const own = before.recordings.filter((r) => r.cameraId === camera.id);
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ dayKey: today, title: `${camera.name} — ${today}`, status: 'recording' });
    expect(own[0]!.segmentCount).toBe(own[0]!.storedSegments);
  }

  // The tab goes away (as in a crash) until both streams no longer list the segment after the
  // last one stored (a resumed recording takes every listed segment after it), then the app
  // opens again: the day's recordings resume, same ids, with the outage as a gap.
  const atLeaving = lastMsnByStream(await readCameraDb(page));
  await page.goto('about:blank');
  for (const [index, stream] of streams.entries()) {
    // +2: a segment may have been stored between the snapshot and the page going away.
    const lastMsn = atLeaving[index]! + 1;
    await expect
      .poll(async () => {
        const state = await fetchPlaylistState(stream.playlistUrl);
        return state.mediaSequence > lastMsn + 1;
      }, { timeout: 30_000 })
      .toBe(true);
  }
  await page.goto('/');
  for (const name of ['Porch', 'Garage']) await expect(tile(page, name).locator('[data-recording-state]')).toHaveText('Recording', { timeout: 30_000 });
  await expect
    .poll(
      async () => {
        const { recordings } = await readCameraDb(page);
        return recordings.map((r) => ({
          title: r.title,
          status: r.status,
          outageGap: r.gaps.some((g) => g.reason === 'outage'),
          grew: r.storedSegments > (before.recordings.find((b) => b.id === r.id)?.storedSegments ?? Infinity),
        }));
      },
      { timeout: 30_000 },
    )
    .toEqual(before.recordings.map((r) => ({ title: r.title, status: 'recording', outageGap: true, grew: true })));
  const after = await readCameraDb(page);
  expect(after.recordings.map((r) => r.id).sort()).toEqual(before.recordings.map((r) => r.id).sort());
  expect(after.recordings.every((r) => r.status === 'recording' && r.dayKey === today)).toBe(true);

  // Record none: both stop, and their recordings end.
  await camerasRegion(page).getByRole('button', { name: 'Record none' }).click();
  for (const name of ['Porch', 'Garage']) await expect(tile(page, name).locator('[data-recording-state]')).toHaveText('Not recording');
  await expect.poll(async () => (await readCameraDb(page)).recordings.map((r) => r.status), { timeout: 15_000 }).toEqual(['complete', 'complete']);

  // A camera whose stream goes away: its tile says so (hls.js retries, then gives up: Offline).
  await streams[1]!.stop();
  await expect(tile(page, 'Garage').locator('[data-playback-state]')).toHaveText(/Reconnecting|Offline/, { timeout: 30_000 });
  await expect(tile(page, 'Garage').locator('[data-playback-state]')).toHaveText(/Offline \(.+\)/, { timeout: 60_000 });

  // Removing a camera takes it out of the grid; its recording stays.
  await tile(page, 'Garage').getByRole('button', { name: 'Edit Garage' }).click();
  await region.getByRole('form', { name: 'Edit camera Garage' }).getByRole('button', { name: 'Remove camera' }).click();
  await expect(tile(page, 'Garage')).toHaveCount(0);
  const end = await readCameraDb(page);
  expect(end.cameras.map((c) => c.name)).toEqual(['Porch']);
  expect(end.recordings).toHaveLength(2);
});

test('the relay: wrong token, then a relay camera added through the UI appears in the relay’s API and keeps its transport when edited; refused and unreachable relays say so', async ({ page, baseURL }) => {
  relay = await startRelay({ allowedOrigins: [new URL(baseURL!).origin] });
  await page.goto('/');
  const region = camerasRegion(page);
  await region.getByRole('button', { name: 'Relay settings' }).click();
  const settings = region.getByRole('form', { name: 'Relay settings' });
  await settings.getByLabel('Relay URL').fill(relay.url);
  await settings.getByLabel('Access token').fill('not-the-token');
  await settings.getByRole('button', { name: 'Save relay' }).click();
  await expect(region.getByRole('alert').filter({ hasText: 'refused the access token (401)' })).toBeVisible();

  await settings.getByLabel('Access token').fill(relay.token);
  await settings.getByRole('button', { name: 'Save relay' }).click();
  await expect(region.getByRole('status').filter({ hasText: 'Connected to the relay: 0 cameras.' })).toBeVisible();

  // A camera the relay refuses (not an rtsp:// URL): its reason is shown, nothing is stored.
  await region.getByRole('button', { name: 'Add camera' }).first().click();
  const form = region.getByRole('form', { name: 'Add camera' });
  await form.getByLabel('Camera name').fill('Driveway');
  await form.getByLabel('Relay camera (RTSP)').check();
  await form.getByLabel('RTSP URL').fill('http://127.0.0.1/not-rtsp');
  await form.getByRole('button', { name: 'Add camera' }).click();
  await expect(form.getByRole('alert')).toContainText('The relay refused it:');
  expect((await readCameraDb(page)).cameras).toEqual([]);

  // A good one: added on the relay, then in the grid with the relay's stream URL.
  await form.getByLabel('RTSP URL').fill('rtsp://viewer:secret@127.0.0.1:1/stream1');
  await form.getByLabel('Transport').selectOption('udp');
  await form.getByRole('button', { name: 'Add camera' }).click();
  await expect(form).toBeHidden();
  await expect(tile(page, 'Driveway')).toBeVisible();
  const api = (await (await fetch(`${relay.url}/api/cameras`, { headers: { Authorization: `Bearer ${relay.token}` } })).json()) as { cameras: { id: string; name: string; transport: string; rtsp_url: string; stream_url: string }[] };
  expect(api.cameras).toHaveLength(1);
  expect(api.cameras[0]).toMatchObject({ name: 'Driveway', transport: 'udp', rtsp_url: 'rtsp://viewer:***@127.0.0.1:1/stream1' });
  const { cameras } = await readCameraDb(page);
  expect(cameras).toEqual([expect.objectContaining({ name: 'Driveway', source: 'relay', relayCameraId: api.cameras[0]!.id, streamUrl: api.cameras[0]!.stream_url })]);
  // Nothing answers at rtsp://127.0.0.1:1: the tile says the camera is offline, and why (the relay's reason).
  await expect(tile(page, 'Driveway').locator('[data-playback-state]')).toHaveText(/^\s*Offline \(.*127\.0\.0\.1:1.*\)\s*$/, { timeout: 30_000 });

  // Edited in the app: the relay's camera changes too.
  await tile(page, 'Driveway').getByRole('button', { name: 'Edit Driveway' }).click();
  const edit = region.getByRole('form', { name: 'Edit camera Driveway' });
  // The form shows the transport the relay has, and saving a new name keeps it.
  await expect(edit.getByLabel('Transport')).toHaveValue('udp');
  await edit.getByLabel('Camera name').fill('Driveway east');
  await edit.getByRole('button', { name: 'Save camera' }).click();
  await expect(edit).toBeHidden();
  await expect(tile(page, 'Driveway east')).toBeVisible();
  const edited = (await (await fetch(`${relay.url}/api/cameras`, { headers: { Authorization: `Bearer ${relay.token}` } })).json()) as { cameras: { id: string; name: string; transport: string }[] };
  expect(edited.cameras.map((c) => [c.id, c.name, c.transport])).toEqual([[api.cameras[0]!.id, 'Driveway east', 'udp']]);

  // The relay's camera list in the settings shows it as in the grid already.
  await settings.getByRole('button', { name: 'Save relay' }).click();
  const listed = region.getByRole('list', { name: 'Relay cameras' }).getByRole('listitem');
  await expect(listed).toContainText('Driveway east');
  await expect(listed).toContainText('In the grid');

  // The relay gone: a clear message.
  await relay.stop();
  await settings.getByRole('button', { name: 'Save relay' }).click();
  await expect(region.getByRole('alert').filter({ hasText: /^The relay at http:\/\/127\.0\.0\.1:\d+ cannot be reached: is it running/ })).toBeVisible();
  // The grid says so too, for its relay camera.
  await expect(region.locator('[data-relay-problem]')).toContainText('Relay cameras: The relay at', { timeout: 15_000 });
  await expect(region.locator('[data-relay-problem]')).toContainText('cannot be reached');
});

/**
 * Serves a live stream's directory only to requests with `Referer: <referer>` (403 otherwise)
 * and with no CORS headers: a stream a page cannot record by itself.
 */
function serveWithReferer(dir: string, referer: string): Promise<LoopbackServer> {
  return listenOnLoopback(async (req, res) => {
    if (req.headers.referer !== referer) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('Referer required');
      return;
    }
    const name = basename(new URL(req.url ?? '/', 'http://x').pathname);
    const body = await readFile(join(dir, name)).catch(() => null);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': name.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t', 'Cache-Control': 'no-cache' }).end(body);
  });
}

test('through the relay: a stream that needs a Referer is recorded by the relay’s proxy URL, through one header source however often; with no relay set up, a clear refusal', async ({ page, baseURL }) => {
  streams = [await startLiveStream({ kind: 'video', segmentDurationSec: 1 })];
  const referer = 'https://tv.example/';
  gated = await serveWithReferer(streams[0]!.dir, referer);
  const gatedUrl = `${gated.origin}/live.m3u8`;
  expect((await fetch(gatedUrl)).status).toBe(403);

  await page.goto('/');
  const live = page.getByRole('region', { name: 'Record a stream' });
  await live.getByLabel('Stream URL').fill(gatedUrl);
  // Leaving the field loads the playlist to inspect it (it fails: 403); let that settle first.
  await live.getByLabel('Stream URL').press('Tab');
  await expect(live.locator('[data-checking]')).toHaveCount(0);
  await live.getByLabel('Through the relay').check();
  await live.getByRole('textbox', { name: 'Referer' }).fill(referer);
  await live.getByRole('button', { name: 'Record', exact: true }).click();
  await expect(live.getByRole('alert')).toHaveText('No relay is set up: enter the relay URL and its access token under Relay settings first.');
  expect((await readCameraDb(page)).recordings).toEqual([]);

  relay = await startRelay({ allowedOrigins: [new URL(baseURL!).origin], allowPrivate: true });
  await connectRelay(page, relay);

  await live.getByRole('button', { name: 'Record', exact: true }).click();
  await expect(live.getByRole('status')).toContainText('Recording', { timeout: 30_000 });
  const newest = async () => {
    const all = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('tapedeck');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const rows = await new Promise<{ title: string; sourceUrl: string; segmentCount: number; bytes: number; startedAtMs: number }[]>((resolve, reject) => {
        const request = db.transaction('recordings').objectStore('recordings').getAll();
        request.onsuccess = () => resolve(request.result as never);
        request.onerror = () => reject(request.error);
      });
      db.close();
      return rows;
    });
    return all.sort((a, b) => b.startedAtMs - a.startedAtMs)[0];
  };
  await expect.poll(async () => (await newest())?.segmentCount ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  await live.getByRole('button', { name: 'Stop' }).click();
  await expect(live.getByRole('status')).toContainText('Recorded');
  const recording = (await newest())!;
  expect(recording.sourceUrl.startsWith(`${relay.url}/proxy?`)).toBe(true);
  expect(recording.bytes).toBeGreaterThan(0);
  // The export names the stream itself, not the relay, and carries no relay token.
  const app = new AppPage(page);
  const { path } = await app.download(app.item(recording.title), 'm4a');
  expect((await probeMedia(path)).tags.comment).toBe(gatedUrl);
  expect((await readFile(path)).includes(relay.token)).toBe(false);
  const relaySources = async () =>
    ((await (await fetch(`${relay!.url}/api/sources`, { headers: { Authorization: `Bearer ${relay!.token}` } })).json()) as { sources: { headers: Record<string, string>; url_prefix: string }[] }).sources;
  expect(await relaySources()).toEqual([expect.objectContaining({ headers: { Referer: referer }, url_prefix: `${gated.origin}/` })]);

  // Recording the same stream again reuses the relay's source: the relay's list does not grow,
  // and both recordings have one source URL (retention rules per source count them together).
  await live.getByRole('button', { name: 'Record', exact: true }).click();
  await expect(live.getByRole('status')).toContainText('Recording', { timeout: 30_000 });
  await expect.poll(async () => ((await newest())?.startedAtMs ?? 0) > recording.startedAtMs && (await newest())!.segmentCount >= 1, { timeout: 30_000 }).toBe(true);
  await live.getByRole('button', { name: 'Stop' }).click();
  await expect(live.getByRole('status')).toContainText('Recorded');
  const again = (await newest())!;
  expect(again.startedAtMs).toBeGreaterThan(recording.startedAtMs);
  expect(again.sourceUrl).toBe(recording.sourceUrl);
  expect(await relaySources()).toHaveLength(1);
});

test('a relay camera (a real RTSP server: GStreamer, H.264 + AAC) plays live in the grid and records continuously like any HLS camera', async ({ page, baseURL }) => {
  rtsp = await startRtspServer({ mounts: ['/h264aac'] });
  relay = await startRelay({ allowedOrigins: [new URL(baseURL!).origin] });
  await page.goto('/');
  await connectRelay(page, relay);
  await addRelayCamera(page, 'Shop', rtsp.url('/h264aac'));

  await expect(tile(page, 'Shop').locator('[data-playback-state]')).toHaveText('Live', { timeout: 45_000 });
  await expect(tile(page, 'Shop').locator('[data-recording-state]')).toHaveText('Recording', { timeout: 30_000 });
  await expect.poll(async () => (await readCameraDb(page)).recordings[0]?.storedSegments ?? 0, { timeout: 45_000 }).toBeGreaterThanOrEqual(2);
  const today = await localDayKey(page);
  const { cameras, recordings } = await readCameraDb(page);
  expect(recordings).toEqual([expect.objectContaining({ cameraId: cameras[0]!.id, dayKey: today, title: `Shop — ${today}`, status: 'recording' })]);
  const [recording] = recordings as unknown as { sourceUrl: string; kind: string | null; codecs: string[] }[];
  expect(recording!.sourceUrl).toBe(cameras[0]!.streamUrl);
  await expect.poll(async () => ((await readCameraDb(page)).recordings[0] as unknown as { kind: string | null }).kind, { timeout: 20_000 }).toBe('video');
});
