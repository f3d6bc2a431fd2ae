import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { probeMedia } from '../helpers/ffprobe.ts';
import { startFormatStreamServer, type FormatStreamServer } from '../helpers/format-streams.ts';
import { AppPage, recordUntilEnd } from './app-page.ts';

/**
 * Every segment format, end to end through the UI: streams made during the test by ffmpeg
 * (live fMP4 with EXT-X-MAP, byte ranges from a server that ignores Range, packed ADTS and MP3
 * audio) are recorded by the app, played from IndexedDB and downloaded; ffprobe checks each file.
 * Run with TAPEDECK_E2E_PORT=4183.
 */

/** Segment length of every test stream, in seconds: exports must be within one of the recording. */
const SEGMENT_SEC = 2;

let server: FormatStreamServer;
test.beforeAll(async () => {
  server = await startFormatStreamServer();
});
test.afterAll(async () => {
  await server?.close();
});

const codecsOf = (probed: Awaited<ReturnType<typeof probeMedia>>) => probed.streams.map((s) => `${s.codecType}:${s.codecName}`).sort();

test('a live fMP4 stream (EXT-X-MAP) is recorded, plays from storage, and downloads as MP4 and as its original fragments', async ({ page }) => {
  test.setTimeout(180_000);
  const app = new AppPage(page);
  await app.startRecording(`${server.url}/live/fmp4/index.m3u8`);
  await expect.poll(async () => (await app.storedRecordings())[0]?.segmentCount ?? 0, { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
  await app.stopRecording();
  const [stored] = await app.storedRecordings();
  expect(stored!.codecs).toEqual([expect.stringMatching(/^avc1\./), expect.stringMatching(/^mp4a\./)]);
  const item = app.item(stored!.title);

  await app.expectPlayback(item, 1);

  for (const [choice, container] of [['mp4', 'mp4'], ['ts', 'mp4']] as const) {
    const { path, suggestedName } = await app.download(item, choice);
    // The original fragments are an MP4 file, and named so.
    expect(suggestedName, choice).toMatch(/\.mp4$/);
    const probed = await probeMedia(path);
    expect(probed.formatName, choice).toContain(container);
    expect(codecsOf(probed), choice).toEqual(['audio:aac', 'video:h264']);
    expect(Math.abs(probed.durationSec - stored!.durationSec), choice).toBeLessThanOrEqual(SEGMENT_SEC);
  }
});

test('byte-range segments from a server that ignores Range: each range stored once, never the whole file', async ({ page }) => {
  test.setTimeout(120_000);
  const app = new AppPage(page);
  await recordUntilEnd(app, `${server.url}/norange/vod/byterange/index.m3u8`);
  const [stored] = await app.storedRecordings();
  const fileBytes = (await (await fetch(`${server.url}/vod/byterange/single.ts`)).arrayBuffer()).byteLength;
  expect(stored!.segmentCount).toBe(3);
  expect(stored!.storedBytes).toBe(fileBytes);
  const { path } = await app.download(app.item(stored!.title), 'mp4');
  const probed = await probeMedia(path);
  expect(codecsOf(probed)).toEqual(['audio:aac', 'video:h264']);
  expect(Math.abs(probed.durationSec - stored!.durationSec)).toBeLessThanOrEqual(SEGMENT_SEC);

});

test('packed ADTS radio (ID3 timestamps) downloads as M4A and as the original .aac stream', async ({ page }) => {
  test.setTimeout(120_000);
  const app = new AppPage(page);

  await recordUntilEnd(app, `${server.url}/vod/adts-id3/index.m3u8`);
  const [adts] = await app.storedRecordings();
  expect(adts).toMatchObject({ kind: 'audio', codecs: ['mp4a.40.2'] });
  const adtsItem = app.item(adts!.title);
  for (const [choice, extension] of [['m4a', 'm4a'], ['ts', 'aac']] as const) {
    const { path, suggestedName } = await app.download(adtsItem, choice);
    expect(suggestedName, choice).toMatch(new RegExp(`\\.${extension}$`));
    const probed = await probeMedia(path);
    expect(codecsOf(probed), choice).toEqual(['audio:aac']);
    expect(Math.abs(probed.durationSec - adts!.durationSec), choice).toBeLessThanOrEqual(SEGMENT_SEC);
  }
});

test('packed MP3 downloads as MP3 with its frames copied; M4A is refused with a clear message', async ({ page }) => {
  test.setTimeout(120_000);
  const app = new AppPage(page);
  await recordUntilEnd(app, `${server.url}/vod/mp3/index.m3u8`);
  const [mp3] = await app.storedRecordings();
  expect(mp3).toMatchObject({ kind: 'audio', codecs: ['mp3'] });
  const mp3Item = app.item(mp3!.title);
  const { path } = await app.download(mp3Item, 'mp3-320');
  const probed = await probeMedia(path);
  expect(codecsOf(probed)).toEqual(['audio:mp3']);
  expect(Math.abs(probed.durationSec - mp3!.durationSec)).toBeLessThanOrEqual(SEGMENT_SEC);
  // Copied 64 kb/s frames, not a 320 kb/s re-encode, and the panel says so.
  expect((await readFile(path)).byteLength).toBeLessThan(mp3!.storedBytes * 1.5);
  await expect(mp3Item.locator('td-export-panel')).toContainText('This recording is MP3 already: its frames were copied as the station sent them, not encoded again at 320 kb/s');

  // M4A cannot hold MP3 without re-encoding: a clear message, and the recording is unchanged.
  await mp3Item.getByLabel('Format').selectOption('m4a');
  await mp3Item.getByRole('button', { name: 'Download' }).click();
  await expect(mp3Item.locator('td-export-panel').getByRole('alert')).toContainText('choose MP3');
  expect((await app.storedRecordings()).find((r) => r.id === mp3!.id)!.storedBytes).toBe(mp3!.storedBytes);
});
