import type { RtpPacket } from '../../rtsp/types.ts';

/**
 * The sender side of RFC 3640 AAC-hbr (sizelength=13, indexlength=3, indexdeltalength=3),
 * for tests and benchmarks: as many consecutive frames per packet as fit in
 * `maxPayloadBytes`; a frame that does not fit alone is fragmented (section 3.2.3) with its
 * full size in each fragment's AU header and the marker bit on the last fragment.
 * @param frames AAC frames, 1 to 8191 bytes each, `ticksPerFrame` apart starting at `firstRtpTimestamp`.
 * @throws RangeError when `maxPayloadBytes` is below 5 or a frame is empty or over 8191 bytes.
 */
export function packetizeAacHbr(
  frames: Uint8Array[],
  options: { maxPayloadBytes: number; firstRtpTimestamp?: number; ticksPerFrame?: number; firstSequenceNumber?: number },
): RtpPacket[] {
  const max = options.maxPayloadBytes;
  if (!Number.isInteger(max) || max < 5) throw new RangeError(`maxPayloadBytes must be an integer of at least 5, got ${max}`);
  const ticksPerFrame = options.ticksPerFrame ?? 1024;
  const packets: RtpPacket[] = [];
  let sequenceNumber = options.firstSequenceNumber ?? 0;
  const push = (timestamp: number, marker: boolean, sizes: number[], body: Uint8Array[]): void => {
    const headerBytes = 2 * sizes.length;
    const payload = new Uint8Array(2 + headerBytes + body.reduce((n, b) => n + b.length, 0));
    payload[0] = (16 * sizes.length) >> 8;
    payload[1] = (16 * sizes.length) & 0xff;
    sizes.forEach((size, i) => {
      payload[2 + 2 * i] = size >> 5;
      payload[3 + 2 * i] = (size & 0x1f) << 3;
    });
    let offset = 2 + headerBytes;
    for (const b of body) {
      payload.set(b, offset);
      offset += b.length;
    }
    packets.push({ payloadType: 97, sequenceNumber, timestamp: timestamp >>> 0, ssrc: 2, marker, payload });
    sequenceNumber = (sequenceNumber + 1) & 0xffff;
  };
  let i = 0;
  while (i < frames.length) {
    const timestamp = (options.firstRtpTimestamp ?? 0) + i * ticksPerFrame;
    const first = frames[i]!;
    if (first.length === 0 || first.length > 8191) throw new RangeError(`AAC frames must be 1 to 8191 bytes, got ${first.length}`);
    if (4 + first.length > max) {
      for (let offset = 0; offset < first.length; offset += max - 4) {
        const end = Math.min(first.length, offset + max - 4);
        push(timestamp, end === first.length, [first.length], [first.subarray(offset, end)]);
      }
      i += 1;
      continue;
    }
    const group: Uint8Array[] = [first];
    let bytes = 4 + first.length;
    while (i + group.length < frames.length) {
      const next = frames[i + group.length]!;
      if (next.length === 0 || next.length > 8191) throw new RangeError(`AAC frames must be 1 to 8191 bytes, got ${next.length}`);
      if (bytes + 2 + next.length > max) break;
      group.push(next);
      bytes += 2 + next.length;
    }
    push(timestamp, true, group.map((f) => f.length), group);
    i += group.length;
  }
  return packets;
}
