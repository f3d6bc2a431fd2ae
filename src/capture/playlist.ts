import { parse, setOptions, types } from 'hls-parser';
import { PlaylistError } from './errors.ts';

setOptions({ strictMode: false, silent: true });

/** One media segment as a media playlist lists it (RFC 8216 section 4.3.2). */
export interface PlaylistSegment {
  /** Media sequence number (section 4.3.3.2 plus the segment's position). */
  msn: number;
  /** Absolute URL, resolved against the playlist's URL (section 4.1). */
  uri: string;
  /** EXTINF duration, in seconds (section 4.3.2.1). */
  durationSec: number;
  /** An EXT-X-DISCONTINUITY tag precedes the segment (section 4.3.2.3). */
  discontinuity: boolean;
  /**
   * The segment's discontinuity sequence number (section 4.3.3.3): EXT-X-DISCONTINUITY-SEQUENCE
   * plus the EXT-X-DISCONTINUITY tags of the playlist up to and including the segment's own.
   */
  discontinuitySequence: number;
  /** EXT-X-PROGRAM-DATE-TIME in ms since the Unix epoch, or null (section 4.3.2.6). */
  programDateTimeMs: number | null;
  /**
   * The EXT-X-KEY in force for the segment when it is METHOD=AES-128 (section 4.3.2.4), or
   * null for a clear segment (no key, or METHOD=NONE).
   */
  key: SegmentKey | null;
  /**
   * EXT-X-BYTERANGE: the segment is this sub-range of the resource at `uri` (section 4.3.2.2),
   * or null for the whole resource.
   */
  byteRange: ByteRange | null;
  /** The EXT-X-MAP in force: the fMP4 init section the segment needs (section 4.3.2.5), or null. */
  map: InitSectionRef | null;
}

/** A sub-range of a resource (RFC 8216 sections 4.3.2.2 and 4.3.2.5), resolved: never an open offset. */
export interface ByteRange {
  /** First byte, counted from 0. */
  offsetBytes: number;
  /** Number of bytes, at least 1. */
  lengthBytes: number;
}

/** Where an fMP4 init section (EXT-X-MAP, RFC 8216 section 4.3.2.5) is. */
export interface InitSectionRef {
  /** Absolute URL of the resource holding the init section. */
  uri: string;
  /** The BYTERANGE attribute (offset 0 when it gives none), or null for the whole resource. */
  byteRange: ByteRange | null;
}

/** An AES-128 key of a segment (RFC 8216 section 4.3.2.4). */
export interface SegmentKey {
  /** Absolute URL of the 16-byte key. */
  uri: string;
  /** The IV attribute's bytes (up to 16, big-endian), or null: the media sequence number is the IV (section 5.2). */
  iv: Uint8Array | null;
}

/** A media playlist at one load (RFC 8216 section 4.3.3). */
export interface MediaPlaylistSnapshot {
  /** URL the playlist came from, after redirects. */
  url: string;
  /** EXT-X-TARGETDURATION, in seconds (section 4.3.3.1). */
  targetDurationSec: number;
  /** EXT-X-MEDIA-SEQUENCE: the first segment's number (section 4.3.3.2); 0 when absent. */
  mediaSequence: number;
  /** EXT-X-DISCONTINUITY-SEQUENCE (section 4.3.3.3); 0 when absent. */
  discontinuitySequence: number;
  /** EXT-X-ENDLIST is present: no segment will be added (section 4.3.3.4). */
  endList: boolean;
  segments: PlaylistSegment[];
}

/** A variant stream of a master playlist (RFC 8216 section 4.3.4.2). */
export interface VariantStream {
  /** Absolute URL of the variant's media playlist. */
  uri: string;
  /** BANDWIDTH, peak bits per second. */
  bandwidthBps: number;
  /** CODECS as RFC 6381 strings; empty when the attribute is absent. */
  codecs: string[];
  /** RESOLUTION, or null. */
  resolution: { width: number; height: number } | null;
}

/** What a playlist turned out to be. */
export type ParsedPlaylist =
  | { type: 'master'; url: string; variants: VariantStream[] }
  | { type: 'media'; playlist: MediaPlaylistSnapshot };

function resolve(uri: string, baseUrl: string, playlistUrl: string): string {
  try {
    return new URL(uri, baseUrl).href;
  } catch {
    throw new PlaylistError(playlistUrl, `the URI "${uri}" cannot be resolved`);
  }
}

/**
 * The AES-128 key of a segment from hls-parser's EXT-X-KEY (RFC 8216 section 4.3.2.4), or null
 * for a clear one.
 * @throws PlaylistError for METHOD=SAMPLE-AES or SAMPLE-AES-CTR, any other unknown method, a
 *   KEYFORMAT other than "identity" (DRM), or an AES-128 key without URI.
 */
function segmentKey(key: types.Key | null | undefined, url: string): SegmentKey | null {
  if (!key || key.method === 'NONE') return null;
  const refused = (what: string) =>
    new PlaylistError(url, `the stream is encrypted with ${what}, which Tapedeck cannot record (only AES-128 is supported); nothing was recorded`);
  if (key.format && key.format !== 'identity') throw refused(`EXT-X-KEY METHOD=${key.method} KEYFORMAT="${key.format}" (DRM)`);
  if (key.method !== 'AES-128') throw refused(`EXT-X-KEY METHOD=${key.method}`);
  if (!key.uri) throw new PlaylistError(url, 'an EXT-X-KEY METHOD=AES-128 has no URI');
  const iv = key.iv ? new Uint8Array(key.iv) : null;
  if (iv && iv.byteLength > 16) throw new PlaylistError(url, `an EXT-X-KEY IV has ${iv.byteLength} bytes, not 16`);
  return { uri: resolve(key.uri, url, url), iv };
}

/**
 * A byte range of hls-parser (offset -1 when the playlist gave none and it could not be worked
 * out) as a {@link ByteRange}.
 * @param openOffsetBytes - the offset to use when the playlist gave none (EXT-X-MAP: 0), or null
 *   when that is an error.
 * @throws PlaylistError for a length below 1, a negative offset, or an open offset not allowed.
 */
function byteRangeOf(range: types.Byterange | undefined, url: string, what: string, openOffsetBytes: number | null): ByteRange | null {
  if (!range) return null;
  const offsetBytes = range.offset >= 0 ? range.offset : openOffsetBytes;
  if (offsetBytes === null) {
    throw new PlaylistError(url, `the ${what} has an EXT-X-BYTERANGE without offset, and the segment before it is not a sub-range of the same resource (RFC 8216 section 4.3.2.2)`);
  }
  if (!Number.isSafeInteger(range.length) || range.length < 1 || !Number.isSafeInteger(offsetBytes)) {
    throw new PlaylistError(url, `the ${what} has a byte range of ${range.length} bytes at ${offsetBytes}, which is not a usable range`);
  }
  return { offsetBytes, lengthBytes: range.length };
}

/**
 * hls-parser decodes each EXTINF title with `decodeURIComponent(escape(title))`, i.e. it expects
 * the title's UTF-8 bytes as a binary string, and throws "URI malformed" on a title already
 * decoded to non-ASCII text (`#EXTINF:10,Café`, common on radio streams). This hands it EXTINF
 * titles in that form and leaves every other line as it is.
 */
function withBinaryTitles(text: string): string {
  return text.replace(/^(#EXTINF:[^,\r\n]*,)(.*)$/gm, (_line, head: string, title: string) => head + unescape(encodeURIComponent(title)));
}

/**
 * An EXT-X-KEY IV is a hexadecimal-sequence giving a 128-bit unsigned integer (RFC 8216
 * sections 4.2 and 4.3.2.4), so `IV=0x1` is the integer 1. hls-parser reads the digits two at a
 * time and turns an odd count into one byte too few (`0x1` gives no bytes, `0x123` gives 0x12), so
 * this left-pads an odd count with a zero, which keeps the integer's value.
 * @throws PlaylistError when an IV holds anything but hexadecimal digits after `0x`.
 */
function withEvenLengthIvs(text: string, url: string): string {
  return text.replace(/^(#EXT-X-(?:SESSION-)?KEY:.*?(?:^|[:,])IV=)([^,\r\n]*)/gm, (_line, head: string, value: string) => {
    const digits = /^0[xX]([0-9a-fA-F]+)$/.exec(value.trim())?.[1];
    if (!digits) throw new PlaylistError(url, `an EXT-X-KEY has IV=${value}, which is not a hexadecimal integer such as 0x00000000000000000000000000000001`);
    return `${head}0x${digits.length % 2 === 1 ? '0' : ''}${digits}`;
  });
}

/**
 * Parses a playlist with hls-parser and checks what recording needs of it.
 * @param text - the playlist body.
 * @param url - the URL it was loaded from (after redirects); relative URIs resolve against it.
 * @throws PlaylistError when the text is not an M3U8 playlist (no `#EXTM3U`, RFC 8216 section
 *   4.3.1.1), a media playlist has no EXT-X-TARGETDURATION, a master playlist has no variant,
 *   a byte range cannot be resolved (section 4.3.2.2), an EXT-X-KEY IV is not a hexadecimal
 *   integer (section 4.3.2.4), or its segments are encrypted other than with METHOD=AES-128
 *   and KEYFORMAT="identity" (SAMPLE-AES, SAMPLE-AES-CTR, DRM key formats).
 */
export function parsePlaylist(text: string, url: string): ParsedPlaylist {
  if (!text.trimStart().startsWith('#EXTM3U')) {
    throw new PlaylistError(url, 'it does not start with #EXTM3U (is this URL an HLS playlist?)');
  }
  const parserText = withBinaryTitles(withEvenLengthIvs(text, url));
  let parsed: types.MasterPlaylist | types.MediaPlaylist;
  try {
    parsed = parse(parserText);
  } catch (error) {
    throw new PlaylistError(url, error instanceof Error ? error.message : String(error));
  }
  if (parsed.isMasterPlaylist) {
    const variants = parsed.variants
      .filter((variant) => !variant.isIFrameOnly && variant.uri)
      .map<VariantStream>((variant) => ({
        uri: resolve(variant.uri, url, url),
        bandwidthBps: variant.bandwidth,
        codecs: variant.codecs ? variant.codecs.split(',').map((codec) => codec.trim()) : [],
        resolution: variant.resolution ?? null,
      }));
    if (variants.length === 0) throw new PlaylistError(url, 'the master playlist lists no variant stream', 'playlist-empty');
    return { type: 'master', url, variants };
  }
  if (!/^#EXT-X-TARGETDURATION:/m.test(text)) {
    throw new PlaylistError(url, 'the media playlist has no #EXT-X-TARGETDURATION');
  }
  const mediaSequence = parsed.mediaSequenceBase ?? 0;
  const segments = parsed.segments.map<PlaylistSegment>((segment, index) => {
    const key = segmentKey(segment.key, url);
    const what = `segment ${mediaSequence + index}`;
    const map = segment.map
      ? { uri: resolve(segment.map.uri, url, url), byteRange: byteRangeOf(segment.map.byterange, url, `EXT-X-MAP of ${what}`, 0) }
      : null;
    return {
      msn: mediaSequence + index,
      uri: resolve(segment.uri, url, url),
      durationSec: segment.duration,
      discontinuity: Boolean(segment.discontinuity),
      discontinuitySequence: segment.discontinuitySequence,
      programDateTimeMs: segment.programDateTime ? segment.programDateTime.getTime() : null,
      key,
      byteRange: byteRangeOf(segment.byterange, url, what, null),
      map,
    };
  });
  return {
    type: 'media',
    playlist: {
      url,
      targetDurationSec: parsed.targetDuration,
      mediaSequence,
      discontinuitySequence: parsed.discontinuitySequenceBase ?? 0,
      endList: parsed.endlist,
      segments,
    },
  };
}

/**
 * The variant with the highest BANDWIDTH; on a tie, the first listed.
 * @throws RangeError for an empty list.
 */
export function selectHighestBandwidth(variants: readonly VariantStream[]): VariantStream {
  const [first, ...rest] = variants;
  if (!first) throw new RangeError('No variant to choose from.');
  return rest.reduce((best, variant) => (variant.bandwidthBps > best.bandwidthBps ? variant : best), first);
}
