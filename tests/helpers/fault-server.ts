import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server.ts';

/** A running fault-injection server; see {@link startFaultServer} for its routes. */
export interface FaultServer {
  /** Origin of the server, `http://127.0.0.1:<port>`, with no trailing slash. */
  url: string;
  /**
   * Closes the server, destroying open sockets (including requests parked on `/hang`), and
   * resolves once it is closed. Safe to call more than once. Never rejects.
   */
  close(): Promise<void>;
}

/**
 * Starts a real node:http server on 127.0.0.1 (OS-chosen port) that misbehaves on request, for
 * browser tests of retries, backoff and fetch timeouts. Every response carries
 * `Access-Control-Allow-Origin: *`, `Cache-Control: no-store` and `Connection: close`; an OPTIONS
 * preflight gets 204 allowing any method and the requested headers. `Connection: close` matters:
 * Chromium silently retries a request once when a *reused* keep-alive socket closes without a
 * response, which would hide `/drop` failures and skew `/count`.
 *
 * Routes (any method but OPTIONS; `<key>` is any path segment, percent-decoded):
 * - `/status/<code>` → that status (200–599), body `status <code>`.
 * - `/flaky/<key>?failures=N&status=S&after=K&body=<text>&then=<text>&type=<content-type>` →
 *   requests K+1..K+N for that key (K default 0) answer S (default 503) with body `fail <i>`
 *   (i = 1..N); the others 200 with `body` (default `ok <key>`) of `type` (default plain text),
 *   or, after the failures, with `then` when given, so a playlist can load, fail for a while,
 *   then load again (changed, with `then`).
 * - `/switch/<key>?after=K&body=<text>&then=<text>&type=<content-type>` → requests 1..K for
 *   that key answer 200 with `body`, later ones 200 with `then` (both of `type`, default plain
 *   text): a playlist that changes once, as when its encoder restarts.
 * - `/numbered/<n>?missing=<n,n,...>&missingDelayMs=M&last=L` → for whole numbers n: 404
 *   after M ms (default 0) for those listed in `missing`, 404 at once above L (default none),
 *   else 200 `segment <n>`; for URL templates whose numbering has a hole. Not counted.
 * - `/drop/<key>?failures=N` → requests 1..N for that key get their socket destroyed with no
 *   response (a network error, `TypeError: Failed to fetch`, in the browser); later ones 200
 *   `ok <key>`.
 * - `/hang` → never answered, until the server closes. `/hang/<key>` likewise, but counted
 *   under `<key>`, so a test can see (via `/count/<key>`) that the request has arrived.
 * - `/count/<key>` → `{"requests": n}` (JSON), n = requests so far to `/flaky/<key>`,
 *   `/switch/<key>`, `/drop/<key>` and `/hang/<key>`; `/count` requests are not counted.
 * - `/file?body=<text>&type=<content-type>` → 200 with that body (default type
 *   `text/plain; charset=utf-8`).
 * - `/bytes?hex=<hex>&type=<content-type>` → 200 with those bytes (default type
 *   `application/octet-stream`), for binary bodies such as AES-128 keys and encrypted segments.
 * - `/slow/<key>?ms=M&body=<text>` → 200 with that body (default `ok <key>`) after M ms
 *   (default 300); counted under `<key>`.
 * - `/big-playlist?count=N` → a VOD media playlist (EXT-X-ENDLIST) of N one-second segments,
 *   the i-th (from 0) being `/file?body=seg<i>` on this server, written as a stream.
 * - `/huge` → 200 `application/octet-stream` with no Content-Length and a body of zero bytes
 *   that never ends (64 KiB chunks, as fast as the client reads), until the client goes away.
 * - anything else → 404 `not found`.
 *
 * `/flaky` and `/drop` keep separate failure sequences per key; use a fresh key per test.
 * @throws Error when the server cannot listen.
 */
export async function startFaultServer(): Promise<FaultServer> {
  /** Requests per `<route>/<key>`, for the failure sequences. */
  const routeCounts = new Map<string, number>();
  /** Requests per key over all keyed routes, for `/count`. */
  const keyCounts = new Map<string, number>();
  const hit = (route: string, key: string): number => {
    keyCounts.set(key, (keyCounts.get(key) ?? 0) + 1);
    const n = (routeCounts.get(`${route}/${key}`) ?? 0) + 1;
    routeCounts.set(`${route}/${key}`, n);
    return n;
  };

  const server = await listenOnLoopback((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, route = '', rawKey, ...rest] = url.pathname.split('/');
    let key: string | undefined;
    try {
      key = rawKey === undefined || rawKey === '' || rest.length > 0 ? undefined : decodeURIComponent(rawKey);
    } catch {
      key = undefined;
    }
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8'): void =>
      send(req, res, status, body, type);

    if (req.method === 'OPTIONS') return reply(204, '');
    if (route === 'hang' && rawKey === undefined) return; // Parked until close() destroys the socket.
    if (route === 'hang' && key !== undefined) {
      hit(route, key);
      return;
    }
    if (route === 'file' && rawKey === undefined) {
      const type = url.searchParams.get('type') ?? 'text/plain; charset=utf-8';
      return reply(200, url.searchParams.get('body') ?? '', type);
    }
    if (route === 'bytes' && rawKey === undefined) {
      const hex = url.searchParams.get('hex') ?? '';
      if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) return reply(400, 'bad hex');
      return send(req, res, 200, Buffer.from(hex, 'hex'), url.searchParams.get('type') ?? 'application/octet-stream');
    }
    if (route === 'huge' && rawKey === undefined) return writeEndless(req, res);
    if (route === 'big-playlist' && rawKey === undefined) {
      const count = Number(url.searchParams.get('count') ?? '0');
      if (!Number.isInteger(count) || count < 0) return reply(400, 'bad count');
      return writeBigPlaylist(req, res, count);
    }
    if (route === 'slow' && key !== undefined) {
      hit(route, key);
      const ms = Number(url.searchParams.get('ms') ?? '300');
      const body = url.searchParams.get('body') ?? `ok ${key}`;
      const timer = setTimeout(() => reply(200, body), ms);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (key === undefined) return reply(404, 'not found');
    if (route === 'status') {
      const code = Number(key);
      if (!Number.isInteger(code) || code < 200 || code > 599) return reply(400, `bad status ${key}`);
      return reply(code, `status ${code}`);
    }
    if (route === 'count') {
      return reply(200, JSON.stringify({ requests: keyCounts.get(key) ?? 0 }), 'application/json');
    }
    const failures = Number(url.searchParams.get('failures') ?? '0');
    if (!Number.isInteger(failures) || failures < 0) return reply(400, 'bad failures');
    if (route === 'flaky') {
      const status = Number(url.searchParams.get('status') ?? '503');
      if (!Number.isInteger(status) || status < 200 || status > 599) return reply(400, 'bad status');
      const after = Number(url.searchParams.get('after') ?? '0');
      if (!Number.isInteger(after) || after < 0) return reply(400, 'bad after');
      const n = hit(route, key) - after;
      const type = url.searchParams.get('type') ?? undefined;
      if (n >= 1 && n <= failures) return reply(status, `fail ${n}`);
      const then = n > failures ? url.searchParams.get('then') : null;
      return reply(200, then ?? url.searchParams.get('body') ?? `ok ${key}`, type);
    }
    if (route === 'numbered') {
      const n = Number(key);
      const missing = (url.searchParams.get('missing') ?? '').split(',').filter(Boolean).map(Number);
      const last = Number(url.searchParams.get('last') ?? 'Infinity');
      if (!Number.isInteger(n) || n < 0) return reply(400, `bad number ${key}`);
      if (n > last) return reply(404, 'not found');
      if (!missing.includes(n)) return reply(200, `segment ${n}`);
      const timer = setTimeout(() => reply(404, 'not found'), Number(url.searchParams.get('missingDelayMs') ?? '0'));
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (route === 'switch') {
      const after = Number(url.searchParams.get('after') ?? '1');
      if (!Number.isInteger(after) || after < 0) return reply(400, 'bad after');
      const body = hit(route, key) <= after ? url.searchParams.get('body') : url.searchParams.get('then');
      return reply(200, body ?? '', url.searchParams.get('type') ?? undefined);
    }
    if (route === 'drop') {
      const n = hit(route, key);
      if (n <= failures) {
        req.socket.destroy();
        return;
      }
      return reply(200, `ok ${key}`);
    }
    return reply(404, 'not found');
  });

  return { url: server.origin, close: () => server.close() };
}

/** Statuses whose responses must not carry a body. */
const NO_BODY_STATUSES = new Set([204, 205, 304]);

/** The CORS and no-cache headers every route shares. */
function commonHeaders(req: IncomingMessage): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
    'Access-Control-Expose-Headers': '*',
    'Access-Control-Max-Age': '600',
    'Cache-Control': 'no-store',
    Connection: 'close',
  };
}

/**
 * Streams a VOD playlist of `count` one-second segments (`/file?body=seg<i>`), in chunks of
 * 1000 lines, waiting for the socket to drain so memory stays bounded for any count.
 */
function writeBigPlaylist(req: IncomingMessage, res: ServerResponse, count: number): void {
  res.writeHead(200, { ...commonHeaders(req), 'Content-Type': 'application/vnd.apple.mpegurl' });
  if (req.method === 'HEAD') return void res.end();
  res.write('#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n');
  let next = 0;
  const writeMore = (): void => {
    while (next < count) {
      const lines: string[] = [];
      for (const end = Math.min(count, next + 1000); next < end; next += 1) lines.push(`#EXTINF:1.000,\n/file?body=seg${next}\n`);
      if (!res.write(lines.join(''))) return void res.once('drain', writeMore);
    }
    res.end('#EXT-X-ENDLIST\n');
  };
  writeMore();
}

/** Streams zeros without end (see `/huge`), pausing whenever the socket's buffer is full. */
function writeEndless(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { ...commonHeaders(req), 'Content-Type': 'application/octet-stream' });
  if (req.method === 'HEAD') return void res.end();
  const chunk = Buffer.alloc(64 * 1024);
  let closed = false;
  res.on('close', () => (closed = true));
  const writeMore = (): void => {
    while (!closed) {
      if (!res.write(chunk)) return void res.once('drain', writeMore);
    }
  };
  writeMore();
}

/** Writes a complete response with the CORS and no-cache headers every route shares. */
function send(req: IncomingMessage, res: ServerResponse, status: number, body: string | Buffer, type: string): void {
  const hasBody = !NO_BODY_STATUSES.has(status) && req.method !== 'HEAD';
  const bytes = hasBody ? (typeof body === 'string' ? Buffer.from(body, 'utf8') : body) : Buffer.alloc(0);
  res.writeHead(status, {
    ...commonHeaders(req),
    ...(hasBody ? { 'Content-Type': type, 'Content-Length': bytes.byteLength } : {}),
  });
  res.end(hasBody ? bytes : undefined);
}
