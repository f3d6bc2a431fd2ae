import { VideoAccessUnitAssembler } from './access-unit-assembler.ts';

/** H.264 NAL unit types this file acts on (ITU-T H.264 table 7-1, RFC 6184 table 1). */
export const H264NalUnitType = {
  /** Coded slice of an IDR picture: a keyframe. */
  idr: 5,
  sps: 7,
  pps: 8,
  /** Single-time aggregation packet (RFC 6184 section 5.7.1). */
  stapA: 24,
  /** Fragmentation unit without DON (RFC 6184 section 5.8). */
  fuA: 28,
} as const;

/** The NAL unit type of an H.264 NAL unit: the low 5 bits of its first byte. */
export function h264NalUnitType(nalUnit: Uint8Array): number {
  return (nalUnit[0] ?? 0) & 0x1f;
}

/** Parameter sets seen so far, the newest of each kind. */
export interface H264ParameterSets {
  /** Sequence parameter set NAL unit (header byte included), or null before one is known. */
  sps: Uint8Array | null;
  /** Picture parameter set NAL unit (header byte included), or null before one is known. */
  pps: Uint8Array | null;
}

/**
 * Decodes `sprop-parameter-sets` (RFC 6184 section 8.1): base64 NAL units separated by commas.
 * Entries that do not decode to a NAL unit are skipped.
 * @returns The NAL units in the order given.
 */
export function parseSpropParameterSets(value: string): Uint8Array[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => /^[A-Za-z0-9+/]+={0,2}$/.test(entry))
    .map((entry) => new Uint8Array(Buffer.from(entry, 'base64')))
    .filter((nalUnit) => nalUnit.length > 0);
}

/**
 * RTP payload format for H.264, non-interleaved mode (RFC 6184 section 6.2): single NAL unit
 * packets (section 5.6), STAP-A (5.7.1) and FU-A (5.8). Output: {@link VideoAccessUnit}s of
 * NAL units without start codes, keyframe = IDR present. SPS and PPS come from
 * `sprop-parameter-sets` and are replaced by any sent in band.
 *
 * STAP-B, MTAP and FU-B belong to the interleaved mode, which cameras do not use: they are
 * counted as malformed and dropped, as are NAL unit types 0, 30 and 31.
 */
export class H264Depacketizer extends VideoAccessUnitAssembler {
  private readonly sets: H264ParameterSets = { sps: null, pps: null };

  /** @param fmtp The track's fmtp parameters (lower-case names); `sprop-parameter-sets` is read. */
  constructor(fmtp: Record<string, string> = {}) {
    super();
    const sprop = fmtp['sprop-parameter-sets'];
    if (sprop !== undefined) for (const nalUnit of parseSpropParameterSets(sprop)) this.onNalUnit(nalUnit);
  }

  /** The newest SPS and PPS (from SDP or in band); copies are not made, do not modify them. */
  get parameterSets(): H264ParameterSets {
    return this.sets;
  }

  protected override readPayload(payload: Uint8Array): boolean {
    if (payload.length < 1 || (payload[0]! & 0x80) !== 0) return false;
    const type = payload[0]! & 0x1f;
    if (type >= 1 && type <= 23) {
      this.addNalUnit(payload);
      return true;
    }
    if (type === H264NalUnitType.stapA) return this.readStapA(payload);
    if (type === H264NalUnitType.fuA) return this.readFuA(payload);
    return false;
  }

  /** STAP-A: a 1-byte header, then 16-bit NAL unit sizes each followed by its NAL unit. */
  private readStapA(payload: Uint8Array): boolean {
    const nalUnits: Uint8Array[] = [];
    let offset = 1;
    while (offset < payload.length) {
      if (offset + 2 > payload.length) return false;
      const size = (payload[offset]! << 8) | payload[offset + 1]!;
      offset += 2;
      if (size === 0 || offset + size > payload.length) return false;
      nalUnits.push(payload.subarray(offset, offset + size));
      offset += size;
    }
    if (nalUnits.length === 0) return false;
    for (const nalUnit of nalUnits) this.addNalUnit(nalUnit);
    return true;
  }

  /** FU-A: FU indicator (F, NRI, type 28), FU header (S, E, R, type), fragment. */
  private readFuA(payload: Uint8Array): boolean {
    if (payload.length < 3) return false;
    const indicator = payload[0]!;
    const header = payload[1]!;
    const start = (header & 0x80) !== 0;
    const end = (header & 0x40) !== 0;
    if (start && end) return false;
    const data = payload.subarray(2);
    if (start) this.startFragment(Uint8Array.of((indicator & 0xe0) | (header & 0x1f)), data);
    else if (end) this.endFragment(data);
    else this.continueFragment(data);
    return true;
  }

  protected override isKeyframeNalUnit(nalUnit: Uint8Array): boolean {
    return h264NalUnitType(nalUnit) === H264NalUnitType.idr;
  }

  protected override onNalUnit(nalUnit: Uint8Array): void {
    const type = h264NalUnitType(nalUnit);
    if (type === H264NalUnitType.sps) this.sets.sps = nalUnit;
    else if (type === H264NalUnitType.pps) this.sets.pps = nalUnit;
  }
}
