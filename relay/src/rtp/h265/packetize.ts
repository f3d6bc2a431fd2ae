import type { RtpPacket } from '../../rtsp/types.ts';
import type { AccessUnitToSend, PacketizeOptions } from '../h264/packetize.ts';

/**
 * The sender side of RFC 7798 without DONL, for tests and benchmarks: single NAL unit packets,
 * aggregation packets (section 4.4.2) for NAL units that fit together, fragmentation units
 * (section 4.4.3) for NAL units larger than `maxPayloadBytes`; marker bit on each access
 * unit's last packet. NAL units must be at least 3 bytes (2-byte header and a payload byte).
 * @throws RangeError when `maxPayloadBytes` is below 4.
 */
export function packetizeH265(accessUnits: AccessUnitToSend[], options: PacketizeOptions): RtpPacket[] {
  const max = options.maxPayloadBytes;
  if (!Number.isInteger(max) || max < 4) throw new RangeError(`maxPayloadBytes must be an integer of at least 4, got ${max}`);
  const packets: RtpPacket[] = [];
  let sequenceNumber = options.firstSequenceNumber ?? 0;
  for (const accessUnit of accessUnits) {
    const payloads: Uint8Array[] = [];
    let ap: Uint8Array[] = [];
    let apBytes = 2;
    const flushAp = (): void => {
      if (ap.length === 1) payloads.push(ap[0]!);
      else if (ap.length > 1) {
        const out = new Uint8Array(apBytes);
        const layerId = Math.min(...ap.map((nal) => ((nal[0]! & 1) << 5) | (nal[1]! >> 3)));
        const tid = Math.min(...ap.map((nal) => nal[1]! & 7));
        out[0] = (48 << 1) | (layerId >> 5);
        out[1] = ((layerId & 0x1f) << 3) | tid;
        let offset = 2;
        for (const nal of ap) {
          out[offset] = nal.length >> 8;
          out[offset + 1] = nal.length & 0xff;
          out.set(nal, offset + 2);
          offset += 2 + nal.length;
        }
        payloads.push(out);
      }
      ap = [];
      apBytes = 2;
    };
    for (const nal of accessUnit.nalUnits) {
      if (nal.length > max) {
        flushAp();
        const chunk = max - 3;
        const type = (nal[0]! >> 1) & 0x3f;
        for (let offset = 2; offset < nal.length; offset += chunk) {
          const end = Math.min(nal.length, offset + chunk);
          const out = new Uint8Array(3 + end - offset);
          out[0] = (nal[0]! & 0x81) | (49 << 1);
          out[1] = nal[1]!;
          out[2] = (offset === 2 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
          out.set(nal.subarray(offset, end), 3);
          payloads.push(out);
        }
      } else if (options.aggregate !== false && nal.length + 2 + apBytes <= max) {
        ap.push(nal);
        apBytes += 2 + nal.length;
      } else {
        flushAp();
        if (options.aggregate !== false && nal.length + 4 <= max) {
          ap.push(nal);
          apBytes += 2 + nal.length;
        } else payloads.push(nal);
      }
    }
    flushAp();
    payloads.forEach((payload, i) => {
      packets.push({ payloadType: 96, sequenceNumber, timestamp: accessUnit.rtpTimestamp, ssrc: 1, marker: i === payloads.length - 1, payload });
      sequenceNumber = (sequenceNumber + 1) & 0xffff;
    });
  }
  return packets;
}
