import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server.ts';

/** What the proxy does to one request instead of (or before) forwarding it. */
export type ProxyFault =
  /** Answers this status at once, with a short text body; the origin is not asked. */
  | { kind: 'status'; status: number }
  /** Destroys the socket with no response (a network error in the browser). */
  | { kind: 'reset' }
  /** Sends 200 headers from the origin, then no body at all until the client gives up. */
  | { kind: 'stall-body' }
  /** Waits `delayMs` before forwarding (a slow first byte), then answers normally. */
  | { kind: 'slow-first-byte'; delayMs: number };

/** One entry of a proxy's fault schedule. */
export interface ProxyFaultRule {
  /** `playlist`: requests for `.m3u8`; `segment`: requests for anything else. */
  target: 'playlist' | 'segment';
  /**
   * Which one, counting from 1. For playlists: the n-th playlist request. For segments: the
   * n-th distinct segment path requested (its retries keep the same ordinal).
   */
  ordinal: number;
  /** How many requests of it get the fault (for a segment: its first `times` requests); default 1. */
  times?: number;
  fault: ProxyFault;
}

/** One request the proxy saw. */
export interface ProxyLogEntry {
  /** Request path, e.g. `/seg00012.ts`. */
  path: string;
  target: 'playlist' | 'segment';
  /** See {@link ProxyFaultRule.ordinal}. */
  ordinal: number;
  /** 1 for the first request of this path (segments) or 1 always (playlists). */
  attempt: number;
  /** The fault applied, or null when the request was forwarded untouched. */
  fault: ProxyFault | null;
}

/** A running fault-injecting HTTP proxy. */
export interface FaultProxy {
  /** Origin of the proxy, `http://127.0.0.1:<port>`, with no trailing slash. */
  origin: string;
  /** Every request so far, in arrival order. */
  readonly log: readonly ProxyLogEntry[];
  /** Path of the n-th distinct segment requested (1-based), or undefined before it came. */
  segmentPath(ordinal: number): string | undefined;
  /** Closes the proxy, destroying open sockets (stalled bodies included). Never rejects. */
  close(): Promise<void>;
}

/**
 * Starts a real HTTP proxy on 127.0.0.1 in front of `originUrl` (e.g. a live stream's static
 * server) that forwards GET and HEAD requests path for path, and misbehaves as `schedule` says:
 * 503s or any status, connection resets, a stalled body, a slow first byte. Every response
 * carries `Access-Control-Allow-Origin: *`, `Cache-Control: no-store` and `Connection: close`
 * (so that Chromium does not silently retry a reset on a reused socket).
 * @param originUrl - origin to forward to, `http://host:port`.
 * @param schedule - the faults; requests no rule matches are forwarded untouched.
 * @throws Error when the proxy cannot listen.
 */
export async function startFaultProxy(originUrl: string, schedule: readonly ProxyFaultRule[]): Promise<FaultProxy> {
  const log: ProxyLogEntry[] = [];
  const segmentOrdinals = new Map<string, number>();
  const segmentAttempts = new Map<string, number>();
  const segmentPaths: string[] = [];
  let playlistRequests = 0;

  const server = await listenOnLoopback((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...corsHeaders(req), Connection: 'close' }).end();
      return;
    }
    const target = path.endsWith('.m3u8') ? 'playlist' : 'segment';
    let ordinal: number;
    let attempt: number;
    if (target === 'playlist') {
      ordinal = ++playlistRequests;
      attempt = 1;
    } else {
      ordinal = segmentOrdinals.get(path) ?? segmentPaths.push(path);
      segmentOrdinals.set(path, ordinal);
      attempt = (segmentAttempts.get(path) ?? 0) + 1;
      segmentAttempts.set(path, attempt);
    }
    const rule = schedule.find((r) => r.target === target && r.ordinal === ordinal && attempt <= (target === 'playlist' ? 1 : (r.times ?? 1)));
    const fault = rule?.fault ?? null;
    log.push({ path, target, ordinal, attempt, fault });

    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { ...corsHeaders(req), 'Content-Type': 'text/plain', Connection: 'close' }).end(`injected ${fault.status}`);
      return;
    }
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    const forwardNow = () => forward(originUrl, req, res, fault?.kind === 'stall-body');
    if (fault?.kind === 'slow-first-byte') {
      const timer = setTimeout(forwardNow, fault.delayMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    forwardNow();
  });

  return {
    origin: server.origin,
    log,
    segmentPath: (ordinal) => segmentPaths[ordinal - 1],
    close: () => server.close(),
  };
}

function corsHeaders(req: IncomingMessage): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
    'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
    'Cache-Control': 'no-store',
  };
}

/**
 * Forwards `req` to the origin and pipes the answer back. With `stallBody`, only the status and
 * headers are sent; the body never comes (the socket stays open until the client or close()
 * ends it). An unreachable origin answers 502.
 */
function forward(originUrl: string, req: IncomingMessage, res: ServerResponse, stallBody: boolean): void {
  const upstream = httpRequest(new URL(req.url ?? '/', originUrl), { method: req.method, headers: { accept: req.headers.accept ?? '*/*' } }, (answer) => {
    const headers: Record<string, string | string[]> = { ...corsHeaders(req), Connection: 'close' };
    for (const name of ['content-type', 'content-length']) {
      const value = answer.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    res.writeHead(answer.statusCode ?? 502, headers);
    if (stallBody) {
      res.flushHeaders();
      answer.resume();
      return;
    }
    answer.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { ...corsHeaders(req), Connection: 'close' }).end('bad gateway');
    else res.destroy();
  });
  // The client went away (or the proxy closed): drop the upstream request too.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  upstream.end();
}
