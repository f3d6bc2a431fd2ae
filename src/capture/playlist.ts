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
  /** EXT-X-PROGRAM-DATE-TIME in ms since the Unix epoch, or null (section 4.3.2.6). */
  programDateTimeMs: number | null;
  /**
   * The EXT-X-KEY in force for the segment when it is METHOD=AES-128 (section 4.3.2.4), or
   * null for a clear segment (no key, or METHOD=NONE).
   */
  key: SegmentKey | null;
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
 * Parses a playlist with hls-parser and checks what recording needs of it.
 * @param text - the playlist body.
 * @param url - the URL it was loaded from (after redirects); relative URIs resolve against it.
 * @throws PlaylistError when the text is not an M3U8 playlist (no `#EXTM3U`, RFC 8216 section
 *   4.3.1.1), a media playlist has no EXT-X-TARGETDURATION, a master playlist has no variant,
 *   the stream uses features not supported yet (fMP4 init sections, byte ranges), or its
 *   segments are encrypted other than with METHOD=AES-128 and KEYFORMAT="identity"
 *   (SAMPLE-AES, SAMPLE-AES-CTR, DRM key formats).
 */
export function parsePlaylist(text: string, url: string): ParsedPlaylist {
  if (!text.trimStart().startsWith('#EXTM3U')) {
    throw new PlaylistError(url, 'it does not start with #EXTM3U (is this URL an HLS playlist?)');
  }
  let parsed: types.MasterPlaylist | types.MediaPlaylist;
  try {
    parsed = parse(text);
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
    if (segment.map) {
      throw new PlaylistError(url, 'fMP4 segments with an init section (EXT-X-MAP) are not supported yet');
    }
    if (segment.byterange) {
      throw new PlaylistError(url, 'byte-range segments (EXT-X-BYTERANGE) are not supported yet');
    }
    return {
      msn: mediaSequence + index,
      uri: resolve(segment.uri, url, url),
      durationSec: segment.duration,
      discontinuity: Boolean(segment.discontinuity),
      programDateTimeMs: segment.programDateTime ? segment.programDateTime.getTime() : null,
      key,
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
