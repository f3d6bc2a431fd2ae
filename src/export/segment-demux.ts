import { h264AacPackets, readPesPackets, type H264AacPackets, type PesSegment } from './mpeg-ts-pes.ts';
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
 * `initSegments` are other segments of the same run (the same encoder settings), tried in turn
 * for MPEG-TS segments that carry no parameter sets of their own.
 */
export type SegmentDemuxer = (segment: Blob, keepsVideo: boolean, initSegments?: readonly Blob[]) => Promise<DemuxedSegment>;

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
export const demuxSegment: SegmentDemuxer = (segment, keepsVideo, initSegments) => demux(segment, keepsVideo, initSegments ?? [], true);

/** {@link demuxSegment} with every segment through mediabunny, without the MPEG-TS fast way: for tests that compare the two. */
export const demuxSegmentWithMediabunny: SegmentDemuxer = (segment, keepsVideo, initSegments) => demux(segment, keepsVideo, initSegments ?? [], false);

/**
 * Demuxes `segment`. An MPEG-TS segment cut between key frames (as packagers that split by time
 * do) or one of an encoder that sends SPS and PPS less often than segments carries no parameter
 * sets, and mediabunny cannot set up its video track ("could not extract
 * AVCDecoderConfigurationRecord"); it is read again with each of `initSegments` (but itself)
 * as mediabunny's `initInput` until one sets the tracks up (one that carries parameter sets),
 * whose track set-up it then takes. Its video keeps no record of its own
 * (`missingParameterSets`), so the export goes on with the one in force.
 * @throws the first reading's error when no other segment sets the tracks up.
 */
async function demux(segment: Blob, keepsVideo: boolean, initSegments: readonly Blob[], fastMpegTs: boolean): Promise<DemuxedSegment> {
  const bytes = await segment.arrayBuffer();
  const view = new Uint8Array(bytes);
  // The fast way reads the PES packets first: a segment laid out as an earlier one was needs
  // nothing of mediabunny.
  const fast = fastMpegTs && isMpegTs(view) ? fastWay(view, keepsVideo) : null;
  try {
    return await demuxBytes(bytes, keepsVideo, null, fast);
  } catch (error) {
    for (const initSegment of initSegments) {
      if (initSegment === segment) continue;
      const init = new Input({ source: new BufferSource(await initSegment.arrayBuffer()), formats: ALL_FORMATS });
      try {
        // mediabunny matches this segment's streams with the init input's once those are read.
        await init.getTracks();
        return await demuxBytes(bytes, keepsVideo, init, fast);
      } catch {
        // That one cannot set the tracks up either: the next may.
      } finally {
        init.dispose();
      }
    }
    throw error;
  }
}

/** Demuxes `bytes` with mediabunny (`initInput` setting its tracks up), or the fast way (`fast`) where it fits. */
async function demuxBytes(bytes: ArrayBuffer, keepsVideo: boolean, initInput: Input | null, fast: FastWay | null): Promise<DemuxedSegment> {
  if (fast?.setups) return packFast(fast.packets, fast.setups);
  const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS, ...(initInput ? { initInput } : {}) });
  try {
    const video = keepsVideo ? await input.getPrimaryVideoTrack() : null;
    const audio = await input.getPrimaryAudioTrack();
    if (fast && (await input.getFormat()) === MPEG_TS && sameStreams(fast, video, audio)) {
      const setups = { video: video && (await setupOf(video)), audio: audio && (await setupOf(audio)) };
      rememberSetups(fast.key, setups);
      return packFast(fast.packets, setups);
    }
    return { video: video && (await demuxTrack(video)), audio: audio && (await demuxTrack(audio)) };
  } finally {
    input.dispose();
  }
}

/** What mediabunny says of a track: all of a {@link DemuxedTrack} but its packets. */
interface TrackSetup {
  codec: MediaCodec;
  codecString: string | null;
  decoderConfig: VideoDecoderConfig | AudioDecoderConfig | null;
}

async function setupOf(track: InputVideoTrack | InputAudioTrack): Promise<TrackSetup> {
  return { codec: track.codec!, codecString: await track.getCodecParameterString(), decoderConfig: await track.getDecoderConfig() };
}

/**
 * Track set-ups mediabunny gave for MPEG-TS segments, by their layout ({@link layoutKey}): a
 * recording's segments repeat the same streams, SPS, PPS and AAC configuration, and mediabunny
 * sets the tracks up from nothing else, so later segments take them from here instead of
 * mediabunny reading each again (about a tenth of the fast way's time). A few layouts are kept.
 */
const setupsByLayout = new Map<string, { video: TrackSetup | null; audio: TrackSetup | null }>();
const LAYOUTS_KEPT_COUNT = 4;

function rememberSetups(key: string | null, setups: { video: TrackSetup | null; audio: TrackSetup | null }): void {
  if (key === null) return;
  setupsByLayout.set(key, setups);
  if (setupsByLayout.size > LAYOUTS_KEPT_COUNT) setupsByLayout.delete(setupsByLayout.keys().next().value!);
}

/** An MPEG-TS segment begins with a transport packet's sync byte, and the next one 188 bytes on (ISO/IEC 13818-1 2.4.3.2). */
function isMpegTs(bytes: Uint8Array): boolean {
  return bytes.length >= 376 && bytes[0] === 0x47 && bytes[188] === 0x47;
}

/** A segment's packets read the fast way, their PIDs, the key of its layout and the set-ups remembered for it. */
interface FastWay {
  packets: H264AacPackets;
  videoPid: number | null;
  audioPid: number | null;
  key: string | null;
  setups: { video: TrackSetup | null; audio: TrackSetup | null } | undefined;
}

/**
 * The fast way of {@link demuxSegment} (src/export/mpeg-ts-pes.ts): the segment's H.264 and
 * AAC packets, with their PIDs, the key of its layout and the set-ups remembered for it, or
 * null where it does not fit, as for bytes mux.js cannot read (it throws on some that merely
 * look like MPEG-TS; mediabunny then gives its own answer).
 */
function fastWay(bytes: Uint8Array, keepsVideo: boolean): FastWay | null {
  let pes: PesSegment;
  try {
    pes = readPesPackets(bytes);
  } catch {
    return null;
  }
  const videoPid = keepsVideo ? pes.videoPid : null;
  const { audioPid } = pes;
  if (videoPid === null && audioPid === null) return null;
  const packets = h264AacPackets(pes, videoPid, audioPid);
  if (!packets) return null;
  const key = pes.pmt ? layoutKey(pes.pmt, packets) : null;
  return { packets, videoPid, audioPid, key, setups: key === null ? undefined : setupsByLayout.get(key) };
}

/**
 * What mediabunny sets an MPEG-TS segment's tracks up from: the PMT (`pmt`, see
 * {@link PesSegment}), the first access unit's SPS and PPS, and the first ADTS header's
 * profile, sampling frequency and channel configuration (ISO/IEC 14496-3 1.A.2.2.1). Null
 * without SPS and PPS in the first access unit.
 */
function layoutKey(pmt: string, packets: H264AacPackets): string | null {
  let sets = '-';
  if (packets.video) {
    const firstSets = parameterSets('avc', packets.video.chunks[0]!, packets.video.bounds![0]!);
    if (!firstSets) return null;
    sets = firstSets.join(',');
  }
  const adts = packets.audio?.chunks[0];
  return `${pmt}|${sets}|${adts ? `${adts[2]},${adts[3]! & 0xc0}` : '-'}`;
}

/** Whether mediabunny's primary tracks are the streams the fast way read, as H.264 and AAC. */
function sameStreams(fast: { videoPid: number | null; audioPid: number | null }, video: InputVideoTrack | null, audio: InputAudioTrack | null): boolean {
  return (video?.id ?? null) === fast.videoPid && (audio?.id ?? null) === fast.audioPid && (!video || video.codec === 'avc') && (!audio || audio.codec === 'aac');
}

async function packFast(packets: H264AacPackets, setups: { video: TrackSetup | null; audio: TrackSetup | null }): Promise<DemuxedSegment> {
  const { video, audio } = packets;
  return {
    video: setups.video && video && (await packTrack(setups.video, video.chunks, video.packets, null, video.bounds)),
    audio: setups.audio && audio && (await packTrack(setups.audio, audio.chunks, audio.packets, null)),
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
  return packTrack(await setupOf(track), chunks, packets, packets.length ? null : await track.getFirstTimestamp());
}

/**
 * A {@link DemuxedTrack} of a track set up as `setup`, of packets `packets` whose bytes are
 * `chunks`: H.264/H.265 in Annex B form length-prefixed (with `bounds`, the start codes of each,
 * when already found). `emptyFirstTimestampSec` is its first timestamp when it has no packets.
 */
async function packTrack(setup: TrackSetup, chunks: Uint8Array[], packets: DemuxedPacketInfo[], emptyFirstTimestampSec: number | null, bounds?: number[][]): Promise<DemuxedTrack> {
  const { codec, decoderConfig } = setup;
  const annexB = (codec === 'avc' || codec === 'hevc') && decoderConfig !== null && !decoderConfig.description;
  const packed = annexB ? await packLengthPrefixed(codec, chunks, packets, decoderConfig as VideoDecoderConfig, bounds) : { data: packAsIs(chunks, packets), decoderConfig: decoderConfig && { ...decoderConfig } };
  let firstTimestampSec = Infinity;
  for (const packet of packets) firstTimestampSec = Math.min(firstTimestampSec, packet.timestampSec);
  return {
    codec,
    codecString: setup.codecString,
    decoderConfig: packed.decoderConfig,
    ...(annexB && !packed.decoderConfig?.description ? { missingParameterSets: true } : {}),
    firstTimestampSec: packets.length ? firstTimestampSec : (emptyFirstTimestampSec ?? 0),
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
