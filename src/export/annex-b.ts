import { BufferSource, BufferTarget, EncodedPacket, EncodedPacketSink, EncodedVideoPacketSource, Input, MP4, MPEG_TS, Mp4OutputFormat, MpegTsOutputFormat, Output } from 'mediabunny';

/**
 * H.264 and H.265 access units as MPEG-TS carries them (the Annex B byte stream: NAL units behind
 * start codes, ITU-T H.264 and H.265 Annex B) turned into the form MP4 and Matroska hold (each NAL
 * unit behind its length, ISO/IEC 14496-15 sections 5.3.2 and 8.3.2), with the decoder
 * configuration record those containers need.
 *
 * mediabunny's MP4 muxer makes the same conversion itself when given Annex B, but on the one
 * thread that muxes; done here, in the demux workers, it runs on the other cores, fused with the
 * copy that packs each segment's packets for the transfer. Matroska gets its CodecPrivate too
 * (mediabunny's Matroska muxer writes Annex B as it comes, without one).
 */

/** Video codecs whose packets {@link nalUnitBounds} splits. */
export type NalCodec = 'avc' | 'hevc';

/** Bytes of the length in front of each NAL unit written by {@link writeLengthPrefixed}. */
export const NAL_LENGTH_SIZE = 4;

/**
 * Where the NAL units of one Annex B access unit lie: a start code is 0x000001, or 0x00000001
 * when a zero byte comes before it (a zero_byte of H.264 B.1.1; further zeros stay with the
 * NAL unit before, as trailing_zero_8bits). Bytes before the first start code are not a NAL
 * unit; empty NAL units are skipped. Emulation prevention (H.264 7.4.1) keeps start codes out
 * of NAL units, so no unit is split.
 * @returns flat `[start, end, start, end, …]` byte offsets into `data`; empty when `data` holds
 *   no start code (it is not Annex B).
 */
export function nalUnitBounds(data: Uint8Array): number[] {
  const bounds: number[] = [];
  let nalStart = -1;
  let searchFrom = 2;
  for (;;) {
    const one = data.indexOf(1, searchFrom);
    if (one === -1) break;
    if (data[one - 1] !== 0 || data[one - 2] !== 0) {
      searchFrom = one + 1;
      continue;
    }
    // searchFrom keeps one - 3 at or after the previous start code's 0x01, so a zero there is
    // this start code's zero_byte.
    const codeStart = data[one - 3] === 0 ? one - 3 : one - 2;
    if (nalStart !== -1 && codeStart > nalStart) bounds.push(nalStart, codeStart);
    nalStart = one + 1;
    searchFrom = nalStart + 2;
  }
  if (nalStart !== -1 && nalStart < data.length) bounds.push(nalStart, data.length);
  return bounds;
}

/** Size in bytes of the access unit with NAL units `bounds` (see {@link nalUnitBounds}) once length-prefixed. */
export function lengthPrefixedSize(bounds: readonly number[]): number {
  let size = 0;
  for (let i = 0; i < bounds.length; i += 2) size += NAL_LENGTH_SIZE + bounds[i + 1]! - bounds[i]!;
  return size;
}

/**
 * Writes the NAL units `bounds` of `data` into `out` at `offset`, each behind its length as a
 * 4-byte big-endian integer (ISO/IEC 14496-15, `lengthSizeMinusOne` 3).
 * @returns the offset after the last byte written.
 */
export function writeLengthPrefixed(data: Uint8Array, bounds: readonly number[], out: Uint8Array, offset: number): number {
  let at = offset;
  for (let i = 0; i < bounds.length; i += 2) {
    const start = bounds[i]!;
    const length = bounds[i + 1]! - start;
    out[at] = length >>> 24;
    out[at + 1] = (length >>> 16) & 0xff;
    out[at + 2] = (length >>> 8) & 0xff;
    out[at + 3] = length & 0xff;
    out.set(data.subarray(start, start + length), at + NAL_LENGTH_SIZE);
    at += NAL_LENGTH_SIZE + length;
  }
  return at;
}

/**
 * NAL unit types mediabunny builds a decoder configuration record from, and those it cannot do
 * without. H.264 7.3.1: nal_unit_type is the low 5 bits; SPS 7, PPS 8, SPS extension 13.
 * H.265 7.3.1.2: bits 1..6; VPS 32, SPS 33, PPS 34, prefix and suffix SEI 39 and 40 (which
 * HEVCDecoderConfigurationRecord arrays may hold too).
 */
const RECORD_UNITS: Record<NalCodec, { type: (header: number) => number; kept: readonly number[]; needed: readonly number[] }> = {
  avc: { type: (header) => header & 0x1f, kept: [7, 8, 13], needed: [7, 8] },
  hevc: { type: (header) => (header >> 1) & 0x3f, kept: [32, 33, 34, 39, 40], needed: [33, 34] },
};

/** The nal_unit_type of a NAL unit whose first byte is `header` (H.264 7.3.1, H.265 7.3.1.2). */
export function nalUnitType(codec: NalCodec, header: number): number {
  return RECORD_UNITS[codec].type(header);
}

/**
 * NAL unit types of the access unit delimiter and the SPS: H.264 9 and 7 (Table 7-1), H.265
 * 35 and 33 (Table 7-1). A delimiter, when present, is an access unit's first NAL unit (H.264
 * 7.4.1.2.3, H.265 7.4.2.4.4); parameter sets come before the first slice.
 */
export const DELIMITER_AND_SPS_TYPES: Record<NalCodec, { delimiter: number; sps: number }> = {
  avc: { delimiter: 9, sps: 7 },
  hevc: { delimiter: 35, sps: 33 },
};

/**
 * The NAL units of the access unit `bounds` of `data` that its decoder configuration record is
 * made of (H.264: SPS, PPS, SPS extensions; H.265: VPS, SPS, PPS and SEI), as an Annex B byte
 * stream of their own, or null when it lacks an SPS or a PPS.
 */
export function parameterSets(codec: NalCodec, data: Uint8Array, bounds: readonly number[]): Uint8Array | null {
  const { type, kept, needed } = RECORD_UNITS[codec];
  const units: Uint8Array[] = [];
  for (let i = 0; i < bounds.length; i += 2) {
    const unit = data.subarray(bounds[i]!, bounds[i + 1]!);
    if (kept.includes(type(unit[0]!))) units.push(unit);
  }
  if (!needed.every((wanted) => units.some((unit) => type(unit[0]!) === wanted))) return null;
  const stream = new Uint8Array(units.reduce((size, unit) => size + START_CODE.length + unit.length, 0));
  let at = 0;
  for (const unit of units) {
    stream.set(START_CODE, at);
    stream.set(unit, at + START_CODE.length);
    at += START_CODE.length + unit.length;
  }
  return stream;
}

const START_CODE = new Uint8Array([0, 0, 0, 1]);

/** Records already made, by codec and parameter sets: a recording repeats the same ones in every segment. */
const recordCache = new Map<string, Uint8Array>();
/** Parameter sets already read, by codec and record. */
const parameterSetCache = new Map<string, Uint8Array[]>();
/** Entries each cache keeps (a recording has one or a few configurations). */
const CACHE_MAX_COUNT = 8;

/** `cache`'s value for `key`, made by `make` when missing; the oldest entry goes when the cache is full. */
async function cached<T>(cache: Map<string, T>, key: string, make: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = await make();
  if (cache.size >= CACHE_MAX_COUNT) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

/**
 * One keyframe of `data` muxed by mediabunny into an MP4 or MPEG-TS file in memory with
 * `config`, and that file's first video track read back: how mediabunny's own muxers and
 * demuxers turn parameter sets into a record and back here.
 * @returns the read-back track's decoder configuration and first packet.
 */
async function throughMediabunny(codec: NalCodec, data: Uint8Array, config: VideoDecoderConfig, container: 'mp4' | 'mpegts'): Promise<{ config: VideoDecoderConfig | null; packet: EncodedPacket | null }> {
  const target = new BufferTarget();
  const output = new Output({ format: container === 'mp4' ? new Mp4OutputFormat() : new MpegTsOutputFormat(), target });
  const source = new EncodedVideoPacketSource(codec);
  output.addVideoTrack(source);
  await output.start();
  await source.add(new EncodedPacket(data, 'key', 0, 0.04), { decoderConfig: config });
  await output.finalize();
  const input = new Input({ source: new BufferSource(target.buffer!), formats: [container === 'mp4' ? MP4 : MPEG_TS] });
  try {
    const track = await input.getPrimaryVideoTrack();
    return { config: (await track?.getDecoderConfig()) ?? null, packet: track ? await new EncodedPacketSink(track).getFirstPacket() : null };
  } finally {
    input.dispose();
  }
}

/**
 * The decoder configuration record (AVCDecoderConfigurationRecord, ISO/IEC 14496-15 5.3.3.1;
 * HEVCDecoderConfigurationRecord, 8.3.3.1) of parameter sets, with 4-byte NAL unit lengths:
 * what MP4's avcC/hvcC box and Matroska's CodecPrivate hold, and WebCodecs' `description`. It
 * is made by mediabunny, which writes it when muxing Annex B into MP4 and reads it back from
 * that file, so the record is the one mediabunny would write itself.
 * @param sets the record's NAL units as {@link parameterSets} gives them.
 * @param config the track's decoder configuration (its coded size goes into the throwaway MP4,
 *   not into the record, which depends on `sets` alone).
 * @throws Error from mediabunny when the parameter sets cannot be parsed.
 */
export function decoderConfigurationRecord(codec: NalCodec, sets: Uint8Array, config: VideoDecoderConfig): Promise<Uint8Array> {
  return cached(recordCache, `${codec}:${sets.join(',')}`, async () => {
    const description = (await throughMediabunny(codec, sets, { ...config, description: undefined }, 'mp4')).config?.description;
    if (!description) throw new Error(`mediabunny wrote no ${codec === 'avc' ? 'avcC' : 'hvcC'} record for these parameter sets.`);
    return bytesOf(description).slice();
  });
}

/**
 * The parameter sets of a decoder configuration record (the inverse of
 * {@link decoderConfigurationRecord}): H.264 SPS and PPS, H.265 VPS, SPS and PPS, in decoding
 * order, each a NAL unit without start code or length. They are read by mediabunny: its
 * MPEG-TS muxer, which carries parameter sets in-band, writes the record's in front of a
 * keyframe (here an empty one), and its demuxer reads that access unit back.
 * @param config a configuration whose `description` is the record (avcC/hvcC).
 * @throws Error when `config` has no record, from mediabunny when it cannot parse it, and when
 *   it holds no SPS or PPS.
 */
export function recordParameterSets(codec: NalCodec, config: VideoDecoderConfig): Promise<Uint8Array[]> {
  if (!config.description) return Promise.reject(new Error('This decoder configuration has no record to read parameter sets from.'));
  return cached(parameterSetCache, `${codec}:${bytesOf(config.description).join(',')}`, async () => {
    const unit = (await throughMediabunny(codec, new Uint8Array(0), config, 'mpegts')).packet;
    const sets = unit && parameterSets(codec, unit.data, nalUnitBounds(unit.data));
    if (!sets) throw new Error(`This ${codec === 'avc' ? 'avcC' : 'hvcC'} record holds no SPS or no PPS.`);
    const bounds = nalUnitBounds(sets);
    const units: Uint8Array[] = [];
    for (let i = 0; i < bounds.length; i += 2) units.push(sets.slice(bounds[i], bounds[i + 1]));
    return units;
  });
}

/** The bytes of a WebCodecs `description`, without copying. */
export function bytesOf(description: AllowSharedBufferSource): Uint8Array {
  return ArrayBuffer.isView(description) ? new Uint8Array(description.buffer, description.byteOffset, description.byteLength) : new Uint8Array(description);
}
