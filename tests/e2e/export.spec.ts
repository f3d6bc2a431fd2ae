import { expect, test } from '@playwright/test';
import { parseFile } from 'music-metadata';
import { probeMedia } from '../helpers/ffprobe.ts';
import { startLiveStream, stopIfRunning, type LiveStream } from '../helpers/live-stream.ts';
import { AppPage, editTags } from './app-page.ts';

/**
 * Export, end to end: a real ffmpeg live stream recorded by the app, its tags edited in the
 * library, then downloaded in every format and checked with ffprobe and music-metadata.
 */

let stream: LiveStream | undefined;
test.afterEach(async () => {
  await stopIfRunning(stream);
  stream = undefined;
});

const EDITED = { Title: 'Late show', Artist: 'Tapedeck FM', Genre: 'Talk' };

test('edited tags go into MP4, M4A and MP3; MKV, MPEG-TS and MP3 hold the recording', async ({ page }) => {
  test.setTimeout(300_000);
  stream = await startLiveStream({ kind: 'video' });
  const app = new AppPage(page);
  await app.startRecording(stream.playlistUrl);
  await app.waitForElapsed(12);
  await app.stopRecording();
  const [stored] = await app.storedRecordings();
  const item = app.item(stored!.title);

  await editTags(item, EDITED);

  const expected: Record<string, string[]> = {
    mp4: ['audio:aac', 'video:h264'],
    m4a: ['audio:aac'],
    mkv: ['audio:aac', 'video:h264'],
    ts: ['audio:aac', 'video:h264'],
    'mp3-128': ['audio:mp3'],
  };
  for (const [choice, streams] of Object.entries(expected)) {
    const { path, suggestedName } = await app.download(item, choice);
    expect(suggestedName.endsWith(`.${choice.replace(/-\d+$/, '')}`)).toBe(true);
    const probed = await probeMedia(path);
    expect(probed.streams.map((s) => `${s.codecType}:${s.codecName}`).sort(), choice).toEqual(streams);
    expect(Math.abs(probed.durationSec - stored!.durationSec), choice).toBeLessThanOrEqual(2);
    if (choice === 'mp4' || choice === 'm4a' || choice === 'mp3-128') {
      expect(probed.tags, choice).toMatchObject({ title: EDITED.Title, artist: EDITED.Artist, genre: EDITED.Genre, comment: stream.playlistUrl });
      // What the page read back from the file it made is shown with the recording.
      await expect(item).toContainText(`Tags in the file: Title ${EDITED.Title}, Artist ${EDITED.Artist}`);
    }
    if (choice === 'mp3-128') {
      const { common, format } = await parseFile(path);
      expect(common).toMatchObject({ title: EDITED.Title, artist: EDITED.Artist, genre: [EDITED.Genre] });
      expect(common.comment?.[0]?.text).toBe(stream.playlistUrl);
      expect(format.codec).toMatch(/MPEG 1 Layer 3/);
      expect(Math.abs((format.bitrate ?? 0) / 1000 - 128)).toBeLessThanOrEqual(2);
    }
  }

  // Exports only read the recording.
  const [after] = await app.storedRecordings();
  expect(after).toMatchObject({ segmentCount: stored!.segmentCount, bytes: stored!.bytes, durationSec: stored!.durationSec, title: stored!.title });
});

test('a cancelled Save as… dialog writes nothing and says so', async ({ page }) => {
  // The browser's native save dialog cannot be driven from Playwright: this stub stands in for
  // it, rejecting the way Chromium does when the user closes the dialog.
  await page.addInitScript(() => {
    (window as unknown as { showSaveFilePicker: () => Promise<never> }).showSaveFilePicker = () => Promise.reject(new DOMException('The user aborted a request.', 'AbortError'));
  });
  stream = await startLiveStream({ kind: 'video' });
  const app = new AppPage(page);
  await app.startRecording(stream.playlistUrl);
  await app.waitForElapsed(4);
  await app.stopRecording();
  const [stored] = await app.storedRecordings();
  const item = app.item(stored!.title);

  await item.getByRole('button', { name: 'Save as…' }).click();

  await expect(item.getByRole('alert').filter({ hasText: 'Save cancelled' })).toHaveText('Save cancelled: nothing was written.');
  await expect(item.getByRole('button', { name: 'Download' })).toBeEnabled();
  await expect(item.getByRole('progressbar')).toHaveCount(0);
});

test('a full disk during an export says so, leaves no partial file and keeps the recording', async ({ page }) => {
  stream = await startLiveStream({ kind: 'video' });
  const app = new AppPage(page);
  await app.startRecording(stream.playlistUrl);
  await app.waitForElapsed(8);
  await app.stopRecording();
  const [stored] = await app.storedRecordings();
  const item = app.item(stored!.title);

  // Leave 10 KB of quota: the recording's segments are already stored, the export cannot fit.
  const origin = new URL(page.url()).origin;
  const usageBytes = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usageBytes + 10_000 });
  // The segments joined as they are, and an MP4 whose muxer meets the failed write.
  for (const format of ['ts', 'mp4']) {
    await item.getByLabel('Format').selectOption(format);
    await item.getByRole('button', { name: 'Download' }).click();

    await expect(item.getByRole('alert').filter({ hasText: /\S/ }), format).toHaveText('Not enough free storage to write the exported file.', { timeout: 60_000 });
    await expect(item.getByRole('button', { name: 'Download' })).toBeEnabled();
    const exportFiles = await page.evaluate(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('exports', { create: true });
      const names: string[] = [];
      for await (const name of dir.keys()) names.push(name);
      return names;
    });
    expect(exportFiles, format).toEqual([]);
  }
  const [after] = await app.storedRecordings();
  expect(after).toMatchObject({ segmentCount: stored!.segmentCount, bytes: stored!.bytes, status: stored!.status });
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
});
