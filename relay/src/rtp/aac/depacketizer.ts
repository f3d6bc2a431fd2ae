import type { RtpPacket } from '../../rtsp/types.ts';
import { nextSequenceNumber, type AudioAccessUnit, type DepacketizerStats } from '../../hls/access-unit.ts';

/** The AU-header layout of an RFC 3640 stream (section 4.1 fmtp parameters), in bits. */
export interface AuHeaderLayout {
  /** `sizelength`: bits of AU-size. 13 for AAC-hbr. */
  sizeLength: number;
  /** `indexlength`: bits of AU-Index (first header). 3 for AAC-hbr. */
  indexLength: number;
  /** `indexdeltalength`: bits of AU-Index-delta (later headers). 3 for AAC-hbr. */
  indexDeltaLength: number;
  /** `ctsdeltalength`, 0 when absent: CTS-flag (+ CTS-delta) bits. */
  ctsDeltaLength: number;
  /** `dtsdeltalength`, 0 when absent: DTS-flag (+ DTS-delta) bits. */
  dtsDeltaLength: number;
  /** `randomaccessindication` = 1 adds a RAP-flag bit. */
  randomAccessIndication: boolean;
  /** `streamstateindication`: bits of Stream-state, 0 when absent. */
  streamStateIndication: number;
  /** `auxiliarydatasizelength`: bits of the auxiliary section's size, 0 when absent. */
  auxiliaryDataSizeLength: number;
}

/** Reads the AU-header layout from fmtp (lower-case names); absent numbers are 0, AAC-hbr sizes by default. */
export function auHeaderLayoutFromFmtp(fmtp: Record<string, string>): AuHeaderLayout {
  const num = (name: string, fallback: number): number => {
    const value = Number(fmtp[name]);
    return Number.isInteger(value) && value >= 0 && value <= 32 ? value : fallback;
  };
  return {
    sizeLength: num('sizelength', 13),
    indexLength: num('indexlength', 3),
    indexDeltaLength: num('indexdeltalength', 3),
    ctsDeltaLength: num('ctsdeltalength', 0),
    dtsDeltaLength: num('dtsdeltalength', 0),
    randomAccessIndication: fmtp['randomaccessindication'] === '1',
    streamStateIndication: num('streamstateindication', 0),
    auxiliaryDataSizeLength: num('auxiliarydatasizelength', 0),
  };
}

/** Reads big-endian bit fields. */
class BitCursor {
  bit = 0;
  constructor(private readonly bytes: Uint8Array, private readonly endBit: number) {}
  /** @returns the value, or null when fewer than `count` bits are left. */
  read(count: number): number | null {
    if (this.bit + count > this.endBit) return null;
    let value = 0;
    for (let i = 0; i < count; i += 1, this.bit += 1) value = value * 2 + ((this.bytes[this.bit >> 3]! >> (7 - (this.bit & 7))) & 1);
    return value;
  }
}

/**
 * RTP payload format for MPEG-4 elementary streams (RFC 3640), as used for AAC (mode
 * AAC-hbr, section 3.3.6): an AU-headers section (section 3.2.1), an optional auxiliary
 * section (3.2.2) and the access units (3.2.3). Several AAC frames per packet are split
 * apart, each timed `ticksPerFrame` after the previous one (by AU-Index-delta); one frame
 * fragmented over several packets (section 3.2.3, same timestamp, marker on the last) is
 * joined, and dropped and counted when a fragment is lost. Malformed packets are counted and
 * dropped, never thrown.
 */
export class AacDepacketizer {
  /** Counters since construction. */
  readonly stats: DepacketizerStats = { accessUnits: 0, droppedUnits: 0, malformedPackets: 0 };
  private readonly layout: AuHeaderLayout;
  private lastSequenceNumber: number | null = null;
  private fragment: { rtpTimestamp: number; size: number; parts: Uint8Array[]; bytes: number } | null = null;
  /** RTP timestamp of a fragmented frame already dropped: its later fragments are skipped, not counted again. */
  private discardTimestamp: number | null = null;

  /**
   * @param fmtp The track's fmtp parameters (lower-case names), for the AU-header layout.
   * @param ticksPerFrame RTP clock ticks per AAC frame: 1024 (or 960) times clock rate / sample rate.
   */
  constructor(fmtp: Record<string, string>, private readonly ticksPerFrame = 1024) {
    this.layout = auHeaderLayoutFromFmtp(fmtp);
  }

  /**
   * Takes the next packet, in sequence-number order.
   * @returns The AAC frames the packet completes; `[]` means more packets are needed (a
   *   fragmented frame) or the packet was dropped. The packet is never modified.
   */
  push(packet: RtpPacket): AudioAccessUnit[] {
    const contiguous = this.lastSequenceNumber === null || packet.sequenceNumber === nextSequenceNumber(this.lastSequenceNumber);
    this.lastSequenceNumber = packet.sequenceNumber;
    if (this.fragment !== null && (!contiguous || this.fragment.rtpTimestamp !== packet.timestamp)) this.dropFragment();
    const out = this.read(packet);
    if (out === null) {
      this.stats.malformedPackets += 1;
      return [];
    }
    this.stats.accessUnits += out.length;
    return out;
  }

  private dropFragment(): void {
    this.discardTimestamp = this.fragment?.rtpTimestamp ?? null;
    this.fragment = null;
    this.stats.droppedUnits += 1;
  }

  private read(packet: RtpPacket): AudioAccessUnit[] | null {
    const payload = packet.payload;
    if (payload.length < 2) return null;
    const headersBits = (payload[0]! << 8) | payload[1]!;
    const headersEnd = 2 + Math.ceil(headersBits / 8);
    if (headersEnd > payload.length) return null;
    const cursor = new BitCursor(payload.subarray(2), headersBits);
    const layout = this.layout;
    const headers: { size: number; index: number }[] = [];
    let index = 0;
    while (cursor.bit < headersBits) {
      const startBit = cursor.bit;
      const size = cursor.read(layout.sizeLength);
      const indexField = cursor.read(headers.length === 0 ? layout.indexLength : layout.indexDeltaLength);
      if (size === null || indexField === null) return null;
      index = headers.length === 0 ? indexField : index + indexField + 1;
      for (const length of [layout.ctsDeltaLength, layout.dtsDeltaLength]) {
        if (length === 0) continue;
        const flag = cursor.read(1);
        if (flag === null || (flag === 1 && cursor.read(length) === null)) return null;
      }
      if (layout.randomAccessIndication && cursor.read(1) === null) return null;
      if (layout.streamStateIndication > 0 && cursor.read(layout.streamStateIndication) === null) return null;
      headers.push({ size, index });
      if (cursor.bit === startBit) return null; // A layout of zero-bit AU headers describes nothing.
    }
    let offset = headersEnd;
    if (layout.auxiliaryDataSizeLength > 0) {
      const aux = new BitCursor(payload.subarray(offset), (payload.length - offset) * 8);
      const auxBits = aux.read(layout.auxiliaryDataSizeLength);
      if (auxBits === null) return null;
      offset += Math.ceil((layout.auxiliaryDataSizeLength + auxBits) / 8);
      if (offset > payload.length) return null;
    }
    if (headers.length === 0) return null;
    const data = payload.subarray(offset);
    const first = headers[0]!;
    if (headers.length === 1 && (first.size > data.length || this.fragment !== null)) return this.readFragment(packet, first.size, data);
    const out: AudioAccessUnit[] = [];
    for (const header of headers) {
      if (offset + header.size > payload.length || header.size === 0) return null;
      out.push({
        data: payload.slice(offset, offset + header.size),
        rtpTimestamp: (packet.timestamp + (header.index - first.index) * this.ticksPerFrame) >>> 0,
      });
      offset += header.size;
    }
    return out;
  }

  /** One fragment of an AAC frame larger than a packet (section 3.2.3). */
  private readFragment(packet: RtpPacket, size: number, data: Uint8Array): AudioAccessUnit[] | null {
    if (size === 0 || data.length === 0) return null;
    if (this.fragment === null && this.discardTimestamp === packet.timestamp) return [];
    this.discardTimestamp = null;
    const fragment = this.fragment ?? { rtpTimestamp: packet.timestamp, size, parts: [], bytes: 0 };
    if (fragment.size !== size) {
      this.dropFragment();
      return null;
    }
    fragment.parts.push(data.slice(0, size - fragment.bytes));
    fragment.bytes += Math.min(data.length, size - fragment.bytes);
    this.fragment = fragment;
    if (fragment.bytes < size) {
      if (packet.marker) this.dropFragment();
      return [];
    }
    this.fragment = null;
    const frame = new Uint8Array(size);
    let offset = 0;
    for (const part of fragment.parts) {
      frame.set(part, offset);
      offset += part.length;
    }
    return [{ data: frame, rtpTimestamp: packet.timestamp }];
  }
}
