import { ALL_FORMATS, BufferSource, BufferTarget, EncodedPacketSink, EncodedVideoPacketSource, Input, Mp4OutputFormat, Output } from 'mediabunny';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { recordToEnd } from '../../tests/helpers/recorder-harness.ts';
import { openTestStore, testVideo, type TestStore } from '../storage/test-fixtures.ts';
import type { Recording } from '../storage/types.ts';
import { bytesOf, DELIMITER_AND_SPS_TYPES, nalUnitType } from './annex-b.ts';
import { exportRecording, type ExportOptions } from './exporter.ts';
import { demuxSegment, packetAt, type DemuxedTrack } from './segment-demux.ts';
import { ffprobeFrames, fetchVodSegments } from './test-format-streams.ts';
import { TrackWriter } from './track-writer.ts';

/**
 * TrackWriter keeps H.264 decodable where its decoder configuration changes mid-track, checked
 * on real streams made by ffmpeg (tests/helpers/format-streams.ts): the `fmp4-switch` VOD is
 * 320x180, then after a discontinuity 256x144 under another init section, then 320x180 again,
 * 6 s (150 frames) each.
 */

const formats = inject('formatStreamsUrl');
const SWITCHED_SIZES = [
  { width: 320, height: 180, count: 150 },
  { width: 256, height: 144, count: 150 },
  { width: 320, height: 180, count: 150 },
];

describe('exports of a recording whose picture size changes mid-way', () => {
  let t: TestStore;
  let recording: Recording;
  beforeAll(async () => {
    t = await openTestStore();
    recording = await recordToEnd(t.store, `${formats}/vod/fmp4-switch/index.m3u8`);
  });
  afterAll(async () => {
    await t.dispose();
  });

  const smallerMp4: ExportOptions['transcode'] = { audio: { codec: 'aac', bitrateKbps: 96, loudnorm: false }, video: { crf: 30, maxHeight: null }, burnWallClock: false };
  test.each([
    ['MP4: every frame at its own size', { format: 'mp4' }, SWITCHED_SIZES],
    ['MKV: every frame at its own size', { format: 'mkv' }, SWITCHED_SIZES],
    // As one encode would give: the middle part is scaled up to the first part's size.
    ['smaller MP4 (re-encoded): every frame at the first part’s size', { format: 'mp4', transcode: smallerMp4 }, [{ width: 320, height: 180, count: 450 }]],
  ] as const)('%s, decoded by ffmpeg without errors', { timeout: 90_000 }, async (_name, options, sizes) => {
    const exported = await exportRecording(recording, { ...options, dbName: t.dbName });
    const probed = await ffprobeFrames(exported.file);
    expect(probed.decodeErrors).toEqual([]);
    expect(probed.frameSizes).toEqual(sizes);
  });

  test('MP4: Chromium plays it through, showing each part at its own size', { timeout: 60_000 }, async () => {
    const exported = await exportRecording(recording, { format: 'mp4', dbName: t.dbName });
    const video = testVideo();
    video.autoplay = false;
    const url = URL.createObjectURL(exported.file);
    try {
      video.src = url;
      for (const [atSec, width] of [[1, 320], [8, 256], [14, 320]] as const) {
        video.currentTime = atSec;
        await expect.poll(() => !video.seeking && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth === width, { timeout: 10_000 }).toBe(true);
      }
      await video.play();
      await expect.poll(() => video.ended, { timeout: 20_000 }).toBe(true);
      expect(video.error).toBeNull();
    } finally {
      video.remove();
      URL.revokeObjectURL(url);
    }
  });
});

/** The video track of a VOD's first segment (behind its init section for fMP4), demuxed. */
async function firstVideo(variant: string): Promise<DemuxedTrack> {
  const [first] = await fetchVodSegments(variant);
  const init = variant.startsWith('fmp4') ? [await (await fetch(`${formats}/vod/${variant}/init.mp4`)).blob()] : [];
  const { video } = await demuxSegment(new Blob([...init, first!.data]), true);
  return video!;
}

/** The NAL unit types of a length-prefixed (4-byte) H.264 access unit. */
function nalTypes(data: Uint8Array): number[] {
  const types: number[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at + 4 < data.length; at += 4 + view.getUint32(at)) types.push(nalUnitType('avc', data[at + 4]!));
  return types;
}

/** Writes packets through a TrackWriter into an MP4 in memory and reads their bytes back. */
async function throughWriter(write: (writer: TrackWriter) => Promise<void>): Promise<Uint8Array[]> {
  const target = new BufferTarget();
  const output = new Output({ format: new Mp4OutputFormat(), target });
  const source = new EncodedVideoPacketSource('avc');
  output.addVideoTrack(source);
  await output.start();
  await write(new TrackWriter(source, 'avc'));
  await output.finalize();
  const input = new Input({ source: new BufferSource(target.buffer!), formats: ALL_FORMATS });
  const packets: Uint8Array[] = [];
  for await (const packet of new EncodedPacketSink((await input.getPrimaryVideoTrack())!).packets()) packets.push(packet.data);
  input.dispose();
  return packets;
}

describe('TrackWriter', () => {
  const { sps, delimiter } = DELIMITER_AND_SPS_TYPES.avc;

  test('after a change, the first keyframe gets the new SPS and PPS after its delimiter; packets before it and with the same record pass as they are', async () => {
    const large = await firstVideo('fmp4');
    const small = await firstVideo('fmp4-small');
    const ts = await firstVideo('ts');
    // An MPEG-TS keyframe (delimiter, SPS, PPS, SEI, slice) without its parameter sets.
    const tsKey = packetAt(ts, 0, 0);
    const offsets: [number, number][] = [];
    const view = new DataView(tsKey.data.buffer, tsKey.data.byteOffset, tsKey.data.byteLength);
    for (let at = 0; at < tsKey.data.length; at += 4 + view.getUint32(at)) offsets.push([at, at + 4 + view.getUint32(at)]);
    const kept = offsets.filter(([start]) => ![7, 8].includes(nalUnitType('avc', tsKey.data[start + 4]!)));
    const bare = new Uint8Array(kept.reduce((size, [start, end]) => size + end - start, 0));
    let at = 0;
    for (const [start, end] of kept) {
      bare.set(tsKey.data.subarray(start, end), at);
      at += end - start;
    }
    expect(nalTypes(bare)[0]).toBe(delimiter);

    const written = await throughWriter(async (writer) => {
      await writer.add(packetAt(large, 0, 0), large.decoderConfig);
      await writer.add(packetAt(large, 1, 0.04), large.decoderConfig);
      // The record changes: a delta packet passes as it is, the next keyframe gets the sets.
      await writer.add(packetAt(small, 1, 0.08), small.decoderConfig);
      await writer.add(tsKey.clone({ data: bare, timestamp: 0.12 }), small.decoderConfig);
      await writer.add(packetAt(small, 0, 0.16), small.decoderConfig);
    });

    expect(written[0]).toEqual(packetAt(large, 0, 0).data);
    expect(written[1]).toEqual(packetAt(large, 1, 0).data);
    expect(written[2]).toEqual(packetAt(small, 1, 0).data);
    expect(nalTypes(written[3]!)).toEqual([delimiter, sps, 8, ...nalTypes(bare).slice(1)]);
    // The SPS put in is the 256x144 stream's, not the 320x180 one's of the track header.
    // avcC (ISO/IEC 14496-15 5.3.3.1): the first SPS's 16-bit length at byte 6, the SPS from byte 8.
    const record = bytesOf(small.decoderConfig!.description!);
    const smallSps = record.subarray(8, 8 + ((record[6]! << 8) | record[7]!));
    expect(written[3]!.subarray(4 + 2 + 4, 4 + 2 + 4 + smallSps.length)).toEqual(smallSps);
    expect(written[4]).toEqual(packetAt(small, 0, 0).data);
  });

  test('a keyframe that carries its own SPS (MPEG-TS) is written as it is', async () => {
    const small = await firstVideo('fmp4-small');
    const ts = await firstVideo('ts');
    const written = await throughWriter(async (writer) => {
      await writer.add(packetAt(small, 0, 0), small.decoderConfig);
      await writer.add(packetAt(ts, 0, 0.04), ts.decoderConfig);
    });
    expect(nalTypes(written[1]!)).toContain(sps);
    expect(written[1]).toEqual(packetAt(ts, 0, 0).data);
  });
});
