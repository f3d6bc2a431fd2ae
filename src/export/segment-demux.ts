import { ALL_FORMATS, BlobSource, EncodedPacket, EncodedPacketSink, Input, type InputAudioTrack, type InputVideoTrack, type MediaCodec, type PacketType } from 'mediabunny';

/** Where one packet lies in its track's {@link DemuxedTrack.data}, and its timing. */
export interface DemuxedPacketInfo {
  /** Byte offset in {@link DemuxedTrack.data}. */
  offset: number;
  byteLength: number;
  type: PacketType;
  /** Presentation timestamp as the container gives it, in seconds (MPEG-TS: PTS / 90 kHz, before any unwrapping). */
  timestampSec: number;
  durationSec: number;
  /** Decode order within the segment (mediabunny's sequence number). */
  sequenceNumber: number;
}

/**
 * One track of a demuxed segment: its codec and decoder configuration, and every packet in
 * decode order, their bytes packed into one buffer (so a worker can transfer it whole).
 */
export interface DemuxedTrack {
  /** mediabunny's codec id (`avc`, `hevc`, `aac`, `mp3`, …). */
  codec: MediaCodec;
  /** Codec parameter string (RFC 6381, `avc1.64001f`), or null when mediabunny cannot tell. */
  codecString: string | null;
  /** WebCodecs decoder configuration (carries the avcC/hvcC or AudioSpecificConfig as `description`). */
  decoderConfig: VideoDecoderConfig | AudioDecoderConfig | null;
  /** Earliest presentation timestamp of the track in this segment, in seconds. */
  firstTimestampSec: number;
  packets: DemuxedPacketInfo[];
  data: ArrayBuffer;
}

/** A segment's primary video and audio tracks, demuxed; null where it has none (or video was not asked for). */
export interface DemuxedSegment {
  video: DemuxedTrack | null;
  audio: DemuxedTrack | null;
}

/** Demuxes a segment's bytes (MPEG-TS, fMP4 fragment with its init section, packed audio). */
export type SegmentDemuxer = (segment: Blob, keepsVideo: boolean) => Promise<DemuxedSegment>;

/**
 * Demuxes one segment with mediabunny into its primary video (when `keepsVideo`) and audio
 * tracks, packets in decode order. The whole segment's packets are held, so memory is one
 * segment's size.
 * @throws Error from mediabunny for bytes it cannot demux.
 */
export const demuxSegment: SegmentDemuxer = async (segment, keepsVideo) => {
  const input = new Input({ source: new BlobSource(segment), formats: ALL_FORMATS });
  try {
    const video = keepsVideo ? await input.getPrimaryVideoTrack() : null;
    const audio = await input.getPrimaryAudioTrack();
    return { video: video && (await demuxTrack(video)), audio: audio && (await demuxTrack(audio)) };
  } finally {
    input.dispose();
  }
};

async function demuxTrack(track: InputVideoTrack | InputAudioTrack): Promise<DemuxedTrack | null> {
  if (!track.codec) return null;
  const chunks: Uint8Array[] = [];
  const packets: DemuxedPacketInfo[] = [];
  let totalBytes = 0;
  let firstTimestampSec = Infinity;
  for await (const packet of new EncodedPacketSink(track).packets()) {
    chunks.push(packet.data);
    packets.push({ offset: totalBytes, byteLength: packet.data.byteLength, type: packet.type, timestampSec: packet.timestamp, durationSec: packet.duration, sequenceNumber: packet.sequenceNumber });
    totalBytes += packet.data.byteLength;
    firstTimestampSec = Math.min(firstTimestampSec, packet.timestamp);
  }
  const data = new Uint8Array(totalBytes);
  for (let i = 0; i < chunks.length; i += 1) data.set(chunks[i]!, packets[i]!.offset);
  return {
    codec: track.codec,
    codecString: await track.getCodecParameterString(),
    decoderConfig: await track.getDecoderConfig(),
    firstTimestampSec: packets.length ? firstTimestampSec : await track.getFirstTimestamp(),
    packets,
    data: data.buffer,
  };
}

/** The `i`th packet of a demuxed track as a mediabunny packet (its bytes a view into the track's buffer). */
export function packetAt(track: DemuxedTrack, i: number, timestampSec: number): EncodedPacket {
  const info = track.packets[i]!;
  return new EncodedPacket(new Uint8Array(track.data, info.offset, info.byteLength), info.type, timestampSec, info.durationSec, info.sequenceNumber);
}

/** The buffers of a demuxed segment, to transfer it from a worker without copying. */
export function transferablesOf(segment: DemuxedSegment): ArrayBuffer[] {
  return [segment.video?.data, segment.audio?.data].filter((data): data is ArrayBuffer => data !== undefined);
}
