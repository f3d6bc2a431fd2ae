import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { startMasterVod, subtitleCue, videoHeight, type MasterVod } from '../helpers/ffmpeg-master.ts';
import { probeMedia } from '../helpers/ffprobe.ts';
import { startLiveStream, stopIfRunning, type LiveStream } from '../helpers/live-stream.ts';
import type { GapRecord } from '../../src/storage/types.ts';
import { AppPage, type StoredRecording } from './app-page.ts';

/**
 * Choosing what to record and controlling a capture, end to end in Chromium against streams
 * ffmpeg makes during the test: variant choice and alternate renditions of a master playlist,
 * pause and resume, resume after a reload, a VOD time range, and URL template mode.
 */

let master: MasterVod | undefined;
let live: LiveStream | undefined;
/** Temp dirs of files written by {@link storedFile}, removed after each test. */
const tempDirs: string[] = [];
test.afterEach(async () => {
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
  await master?.stop();
  master = undefined;
  await stopIfRunning(live);
  live = undefined;
});

/** A stored recording with the fields of this feature. */
type Stored = StoredRecording & { parentRecordingId?: string; gaps: GapRecord[] };

/** Every recording stored (renditions too), newest first. */
async function stored(app: AppPage): Promise<Stored[]> {
  return (await app.storedRecordings()) as Stored[];
}

/** The stored bytes of a recording's segments, joined in msn order, written to a temp file. */
async function storedFile(page: Page, recordingId: string, name: string): Promise<string> {
  const base64 = await page.evaluate(async (id) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('tapedeck');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const range = IDBKeyRange.bound([id, -Infinity], [id, Infinity]);
    const segments = await new Promise<{ data: Blob }[]>((resolve, reject) => {
      const request = db.transaction('segments').objectStore('segments').getAll(range);
      request.onsuccess = () => resolve(request.result as { data: Blob }[]);
      request.onerror = () => reject(request.error);
    });
    db.close();
    const bytes = new Uint8Array(await new Blob(segments.map((s) => s.data)).arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }, recordingId);
  const dir = await mkdtemp(join(tmpdir(), 'tapedeck-stored-'));
  tempDirs.push(dir);
  const path = join(dir, name);
  await writeFile(path, Buffer.from(base64, 'base64'));
  return path;
}

/** Enters a playlist URL and waits until the form shows what it is. */
async function enterUrl(app: AppPage, url: string, kindText: string | RegExp): Promise<void> {
  await app.page.goto('/');
  await app.live.getByLabel('Stream URL').fill(url);
  await app.live.getByLabel('Stream URL').press('Tab');
  await expect(app.live.locator('[data-source-kind]')).toContainText(kindText);
}

async function recordVodToEnd(app: AppPage): Promise<void> {
  await app.live.getByRole('button', { name: 'Record' }).click();
  await expect(app.live.getByRole('status')).toContainText('Recorded', { timeout: 60_000 });
}

/** The main recordings (not renditions), newest first, once none is still recording. */
async function settled(app: AppPage, count: number): Promise<Stored[]> {
  await expect.poll(async () => (await stored(app)).filter((r) => r.status !== 'recording').length, { timeout: 30_000 }).toBe(count);
  return stored(app);
}

test('master playlist: the variants are shown; "lowest" stores the 320×180 variant, a 500 kb/s cap too, 1000 kb/s the 640×360', async ({ page }) => {
  master = await startMasterVod({ subtitles: false });
  const app = new AppPage(page);
  const expectations: [string, string | null, number][] = [
    ['lowest', null, master.variants.lo.height],
    ['cap', '500', master.variants.lo.height],
    ['cap', '1000', master.variants.hi.height],
  ];
  for (const [i, [quality, capKbps, height]] of expectations.entries()) {
    await enterUrl(app, master.masterUrl, 'Master playlist with 2 variants.');
    await expect(app.live.getByLabel('Quality')).toContainText('640×360 · 950 kb/s · avc1.42c01e, mp4a.40.2');
    await expect(app.live.getByLabel('Quality')).toContainText('320×180 · 290 kb/s');
    await app.live.getByLabel('Quality').selectOption(quality);
    if (capKbps) await app.live.getByLabel('Bandwidth cap (kb/s)').fill(capKbps);
    await app.live.getByLabel('Record alternate audio and subtitles too').uncheck();
    await recordVodToEnd(app);
    const [newest] = await settled(app, i + 1);
    expect(newest).toMatchObject({ status: 'complete', segmentCount: 4, gapCount: 0 });
    expect(await videoHeight(await storedFile(page, newest!.id, 'stored.ts'))).toBe(height);
  }
});

test('master playlist: the audio and subtitles renditions are child recordings; MP4 gets video + the rendition audio, MKV the subtitles too', async ({ page }) => {
  master = await startMasterVod();
  const app = new AppPage(page);
  await enterUrl(app, master.masterUrl, 'Master playlist with 2 variants.');
  await expect(app.live.locator('[data-renditions]')).toHaveText(/Alternate audio: audio_2 \(default\)\.\s+Subtitles: English\./);
  // The source form with its variants and renditions passes axe-core (inside the shadow roots).
  const axe = await new AxeBuilder({ page }).include({ fromShadowDom: ['td-app', 'td-live-view'] }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(axe.passes.find((rule) => rule.id === 'label')?.nodes.length ?? 0, 'axe reached the form fields').toBeGreaterThan(2);
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await app.live.getByRole('textbox', { name: 'Stream URL' }).focus();
  await recordVodToEnd(app);
  const all = await settled(app, 3);
  const main = all.find((r) => !r.parentRecordingId)!;
  const children = all.filter((r) => r.parentRecordingId === main.id);
  expect(children.map((c) => [c.title.replace(main.title, 'T'), c.status, c.segmentCount, c.kind]).sort()).toEqual([
    ['T (audio: audio_2)', 'complete', 5, 'audio'],
    ['T (subtitles: English)', 'complete', 4, null],
  ]);
  expect(await probeMedia(await storedFile(page, main.id, 'main.ts')).then((p) => p.streams.map((s) => s.codecType))).toEqual(['video']);

  // The library lists the main recording only, noting its renditions.
  await expect(app.library.getByRole('listitem')).toHaveCount(1);
  const item = app.item(main.title);
  await expect(item).toContainText('with audio: audio_2, subtitles: English');

  const mp4 = await probeMedia((await app.download(item, 'mp4')).path);
  expect(mp4.streams.map((s) => `${s.codecType}:${s.codecName}`)).toEqual(['video:h264', 'audio:aac']);
  expect(mp4.durationSec).toBeGreaterThan(7);
  const mkvPath = (await app.download(item, 'mkv')).path;
  const mkv = await probeMedia(mkvPath);
  // Debian's ffprobe 5.1 names no codec for Matroska's S_TEXT/WEBVTT (newer ones say webvtt).
  expect(mkv.streams.map((s) => s.codecType)).toEqual(['video', 'audio', 'subtitle']);
  const mkvText = (await readFile(mkvPath)).toString('latin1');
  expect(mkvText).toContain('S_TEXT/WEBVTT');
  for (let n = 0; n < 4; n++) expect(mkvText).toContain(subtitleCue(n));

  // Deleting the main recording deletes its renditions.
  await item.getByRole('button', { name: 'Delete' }).click();
  await item.getByRole('button', { name: 'Delete for good' }).click();
  await expect.poll(async () => (await stored(app)).length).toBe(0);
});

test('VOD time range: only the segments overlapping 0:02.5–0:04.5 are stored', async ({ page }) => {
  master = await startMasterVod({ subtitles: false });
  const app = new AppPage(page);
  await enterUrl(app, master.masterUrl.replace('master.m3u8', 'v1/index.m3u8'), /VOD, 0:0[78] in 4 segments\./);
  await app.live.getByLabel('From (optional)').fill('2.5');
  await app.live.getByLabel('To (optional)').fill('0:04.5');
  await recordVodToEnd(app);
  const [ranged] = await settled(app, 1);
  expect(ranged).toMatchObject({ status: 'complete', msns: [1, 2], gapCount: 0 });
});

test('URL template: a count records that many numbered segments; "stop at the first 404" records all there are', async ({ page }) => {
  master = await startMasterVod({ subtitles: false });
  const app = new AppPage(page);
  const template = master.masterUrl.replace('master.m3u8', 'v1/seg(*).ts');
  const fill = async (count: string, stop404: boolean) => {
    await page.goto('/');
    await app.live.getByLabel('URL template').check();
    await app.live.getByLabel('Segment URL, with (*) where the number goes').fill(template);
    await app.live.getByLabel('Zero-padding digits').fill('3');
    await app.live.getByLabel('First number').fill('0');
    await app.live.getByLabel('Segment duration (s)').fill('2');
    await app.live.getByLabel('Count').fill(count);
    if (stop404) await app.live.getByLabel('Stop at the first missing segment (404)').check();
  };
  await fill('3', false);
  await recordVodToEnd(app);
  expect((await settled(app, 1))[0]).toMatchObject({ status: 'complete', msns: [0, 1, 2], gapCount: 0 });

  await fill('', true);
  await recordVodToEnd(app);
  const [newest] = await settled(app, 2);
  expect(newest).toMatchObject({ status: 'complete', msns: [0, 1, 2, 3], gapCount: 0 });
  expect(await videoHeight(await storedFile(page, newest!.id, 'template.ts'))).toBe(master.variants.lo.height);

  await fill('', false);
  await app.live.getByRole('button', { name: 'Record' }).click();
  await expect(app.live.getByRole('alert')).toHaveText('Give the segment count, or the total duration, or choose to stop at the first missing segment.');
});

/** The live stream's newest media sequence number, read from its playlist. */
async function liveEdgeMsn(stream: LiveStream): Promise<number> {
  const text = await (await fetch(stream.playlistUrl)).text();
  const first = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? 0);
  return first + (text.match(/#EXTINF/g)?.length ?? 0) - 1;
}

function strictlyIncreasing(msns: readonly number[]): boolean {
  return msns.every((msn, i) => i === 0 || msn > msns[i - 1]!);
}

test('pause and resume a live recording: nothing is fetched while paused, the paused span is an outage gap, msns stay in order', async ({ page }) => {
  live = await startLiveStream({ kind: 'video', segmentDurationSec: 1, listSize: 6 });
  const stream = live;
  const app = new AppPage(page);
  await app.startRecording(stream.playlistUrl);
  await expect.poll(async () => (await stored(app))[0]?.segmentCount ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  await app.live.getByRole('button', { name: 'Pause' }).click();
  await expect(app.live.getByRole('status')).toContainText('Paused');
  // A request under way when Pause was pressed may still land: read the count after it has.
  const atPause = await stored(app).then(([r]) => r!);
  const lastBefore = Math.max(...atPause.msns);
  await expect.poll(() => liveEdgeMsn(stream), { timeout: 30_000 }).toBeGreaterThanOrEqual(lastBefore + 6);
  const whilePaused = (await stored(app))[0]!;
  expect(whilePaused.segmentCount).toBeLessThanOrEqual(atPause.segmentCount + 1);

  await app.live.getByRole('button', { name: 'Resume' }).click();
  await expect(app.live.getByRole('status')).toContainText('Recording');
  await expect.poll(async () => (await stored(app))[0]!.segmentCount, { timeout: 30_000 }).toBeGreaterThanOrEqual(whilePaused.segmentCount + 2);
  await app.stopRecording();

  const [done] = await stored(app);
  expect(strictlyIncreasing(done!.msns)).toBe(true);
  const outages = done!.gaps.filter((g) => g.reason === 'outage');
  expect(outages).toHaveLength(1);
  const lastBeforeOutage = Math.max(...done!.msns.filter((m) => m < outages[0]!.fromMsn));
  const firstAfter = Math.min(...done!.msns.filter((m) => m >= outages[0]!.fromMsn));
  expect(outages[0]).toMatchObject({ fromMsn: lastBeforeOutage + 1, count: firstAfter - lastBeforeOutage - 1 });
  expect(outages[0]!.count).toBeGreaterThanOrEqual(3);
  expect(outages[0]!.durationSec).toBeGreaterThan(3);
  expect(done!.discontinuityCount).toBe(1);
  await expect(app.item(done!.title)).toContainText(/paused or closed for 0:\d\d/);
});

test('reload mid-recording: the library offers Resume, and segments continue in the same recording', async ({ page }) => {
  live = await startLiveStream({ kind: 'video', segmentDurationSec: 1, listSize: 6 });
  const app = new AppPage(page);
  await app.startRecording(live.playlistUrl);
  await expect.poll(async () => (await stored(app))[0]?.segmentCount ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  await page.reload();

  const [interrupted] = await settled(app, 1);
  expect(interrupted!.status).toBe('interrupted');
  const offer = app.library.locator(`[data-resume-offer="${interrupted!.id}"]`);
  await expect(offer).toContainText('was interrupted');
  await offer.getByRole('button', { name: 'Resume' }).click();
  await expect(offer).toHaveCount(0);
  await expect(app.live.getByRole('status')).toContainText('Recording');
  await expect.poll(async () => (await stored(app))[0]!.segmentCount, { timeout: 30_000 }).toBeGreaterThanOrEqual(interrupted!.segmentCount + 3);
  await app.stopRecording();

  const all = await stored(app);
  expect(all).toHaveLength(1);
  const [done] = all;
  expect(done).toMatchObject({ id: interrupted!.id, status: 'complete' });
  expect(done!.msns.slice(0, interrupted!.msns.length)).toEqual(interrupted!.msns);
  expect(strictlyIncreasing(done!.msns)).toBe(true);
  // Any msns skipped while the page was away are one outage gap, exactly those.
  const skipped = done!.msns.at(-1)! - done!.msns[0]! + 1 - done!.msns.length;
  const outageCount = done!.gaps.filter((g) => g.reason === 'outage').reduce((n, g) => n + g.count, 0);
  expect(outageCount).toBe(skipped);
});
