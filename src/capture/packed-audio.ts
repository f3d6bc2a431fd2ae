/**
 * Recognising segment formats from their first bytes, and reading the timestamp of packed audio
 * segments (RFC 8216 section 3.4: ADTS AAC, MP3, AC-3 and E-AC-3 frames with an ID3 PRIV
 * timestamp at the start).
 */

/** What a media segment's bytes are. */
export type SegmentFormat = 'mpeg-ts' | 'fmp4' | 'adts' | 'mp3' | 'unknown';

/** Owner of the ID3 PRIV frame that carries a packed audio segment's timestamp (RFC 8216 section 3.4). */
export const TRANSPORT_STREAM_TIMESTAMP_OWNER = 'com.apple.streaming.transportStreamTimestamp';

/** Length of an ID3v2 header, in bytes (ID3v2.4 section 3.1). */
const ID3_HEADER_BYTES = 10;

/** A 28-bit synchsafe integer (ID3v2.4 section 6.2) at `offset`. */
function synchsafe(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! & 0x7f) << 21) | ((bytes[offset + 1]! & 0x7f) << 14) | ((bytes[offset + 2]! & 0x7f) << 7) | (bytes[offset + 3]! & 0x7f);
}

/** True when an ID3v2 tag header starts at `offset`. */
function isId3At(bytes: Uint8Array, offset: number): boolean {
  return bytes.length >= offset + ID3_HEADER_BYTES && bytes[offset] === 0x49 && bytes[offset + 1] === 0x44 && bytes[offset + 2] === 0x33;
}

/**
 * Where the media starts after any ID3v2 tags at the start of `bytes` (ID3v2.4 section 3.1,
 * footer included when flagged).
 * @returns a byte offset, 0 when there is no tag; past the end when the tags are cut short.
 */
export function skipId3Tags(bytes: Uint8Array): number {
  let offset = 0;
  while (isId3At(bytes, offset)) {
    const hasFooter = (bytes[offset + 5]! & 0x10) !== 0;
    offset += ID3_HEADER_BYTES + synchsafe(bytes, offset + 6) + (hasFooter ? ID3_HEADER_BYTES : 0);
  }
  return offset;
}

/**
 * Tells a segment's format from its first bytes: MPEG-TS (sync byte 0x47 every 188 bytes),
 * fMP4/CMAF (an ISO BMFF box: `ftyp`, `styp`, `moof`, `sidx`, `emsg`, `prft`), or, after any
 * ID3v2 tags, ADTS (12-bit syncword, layer 0) or MPEG audio layer III (11-bit sync, layer 01).
 * @param bytes - the segment's first bytes: 1 KiB is enough unless ID3 tags are long.
 */
export function detectSegmentFormat(bytes: Uint8Array): SegmentFormat {
  if (bytes.length >= 1 && bytes[0] === 0x47 && (bytes.length < 189 || bytes[188] === 0x47)) return 'mpeg-ts';
  if (bytes.length >= 8) {
    const type = String.fromCharCode(bytes[4]!, bytes[5]!, bytes[6]!, bytes[7]!);
    if (['ftyp', 'styp', 'moof', 'sidx', 'emsg', 'prft', 'moov'].includes(type)) return 'fmp4';
  }
  const start = skipId3Tags(bytes);
  const b0 = bytes[start];
  const b1 = bytes[start + 1];
  if (b0 !== 0xff || b1 === undefined) return 'unknown';
  if ((b1 & 0xf6) === 0xf0) return 'adts';
  if ((b1 & 0xe0) === 0xe0 && (b1 & 0x06) === 0x02) return 'mp3';
  return 'unknown';
}

/** True for packed audio formats (RFC 8216 section 3.4) that Tapedeck records. */
export function isPackedAudio(format: SegmentFormat): format is 'adts' | 'mp3' {
  return format === 'adts' || format === 'mp3';
}

/**
 * Reads the timestamp of a packed audio segment: the ID3 PRIV frame with owner
 * {@link TRANSPORT_STREAM_TIMESTAMP_OWNER}, whose 8 bytes hold a 33-bit MPEG-2 PTS (RFC 8216
 * section 3.4), from the ID3v2.3/2.4 tags at the start of the segment.
 * @returns the PTS in 90 kHz ticks, or null when the segment has no such frame.
 */
export function readPackedAudioPts90k(bytes: Uint8Array): number | null {
  let tag = 0;
  while (isId3At(bytes, tag)) {
    const version = bytes[tag + 3]!;
    const tagEnd = Math.min(bytes.length, tag + ID3_HEADER_BYTES + synchsafe(bytes, tag + 6));
    let frame = tag + ID3_HEADER_BYTES;
    while (frame + 10 <= tagEnd) {
      const id = String.fromCharCode(bytes[frame]!, bytes[frame + 1]!, bytes[frame + 2]!, bytes[frame + 3]!);
      if (id === '\0\0\0\0') break;
      const size = version >= 4 ? synchsafe(bytes, frame + 4) : ((bytes[frame + 4]! << 24) | (bytes[frame + 5]! << 16) | (bytes[frame + 6]! << 8) | bytes[frame + 7]!) >>> 0;
      const body = bytes.subarray(frame + 10, Math.min(tagEnd, frame + 10 + size));
      if (id === 'PRIV') {
        const nul = body.indexOf(0);
        const owner = new TextDecoder().decode(body.subarray(0, nul < 0 ? body.length : nul));
        if (owner === TRANSPORT_STREAM_TIMESTAMP_OWNER && nul >= 0 && body.length >= nul + 9) {
          const v = body.subarray(nul + 1, nul + 9);
          // 33 bits: the lowest bit of byte 3 and bytes 4..7.
          const low32 = ((v[4]! << 24) | (v[5]! << 16) | (v[6]! << 8) | v[7]!) >>> 0;
          return (v[3]! & 0x01) * 2 ** 32 + low32;
        }
      }
      frame += 10 + size;
    }
    tag += ID3_HEADER_BYTES + synchsafe(bytes, tag + 6);
  }
  return null;
}
