/**
 * RTP packets (RFC 3550 section 5.1): the fixed header, CSRC list, header extension
 * (section 5.3.1) and padding.
 */
import type { RtpPacket } from '../rtsp/types.ts';

/** An RTP packet with the parts of the header {@link RtpPacket} leaves out. */
export interface ParsedRtpPacket extends RtpPacket {
  /** Contributing sources, 0 to 15 32-bit SSRCs. */
  csrcs: number[];
  /** Header extension (section 5.3.1): 16-bit profile-defined id and its data (a copy), or null. */
  extension: { profile: number; data: Uint8Array } | null;
  /** Padding bytes removed from the end, including the count byte; 0 without padding. */
  paddingBytes: number;
}

/** Why bytes are not an RTP packet; dropped and counted by the caller, never thrown. */
export interface RtpPacketProblem {
  problem: 'too-short' | 'bad-version' | 'bad-csrc' | 'bad-extension' | 'bad-padding';
  /** In words, with the numbers. */
  detail: string;
}

/** Length of the fixed RTP header, in bytes. */
export const RTP_FIXED_HEADER_BYTES = 12;

/**
 * Parses one RTP packet. The payload is a copy, so the input buffer may be reused.
 * @returns The packet, or a {@link RtpPacketProblem} (never throws) when the bytes are
 *   shorter than the header they announce, the version is not 2, or the padding count is 0 or
 *   larger than what follows the header.
 */
export function parseRtpPacket(bytes: Uint8Array): ParsedRtpPacket | RtpPacketProblem {
  if (bytes.length < RTP_FIXED_HEADER_BYTES) {
    return { problem: 'too-short', detail: `${bytes.length} bytes, the fixed header needs ${RTP_FIXED_HEADER_BYTES}` };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const first = bytes[0]!;
  const version = first >> 6;
  if (version !== 2) return { problem: 'bad-version', detail: `RTP version ${version}, expected 2` };
  const hasPadding = (first & 0x20) !== 0;
  const hasExtension = (first & 0x10) !== 0;
  const csrcCount = first & 0x0f;
  const second = bytes[1]!;
  let offset = RTP_FIXED_HEADER_BYTES;
  if (bytes.length < offset + csrcCount * 4) {
    return { problem: 'bad-csrc', detail: `${csrcCount} CSRCs announced, ${bytes.length} bytes in the packet` };
  }
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i += 1) csrcs.push(view.getUint32(offset + i * 4));
  offset += csrcCount * 4;
  let extension: ParsedRtpPacket['extension'] = null;
  if (hasExtension) {
    if (bytes.length < offset + 4) return { problem: 'bad-extension', detail: 'header extension cut short' };
    const profile = view.getUint16(offset);
    const lengthBytes = view.getUint16(offset + 2) * 4;
    if (bytes.length < offset + 4 + lengthBytes) {
      return { problem: 'bad-extension', detail: `header extension of ${lengthBytes} bytes, ${bytes.length - offset - 4} left` };
    }
    extension = { profile, data: bytes.slice(offset + 4, offset + 4 + lengthBytes) };
    offset += 4 + lengthBytes;
  }
  let end = bytes.length;
  let paddingBytes = 0;
  if (hasPadding) {
    paddingBytes = bytes[bytes.length - 1]!;
    if (paddingBytes === 0 || paddingBytes > bytes.length - offset) {
      return { problem: 'bad-padding', detail: `padding count ${paddingBytes}, ${bytes.length - offset} bytes after the header` };
    }
    end -= paddingBytes;
  }
  return {
    payloadType: second & 0x7f,
    marker: (second & 0x80) !== 0,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    csrcs,
    extension,
    paddingBytes,
    payload: bytes.slice(offset, end),
  };
}

/** True when {@link parseRtpPacket} gave a problem instead of a packet. */
export function isRtpPacketProblem(result: ParsedRtpPacket | RtpPacketProblem): result is RtpPacketProblem {
  return 'problem' in result;
}

/** What {@link serializeRtpPacket} writes. */
export interface RtpPacketFields extends RtpPacket {
  csrcs?: number[];
  extension?: { profile: number; data: Uint8Array } | null;
  /** Padding bytes to add, including the count byte (0 to 255). */
  paddingBytes?: number;
}

/**
 * Writes an RTP packet (RFC 3550 section 5.1); used by tests and tools.
 * @throws RangeError when the extension data is not a multiple of 4 bytes, more than 15 CSRCs
 *   are given, or a field is out of range.
 */
export function serializeRtpPacket(fields: RtpPacketFields): Uint8Array {
  const csrcs = fields.csrcs ?? [];
  const extension = fields.extension ?? null;
  const paddingBytes = fields.paddingBytes ?? 0;
  if (csrcs.length > 15) throw new RangeError(`At most 15 CSRCs, got ${csrcs.length}`);
  if (extension && extension.data.length % 4 !== 0) throw new RangeError(`Extension data must be a multiple of 4 bytes, got ${extension.data.length}`);
  if (!Number.isInteger(paddingBytes) || paddingBytes < 0 || paddingBytes > 255) throw new RangeError(`paddingBytes must be 0 to 255, got ${paddingBytes}`);
  const extensionBytes = extension ? 4 + extension.data.length : 0;
  const total = RTP_FIXED_HEADER_BYTES + csrcs.length * 4 + extensionBytes + fields.payload.length + paddingBytes;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out[0] = 0x80 | (paddingBytes > 0 ? 0x20 : 0) | (extension ? 0x10 : 0) | csrcs.length;
  out[1] = (fields.marker ? 0x80 : 0) | (fields.payloadType & 0x7f);
  view.setUint16(2, fields.sequenceNumber & 0xffff);
  view.setUint32(4, fields.timestamp >>> 0);
  view.setUint32(8, fields.ssrc >>> 0);
  let offset = RTP_FIXED_HEADER_BYTES;
  for (const csrc of csrcs) {
    view.setUint32(offset, csrc >>> 0);
    offset += 4;
  }
  if (extension) {
    view.setUint16(offset, extension.profile & 0xffff);
    view.setUint16(offset + 2, extension.data.length / 4);
    out.set(extension.data, offset + 4);
    offset += extensionBytes;
  }
  out.set(fields.payload, offset);
  if (paddingBytes > 0) out[total - 1] = paddingBytes;
  return out;
}
