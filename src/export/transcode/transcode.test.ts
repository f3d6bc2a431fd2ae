import { ALL_FORMATS, BufferSource, Input, type StreamTargetChunk } from 'mediabunny';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { defaultConfig } from '../../config.ts';
import { openTestStore, storeDemoRecording, type TestStore } from '../../storage/test-fixtures.ts';
import { ExportError, exportRecording } from '../exporter.ts';
import { FfmpegLoadError, FfmpegRunError, FfmpegSession } from './ffmpeg-session.ts';
import { transcodeSegments, type TranscodeSegment } from './transcode.ts';
import { selectSegments } from '../trim/range.ts';
import { encodeOpusRuns } from './webcodecs-audio.ts';

/** A positioned-write sink into memory, for files of a few hundred KB. */
function memoryTarget(): { writable: WritableStream<StreamTargetChunk>; bytes: () => Uint8Array } {
  let buffer = new Uint8Array(0);
  const writable = new WritableStream<StreamTargetChunk>({
    write(chunk) {
      const end = chunk.position + chunk.data.byteLength;
      if (end > buffer.byteLength) {
        const grown = new Uint8Array(end);
        grown.set(buffer);
        buffer = grown;
      }
      buffer.set(chunk.data, chunk.position);
    },
  });
  return { writable, bytes: () => buffer };
}

async function probe(bytes: Uint8Array): Promise<{ durationSec: number; codecs: string[] }> {
  const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS });
  try {
    const tracks = await input.getTracks();
    return { durationSec: await input.computeDuration(), codecs: tracks.map((track) => track.codec ?? '?').sort() };
  } finally {
    input.dispose();
  }
}

let testStore: TestStore;
beforeEach(async () => {
  testStore = await openTestStore();
});
afterEach(async () => {
  await testStore.dispose();
});

async function demoSegments(count: number): Promise<TranscodeSegment[]> {
  const recording = await storeDemoRecording(testStore.store, [...Array(count).keys()]);
  return testStore.store.listSegments(recording.id);
}

const base = { recordingStartedAtMs: Date.UTC(2026, 10, 21, 12), timeZone: 'UTC', ffmpegBasePath: defaultConfig.export.ffmpegBasePath };

describe('transcodeSegments', () => {
  test('re-encodes chunk by chunk (2 s chunks) into one continuous, loudness-normalised AAC file', async () => {
    const segments = await demoSegments(3);
    const target = memoryTarget();
    const fractions: number[] = [];
    const result = await transcodeSegments(segments, {
      ...base,
      format: 'm4a',
      settings: { audio: { codec: 'aac', bitrateKbps: 64, loudnorm: true }, video: null, burnWallClock: false },
      range: null,
      chunkSec: 2,
      writable: target.writable,
      onProgress: (fraction) => fractions.push(fraction),
    });
    const probed = await probe(target.bytes());
    expect(probed.codecs).toEqual(['aac']);
    // The demo's 6 s and its source AAC's own priming and padding (no seams: aac-chunks.test.ts).
    expect(Math.abs(probed.durationSec - 6)).toBeLessThan(0.05);
    expect(result.durationSec).toBeCloseTo(probed.durationSec, 1);
    expect(fractions.at(-1)).toBe(1);
  }, 120_000);

  test('Opus (WebCodecs) into Ogg, a range cut at the sample', async () => {
    const segments = await demoSegments(3);
    const target = memoryTarget();
    const selected = selectSegments(segments, 1.5, 4.25);
    const result = await encodeOpusRuns([selected.segments.map((segment) => segment.data)], { bitrateKbps: 64, windowSec: selected.windowSec, writable: target.writable, totalDurationSec: 2.75 });
    const probed = await probe(target.bytes());
    expect(probed.codecs).toEqual(['opus']);
    expect(Math.abs(probed.durationSec - 2.75)).toBeLessThan(0.1);
    expect(result).toEqual({ durationSec: expect.closeTo(2.75, 3), codecs: ['opus'] });
  }, 60_000);

  test('cuts a range frame-exact across two chunks and burns the time into H.264', async () => {
    const segments = await demoSegments(4);
    const target = memoryTarget();
    await transcodeSegments(segments, {
      ...base,
      format: 'mp4',
      settings: { audio: { codec: 'aac', bitrateKbps: 96, loudnorm: false }, video: { crf: 30, maxHeight: 180 }, burnWallClock: true },
      range: { startSec: 1.2, endSec: 4.6 },
      chunkSec: 4,
      writable: target.writable,
    });
    const probed = await probe(target.bytes());
    expect(probed.codecs).toEqual(['aac', 'avc']);
    expect(Math.abs(probed.durationSec - 3.4)).toBeLessThan(0.1);
  }, 120_000);

  test('burns the time across a daylight-saving change: ffmpeg takes one drawtext per UTC offset', async () => {
    const segments = await demoSegments(2);
    const target = memoryTarget();
    await transcodeSegments(segments, {
      ...base,
      // Clocks in Berlin go forward at 01:00 UTC on 29 March 2026, 2 s into this recording.
      recordingStartedAtMs: Date.UTC(2026, 2, 29, 1) - 2000,
      timeZone: 'Europe/Berlin',
      format: 'mp4',
      settings: { audio: { codec: 'aac', bitrateKbps: 96, loudnorm: false }, video: { crf: 30, maxHeight: 180 }, burnWallClock: true },
      range: null,
      chunkSec: 60,
      writable: target.writable,
    });
    const probed = await probe(target.bytes());
    expect(probed.codecs).toEqual(['aac', 'avc']);
    expect(probed.durationSec).toBeGreaterThan(3);
  }, 120_000);

  test('an unreachable core is a clear FfmpegLoadError', async () => {
    const segments = await demoSegments(1);
    const run = transcodeSegments(segments, {
      ...base,
      ffmpegBasePath: '/no-such-ffmpeg/',
      format: 'm4a',
      settings: { audio: { codec: 'aac', bitrateKbps: 96, loudnorm: true }, video: null, burnWallClock: false },
      range: null,
      chunkSec: 60,
      writable: memoryTarget().writable,
    });
    await expect(run).rejects.toBeInstanceOf(FfmpegLoadError);
    await expect(run).rejects.toThrow(/could not be loaded.*connect to the network once/);
  }, 60_000);
});

describe('FfmpegSession', () => {
  test('a command ffmpeg cannot run rejects with its exit code and the last lines it logged', async () => {
    const session = await FfmpegSession.load(defaultConfig.export.ffmpegBasePath);
    try {
      const run = session.run(['-hide_banner', '-i', 'missing.ts', '-f', 'matroska', 'out.mkv']);
      await expect(run).rejects.toBeInstanceOf(FfmpegRunError);
      await expect(run).rejects.toThrow(/^ffmpeg could not transcode the recording \(exit code \d+\): .*missing\.ts/);
    } finally {
      session.terminate();
    }
  }, 60_000);
});

describe('exportRecording with a re-encode', () => {
  test('segments that are not media fail with "Export failed:" for every re-encode; the recording is untouched', async () => {
    let recording = await testStore.store.create({ title: 'Broken', sourceName: 'x', sourceUrl: 'http://127.0.0.1/x.m3u8', mediaPlaylistUrl: 'http://127.0.0.1/x.m3u8', startedAtMs: 1_700_000_000_000 });
    const junk = new Blob([new Uint8Array(50_000).map((_, i) => (i * 7919) % 251)]);
    ({ recording } = await testStore.store.appendSegment({ recordingId: recording.id, msn: 0, durationSec: 2, discontinuity: false, programDateTimeMs: null, data: junk }));
    for (const format of ['m4a', 'ogg'] as const) {
      const exporting = exportRecording(recording, { format, transcode: format === 'ogg' ? null : { audio: { codec: 'aac', bitrateKbps: 96, loudnorm: false }, video: null, burnWallClock: false }, dbName: testStore.dbName });
      await expect(exporting).rejects.toMatchObject({ name: 'ExportError', code: 'failed', message: expect.stringMatching(/^Export failed: /) });
    }
    expect(await testStore.store.get(recording.id)).toEqual(recording);
    expect(await testStore.store.listSegments(recording.id)).toHaveLength(1);
  }, 60_000);

  test('cancel stops ffmpeg and leaves no partial file, with video or audio alone; the recording is untouched', async () => {
    const recording = await storeDemoRecording(testStore.store, [0, 1, 2, 3, 4, 5]);
    for (const [format, video] of [['mp4', { crf: 20, maxHeight: null }], ['m4a', null]] as const) {
      const abort = new AbortController();
      let abortedAtFraction: number | null = null;
      const run = exportRecording(recording, {
        format,
        transcode: { audio: { codec: 'aac', bitrateKbps: 128, loudnorm: true }, video, burnWallClock: false },
        dbName: testStore.dbName,
        signal: abort.signal,
        onProgress: (fraction) => {
          if (fraction > 0 && abortedAtFraction === null) {
            abortedAtFraction = fraction;
            abort.abort();
          }
        },
      });
      await expect(run).rejects.toSatisfy((error) => error instanceof ExportError && error.code === 'cancelled');
      // Cancelled while ffmpeg was running, not after it had finished.
      expect(abortedAtFraction).toBeLessThan(1);
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(defaultConfig.export.opfsExportDirName, { create: true });
      const names: string[] = [];
      for await (const name of dir.keys()) if (name.startsWith(recording.id)) names.push(name);
      expect(names).toEqual([]);
    }
    expect(await testStore.store.listSegments(recording.id)).toHaveLength(6);
  }, 120_000);

  test('an MP3 trim from AAC is cut at the sample in either mode: the MP3 is encoded anyway', async () => {
    const recording = await storeDemoRecording(testStore.store, [0, 1, 2, 3]);
    for (const mode of ['exact', 'keyframe'] as const) {
      const exported = await exportRecording(recording, { format: 'mp3', bitrateKbps: 128, range: { startSec: 1.5, endSec: 4.25, mode }, dbName: testStore.dbName });
      const probed = await probe(new Uint8Array(await exported.file.arrayBuffer()));
      expect(probed.codecs).toEqual(['mp3']);
      // 2.75 s, and LAME's encoder delay and last-frame padding (at most ~50 ms at 48 kHz).
      expect(probed.durationSec - 2.75).toBeGreaterThanOrEqual(0);
      expect(probed.durationSec - 2.75).toBeLessThan(0.1);
      expect(exported.durationSec).toBeCloseTo(2.75, 3);
    }
  }, 60_000);

  test('refuses what a format cannot hold before any work', async () => {
    const recording = await storeDemoRecording(testStore.store, [0]);
    await expect(exportRecording(recording, { format: 'mkv', burnWallClock: true, dbName: testStore.dbName })).rejects.toThrow('The time can only be burned into an MP4 export.');
    await expect(exportRecording(recording, { format: 'ts', range: { startSec: 0, endSec: 1, mode: 'exact' }, dbName: testStore.dbName })).rejects.toThrow(
      'Frame-exact and re-encoded exports are MP4, M4A or Ogg, not TS.',
    );
    await expect(exportRecording(recording, { format: 'mp3', burnWallClock: true, dbName: testStore.dbName })).rejects.toThrow('The time can only be burned into an MP4 export.');
    await expect(exportRecording(recording, { format: 'ogg', transcode: { audio: { codec: 'aac', bitrateKbps: 96, loudnorm: false }, video: null, burnWallClock: false }, dbName: testStore.dbName })).rejects.toThrow(
      'An Ogg file holds Opus audio, not AAC.',
    );
    await expect(exportRecording(recording, { format: 'mp4', range: { startSec: 5, endSec: 9, mode: 'keyframe' }, dbName: testStore.dbName })).rejects.toThrow(/past the end of the recording/);
  });
});
