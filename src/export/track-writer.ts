import { type EncodedPacket, type EncodedAudioPacketSource, type EncodedVideoPacketSource, type MediaCodec } from 'mediabunny';
import { bytesOf, DELIMITER_AND_SPS_TYPES, nalUnitType, recordParameterSets, type NalCodec } from './annex-b.ts';
import { UnsupportedExportError } from './export-errors.ts';

/** A decoder configuration as the demuxers give it: WebCodecs', with the record as `description`. */
export type TrackConfig = VideoDecoderConfig | AudioDecoderConfig;

/**
 * Adds one output track's packets to its mediabunny source, each with the decoder configuration
 * of the stream it came from, and keeps H.264 and H.265 decodable where that configuration
 * changes mid-track.
 *
 * An MP4 sample entry (avcC/hvcC, ISO/IEC 14496-15 5.3.3 and 8.3.3) and Matroska's CodecPrivate
 * hold one decoder configuration record per track, and mediabunny writes the first it is given.
 * A recording's record changes where its picture size or encoder settings change: a TV stream
 * going to an advert at another resolution, an fMP4 stream whose init section changes
 * (EXT-X-MAP, RFC 8216 section 4.3.2.5), pieces that ffmpeg encoded from such a stream. Without
 * the new parameter sets, every frame after the change is decoded with the first ones, and
 * decodes to garbage.
 *
 * So, at the first keyframe after a change, the new record's parameter sets go in-band, in
 * front of the access unit's NAL units (after its delimiter), unless the access unit carries
 * its own already (as MPEG-TS keyframes do). Decoders use in-band parameter sets over the
 * sample entry's (checked for H.264 with FFmpeg and Chromium: src/export/track-writer.test.ts). A file whose track properly changed configuration would
 * have a second sample entry, which mediabunny does not write; a strict reader that ignores
 * in-band parameter sets under `avc1`/`hvc1` may still fail on it.
 */
export class TrackWriter {
  private readonly nalCodec: NalCodec | null;
  /** The configuration last passed in, to compare records once per stream, not per packet. */
  private lastConfig: TrackConfig | null = null;
  /** The record decoders have in force: the sample entry's, then the last one put in-band. */
  private recordInForce: Uint8Array | null = null;
  /** A configuration whose parameter sets go in front of the next keyframe. */
  private pending: VideoDecoderConfig | null = null;
  private configWritten = false;
  /** Whether a packet went in: see {@link started}. */
  private added = false;
  private droppedFrames = 0;
  private droppedSec = 0;

  /** @param codec the track's codec; only `avc` and `hevc` configurations are followed. */
  constructor(
    readonly source: EncodedVideoPacketSource | EncodedAudioPacketSource,
    codec: MediaCodec,
  ) {
    this.nalCodec = codec === 'avc' || codec === 'hevc' ? codec : null;
  }

  /** Whether a packet went in (for H.264/H.265, a key frame with a configuration came). */
  get started(): boolean {
    return this.added;
  }

  /**
   * The H.264/H.265 packets dropped ahead of the track's first key frame with a configuration
   * (see {@link add}): how many, and their summed duration in seconds.
   */
  get droppedLeading(): { frameCount: number; durationSec: number } {
    return { frameCount: this.droppedFrames, durationSec: this.droppedSec };
  }

  /**
   * Adds `packet`, whose bytes are in the form `config` describes (H.264/H.265: length-prefixed
   * NAL units; `config` null for those of a segment without parameter sets, which go with the
   * record in force). The first configuration given goes into the file's track header.
   * H.264/H.265 packets before the first key frame that comes with a configuration are dropped.
   * @throws UnsupportedExportError when the NAL unit length size changes with the
   *   configuration (the packets would need rewriting).
   */
  async add(packet: EncodedPacket, config: TrackConfig | null): Promise<void> {
    if (!this.configWritten && this.nalCodec && (packet.type !== 'key' || config === null)) {
      // H.264/H.265 starts at its first key frame with a configuration: the frames of a
      // recording that starts between key frames (of a stream cut by time, whose parameter sets
      // come with key frames only) reference pictures it does not hold, and cannot be decoded.
      this.droppedFrames += 1;
      this.droppedSec += packet.duration;
      return;
    }
    if (!this.configWritten) {
      // The sources are typed per kind; a writer only ever sees its own kind's configuration.
      await (this.source as EncodedVideoPacketSource).add(packet, config ? { decoderConfig: config as VideoDecoderConfig } : undefined);
      this.added = true;
      this.configWritten = config !== null;
      this.lastConfig = config;
      this.recordInForce = config?.description ? bytesOf(config.description) : null;
      return;
    }
    if (this.nalCodec && config && config !== this.lastConfig) {
      this.lastConfig = config;
      this.pending = this.changed(config as VideoDecoderConfig) ? (config as VideoDecoderConfig) : null;
    }
    if (this.pending && packet.type === 'key') packet = await this.withParameterSets(packet, this.pending);
    await (this.source as EncodedVideoPacketSource).add(packet);
    this.added = true;
  }

  private changed(config: VideoDecoderConfig): boolean {
    if (!config.description || !this.recordInForce) return false;
    const record = bytesOf(config.description);
    if (sameBytes(record, this.recordInForce)) return false;
    const [from, to] = [nalLengthSize(this.nalCodec!, this.recordInForce), nalLengthSize(this.nalCodec!, record)];
    if (from !== to) {
      throw new UnsupportedExportError(`The recording's video changes its NAL unit length size from ${from} to ${to} bytes, which this export cannot write without re-encoding: choose a smaller MP4, which re-encodes.`);
    }
    return true;
  }

  /** `packet` with the parameter sets of `config` in front of its NAL units, unless it has an SPS of its own. */
  private async withParameterSets(packet: EncodedPacket, config: VideoDecoderConfig): Promise<EncodedPacket> {
    const codec = this.nalCodec!;
    const { delimiter, sps } = DELIMITER_AND_SPS_TYPES[codec];
    const data = packet.data;
    const record = bytesOf(config.description!);
    const lengthSize = nalLengthSize(codec, record);
    let insertAt = 0;
    let hasSps = false;
    for (let at = 0; at + lengthSize < data.length; ) {
      let length = 0;
      for (let i = 0; i < lengthSize; i++) length = length * 256 + data[at + i]!;
      const type = nalUnitType(codec, data[at + lengthSize]!);
      if (type === sps) hasSps = true;
      if (type === delimiter && at === insertAt) insertAt = at + lengthSize + length;
      at += lengthSize + length;
    }
    this.recordInForce = record;
    this.pending = null;
    if (hasSps) return packet;
    const sets = await recordParameterSets(codec, config);
    const joined = new Uint8Array(data.length + sets.reduce((size, unit) => size + lengthSize + unit.length, 0));
    joined.set(data.subarray(0, insertAt));
    let at = insertAt;
    for (const unit of sets) {
      for (let i = 0; i < lengthSize; i++) joined[at + i] = (unit.length / 256 ** (lengthSize - 1 - i)) & 0xff;
      joined.set(unit, at + lengthSize);
      at += lengthSize + unit.length;
    }
    joined.set(data.subarray(insertAt), at);
    return packet.clone({ data: joined });
  }
}

/**
 * What the user is told of a video track written by `writer` whose first frames were dropped
 * ({@link TrackWriter.droppedLeading}): one sentence, or none when none were.
 */
export function droppedLeadingFramesWarnings(writer: TrackWriter | null): string[] {
  const { frameCount, durationSec } = writer?.droppedLeading ?? { frameCount: 0, durationSec: 0 };
  if (frameCount === 0) return [];
  const frames = frameCount === 1 ? 'frame' : 'frames';
  return [`The video starts ${durationSec.toFixed(1)} s into the file: the recording began between key frames, and its first ${frameCount} ${frames} could not be decoded without the pictures before them, so they were left out.`];
}

/**
 * Bytes in front of each NAL unit of packets under `record`: `lengthSizeMinusOne` + 1, the low
 * two bits of byte 4 of an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1) and of
 * byte 21 of an HEVCDecoderConfigurationRecord (8.3.3.1).
 */
function nalLengthSize(codec: NalCodec, record: Uint8Array): number {
  return (record[codec === 'avc' ? 4 : 21]! & 3) + 1;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
