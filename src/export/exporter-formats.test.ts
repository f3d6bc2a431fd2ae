import { ALL_FORMATS, BlobSource, Input, MP3 } from 'mediabunny';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openTestStore, storeDemoRecording, type TestStore } from '../storage/test-fixtures.ts';
import { ExportError, exportRecording } from './exporter.ts';
import { localDate, readTags } from './tags.ts';

/** A file in a scratch OPFS folder, standing in for one the user picked with Save as…. */
async function pickedFile(name: string, contents: string): Promise<{ handle: FileSystemFileHandle; remove: () => Promise<void> }> {
  const root = await navigator.storage.getDirectory();
  const dir = await root.getDirectoryHandle('test-picked', { create: true });
  const handle = await dir.getFileHandle(name, { create: true });
  const writable = await handle.createWritable();
  await writable.write(contents);
  await writable.close();
  return { handle, remove: () => dir.removeEntry(name) };
}

describe('exportRecording: formats, tags, picked files, errors', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore();
  });
  afterEach(async () => {
    await t.dispose();
  });

  test('MP3 into a picked file carries the recording’s default tags', { timeout: 60_000 }, async () => {
    const recording = await storeDemoRecording(t.store, [0, 1, 2]);
    const picked = await pickedFile(`${crypto.randomUUID()}.mp3`, 'old contents');
    try {
      const exported = await exportRecording(recording, { format: 'mp3', bitrateKbps: 128, dbName: t.dbName, fileHandle: picked.handle });
      expect(exported.downloadName).toBe('Demo stream.mp3');
      expect(exported.codecs).toEqual(['mp3']);
      const onDisk = await picked.handle.getFile();
      expect(onDisk.size).toBeGreaterThan(50_000);
      const input = new Input({ source: new BlobSource(onDisk), formats: ALL_FORMATS });
      expect(await input.getFormat()).toBe(MP3);
      expect(Math.abs((await input.computeDuration()) - 6)).toBeLessThanOrEqual(2);
      input.dispose();
      expect(await readTags(onDisk)).toEqual({
        title: 'Demo stream',
        artist: 'Demo stream',
        album: '',
        genre: '',
        date: localDate(recording.startedAtMs),
        comment: recording.sourceUrl,
      });
    } finally {
      await picked.remove();
    }
  });

  test('cancelled mid-way into a picked file leaves the file as it was', { timeout: 30_000 }, async () => {
    const recording = await storeDemoRecording(t.store, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const picked = await pickedFile(`${crypto.randomUUID()}.mkv`, 'old contents');
    const controller = new AbortController();
    try {
      const exporting = exportRecording(recording, {
        format: 'mkv',
        dbName: t.dbName,
        fileHandle: picked.handle,
        signal: controller.signal,
        onProgress: (fraction) => {
          if (fraction > 0) controller.abort();
        },
      });
      await expect(exporting).rejects.toMatchObject({ name: 'ExportError', code: 'cancelled' });
      expect(await (await picked.handle.getFile()).text()).toBe('old contents');
    } finally {
      await picked.remove();
    }
  });

  test('segments that are not media fail with a message starting "Export failed:"; the recording is untouched', { timeout: 30_000 }, async () => {
    let recording = await t.store.create({ title: 'Broken', sourceName: 'x', sourceUrl: 'http://127.0.0.1/x.m3u8', mediaPlaylistUrl: 'http://127.0.0.1/x.m3u8', startedAtMs: 1_700_000_000_000 });
    const junk = new Blob([new Uint8Array(50_000).map((_, i) => (i * 7919) % 251)]);
    ({ recording } = await t.store.appendSegment({ recordingId: recording.id, msn: 0, durationSec: 2, discontinuity: false, programDateTimeMs: null, data: junk }));
    for (const format of ['mp4', 'mp3'] as const) {
      const exporting = exportRecording(recording, { format, dbName: t.dbName });
      await expect(exporting).rejects.toBeInstanceOf(ExportError);
      await expect(exporting).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/^Export failed: /) });
    }
    expect(await t.store.get(recording.id)).toEqual(recording);
    expect(await t.store.listSegments(recording.id)).toHaveLength(1);
  });

  test('MPEG-TS export is the stored segments byte for byte', { timeout: 30_000 }, async () => {
    const recording = await storeDemoRecording(t.store, [0, 1, 2]);
    const exported = await exportRecording(recording, { format: 'ts', dbName: t.dbName });
    try {
      const segments = await t.store.listSegments(recording.id);
      const expected = new Uint8Array(await new Blob(segments.map((s) => s.data)).arrayBuffer());
      expect(new Uint8Array(await exported.file.arrayBuffer())).toEqual(expected);
      expect(exported.downloadName).toBe('Demo stream.ts');
    } finally {
      const root = await navigator.storage.getDirectory();
      const dir = await root.getDirectoryHandle('exports').catch(() => null);
      await dir?.removeEntry(exported.file.name).catch(() => undefined);
    }
  });
});
