/**
 * Rewrites an HLS playlist (RFC 8216) so that every URI in it comes back through the relay:
 * URI lines (segments, variant streams) and the URI attributes of EXT-X-KEY, EXT-X-SESSION-KEY,
 * EXT-X-MAP, EXT-X-MEDIA, EXT-X-I-FRAME-STREAM-INF, EXT-X-SESSION-DATA, EXT-X-PART,
 * EXT-X-PRELOAD-HINT and EXT-X-RENDITION-REPORT.
 *
 * hls-parser (which parses the playlist first) would drop or reorder tags it does not know if
 * the playlist were re-serialised, so the rewrite is textual: every line is kept as it is except
 * the URI itself, and attribute lists are scanned by the grammar of RFC 8216 section 4.2 so a
 * quoted string that happens to contain `URI=` is never touched.
 */
import { parse, setOptions } from 'hls-parser';

setOptions({ strictMode: false, silent: true });

/** The upstream body is not an HLS playlist (or hls-parser cannot read it). */
export class NotAPlaylistError extends Error {
  override name = 'NotAPlaylistError';
}

/** Tags whose `URI` attribute names a resource (RFC 8216 sections 4.3.2.4, 4.3.2.5, 4.3.4.1, 4.3.4.3-5; LL-HLS). */
export const URI_ATTRIBUTE_TAGS: ReadonlySet<string> = new Set([
  'EXT-X-KEY',
  'EXT-X-SESSION-KEY',
  'EXT-X-MAP',
  'EXT-X-MEDIA',
  'EXT-X-I-FRAME-STREAM-INF',
  'EXT-X-SESSION-DATA',
  'EXT-X-PART',
  'EXT-X-PRELOAD-HINT',
  'EXT-X-RENDITION-REPORT',
]);

/** Options of {@link rewritePlaylist}. */
export interface RewriteOptions {
  /** URL the playlist was fetched from (after redirects): relative URIs resolve against it. */
  playlistUrl: URL;
  /** The relay URL that fetches `absoluteUrl` (an http(s) URL) through the proxy. */
  proxyUrl: (absoluteUrl: string) => string;
}

/** What {@link rewritePlaylist} did. */
export interface RewriteResult {
  text: string;
  /** Whether it is a master (multivariant) playlist. */
  isMasterPlaylist: boolean;
  /** How many URIs were rewritten. */
  rewrittenCount: number;
}

/**
 * Rewrites every http(s) URI of the playlist (after resolving it against `playlistUrl`) with
 * `proxyUrl`. Other schemes (`data:`, `skd:`) are left as they are. Line endings, blank lines,
 * comments, unknown tags and attribute order are preserved.
 * @param text The playlist, starting with `#EXTM3U` (a UTF-8 BOM is allowed).
 * @throws NotAPlaylistError when the text does not start with `#EXTM3U` or hls-parser rejects it.
 */
export function rewritePlaylist(text: string, options: RewriteOptions): RewriteResult {
  if (!/^\uFEFF?#EXTM3U/.test(text)) throw new NotAPlaylistError('The upstream answer is not an HLS playlist (it does not start with #EXTM3U).');
  let isMasterPlaylist: boolean;
  try {
    isMasterPlaylist = parse(asHlsParserInput(text.replace(/^\uFEFF/, ''))).isMasterPlaylist;
  } catch (error) {
    throw new NotAPlaylistError(`The upstream playlist cannot be read: ${(error as Error).message}`);
  }
  let rewrittenCount = 0;
  const rewrite = (uri: string): string => {
    let absolute: URL;
    try {
      absolute = new URL(uri, options.playlistUrl);
    } catch {
      return uri;
    }
    if (absolute.protocol !== 'http:' && absolute.protocol !== 'https:') return uri;
    rewrittenCount += 1;
    return options.proxyUrl(absolute.href);
  };

  const parts = text.split(/(\r\n|\n|\r)/); // odd indexes are the line endings
  for (let index = 0; index < parts.length; index += 2) {
    const line = parts[index] ?? '';
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('#')) {
      const start = line.indexOf(trimmed);
      parts[index] = `${line.slice(0, start)}${rewrite(trimmed)}${line.slice(start + trimmed.length)}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0 || !trimmed.startsWith('#EXT')) continue;
    const tag = line.slice(line.indexOf('#') + 1, colon).trim();
    if (!URI_ATTRIBUTE_TAGS.has(tag)) continue;
    parts[index] = line.slice(0, colon + 1) + rewriteUriAttribute(line.slice(colon + 1), rewrite);
  }
  return { text: parts.join(''), isMasterPlaylist, rewrittenCount };
}

/**
 * hls-parser reads EXTINF titles with `decodeURIComponent(escape(title))`, i.e. it expects the
 * playlist's UTF-8 bytes as one character each (Latin-1) and throws "URI malformed" on a title
 * already decoded, such as a radio show's `#EXTINF:10,Café`. Give it the text that way.
 */
export function asHlsParserInput(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** One attribute of an attribute list: name, and where its value sits in the list text. */
export interface AttributeSpan {
  name: string;
  /** Index of the value's first character (the opening quote for a quoted string). */
  valueStart: number;
  /** Index just past the value. */
  valueEnd: number;
  quoted: boolean;
}

/**
 * Scans an attribute list (RFC 8216 section 4.2): `NAME=value` pairs separated by commas,
 * values either quoted strings (no `"`, commas allowed inside) or unquoted up to the next comma.
 * Lenient with what real servers write: spaces around names, a missing closing quote.
 */
export function scanAttributeList(list: string): AttributeSpan[] {
  const spans: AttributeSpan[] = [];
  let pos = 0;
  while (pos < list.length) {
    const equals = list.indexOf('=', pos);
    const comma = list.indexOf(',', pos);
    if (equals < 0 || (comma >= 0 && comma < equals)) {
      // A bare item without '=' (not in the grammar): skip it.
      if (comma < 0) break;
      pos = comma + 1;
      continue;
    }
    const name = list.slice(pos, equals).trim();
    let valueStart = equals + 1;
    while (list[valueStart] === ' ') valueStart += 1;
    let valueEnd: number;
    const quoted = list[valueStart] === '"';
    if (quoted) {
      const close = list.indexOf('"', valueStart + 1);
      valueEnd = close < 0 ? list.length : close + 1;
    } else {
      const next = list.indexOf(',', valueStart);
      valueEnd = next < 0 ? list.length : next;
    }
    spans.push({ name, valueStart, valueEnd, quoted });
    const next = list.indexOf(',', valueEnd);
    if (next < 0) break;
    pos = next + 1;
  }
  return spans;
}

/** Replaces the value of the `URI` attribute(s), keeping everything else byte for byte. */
function rewriteUriAttribute(list: string, rewrite: (uri: string) => string): string {
  let out = '';
  let copied = 0;
  for (const span of scanAttributeList(list)) {
    if (span.name !== 'URI') continue;
    const raw = list.slice(span.valueStart, span.valueEnd);
    const uri = span.quoted ? raw.replace(/^"/, '').replace(/"$/, '') : raw.trim();
    if (uri === '') continue;
    out += list.slice(copied, span.valueStart) + (span.quoted ? `"${rewrite(uri)}"` : rewrite(uri));
    copied = span.valueEnd;
  }
  return out + list.slice(copied);
}
