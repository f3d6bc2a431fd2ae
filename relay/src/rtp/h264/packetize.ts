import type { RtpPacket } from '../../rtsp/types.ts';

/** Options of {@link packetizeH264}. */
export interface PacketizeOptions {
  /** Largest RTP payload, in bytes (at least 3). */
  maxPayloadBytes: number;
  /** Aggregate small NAL units of one access unit into STAP-A packets. Default true. */
  aggregate?: boolean;
  /** Sequence number of the first packet. Default 0. */
  firstSequenceNumber?: number;
}

/** One access unit to packetize: NAL units without start codes and its RTP timestamp. */
export interface AccessUnitToSend {
  nalUnits: Uint8Array[];
  rtpTimestamp: number;
}

/**
 * The sender side of RFC 6184 (non-interleaved mode), for tests and benchmarks: single NAL unit
 * packets, STAP-A (section 5.7.1) for NAL units that fit together, FU-A (section 5.8) for NAL
 * units larger than `maxPayloadBytes`; the marker bit on each access unit's last packet.
 * @throws RangeError when `maxPayloadBytes` is below 3.
 */
export function packetizeH264(accessUnits: AccessUnitToSend[], options: PacketizeOptions): RtpPacket[] {
  const max = options.maxPayloadBytes;
  if (!Number.isInteger(max) || max < 3) throw new RangeError(`maxPayloadBytes must be an integer of at least 3, got ${max}`);
  const packets: RtpPacket[] = [];
  let sequenceNumber = options.firstSequenceNumber ?? 0;
  for (const accessUnit of accessUnits) {
    const payloads: Uint8Array[] = [];
    let stap: Uint8Array[] = [];
    let stapBytes = 1;
    const flushStap = (): void => {
      if (stap.length === 1) payloads.push(stap[0]!);
      else if (stap.length > 1) {
        const nri = stap.reduce((high, nal) => Math.max(high, nal[0]! & 0x60), 0);
        const out = new Uint8Array(stapBytes);
        out[0] = nri | 24;
        let offset = 1;
        for (const nal of stap) {
          out[offset] = nal.length >> 8;
          out[offset + 1] = nal.length & 0xff;
          out.set(nal, offset + 2);
          offset += 2 + nal.length;
        }
        payloads.push(out);
      }
      stap = [];
      stapBytes = 1;
    };
    for (const nal of accessUnit.nalUnits) {
      if (nal.length > max) {
        flushStap();
        const chunk = max - 2;
        for (let offset = 1; offset < nal.length; offset += chunk) {
          const end = Math.min(nal.length, offset + chunk);
          const out = new Uint8Array(2 + end - offset);
          out[0] = (nal[0]! & 0xe0) | 28;
          out[1] = (offset === 1 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | (nal[0]! & 0x1f);
          out.set(nal.subarray(offset, end), 2);
          payloads.push(out);
        }
      } else if (options.aggregate !== false && nal.length + 2 + stapBytes <= max && nal.length < 0x10000) {
        stap.push(nal);
        stapBytes += 2 + nal.length;
      } else {
        flushStap();
        if (options.aggregate !== false && nal.length + 3 <= max) {
          stap.push(nal);
          stapBytes += 2 + nal.length;
        } else payloads.push(nal);
      }
    }
    flushStap();
    payloads.forEach((payload, i) => {
      packets.push({ payloadType: 96, sequenceNumber, timestamp: accessUnit.rtpTimestamp, ssrc: 1, marker: i === payloads.length - 1, payload });
      sequenceNumber = (sequenceNumber + 1) & 0xffff;
    });
  }
  return packets;
}
