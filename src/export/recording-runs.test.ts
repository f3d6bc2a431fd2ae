import { Mp3OutputFormat } from 'mediabunny';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../tests/helpers/poll.ts';
import { quickCaptureConfig, StoreScope } from '../../tests/helpers/recorder-harness.ts';
import { HlsRecorder } from '../capture/hls-recorder.ts';
import type { RecordingStore } from '../storage/recording-store.ts';
import type { Recording, SegmentRecord } from '../storage/types.ts';
import { encodeMp3Runs } from './mp3-encode.ts';
import { isMp3Recording, MissingInitSectionError, originalFileExtension, originalFileParts, recordingRuns } from './recording-runs.ts';
import { remuxRuns, UnsupportedExportError, type RemuxFormat } from './remux.ts';
import { ffprobe, type Probed } from './test-format-streams.ts';
import { memoryWritable } from './test-writable.ts';
import { concatSegments } from './ts-concat.ts';

/**
 * Exports of recordings in every segment format, recorded from real ffmpeg streams
 * (tests/helpers/format-streams.ts) into real IndexedDB, each file checked with ffprobe.
 */

const formats = inject('formatStreamsUrl');
const stores = new StoreScope();
afterEach(() => stores.cleanUp());

const streamsOf = (probed: Probed) => probed.streams.map((s) => `${s.codecType}:${s.codecName}`).sort();

async function recorded(variant: string): Promise<{ store: RecordingStore; recording: Recording; segments: SegmentRecord[] }> {
  const store = await stores.open();
  const recorder = new HlsRecorder(store, quickCaptureConfig(), { now: () => Date.now(), random: () => 0 });
  await recorder.start({ url: `${formats}/vod/${variant}/index.m3u8` });
  const recording = await recorder.done;
  expect(recording.status).toBe('complete');
  return { store, recording, segments: await store.listSegments(recording.id) };
}

const reader = (store: RecordingStore, recording: Recording) => async (id: number) => (await store.getInitSection(recording.id, id))?.data;

async function remux(variant: string, format: RemuxFormat): Promise<{ probed: Probed; recording: Recording }> {
  const { store, recording, segments } = await recorded(variant);
  const out = memoryWritable();
  await remuxRuns(await recordingRuns(segments, reader(store, recording)), { format, destination: out.writable, totalDurationSec: recording.durationSec });
  return { probed: await ffprobe(out.bytes()), recording };
}

describe('export of fMP4 recordings (init section + fragments)', () => {
  it.each([
    ['mp4', ['audio:aac', 'video:h264']],
    ['mkv', ['audio:aac', 'video:h264']],
    ['m4a', ['audio:aac']],
  ] as const)('%s: ffprobe reads the codecs and the whole duration', async (format, streams) => {
    const { probed, recording } = await remux('fmp4', format);
    expect(streamsOf(probed)).toEqual(streams);
    expect(Math.abs(probed.durationSec - recording.durationSec)).toBeLessThanOrEqual(2);
  });

  it('the original file is the init section then the fragments: a valid MP4 with both tracks', async () => {
    const { store, recording, segments } = await recorded('fmp4');
    const out = memoryWritable();
    await concatSegments(await originalFileParts(segments, reader(store, recording)), { writable: out.writable });
    const probed = await ffprobe(out.bytes());
    expect(probed.formatName).toContain('mp4');
    expect(streamsOf(probed)).toEqual(['audio:aac', 'video:h264']);
    expect(Math.abs(probed.durationSec - recording.durationSec)).toBeLessThanOrEqual(2);
    expect(await originalFileExtension(segments[0])).toBe('mp4');
  });

  it('a missing init section fails the export with a clear message', async () => {
    const { segments } = await recorded('fmp4');
    const error = await recordingRuns(segments, () => Promise.resolve(undefined)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingInitSectionError);
    expect((error as Error).message).toContain('init section 0');
  });
});

describe('export of a live MPEG-TS recording from GStreamer hlssink2', () => {
  it('mp4: H.264 and AAC, the whole duration', async () => {
    const store = await stores.open();
    const recorder = new HlsRecorder(store, quickCaptureConfig({ liveEdgeSegmentCount: 1 }), { now: () => Date.now(), random: () => 0 });
    await recorder.start({ url: `${formats}/live/gst-ts/live.m3u8` });
    await waitFor(() => ((recorder.current?.segmentCount ?? 0) >= 2 ? true : undefined), { timeoutMs: 20_000, description: 'two live segments' });
    const recording = (await recorder.stop())!;
    const segments = await store.listSegments(recording.id);
    const out = memoryWritable();
    await remuxRuns(await recordingRuns(segments, reader(store, recording)), { format: 'mp4', destination: out.writable, totalDurationSec: recording.durationSec });
    const probed = await ffprobe(out.bytes());
    expect(streamsOf(probed)).toEqual(['audio:aac', 'video:h264']);
    expect(Math.abs(probed.durationSec - recording.durationSec)).toBeLessThanOrEqual(2);
  }, 40_000);
});

describe('export of byte-range recordings', () => {
  it('mp4: the stored ranges remux like whole MPEG-TS segments', async () => {
    const { probed, recording } = await remux('byterange', 'mp4');
    expect(streamsOf(probed)).toEqual(['audio:aac', 'video:h264']);
    expect(Math.abs(probed.durationSec - recording.durationSec)).toBeLessThanOrEqual(2);
  });
});

describe('export of packed audio recordings (ADTS, MP3)', () => {
  it.each(['adts', 'adts-id3'])('%s -> m4a: AAC, gapless over the segments', async (variant) => {
    const { probed, recording } = await remux(variant, 'm4a');
    expect(streamsOf(probed)).toEqual(['audio:aac']);
    expect(Math.abs(probed.durationSec - recording.durationSec)).toBeLessThanOrEqual(0.2);
  });

  it('adts -> original: the segments joined are an ADTS stream ffprobe reads whole', async () => {
    const { store, recording, segments } = await recorded('adts-id3');
    const out = memoryWritable();
    await concatSegments(await originalFileParts(segments, reader(store, recording)), { writable: out.writable });
    const probed = await ffprobe(out.bytes());
    expect(streamsOf(probed)).toEqual(['audio:aac']);
    expect(Math.abs(probed.durationSec - recording.durationSec)).toBeLessThanOrEqual(2);
    expect(await originalFileExtension(segments[0])).toBe('aac');
  });

  it('adts -> mp3: decoded and encoded, the whole duration', async () => {
    const { store, recording, segments } = await recorded('adts');
    const out = memoryWritable();
    await encodeMp3Runs(await recordingRuns(segments, reader(store, recording)), { bitrateKbps: 128, writable: out.writable, totalDurationSec: recording.durationSec });
    const probed = await ffprobe(out.bytes());
    expect(streamsOf(probed)).toEqual(['audio:mp3']);
    expect(Math.abs(probed.durationSec - recording.durationSec)).toBeLessThanOrEqual(2);
  });

  it('mp3 -> mp3: the MP3 frames are copied, not re-encoded', async () => {
    const { store, recording, segments } = await recorded('mp3');
    expect(await isMp3Recording(segments[0])).toBe(true);
    const out = memoryWritable();
    await remuxRuns(await recordingRuns(segments, reader(store, recording)), { format: 'm4a', createFormat: () => new Mp3OutputFormat(), destination: out.writable, totalDurationSec: recording.durationSec });
    const bytes = out.bytes();
    const probed = await ffprobe(bytes);
    expect(streamsOf(probed)).toEqual(['audio:mp3']);
    expect(Math.abs(probed.durationSec - recording.durationSec)).toBeLessThanOrEqual(0.2);
    // Copied frames: about the source's size (64 kb/s), not a re-encode at another bitrate.
    expect(Math.abs(bytes.byteLength - recording.bytes) / recording.bytes).toBeLessThan(0.1);
  });

  it('mp3 -> m4a is refused with a message saying to choose MP3', async () => {
    const { store, recording, segments } = await recorded('mp3');
    const out = memoryWritable();
    const error = await remuxRuns(await recordingRuns(segments, reader(store, recording)), { format: 'm4a', destination: out.writable, totalDurationSec: 6 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedExportError);
    expect((error as Error).message).toMatch(/MP3 audio.*choose MP3/);
  });
});
