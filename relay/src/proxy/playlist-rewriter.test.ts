/**
 * Property tests of the playlist rewriter: for any playlist built from the tags of RFC 8216
 * (with URIs of every kind, quoted strings holding commas and `URI=`, unknown tags, comments,
 * CRLF or LF), the rewrite changes exactly the URIs, each to the proxy URL of its resolved
 * absolute URL, and keeps every other byte.
 */
import fc from 'fast-check';
import { parse } from 'hls-parser';
import { describe, expect, it } from 'vitest';
import { asHlsParserInput, NotAPlaylistError, rewritePlaylist, scanAttributeList } from './playlist-rewriter.ts';

const PLAYLIST_URL = new URL('http://origin.test/live/sub/index.m3u8?session=1');
const proxyUrl = (absolute: string) => `https://relay.test/proxy?url=${encodeURIComponent(absolute)}&token=t`;

/** A line as text before a URI, the URI (absent for lines without one), and text after it. */
interface LinePart {
  before: string;
  uri?: string;
  after?: string;
}

/** What the rewriter must turn a URI into. */
function expectedUri(uri: string): string {
  const absolute = new URL(uri, PLAYLIST_URL);
  return absolute.protocol === 'http:' || absolute.protocol === 'https:' ? proxyUrl(absolute.href) : uri;
}

const segment = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,11}$/);
const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
const query = fc.option(fc.stringMatching(/^[a-z]{1,5}=[A-Za-z0-9%._-]{0,8}$/), { nil: undefined });
const uri: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', '../', '/', 'http://cdn.test/', 'https://cdn2.test:8443/a/', '//cdn3.test/', 'HTTPS://Cdn4.Test/'),
    path,
    query,
  )
  .map(([prefix, p, q]) => `${prefix}${p}${q === undefined ? '' : `?${q}`}`);
const keyUri = fc.oneof({ weight: 4, arbitrary: uri }, fc.constantFrom('skd://key-id-1', 'data:text/plain;base64,AAAAAAAAAAAAAAAAAAAAAA=='));
/** A quoted-string body (RFC 8216 section 4.2: no `"`, CR or LF), often with commas and `URI=`. */
const quotedText = fc.array(fc.constantFrom('a', 'Z', '0', ',', '=', 'URI=', ' ', 'é', '/', ':', '#', 'URI'), { maxLength: 8 }).map((chars) => chars.join(''));
const unknownTag = fc.tuple(quotedText, uri).map(([text, u]): LinePart => ({ before: `#EXT-X-VENDOR-THING:LABEL="${text}",URI="${u}",X=1` }));
const comment = quotedText.map((text): LinePart => ({ before: `# note ${text}` }));
const extras = fc.array(fc.oneof(unknownTag, comment, fc.constant<LinePart>({ before: '' })), { maxLength: 2 });

const mediaSegment = fc
  .record({
    key: fc.option(fc.tuple(keyUri, fc.boolean(), quotedText), { nil: undefined }),
    discontinuity: fc.boolean(),
    durationSec: fc.integer({ min: 1, max: 6 }),
    title: quotedText,
    uri,
    extras,
  })
  .map(({ key, discontinuity, durationSec, title, uri: segmentUri, extras: extraLines }): LinePart[] => [
    ...(key === undefined ? [] : [{ before: `#EXT-X-KEY:METHOD=AES-128,KEYFORMAT="${key[2]}",URI="`, uri: key[0], after: key[1] ? '",IV=0x000102030405060708090a0b0c0d0e0f' : '"' }]),
    ...(discontinuity ? [{ before: '#EXT-X-DISCONTINUITY' }] : []),
    ...extraLines,
    { before: `#EXTINF:${durationSec}.000,${title.replace(/,/g, ' ')}` },
    { before: '', uri: segmentUri },
  ]);

const mediaPlaylist = fc
  .record({
    sequence: fc.nat(100_000),
    map: fc.option(uri, { nil: undefined }),
    segments: fc.array(mediaSegment, { minLength: 1, maxLength: 6 }),
    ended: fc.boolean(),
  })
  .map(({ sequence, map, segments, ended }): LinePart[] => [
    { before: '#EXTM3U' },
    { before: '#EXT-X-VERSION:6' },
    { before: '#EXT-X-TARGETDURATION:6' },
    { before: `#EXT-X-MEDIA-SEQUENCE:${sequence}` },
    ...(map === undefined ? [] : [{ before: '#EXT-X-MAP:URI="', uri: map, after: '"' }]),
    ...segments.flat(),
    ...(ended ? [{ before: '#EXT-X-ENDLIST' }] : []),
  ]);

const masterPlaylist = fc
  .record({
    renditions: fc.array(fc.tuple(quotedText, uri, fc.boolean()), { maxLength: 3 }),
    iFrames: fc.array(uri, { maxLength: 2 }),
    sessionKey: fc.option(keyUri, { nil: undefined }),
    variants: fc.array(fc.tuple(fc.integer({ min: 1000, max: 9_000_000 }), uri, extras), { minLength: 1, maxLength: 4 }),
  })
  .map(({ renditions, iFrames, sessionKey, variants }): LinePart[] => [
    { before: '#EXTM3U' },
    ...(sessionKey === undefined ? [] : [{ before: '#EXT-X-SESSION-KEY:METHOD=AES-128,URI="', uri: sessionKey, after: '"' }]),
    ...renditions.map(([name, u, uriFirst]): LinePart =>
      uriFirst
        ? { before: '#EXT-X-MEDIA:URI="', uri: u, after: `",TYPE=AUDIO,GROUP-ID="aud",NAME="${name}"` }
        : { before: `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="${name}",DEFAULT=NO,URI="`, uri: u, after: '"' },
    ),
    ...iFrames.map((u): LinePart => ({ before: '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,CODECS="avc1.4d401f",URI="', uri: u, after: '"' })),
    ...variants.flatMap(([bandwidth, u, extraLines]): LinePart[] => [
      ...extraLines,
      { before: `#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth},CODECS="avc1.4d401f,mp4a.40.2"${renditions.length > 0 ? ',AUDIO="aud"' : ''}` },
      { before: '', uri: u },
    ]),
  ]);

const playlist = fc.tuple(fc.oneof(mediaPlaylist, masterPlaylist), fc.constantFrom('\n', '\r\n'), fc.boolean()).map(([lines, eol, finalEol]) => {
  const join = (render: (line: LinePart) => string) => lines.map(render).join(eol) + (finalEol ? eol : '');
  return {
    input: join((line) => `${line.before}${line.uri ?? ''}${line.after ?? ''}`),
    expected: join((line) => `${line.before}${line.uri === undefined ? '' : expectedUri(line.uri)}${line.after ?? ''}`),
    uriCount: lines.filter((line) => line.uri !== undefined && expectedUri(line.uri) !== line.uri).length,
  };
});

describe('rewritePlaylist', () => {
  it('changes exactly the URIs of any playlist, each to the proxy URL of its absolute URL', () => {
    fc.assert(
      fc.property(playlist, ({ input, expected, uriCount }) => {
        const result = rewritePlaylist(input, { playlistUrl: PLAYLIST_URL, proxyUrl });
        expect(result.text).toBe(expected);
        expect(result.rewrittenCount).toBe(uriCount);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every tag: hls-parser reads the same playlist back, URIs aside', () => {
    fc.assert(
      fc.property(playlist, ({ input }) => {
        const before = parse(asHlsParserInput(input));
        const after = parse(asHlsParserInput(rewritePlaylist(input, { playlistUrl: PLAYLIST_URL, proxyUrl }).text));
        expect(after.isMasterPlaylist).toBe(before.isMasterPlaylist);
        const unproxy = (value: string) => (value.startsWith('https://relay.test/proxy?') ? (new URL(value).searchParams.get('url') ?? '') : value);
        const absolute = (value: string) => {
          const resolved = new URL(value, PLAYLIST_URL);
          return resolved.protocol.startsWith('http') ? resolved.href : value;
        };
        expect(normalise(after, unproxy)).toEqual(normalise(before, absolute));
      }),
      { numRuns: 200 },
    );
  });

  it('rewrites ffmpeg\'s own output with a BOM and keeps an unknown scheme as it is', () => {
    const input = '\uFEFF#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://abc",KEYFORMAT="com.apple.streamingkeydelivery"\n#EXTINF:2.0,\nseg0.ts\n';
    const { text } = rewritePlaylist(input, { playlistUrl: PLAYLIST_URL, proxyUrl });
    expect(text).toBe(`\uFEFF#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://abc",KEYFORMAT="com.apple.streamingkeydelivery"\n#EXTINF:2.0,\n${proxyUrl('http://origin.test/live/sub/seg0.ts')}\n`);
  });

  it('refuses what is not a playlist', () => {
    for (const text of ['', '<html></html>', ' #EXTM3U', '\u0000\u0000']) {
      expect(() => rewritePlaylist(text, { playlistUrl: PLAYLIST_URL, proxyUrl }), JSON.stringify(text)).toThrow(NotAPlaylistError);
    }
  });
});

describe('scanAttributeList', () => {
  it('finds each attribute\'s name and value, commas inside quoted strings included', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.stringMatching(/^[A-Z][A-Z0-9-]{0,8}$/), fc.oneof(quotedText.map((t) => `"${t}"`), fc.stringMatching(/^[A-Za-z0-9.x-]{1,8}$/))), { maxLength: 6 }), (attributes) => {
        const list = attributes.map(([name, value]) => `${name}=${value}`).join(',');
        const spans = scanAttributeList(list);
        expect(spans.map((span) => [span.name, list.slice(span.valueStart, span.valueEnd)])).toEqual(attributes);
      }),
    );
  });
});

/** The parsed playlist as plain data with every `uri` mapped and hls-parser's `source` text removed. */
function normalise(value: unknown, mapUri: (uri: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => normalise(item, mapUri));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === 'source') continue;
    out[key] = key === 'uri' && typeof item === 'string' ? mapUri(item) : normalise(item, mapUri);
  }
  return out;
}
