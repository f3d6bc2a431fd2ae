import { VideoAccessUnitAssembler } from '../h264/access-unit-assembler.ts';
import { parseSpropParameterSets } from '../h264/depacketizer.ts';

/** H.265 NAL unit types this file acts on (ITU-T H.265 table 7-1, RFC 7798 section 4.4). */
export const H265NalUnitType = {
  /** First and last IRAP types (BLA, IDR, CRA and reserved IRAP): keyframes. */
  irapFirst: 16,
  irapLast: 23,
  vps: 32,
  sps: 33,
  pps: 34,
  /** Aggregation packet (RFC 7798 section 4.4.2). */
  ap: 48,
  /** Fragmentation unit (RFC 7798 section 4.4.3). */
  fu: 49,
} as const;

/** The NAL unit type of an H.265 NAL unit: bits 1..6 of its first byte. */
export function h265NalUnitType(nalUnit: Uint8Array): number {
  return ((nalUnit[0] ?? 0) >> 1) & 0x3f;
}

/** Parameter sets seen so far, the newest of each kind (2-byte NAL unit header included). */
export interface H265ParameterSets {
  vps: Uint8Array | null;
  sps: Uint8Array | null;
  pps: Uint8Array | null;
}

/**
 * RTP payload format for H.265 (RFC 7798): single NAL unit packets (section 4.4.1),
 * aggregation packets (4.4.2) and fragmentation units (4.4.3); with `sprop-max-don-diff` above
 * 0 the DONL/DOND fields are skipped (NAL units are still taken in transmission order, which
 * equals decoding order for the single-stream cameras this relay serves). Output:
 * {@link VideoAccessUnit}s, keyframe = an IRAP NAL unit (types 16 to 23) present. VPS, SPS
 * and PPS come from `sprop-vps`/`sprop-sps`/`sprop-pps` (section 7.1) and are replaced by any
 * sent in band. PACI packets (type 50) and malformed payloads are counted and dropped.
 */
export class H265Depacketizer extends VideoAccessUnitAssembler {
  private readonly sets: H265ParameterSets = { vps: null, sps: null, pps: null };
  private readonly donPresent: boolean;

  /** @param fmtp The track's fmtp parameters (lower-case names): `sprop-vps`, `sprop-sps`, `sprop-pps`, `sprop-max-don-diff`. */
  constructor(fmtp: Record<string, string> = {}) {
    super();
    this.donPresent = Number(fmtp['sprop-max-don-diff'] ?? 0) > 0;
    for (const name of ['sprop-vps', 'sprop-sps', 'sprop-pps']) {
      const value = fmtp[name];
      if (value !== undefined) for (const nalUnit of parseSpropParameterSets(value)) this.onNalUnit(nalUnit);
    }
  }

  /** The newest VPS, SPS and PPS (from SDP or in band); do not modify them. */
  get parameterSets(): H265ParameterSets {
    return this.sets;
  }

  protected override readPayload(payload: Uint8Array): boolean {
    if (payload.length < 3 || (payload[0]! & 0x80) !== 0) return false;
    const type = h265NalUnitType(payload);
    if (type <= 47) {
      this.addNalUnit(payload);
      return true;
    }
    if (type === H265NalUnitType.ap) return this.readAggregationPacket(payload);
    if (type === H265NalUnitType.fu) return this.readFragmentationUnit(payload);
    return false;
  }

  /** AP: payload header, [DONL], then NAL unit size + NAL unit, repeated ([DOND] before each later one). */
  private readAggregationPacket(payload: Uint8Array): boolean {
    const nalUnits: Uint8Array[] = [];
    let offset = 2 + (this.donPresent ? 2 : 0);
    while (offset < payload.length) {
      if (nalUnits.length > 0 && this.donPresent) offset += 1;
      if (offset + 2 > payload.length) return false;
      const size = (payload[offset]! << 8) | payload[offset + 1]!;
      offset += 2;
      if (size < 2 || offset + size > payload.length) return false;
      nalUnits.push(payload.subarray(offset, offset + size));
      offset += size;
    }
    if (nalUnits.length === 0) return false;
    for (const nalUnit of nalUnits) this.addNalUnit(nalUnit);
    return true;
  }

  /** FU: payload header (type 49), FU header (S, E, FuType), [DONL in the first], fragment. */
  private readFragmentationUnit(payload: Uint8Array): boolean {
    const fuHeader = payload[2]!;
    const start = (fuHeader & 0x80) !== 0;
    const end = (fuHeader & 0x40) !== 0;
    const dataOffset = 3 + (start && this.donPresent ? 2 : 0);
    if ((start && end) || payload.length <= dataOffset) return false;
    const fuType = fuHeader & 0x3f;
    if (fuType === H265NalUnitType.ap || fuType === H265NalUnitType.fu) return false;
    const data = payload.subarray(dataOffset);
    if (start) this.startFragment(Uint8Array.of((payload[0]! & 0x81) | (fuType << 1), payload[1]!), data);
    else if (end) this.endFragment(data);
    else this.continueFragment(data);
    return true;
  }

  protected override isKeyframeNalUnit(nalUnit: Uint8Array): boolean {
    const type = h265NalUnitType(nalUnit);
    return type >= H265NalUnitType.irapFirst && type <= H265NalUnitType.irapLast;
  }

  protected override onNalUnit(nalUnit: Uint8Array): void {
    const type = h265NalUnitType(nalUnit);
    if (type === H265NalUnitType.vps) this.sets.vps = nalUnit;
    else if (type === H265NalUnitType.sps) this.sets.sps = nalUnit;
    else if (type === H265NalUnitType.pps) this.sets.pps = nalUnit;
  }
}
