import { demuxH264AacPes } from './mpeg-ts-pes.ts';
import { decoderConfigurationRecord, lengthPrefixedSize, nalUnitBounds, parameterSets, writeLengthPrefixed, type NalCodec } from './annex-b.ts';
import { ALL_FORMATS, BufferSource, EncodedPacket, EncodedPacketSink, Input, MPEG_TS, type InputAudioTrack, type InputVideoTrack, type MediaCodec, type PacketType } from 'mediabunny';

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
 * decode order, their bytes packed into one buffer (so a worker can transfer it whole). H.264
 * and H.265 packets are always length-prefixed (4-byte lengths), as MP4 and Matroska hold them:
 * MPEG-TS's Annex B access units are converted (src/export/annex-b.ts).
 */
export interface DemuxedTrack {
  /** mediabunny's codec id (`avc`, `hevc`, `aac`, `mp3`, …). */
  codec: MediaCodec;
  /** Codec parameter string (RFC 6381, `avc1.64001f`), or null when mediabunny cannot tell. */
  codecString: string | null;
  /** WebCodecs decoder configuration (carries the avcC/hvcC or AudioSpecificConfig as `description`). */
  decoderConfig: VideoDecoderConfig | AudioDecoderConfig | null;
  /**
   * True for H.264/H.265 from MPEG-TS whose segment carries no parameter sets: its packets are
   * length-prefixed but `decoderConfig` has no record to go with them.
   */
  missingParameterSets?: boolean;
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

/**
 * Demuxes a segment's bytes (MPEG-TS, fMP4 fragment with its init section, packed audio).
 * `initSegment` is an earlier segment of the same run (the same encoder settings), for MPEG-TS
 * segments that carry no parameter sets of their own.
 */
export type SegmentDemuxer = (segment: Blob, keepsVideo: boolean, initSegment?: Blob | null) => Promise<DemuxedSegment>;

/**
 * Demuxes one segment into its primary video (when `keepsVideo`) and audio tracks, packets in
 * decode order (see {@link DemuxedTrack} for their form). MPEG-TS segments of H.264 and AAC laid
 * out as most HLS streams are go the fast way (src/export/mpeg-ts-pes.ts); everything else, and
 * every track's codec and decoder configuration, comes from mediabunny. The segment is read into
 * memory whole (mediabunny demuxes MPEG-TS from a buffer about 25% faster than from a Blob) and
 * its packets are held, so memory is about twice one segment's size.
 * @throws Error from mediabunny for bytes it cannot demux; Error when a video packet from
 *   MPEG-TS is not Annex B.
 */
export const demuxSegment: SegmentDemuxer = (segment, keepsVideo, initSegment) => demux(segment, keepsVideo, initSegment ?? null, true);

/** {@link demuxSegment} with every segment through mediabunny, without the MPEG-TS fast way: for tests that compare the two. */
export const demuxSegmentWithMediabunny: SegmentDemuxer = (segment, keepsVideo, initSegment) => demux(segment, keepsVideo, initSegment ?? null, false);

/**
 * Demuxes `segment`. An MPEG-TS segment cut between key frames (as packagers that split by time
 * do) or one of an encoder that sends SPS and PPS less often than segments carries no parameter
 * sets, and mediabunny cannot set up its video track ("could not extract
 * AVCDecoderConfigurationRecord"); it is read again with `initSegment` as mediabunny's
 * `initInput`, whose track set-up it then takes. Its video keeps no record of its own
 * (`missingParameterSets`), so the export goes on with the one in force.
 * @throws the first reading's error when there is no `initSegment` or the second fails too.
 */
async function demux(segment: Blob, keepsVideo: boolean, initSegment: Blob | null, fastMpegTs: boolean): Promise<DemuxedSegment> {
  const bytes = await segment.arrayBuffer();
  try {
    return await demuxBytes(bytes, keepsVideo, null, fastMpegTs);
  } catch (error) {
    if (!initSegment || initSegment === segment) throw error;
    const init = new Input({ source: new BufferSource(await initSegment.arrayBuffer()), formats: ALL_FORMATS });
    try {
      // mediabunny matches this segment's streams with the init input's once those are read.
      await init.getTracks();
      return await demuxBytes(bytes, keepsVideo, init, fastMpegTs);
    } catch {
      throw error;
    } finally {
      init.dispose();
    }
  }
}

async function demuxBytes(bytes: ArrayBuffer, keepsVideo: boolean, initInput: Input | null, fastMpegTs: boolean): Promise<DemuxedSegment> {
  const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS, ...(initInput ? { initInput } : {}) });
  try {
    const video = keepsVideo ? await input.getPrimaryVideoTrack() : null;
    const audio = await input.getPrimaryAudioTrack();
    const fast = fastMpegTs && (await input.getFormat()) === MPEG_TS ? await demuxPes(new Uint8Array(bytes), video, audio) : null;
    return fast ?? { video: video && (await demuxTrack(video)), audio: audio && (await demuxTrack(audio)) };
  } finally {
    input.dispose();
  }
}

/** The fast way of {@link demuxSegment} (src/export/mpeg-ts-pes.ts), or null where it does not fit. */
async function demuxPes(bytes: Uint8Array, video: InputVideoTrack | null, audio: InputAudioTrack | null): Promise<DemuxedSegment | null> {
  if ((!video && !audio) || (video && video.codec !== 'avc') || (audio && audio.codec !== 'aac')) return null;
  const found = demuxH264AacPes(bytes, video?.id ?? null, audio?.id ?? null);
  if (!found) return null;
  return {
    video: video && found.video && (await packTrack(video, found.video.chunks, found.video.packets, found.video.bounds)),
    audio: audio && found.audio && (await packTrack(audio, found.audio.chunks, found.audio.packets)),
  };
}

async function demuxTrack(track: InputVideoTrack | InputAudioTrack): Promise<DemuxedTrack | null> {
  if (!track.codec) return null;
  const chunks: Uint8Array[] = [];
  const packets: DemuxedPacketInfo[] = [];
  for await (const packet of new EncodedPacketSink(track).packets()) {
    chunks.push(packet.data);
    packets.push({ offset: 0, byteLength: packet.data.byteLength, type: packet.type, timestampSec: packet.timestamp, durationSec: packet.duration, sequenceNumber: packet.sequenceNumber });
  }
  return packTrack(track, chunks, packets);
}

/**
 * A {@link DemuxedTrack} of `track`'s packets `packets`, whose bytes are `chunks`: H.264/H.265 in
 * Annex B form length-prefixed (with `bounds`, the start codes of each, when already found).
 */
async function packTrack(track: InputVideoTrack | InputAudioTrack, chunks: Uint8Array[], packets: DemuxedPacketInfo[], bounds?: number[][]): Promise<DemuxedTrack> {
  const decoderConfig = await track.getDecoderConfig();
  const codec = track.codec!;
  const annexB = (codec === 'avc' || codec === 'hevc') && decoderConfig !== null && !decoderConfig.description;
  const packed = annexB ? await packLengthPrefixed(codec, chunks, packets, decoderConfig as VideoDecoderConfig, bounds) : { data: packAsIs(chunks, packets), decoderConfig };
  let firstTimestampSec = Infinity;
  for (const packet of packets) firstTimestampSec = Math.min(firstTimestampSec, packet.timestampSec);
  return {
    codec,
    codecString: await track.getCodecParameterString(),
    decoderConfig: packed.decoderConfig,
    ...(annexB && !packed.decoderConfig?.description ? { missingParameterSets: true } : {}),
    firstTimestampSec: packets.length ? firstTimestampSec : await track.getFirstTimestamp(),
    packets,
    data: packed.data.buffer as ArrayBuffer,
  };
}

/** Packs the packets' bytes one after the other, setting each packet's offset and length. */
function packAsIs(chunks: Uint8Array[], packets: DemuxedPacketInfo[]): Uint8Array {
  const data = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.byteLength, 0));
  let offset = 0;
  for (const [i, chunk] of chunks.entries()) {
    data.set(chunk, offset);
    packets[i]!.offset = offset;
    offset += chunk.byteLength;
  }
  return data;
}

/**
 * Packs Annex B access units (MPEG-TS video) length-prefixed, as MP4 and Matroska hold them, and
 * gives the decoder configuration the record of the first parameter sets in the segment
 * (src/export/annex-b.ts); without any, the configuration keeps no `description`. `bounds` are
 * each chunk's NAL units ({@link nalUnitBounds}), found here unless given.
 * @throws Error when a packet holds no start code (it is not H.264/H.265 Annex B).
 */
async function packLengthPrefixed(codec: NalCodec, chunks: Uint8Array[], packets: DemuxedPacketInfo[], config: VideoDecoderConfig, bounds = chunks.map((chunk) => nalUnitBounds(chunk))): Promise<{ data: Uint8Array; decoderConfig: VideoDecoderConfig }> {
  if (bounds.some((units) => units.length === 0)) throw new Error(`A video packet of this segment is not an ${codec === 'avc' ? 'H.264' : 'H.265'} byte stream (no start code).`);
  const data = new Uint8Array(bounds.reduce((size, units) => size + lengthPrefixedSize(units), 0));
  let offset = 0;
  let sets: Uint8Array | null = null;
  for (const [i, chunk] of chunks.entries()) {
    sets ??= parameterSets(codec, chunk, bounds[i]!);
    const end = writeLengthPrefixed(chunk, bounds[i]!, data, offset);
    packets[i]!.offset = offset;
    packets[i]!.byteLength = end - offset;
    offset = end;
  }
  return { data, decoderConfig: sets ? { ...config, description: await decoderConfigurationRecord(codec, sets, config) } : config };
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
