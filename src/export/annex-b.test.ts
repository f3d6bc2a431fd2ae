import fc from 'fast-check';
import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input, MATROSKA, VideoSampleSink } from 'mediabunny';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { demoSegment } from '../storage/test-fixtures.ts';
import { decoderConfigurationRecord, lengthPrefixedSize, nalUnitBounds, nalUnitType, parameterSets, recordParameterSets, writeLengthPrefixed } from './annex-b.ts';
import { remuxRuns, type RemuxFormat } from './remux.ts';
import { demuxSegment, type DemuxedPacketInfo, type DemuxedTrack, type SegmentDemuxer } from './segment-demux.ts';
import { fetchVodSegments, ffprobe } from './test-format-streams.ts';
import { memoryWritable } from './test-writable.ts';

/**
 * Annex B access units from MPEG-TS made length-prefixed in the demux workers: NAL unit
 * boundaries found in any byte stream, and real H.264 and H.265 segments made by ffmpeg that
 * remux into exactly the MP4 mediabunny writes when it converts them itself, and into a
 * Matroska file that carries its CodecPrivate and decodes.
 */

afterEach(() => {
  vi.useRealTimers();
});

/** A NAL unit's payload as H.264 7.4.1 leaves it: 0x03 inserted wherever 0x0000 would be followed by 0x00..0x03. */
function withEmulationPrevention(bytes: number[]): number[] {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of bytes) {
    if (zeros >= 2 && byte <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(byte);
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  // A NAL unit ends in a non-zero byte (rbsp_trailing_bits), so no start code begins inside it.
  out.push(0x80);
  return out;
}

describe('nalUnitBounds', () => {
  test('finds every NAL unit between 3- and 4-byte start codes, whatever the bytes, and none in bytes without a start code', () => {
    const nalUnit = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 0, maxLength: 64 }).map((payload) => [0x65, ...withEmulationPrevention(payload)]);
    fc.assert(
      fc.property(fc.array(fc.tuple(nalUnit, fc.boolean()), { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 255 }), { maxLength: 4 }), (units, leading) => {
        const stream = [...leading];
        for (const [unit, longCode] of units) stream.push(...(longCode ? [0, 0, 0, 1] : [0, 0, 1]), ...unit);
        const data = new Uint8Array(stream);
        const bounds = nalUnitBounds(data);
        const found: number[][] = [];
        for (let i = 0; i < bounds.length; i += 2) found.push(Array.from(data.subarray(bounds[i], bounds[i + 1])));
        expect(found).toEqual(units.map(([unit]) => unit));
      }),
    );
    expect(nalUnitBounds(new Uint8Array([0x65, 0x88, 0x00, 0x00, 0x02, 0x01]))).toEqual([]);
  });

  test('written length-prefixed, each unit follows its 4-byte big-endian length', () => {
    const data = new Uint8Array([0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 1, 0x65, ...new Array(300).fill(7)]);
    const bounds = nalUnitBounds(data);
    const out = new Uint8Array(lengthPrefixedSize(bounds));
    expect(writeLengthPrefixed(data, bounds, out, 0)).toBe(out.length);
    expect(Array.from(out.subarray(0, 16))).toEqual([0, 0, 0, 3, 0x67, 1, 2, 0, 0, 0, 2, 0x68, 3, 0, 0, 1]);
    expect(Array.from(out.subarray(16, 21))).toEqual([0x2d, 0x65, 7, 7, 7]);
  });
});

/** How segments were demuxed before this conversion: packets as the demuxer gives them, Annex B with no record. */
const annexBDemux: SegmentDemuxer = async (segment, keepsVideo) => {
  const input = new Input({ source: new BufferSource(await segment.arrayBuffer()), formats: ALL_FORMATS });
  const demux = async (track: Awaited<ReturnType<Input['getPrimaryVideoTrack']>> | Awaited<ReturnType<Input['getPrimaryAudioTrack']>>): Promise<DemuxedTrack | null> => {
    if (!track?.codec) return null;
    const packets: DemuxedPacketInfo[] = [];
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for await (const packet of new EncodedPacketSink(track).packets()) {
      packets.push({ offset, byteLength: packet.data.byteLength, type: packet.type, timestampSec: packet.timestamp, durationSec: packet.duration, sequenceNumber: packet.sequenceNumber });
      chunks.push(packet.data);
      offset += packet.data.byteLength;
    }
    const data = new Uint8Array(offset);
    chunks.forEach((chunk, i) => data.set(chunk, packets[i]!.offset));
    return { codec: track.codec, codecString: await track.getCodecParameterString(), decoderConfig: await track.getDecoderConfig(), firstTimestampSec: packets[0]?.timestampSec ?? 0, packets, data: data.buffer };
  };
  try {
    return { video: keepsVideo ? await demux(await input.getPrimaryVideoTrack()) : null, audio: await demux(await input.getPrimaryAudioTrack()) };
  } finally {
    input.dispose();
  }
};

/** The three segments of the format-stream server's H.265 VOD. */
async function hevcSegments(): Promise<Blob[]> {
  return (await fetchVodSegments('hevc-ts')).map((segment) => segment.data);
}

async function remuxed(segments: Blob[], format: RemuxFormat, demux: SegmentDemuxer): Promise<Uint8Array> {
  const out = memoryWritable();
  await remuxRuns([segments], { format, destination: out.writable, totalDurationSec: 6, demux });
  return out.bytes();
}

describe('MPEG-TS video made length-prefixed before muxing', () => {
  test.each([
    ['H.264', 'avc', () => Promise.all([0, 1, 2].map(async (i) => (await demoSegment(i))!))],
    ['H.265', 'hevc', hevcSegments],
  ] as const)('%s from ffmpeg remuxes into the very MP4 mediabunny writes when it converts the Annex B itself', async (_name, codec, segmentsOf) => {
    const segments = await segmentsOf();
    const demuxed = await demuxSegment(segments[0]!, true);
    expect(demuxed.video?.codec).toBe(codec);
    expect(demuxed.video?.decoderConfig?.description).toBeDefined();
    // The MP4 muxer stamps mvhd/tkhd/mdhd with the current second; the clock stands still for both.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 0, 1) });
    const ours = await remuxed(segments, 'mp4', demuxSegment);
    const mediabunnys = await remuxed(segments, 'mp4', annexBDemux);
    expect(ours.length).toBeGreaterThan(10_000);
    expect(ours).toEqual(mediabunnys);
  });

  test.each([
    ['H.264', 'avc', () => Promise.all([0, 1, 2].map(async (i) => (await demoSegment(i))!))],
    ['H.265', 'hevc', hevcSegments],
  ] as const)('%s from ffmpeg remuxes into Matroska with its CodecPrivate, which ffprobe reads and (H.264) the browser decodes', async (_name, codec, segmentsOf) => {
    const bytes = await remuxed(await segmentsOf(), 'mkv', demuxSegment);
    const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS });
    expect(await input.getFormat()).toBe(MATROSKA);
    const track = (await input.getPrimaryVideoTrack())!;
    expect(track.codec).toBe(codec);
    const config = (await track.getDecoderConfig())!;
    expect(config.description).toBeDefined();
    const probed = await ffprobe(bytes as Uint8Array<ArrayBuffer>);
    expect(probed.streams.find((stream) => stream.codecType === 'video')?.codecName).toBe(codec === 'avc' ? 'h264' : 'hevc');
    expect(Math.abs(probed.durationSec - 6)).toBeLessThan(0.2);
    if (codec === 'avc') {
      const sink = new VideoSampleSink(track);
      const frame = await sink.getSample(3);
      expect(frame?.displayWidth).toBe(426);
      frame?.close();
    }
    input.dispose();
  });

  test('the record is the one mediabunny reads back from its MP4: avcC version 1, the SPS profile and level, 4-byte lengths', async () => {
    const segment = (await demoSegment(0))!;
    const input = new Input({ source: new BufferSource(await segment.arrayBuffer()), formats: ALL_FORMATS });
    const track = (await input.getPrimaryVideoTrack())!;
    const first = (await new EncodedPacketSink(track).getFirstPacket())!;
    const bounds = nalUnitBounds(first.data);
    const sets = parameterSets('avc', first.data, bounds)!;
    expect(sets).not.toBeNull();
    const record = await decoderConfigurationRecord('avc', sets, (await track.getDecoderConfig())!);
    const spsStart = bounds.find((start, i) => i % 2 === 0 && (first.data[start]! & 0x1f) === 7)!;
    expect(record[0]).toBe(1);
    expect(Array.from(record.subarray(1, 4))).toEqual(Array.from(first.data.subarray(spsStart + 1, spsStart + 4)));
    expect(record[4]! & 0b11).toBe(3);
    const second = (await new EncodedPacketSink(track).getNextPacket(first))!;
    expect(parameterSets('avc', second.data, nalUnitBounds(second.data))).toBeNull();
    input.dispose();
  });

  test.each([
    ['H.264', 'avc', async () => (await demoSegment(0))!],
    ['H.265', 'hevc', async () => (await hevcSegments())[0]!],
  ] as const)('%s: recordParameterSets reads back the parameter sets a record was made of', async (_name, codec, segmentOf) => {
    const input = new Input({ source: new BufferSource(await (await segmentOf()).arrayBuffer()), formats: ALL_FORMATS });
    const track = (await input.getPrimaryVideoTrack())!;
    const first = (await new EncodedPacketSink(track).getFirstPacket())!;
    const sets = parameterSets(codec, first.data, nalUnitBounds(first.data))!;
    const config = (await track.getDecoderConfig())!;
    const record = await decoderConfigurationRecord(codec, sets, config);
    const units = await recordParameterSets(codec, { ...config, description: record });
    const bounds = nalUnitBounds(sets);
    // H.264: SPS, PPS; H.265: VPS, SPS, PPS, as the keyframe carried them (its SEI, which the
    // record holds too, is not a parameter set).
    const setTypes = codec === 'avc' ? [7, 8] : [32, 33, 34];
    const expected = Array.from({ length: bounds.length / 2 }, (_, i) => sets.slice(bounds[2 * i], bounds[2 * i + 1])).filter((unit) => setTypes.includes(nalUnitType(codec, unit[0]!)));
    expect(units.map((unit) => nalUnitType(codec, unit[0]!))).toEqual(setTypes);
    expect(units).toEqual(expected);
    input.dispose();
  });
});
