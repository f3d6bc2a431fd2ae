/**
 * `GET /proxy?url=<absolute URL>[&source=<id>]&token=...` (or `/proxy/<file name>?...`): fetches an upstream HLS resource for a
 * browser that cannot (CORS, Referer). Playlists are rewritten so every URI in them comes back
 * here with the same source and token; anything else (segments, keys, init sections) is piped
 * through without being held whole, within size and time limits.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpError } from '../http/errors.ts';
import type { RequestContext, Route } from '../http/router.ts';
import type { Logger } from '../log.ts';
import type { AddressPolicy } from './address-policy.ts';
import { NotAPlaylistError, rewritePlaylist } from './playlist-rewriter.ts';
import { isInsidePrefix, type ProxySource } from './source.ts';
import { checkUpstreamUrl, requestUpstream, UpstreamError, type UpstreamResponse } from './upstream-request.ts';

/** Limits and collaborators of the proxy. */
export interface ProxyOptions {
  /** The source with this id, or undefined. */
  findSource: (id: string) => ProxySource | undefined;
  policy: AddressPolicy;
  maxRedirects: number;
  /** Longest wait for upstream response headers, in ms. */
  upstreamHeadersTimeoutMs: number;
  /** Longest pause between two body chunks, in ms. */
  upstreamIdleTimeoutMs: number;
  /** Largest playlist, in bytes. */
  maxPlaylistBytes: number;
  /** Largest other body, in bytes. */
  maxSegmentBytes: number;
  logger: Logger;
}

/** Content type of rewritten playlists (RFC 8216 section 4). */
const PLAYLIST_CONTENT_TYPE = 'application/vnd.apple.mpegurl';
/** Upstream headers passed on with piped bodies. */
const PASSED_HEADERS = ['content-type', 'content-length', 'content-range', 'accept-ranges', 'last-modified', 'etag', 'cache-control', 'expires'];

/** Relay URL that fetches `absoluteUrl` through the proxy, with the source (if any) and token. */
export function proxyUrlFor(baseUrl: string, absoluteUrl: string, token: string, sourceId: string | null): string {
  const source = sourceId === null ? '' : `&source=${encodeURIComponent(sourceId)}`;
  return `${baseUrl}/proxy/${encodeURIComponent(lastPathSegment(absoluteUrl))}?url=${encodeURIComponent(absoluteUrl)}${source}&token=${encodeURIComponent(token)}`;
}

/**
 * The file name at the end of the URL's path (`seg001.ts`), or `file`. Rewritten URIs carry it
 * (`/proxy/seg001.ts?url=...`) for players that look at the extension (ffmpeg's HLS demuxer).
 */
function lastPathSegment(absoluteUrl: string): string {
  try {
    const name = decodeURIComponent(new URL(absoluteUrl).pathname.split('/').pop() ?? '');
    return /^[\w.-]{1,100}$/.test(name) ? name : 'file';
  } catch {
    return 'file';
  }
}

/**
 * The `/proxy` route. Errors (JSON `{ error: { code, message } }`): 400 `missing_url`,
 * `upstream_bad_url`; 404 `source_not_found`; 403 `outside_source_prefix`,
 * `upstream_forbidden_address`; 502 `upstream_status` (upstream answered 4xx/5xx; the message
 * has its status), `upstream_unreachable`, `upstream_too_many_redirects`,
 * `upstream_too_large`, `upstream_not_playlist`; 504 `upstream_timeout`. A segment that goes
 * over its size or time limit after its headers were sent is cut off (the connection is reset).
 */
export function proxyRoutes(options: ProxyOptions): Route[] {
  const handler = (ctx: RequestContext) => handleProxy(ctx, options);
  // `/proxy/<file name>` is the same: the name is only there for players that look at it.
  return [
    { method: 'GET', path: '/proxy', handler },
    { method: 'GET', path: '/proxy/:name', handler },
  ];
}

async function handleProxy(ctx: RequestContext, options: ProxyOptions): Promise<void> {
  const target = ctx.url.searchParams.get('url');
  if (target === null || target === '') throw new HttpError(400, 'missing_url', 'Give the stream URL to fetch: /proxy?url=<absolute http(s) URL>.');
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new HttpError(400, 'upstream_bad_url', `The url parameter is not an absolute URL: ${JSON.stringify(target.slice(0, 200))}.`);
  }
  checkUpstreamUrl(url);
  const sourceId = ctx.url.searchParams.get('source');
  let source: ProxySource | undefined;
  if (sourceId !== null && sourceId !== '') {
    source = options.findSource(sourceId);
    if (source === undefined) throw new HttpError(404, 'source_not_found', `No proxy source has the id ${JSON.stringify(sourceId)}.`);
    if (!isInsidePrefix(source, url.href)) {
      throw new HttpError(403, 'outside_source_prefix', `The source ${JSON.stringify(source.id)} only applies to URLs starting with ${source.urlPrefix}.`);
    }
  }

  const abort = new AbortController();
  const onClose = () => {
    if (!ctx.res.writableFinished) abort.abort();
  };
  ctx.res.once('close', onClose);
  const range = ctx.req.headers.range;
  const upstream = await requestUpstream(url, {
    headersFor: (hop) => (source !== undefined && isInsidePrefix(source, hop.href) ? source.headers : {}),
    policy: options.policy,
    maxRedirects: options.maxRedirects,
    headersTimeoutMs: options.upstreamHeadersTimeoutMs,
    signal: abort.signal,
    ...(range === undefined ? {} : { range }),
  });
  if (upstream.status >= 300) {
    upstream.body.destroy();
    const hint = upstream.status === 401 || upstream.status === 403 ? ' If the site needs a Referer, User-Agent or cookie, add a source with those headers (POST /api/sources) and use ?source=<id>.' : '';
    throw new UpstreamError(502, 'upstream_status', `The upstream server answered ${upstream.status} ${upstream.body.statusMessage ?? ''} for ${upstream.url.href}.${hint}`.replace(/ +\./g, '.'));
  }
  const declared = Number(upstream.headers['content-length']);
  const first = await readFirstChunk(upstream.body, options.upstreamIdleTimeoutMs, upstream.url);
  if (looksLikePlaylist(upstream, first)) {
    if (Number.isFinite(declared) && declared > options.maxPlaylistBytes) {
      upstream.body.destroy();
      throw tooLarge(upstream.url, options.maxPlaylistBytes, 'playlist');
    }
    const text = await readRest(upstream.body, first, options.maxPlaylistBytes, options.upstreamIdleTimeoutMs, upstream.url);
    let rewritten: string;
    try {
      rewritten = rewritePlaylist(text, {
        playlistUrl: upstream.url,
        proxyUrl: (absolute) => proxyUrlFor(ctx.baseUrl, absolute, ctx.token, source !== undefined && isInsidePrefix(source, absolute) ? source.id : null),
      }).text;
    } catch (error) {
      if (error instanceof NotAPlaylistError) throw new UpstreamError(502, 'upstream_not_playlist', `${error.message} (${upstream.url.href})`);
      throw error;
    }
    ctx.res.writeHead(200, {
      ...ctx.cors,
      'Content-Type': PLAYLIST_CONTENT_TYPE,
      'Content-Length': String(Buffer.byteLength(rewritten)),
      'Cache-Control': 'no-cache',
    });
    ctx.res.end(rewritten);
    return;
  }
  if (Number.isFinite(declared) && declared > options.maxSegmentBytes) {
    upstream.body.destroy();
    throw tooLarge(upstream.url, options.maxSegmentBytes, 'response');
  }
  await pipeBody(ctx.res, ctx.cors, upstream, first, options);
}

/** Playlists by content type, by `.m3u8`/`.m3u` path, or by a body starting with `#EXTM3U`. */
function looksLikePlaylist(upstream: UpstreamResponse, first: Buffer | null): boolean {
  const type = (upstream.headers['content-type'] ?? '').toLowerCase();
  if (type.includes('mpegurl')) return true;
  if (/\.m3u8?$/i.test(upstream.url.pathname)) return true;
  return first !== null && /^(\uFEFF)?\s*#EXTM3U/.test(first.subarray(0, 16).toString('utf8'));
}

function tooLarge(url: URL, limitBytes: number, what: string): UpstreamError {
  return new UpstreamError(502, 'upstream_too_large', `The upstream ${what} at ${url.href} is larger than the relay's limit of ${limitBytes} bytes.`);
}

function idleTimeout(url: URL, idleMs: number): UpstreamError {
  return new UpstreamError(504, 'upstream_timeout', `The upstream server stopped sending ${url.href} for over ${idleMs} ms.`);
}

/** First chunk of the body, or null when it is empty. @throws UpstreamError on a stall. */
function readFirstChunk(body: IncomingMessage, idleMs: number, url: URL): Promise<Buffer | null> {
  return new Promise<Buffer | null>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      body.off('readable', onReadable);
      body.off('end', onEnd);
      body.off('error', onError);
    };
    const onReadable = () => {
      const chunk = body.read() as Buffer | null;
      if (chunk === null) return;
      done();
      resolve(chunk);
    };
    const onEnd = () => {
      done();
      resolve(null);
    };
    const onError = (error: Error) => {
      done();
      reject(error instanceof UpstreamError ? error : new UpstreamError(502, 'upstream_unreachable', `The upstream connection failed: ${error.message}`));
    };
    const timer = setTimeout(() => {
      done();
      const error = idleTimeout(url, idleMs);
      body.destroy();
      reject(error);
    }, idleMs);
    body.on('readable', onReadable);
    body.once('end', onEnd);
    body.once('error', onError);
  });
}

/** The rest of a playlist body after `first`, as UTF-8 text. @throws UpstreamError past the limits. */
async function readRest(body: IncomingMessage, first: Buffer | null, maxBytes: number, idleMs: number, url: URL): Promise<string> {
  const chunks: Buffer[] = first === null ? [] : [first];
  let bytes = first?.byteLength ?? 0;
  if (bytes > maxBytes) {
    body.destroy();
    throw tooLarge(url, maxBytes, 'playlist');
  }
  body.setTimeout(idleMs, () => body.destroy(idleTimeout(url, idleMs)));
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) {
        body.destroy();
        throw tooLarge(url, maxBytes, 'playlist');
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    throw new UpstreamError(502, 'upstream_unreachable', `The upstream connection failed while reading ${url.href}: ${(error as Error).message}`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Streams the body to the client (backpressure kept), cutting it off past the size or idle limit. */
async function pipeBody(res: ServerResponse, cors: Record<string, string>, upstream: UpstreamResponse, first: Buffer | null, options: ProxyOptions): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = upstream.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  headers['content-type'] ??= 'application/octet-stream';
  res.writeHead(upstream.status, { ...cors, ...headers });
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.byteLength;
      if (bytes > options.maxSegmentBytes) callback(tooLarge(upstream.url, options.maxSegmentBytes, 'response'));
      else callback(null, chunk);
    },
  });
  if (first !== null) limit.write(first);
  upstream.body.setTimeout(options.upstreamIdleTimeoutMs, () => upstream.body.destroy(idleTimeout(upstream.url, options.upstreamIdleTimeoutMs)));
  try {
    await pipeline(upstream.body, limit, res);
  } catch (error) {
    options.logger.warn({ url: upstream.url.href, bytes, err: error }, 'proxied body cut off');
    res.destroy();
  }
}
