import { ALL_FORMATS, BufferSource, BufferTarget, EncodedPacket, EncodedPacketSink, EncodedVideoPacketSource, Input, MpegTsOutputFormat, Output } from 'mediabunny';
import { describe, expect, test } from 'vitest';
import { demuxH264AacPes, readPesPackets } from './mpeg-ts-pes.ts';
import { demuxSegment, demuxSegmentWithMediabunny, type DemuxedSegment, type DemuxedTrack } from './segment-demux.ts';
import { fetchVodSegments } from './test-format-streams.ts';

/**
 * The fast way through MPEG-TS segments of H.264 and AAC (src/export/mpeg-ts-pes.ts) against
 * mediabunny's demuxer, on real segments made by ffmpeg: the same packets, bytes, timestamps,
 * durations and key flags, and mediabunny's answer wherever the fast way does not fit.
 */

/** PIDs of a segment's primary video and audio tracks, as mediabunny reads them (null for none). */
async function primaryPids(bytes: Uint8Array<ArrayBuffer>): Promise<{ videoPid: number | null; audioPid: number | null }> {
  const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS });
  try {
    return { videoPid: (await input.getPrimaryVideoTrack())?.id ?? null, audioPid: (await input.getPrimaryAudioTrack())?.id ?? null };
  } finally {
    input.dispose();
  }
}

/** A demuxed track as the export uses it: all but the sequence numbers, which only order packets. */
function comparable(track: DemuxedTrack | null) {
  return track && { ...track, data: new Uint8Array(track.data), packets: track.packets.map(({ sequenceNumber: _, ...packet }) => packet) };
}

function comparableSegment(segment: DemuxedSegment) {
  return { video: comparable(segment.video), audio: comparable(segment.audio) };
}

describe('MPEG-TS segments of H.264 and AAC', () => {
  test.each([
    ['ts', 'index.m3u8', 'video and audio'],
    ['ts-bframes', 'index.m3u8', 'B-frames and four slices to a picture'],
    ['ts-wrap', 'index.m3u8', 'a clock that wraps'],
    ['ts-renditions-wrap', 'index0.m3u8', 'video only'],
    ['ts-renditions-wrap', 'index1.m3u8', 'audio only'],
  ])('%s (%s, %s): demuxed the fast way into exactly the packets mediabunny finds', async (variant, playlist) => {
    const segments = await fetchVodSegments(variant, playlist);
    expect(segments.length).toBeGreaterThan(1);
    let packetCount = 0;
    for (const { data } of segments) {
      const bytes = new Uint8Array(await data.arrayBuffer());
      const { videoPid, audioPid } = await primaryPids(bytes);
      // The fast way is the one taken, or this would compare mediabunny with itself.
      expect(demuxH264AacPes(bytes, videoPid, audioPid)).not.toBeNull();
      const fast = await demuxSegment(data, true);
      const reference = await demuxSegmentWithMediabunny(data, true);
      expect(comparableSegment(fast)).toEqual(comparableSegment(reference));
      packetCount += (fast.video?.packets.length ?? 0) + (fast.audio?.packets.length ?? 0);
    }
    expect(packetCount).toBeGreaterThan(100);
  }, 90_000);

  test('B-frames: each picture lasts one frame in presentation order, though decoded out of it', async () => {
    const [first] = await fetchVodSegments('ts-bframes');
    const { video } = await demuxSegment(first!.data, true);
    const packets = video!.packets;
    const outOfOrder = packets.filter((packet, i) => i > 0 && packet.timestampSec < packets[i - 1]!.timestampSec);
    expect(outOfOrder.length).toBeGreaterThan(10);
    expect(new Set(packets.map((packet) => packet.durationSec.toFixed(6)))).toEqual(new Set([(1 / 25).toFixed(6)]));
  });

  test('a PES packet that holds two pictures goes to mediabunny, which splits it into both', async () => {
    // A segment's access units, muxed back into MPEG-TS two to a PES packet by mediabunny.
    const [first] = await fetchVodSegments('ts');
    const input = new Input({ source: new BufferSource(await first!.data.arrayBuffer()), formats: ALL_FORMATS });
    const track = (await input.getPrimaryVideoTrack())!;
    const units: EncodedPacket[] = [];
    for await (const packet of new EncodedPacketSink(track).packets()) units.push(packet);
    const decoderConfig = (await track.getDecoderConfig())!;
    const output = new Output({ format: new MpegTsOutputFormat(), target: new BufferTarget() });
    const source = new EncodedVideoPacketSource('avc');
    output.addVideoTrack(source);
    await output.start();
    for (let i = 0; i + 1 < units.length; i += 2) {
      const [one, two] = [units[i]!, units[i + 1]!];
      const joined = new Uint8Array(one.data.length + two.data.length);
      joined.set(one.data);
      joined.set(two.data, one.data.length);
      await source.add(new EncodedPacket(joined, one.type, one.timestamp, one.duration + two.duration), i === 0 ? { decoderConfig } : undefined);
    }
    await output.finalize();
    input.dispose();
    const paired = new Uint8Array(output.target.buffer!);

    const { videoPid } = await primaryPids(paired);
    expect(demuxH264AacPes(paired, videoPid, null)).toBeNull();
    const { video } = await demuxSegment(new Blob([paired]), true);
    expect(video!.packets).toHaveLength(2 * Math.floor(units.length / 2));
    expect(comparable(video)).toEqual(comparable((await demuxSegmentWithMediabunny(new Blob([paired]), true)).video));
  });

  test('segments of open GOPs, which start on an I picture that is not IDR, go to mediabunny, which keeps it a key frame', async () => {
    const segments = await fetchVodSegments('ts-open-gop');
    expect(segments.length).toBeGreaterThan(1);
    for (const [index, { data }] of segments.entries()) {
      const bytes = new Uint8Array(await data.arrayBuffer());
      const { videoPid, audioPid } = await primaryPids(bytes);
      if (index > 0) expect(demuxH264AacPes(bytes, videoPid, audioPid)).toBeNull();
      const { video } = await demuxSegment(data, true);
      expect(video!.packets[0]!.type).toBe('key');
      expect(comparable(video)).toEqual(comparable((await demuxSegmentWithMediabunny(data, true)).video));
    }
  });

  test('segments of streams laid out alike but for their SPS, or their PMT, keep their own track set-ups when they alternate', async () => {
    // 'ts' and 'ts-bframes' differ in the encoder's settings (so in SPS and PPS); the video-only
    // rendition and 'h264-ac3-ts' only in the PMT's audio stream, which mux.js does not read.
    const streams = await Promise.all([
      fetchVodSegments('ts'),
      fetchVodSegments('ts-bframes'),
      fetchVodSegments('ts-renditions-wrap', 'index0.m3u8'),
      fetchVodSegments('h264-ac3-ts'),
    ]);
    const codecStrings = new Set<string>();
    for (let index = 0; index < 2; index++) {
      for (const segments of streams) {
        const { data } = segments[index]!;
        const fast = await demuxSegment(data, true);
        const reference = await demuxSegmentWithMediabunny(data, true);
        expect(comparableSegment(fast)).toEqual(comparableSegment(reference));
        codecStrings.add(`${reference.video?.codecString} ${reference.audio?.codecString}`);
      }
    }
    // Set-ups taken from the wrong stream would show: each stream's differ.
    expect(codecStrings.size).toBe(4);
  });

  test('bytes that only look like MPEG-TS (a sync byte every 188) get mediabunny\'s answer, not an error of mux.js', async () => {
    // xorshift noise with a sync byte every 188 and the first packet on PID 0, the PAT's: the
    // eighth such block from this seed is one that mux.js reads as a table and throws on.
    let state = 0x2545f491;
    const bytes = new Uint8Array(188 * 200);
    for (let block = 0; block < 8; block++) {
      for (let i = 0; i < bytes.length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        bytes[i] = i % 188 === 0 ? 0x47 : state & 0xff;
      }
    }
    [bytes[1], bytes[2]] = [0x40, 0];
    expect(() => readPesPackets(bytes)).toThrow(TypeError);
    const answer = (demux: typeof demuxSegment) => demux(new Blob([bytes]), true).then(comparableSegment, (error: unknown) => error);
    expect(await answer(demuxSegment)).toEqual(await answer(demuxSegmentWithMediabunny));
  });

  test('AC-3 audio beside H.264 goes to mediabunny, which reads it', async () => {
    const [first] = await fetchVodSegments('h264-ac3-ts');
    const { video, audio } = await demuxSegment(first!.data, true);
    expect(audio?.codec).toBe('ac3');
    expect(video?.codec).toBe('avc');
    expect(audio!.packets.length).toBeGreaterThan(10);
  });
});
