import fc from 'fast-check';
import { ALL_FORMATS, BufferSource, Input, MP4 } from 'mediabunny';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { defaultConfig } from '../config.ts';
import { demoSegment, newRecording, openTestStore, storeDemoRecording, type TestStore } from '../storage/test-fixtures.ts';
import type { Recording } from '../storage/types.ts';
import { downloadFileName, ExportError, exportFileType, exportRecording, removeStaleExports } from './exporter.ts';
import { fetchVodSegments } from './test-format-streams.ts';

const FORBIDDEN = /[\\/:*?"<>|]/;
const CONTROL = /\p{Cc}/u;

describe('downloadFileName', () => {
  test('keeps an ordinary title and adds the extension', () => {
    expect(downloadFileName('Demo stream 2026-11-21 14.05', 'mp4')).toBe('Demo stream 2026-11-21 14.05.mp4');
    expect(downloadFileName('Radio', 'm4a')).toBe('Radio.m4a');
  });

  test('replaces slashes, colons and other reserved characters, drops control characters', () => {
    expect(downloadFileName('News 14:05 / BBC\\One', 'mp4')).toBe('News 14.05 . BBC.One.mp4');
    expect(downloadFileName('a*?"<>|b', 'mp4')).toBe('a.b.mp4');
    expect(downloadFileName('line\nbreak\ttab\u0000nul', 'mp4')).toBe('linebreaktabnul.mp4');
    expect(downloadFileName('  spaced    out  ', 'm4a')).toBe('spaced out.m4a');
  });

  test("names an empty or unusable title 'recording'", () => {
    expect(downloadFileName('', 'mp4')).toBe('recording.mp4');
    expect(downloadFileName('   ', 'm4a')).toBe('recording.m4a');
    expect(downloadFileName('\u0001\u0002\u001f', 'mp4')).toBe('recording.mp4');
  });

  test('truncates long titles', () => {
    const name = downloadFileName('x'.repeat(500), 'mp4');
    expect(name).toBe('x'.repeat(120) + '.mp4');
    // Never half an emoji: the cut falls inside the surrogate pair of the first 😀.
    expect(downloadFileName('a'.repeat(119) + '😀😀', 'm4a')).toBe('a'.repeat(119) + '.m4a');
    expect(downloadFileName('a'.repeat(118) + '😀😀', 'm4a')).toBe('a'.repeat(118) + '😀.m4a');
  });

  test('property: never a reserved or control character, never empty, always the extension', () => {
    const odd = fc.constantFrom('/', '\\', ':', '*', '?', '"', '<', '>', '|', ' ', '\t', '\u0000', '\u007f', '\u0085', 'a', 'é', '😀');
    const titles = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: odd, maxLength: 300 }), fc.string({ unit: fc.constantFrom('a', ' ', '😀', '/'), minLength: 60, maxLength: 200 }));
    fc.assert(
      fc.property(titles, fc.constantFrom('mp4' as const, 'm4a' as const), (title, format) => {
        const name = downloadFileName(title, format);
        expect(name.endsWith(`.${format}`)).toBe(true);
        const stem = name.slice(0, -format.length - 1);
        expect(stem.length).toBeGreaterThan(0);
        expect(stem.length).toBeLessThanOrEqual(120);
        expect(stem).not.toMatch(/^\s/);
        expect(name).not.toMatch(FORBIDDEN);
        expect(name).not.toMatch(CONTROL);
        // No lone surrogate left by truncation: the name must be valid Unicode.
        expect(() => encodeURIComponent(name)).not.toThrow();
      }),
    );
  });
});

async function exportsDir(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(defaultConfig.export.opfsExportDirName, { create: true });
}

async function exportFileNames(recordingId: string): Promise<string[]> {
  const names: string[] = [];
  for await (const name of (await exportsDir()).keys()) if (name.startsWith(recordingId)) names.push(name);
  return names;
}

describe('exportRecording', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore();
  });
  afterEach(async () => {
    await t.dispose();
  });

  test('the original segments of an MPEG-TS recording are a .ts file; other formats keep their own extension', async () => {
    const recording = await storeDemoRecording(t.store, [0, 1]);
    expect(await exportFileType(recording, 'ts', t.dbName)).toEqual({ extension: 'ts', description: 'MPEG transport stream', mime: 'video/mp2t' });
    expect(await exportFileType(recording, 'mkv', t.dbName)).toMatchObject({ extension: 'mkv', mime: 'video/x-matroska' });
    // (fMP4 -> .mp4 and packed ADTS -> .aac are checked end to end in tests/e2e/capture-formats.spec.ts.)
  });

  test('writes an 8 s MP4 with H.264 and AAC into the OPFS exports folder', { timeout: 30_000 }, async () => {
    const recording = await storeDemoRecording(t.store, [0, 1, 2, 3]);
    const progress: number[] = [];

    const exported = await exportRecording({ ...recording, title: 'Demo: evening' }, { format: 'mp4', dbName: t.dbName, onProgress: (f) => progress.push(f) });
    try {
      expect(exported.downloadName).toBe('Demo. evening.mp4');
      expect(exported.durationSec).toBeCloseTo(8, 0);
      expect(exported.codecs).toEqual([expect.stringMatching(/^avc1\./), expect.stringMatching(/^mp4a\./)]);
      expect(progress.at(-1)).toBe(1);
      expect(await exportFileNames(recording.id)).toEqual([exported.file.name]);
      const onDisk = await (await (await exportsDir()).getFileHandle(exported.file.name)).getFile();
      expect(onDisk.size).toBe(exported.file.size);

      const input = new Input({ source: new BufferSource(await exported.file.arrayBuffer()), formats: ALL_FORMATS });
      expect(await input.getFormat()).toBe(MP4);
      expect((await input.getVideoTracks()).map((track) => track.codec)).toEqual(['avc']);
      expect((await input.getAudioTracks()).map((track) => track.codec)).toEqual(['aac']);
      expect(Math.abs((await input.computeDuration()) - 8)).toBeLessThanOrEqual(0.2);
      input.dispose();
      // The recording itself is only read.
      expect(await t.store.listSegments(recording.id)).toHaveLength(4);
    } finally {
      await (await exportsDir()).removeEntry(exported.file.name);
    }
  });

  test('cancelled right after the call, rejects with code cancelled and leaves no file', { timeout: 30_000 }, async () => {
    const recording = await storeDemoRecording(t.store, [0, 1, 2, 3]);
    const controller = new AbortController();

    const exporting = exportRecording(recording, { format: 'mp4', dbName: t.dbName, signal: controller.signal });
    controller.abort();

    await expect(exporting).rejects.toBeInstanceOf(ExportError);
    await expect(exporting).rejects.toMatchObject({ code: 'cancelled' });
    expect(await exportFileNames(recording.id)).toEqual([]);
  });

  test('cancelled mid-way, rejects with code cancelled and leaves no file', { timeout: 30_000 }, async () => {
    const recording = await storeDemoRecording(t.store, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const controller = new AbortController();
    const progress: number[] = [];

    const exporting = exportRecording(recording, {
      format: 'mp4',
      dbName: t.dbName,
      signal: controller.signal,
      onProgress: (fraction) => {
        progress.push(fraction);
        if (fraction > 0) controller.abort();
      },
    });

    await expect(exporting).rejects.toMatchObject({ name: 'ExportError', code: 'cancelled' });
    expect(progress.length).toBeGreaterThan(0);
    expect(await exportFileNames(recording.id)).toEqual([]);
  });

  /** An alternate audio rendition of `main` holding demo segments, the msns in `discontinuities` marked EXT-X-DISCONTINUITY. */
  async function storeRendition(main: Recording, indexes: number[], discontinuities: number[] = []): Promise<void> {
    const child = await t.store.create(newRecording({ title: `${main.title} (audio: audio_2)`, parentRecordingId: main.id }));
    for (const [msn, index] of indexes.entries()) {
      await t.store.appendSegment({ recordingId: child.id, msn, durationSec: 2, discontinuity: discontinuities.includes(msn), programDateTimeMs: null, data: await demoSegment(index) });
    }
  }

  test('an export that cannot hold the alternate audio says so: trimmed, or renditions breaking elsewhere than the video', { timeout: 60_000 }, async () => {
    const recording = await storeDemoRecording(t.store, [0, 1, 2, 3]);
    await storeRendition(recording, [0, 1, 2, 3], [2]);
    const mismatched = await exportRecording(recording, { format: 'mp4', dbName: t.dbName });
    expect(mismatched.warnings).toEqual([
      'The alternate audio and subtitles are not in this file: audio_2 breaks (EXT-X-DISCONTINUITY) at other places than the main recording, so it could not be lined up with it. They stay stored with the recording.',
    ]);
    const trimmed = await exportRecording(recording, { format: 'mp4', range: { startSec: 2, endSec: 6, mode: 'keyframe' }, dbName: t.dbName });
    expect(trimmed.warnings).toEqual(['The alternate audio and subtitles are not in this file: a trimmed export holds the main recording only. They stay stored with the recording.']);
    // Without renditions there is nothing to say.
    const alone = await storeDemoRecording(t.store, [0, 1]);
    expect((await exportRecording(alone, { format: 'mp4', dbName: t.dbName })).warnings).toEqual([]);
  });

  test('a recording that began between key frames exports with its video from the first one, and says how much was left out', { timeout: 60_000 }, async () => {
    // `ts-split-gop` from its second segment: 1 s segments of a stream with a key frame every 2 s.
    const recording = await t.store.create(newRecording({ title: 'Joined mid-GOP' }));
    for (const [msn, segment] of (await fetchVodSegments('ts-split-gop')).slice(1, 6).entries()) {
      await t.store.appendSegment({ recordingId: recording.id, msn, durationSec: segment.durationSec, discontinuity: false, programDateTimeMs: null, data: segment.data });
    }
    const exported = await exportRecording((await t.store.get(recording.id))!, { format: 'mp4', dbName: t.dbName });
    expect(exported.warnings).toEqual([
      'The video starts 1.0 s into the file: the recording began between key frames, and its first 25 frames could not be decoded without the pictures before them, so they were left out.',
    ]);
    const input = new Input({ source: new BufferSource(new Uint8Array(await exported.file.arrayBuffer())), formats: ALL_FORMATS });
    expect(await (await input.getPrimaryVideoTrack())!.getFirstTimestamp()).toBeCloseTo(1, 1);
  });

  test('a trim the player gave after a dropout exports that part; one inside the dropout says nothing was recorded there', { timeout: 60_000 }, async () => {
    // Demo segments 0, 1, 4 and 5 as msns 0, 1, 4 and 5: msns 2-3 failed, the timestamps run on.
    let recording = await t.store.create(newRecording({ title: 'With a dropout' }));
    for (const index of [0, 1, 4, 5]) {
      ({ recording } = await t.store.appendSegment({ recordingId: recording.id, msn: index, durationSec: 2, discontinuity: false, programDateTimeMs: null, data: await demoSegment(index) }));
    }
    recording = await t.store.addGap(recording.id, { fromMsn: 2, count: 2, durationSec: 4, reason: 'retries-exhausted', detectedAtMs: 0 });
    // The player shows 12 s: 0-4 s, a 4 s hole, 8-12 s.
    const after = await exportRecording(recording, { format: 'mp4', range: { startSec: 8, endSec: 12, mode: 'keyframe' }, dbName: t.dbName });
    expect(after.durationSec).toBeCloseTo(4, 0);
    const inside = exportRecording(recording, { format: 'mp4', range: { startSec: 5, endSec: 7, mode: 'keyframe' }, dbName: t.dbName });
    await expect(inside).rejects.toMatchObject({ code: 'failed', message: 'Export failed: Nothing was recorded between the in and out points: they lie in a gap of the recording, or past its end.' });
    expect(await exportFileNames(recording.id)).toEqual([after.file.name]);
  });

  test('a recording without segments fails with code failed and leaves no file', { timeout: 30_000 }, async () => {
    const recording = await storeDemoRecording(t.store, []);
    const exporting = exportRecording(recording, { format: 'm4a', dbName: t.dbName });
    await expect(exporting).rejects.toMatchObject({ name: 'ExportError', code: 'failed' });
    expect(await exportFileNames(recording.id)).toEqual([]);
  });
});

describe('removeStaleExports', () => {
  // A folder of its own: test files run side by side, and others export into the real one.
  const DIR = 'exports-stale-test';
  const KEEP_MS = defaultConfig.export.finishedExportKeepMs;

  async function names(): Promise<string[]> {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(DIR, { create: true });
    const found: string[] = [];
    for await (const name of dir.keys()) found.push(name);
    return found.sort();
  }

  test('removes finished exports once older than the keep time, but not one a worker is still writing', async () => {
    const root = await navigator.storage.getDirectory();
    await root.removeEntry(DIR, { recursive: true }).catch(() => undefined);
    const dir = await root.getDirectoryHandle(DIR, { create: true });
    for (const name of ['a.mp4', 'b.mp3', 'writing.mp4']) {
      const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
      await writable.write(new Uint8Array(1024));
      await writable.close();
    }
    // The export worker holds its file through a sync access handle, as this one does (kept on
    // the worker's global, so garbage collection cannot close it and free the lock mid-test).
    const source = `onmessage = async (e) => { const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(e.data); self.held = await (await dir.getFileHandle('writing.mp4')).createSyncAccessHandle(); postMessage('locked'); }`;
    const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    try {
      await new Promise<void>((resolve, reject) => {
        worker.onmessage = () => resolve();
        worker.onerror = (event) => reject(new Error(event.message));
        worker.postMessage(DIR);
      });
      expect(await removeStaleExports(Date.now(), KEEP_MS, DIR)).toBe(0);
      expect(await names()).toEqual(['a.mp4', 'b.mp3', 'writing.mp4']);
      expect(await removeStaleExports(Date.now() + KEEP_MS + 60_000, KEEP_MS, DIR)).toBe(2);
      expect(await names()).toEqual(['writing.mp4']);
    } finally {
      worker.terminate();
      await root.removeEntry(DIR, { recursive: true }).catch(() => undefined);
    }
  });
});
