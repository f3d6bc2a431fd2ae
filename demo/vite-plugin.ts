import { createReadStream, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Connect, Plugin } from 'vite';
import { buildDemoLivePlaylist, type DemoSegment } from './live-playlist.ts';

const PLAYLIST_PATH = '/demo/live.m3u8';
const SEGMENTS_PATH = '/demo/segments/';
const WINDOW_SIZE = 6;
const SEGMENTS_DIR_URL = new URL('./segments/', import.meta.url);
const SEGMENTS_JSON_URL = new URL('./segments/segments.json', import.meta.url);

/**
 * On-disk file name of a demo segment whose playlist URI (from segments.json) is `uri`:
 * `demo00.ts` is stored as `demo00.mpegts`, because tsconfig.json and ESLint would parse any
 * binary `.ts` file under demo/ as TypeScript. Must match `disk_ext` in demo/make-demo.sh.
 *
 * @param uri - Segment URI as listed in segments.json, e.g. `demo00.ts`.
 * @returns File name inside demo/segments/, e.g. `demo00.mpegts`.
 */
export function demoSegmentDiskName(uri: string): string {
  return uri.replace(/\.ts$/, '.mpegts');
}

/** Reads demo/segments/segments.json; throws with a hint if the clip was never generated. */
function loadSegments(): DemoSegment[] {
  let raw: string;
  try {
    raw = readFileSync(SEGMENTS_JSON_URL, 'utf8');
  } catch {
    throw new Error(`${fileURLToPath(SEGMENTS_JSON_URL)} is missing: run \`bash demo/make-demo.sh\``);
  }
  const parsed = JSON.parse(raw) as { segments?: unknown };
  const list = Array.isArray(parsed.segments) ? (parsed.segments as unknown[]) : [];
  const segments = list.filter(
    (s): s is DemoSegment =>
      typeof s === 'object' &&
      s !== null &&
      typeof (s as DemoSegment).uri === 'string' &&
      /^[\w-]+\.ts$/.test((s as DemoSegment).uri) &&
      typeof (s as DemoSegment).durationSec === 'number' &&
      (s as DemoSegment).durationSec > 0,
  );
  if (segments.length === 0) throw new Error(`${fileURLToPath(SEGMENTS_JSON_URL)} lists no segments`);
  return segments;
}

function sendText(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(body);
}

/**
 * Connect middleware behind {@link demoStreamPlugin}: serves `/demo/live.m3u8` (live playlist,
 * RFC 8216 section 6.2.2, media sequence per section 4.3.3.2 rising with the wall clock) and
 * `/demo/segments/<name>.ts`; every other request goes to `next()`.
 *
 * @param epochMs - Wall-clock start of the live stream in milliseconds (default: now).
 */
export function createDemoStreamMiddleware(epochMs: number = Date.now()): Connect.NextHandleFunction {
  let cached: DemoSegment[] | undefined;
  const segments = (): DemoSegment[] => (cached ??= loadSegments());

  return (req: IncomingMessage, res: ServerResponse, next: Connect.NextFunction): void => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname !== PLAYLIST_PATH && !pathname.startsWith(SEGMENTS_PATH)) return next();

    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
      res.statusCode = 204;
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD, OPTIONS');
      return sendText(res, 405, 'Method Not Allowed\n');
    }

    let list: DemoSegment[];
    try {
      list = segments();
    } catch (error) {
      return sendText(res, 503, `Demo stream unavailable: ${(error as Error).message}\n`);
    }

    if (pathname === PLAYLIST_PATH) {
      const body = buildDemoLivePlaylist({
        nowMs: Date.now(),
        epochMs,
        segments: list,
        windowSize: WINDOW_SIZE,
        uriPrefix: SEGMENTS_PATH,
      });
      res.statusCode = 200;
      res.setHeader('Content-Type', 'application/vnd.apple.mpegurl');
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Content-Length', Buffer.byteLength(body));
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }

    // Only names listed in segments.json are served: the raw path never reaches the file system.
    const name = pathname.slice(SEGMENTS_PATH.length);
    const segment = list.find((s) => s.uri === name);
    if (!segment) return sendText(res, 404, 'Not Found\n');
    const fileUrl = new URL(demoSegmentDiskName(segment.uri), SEGMENTS_DIR_URL);
    let sizeBytes: number;
    try {
      sizeBytes = statSync(fileUrl).size;
    } catch {
      return sendText(res, 404, 'Not Found\n');
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', 'video/mp2t');
    res.setHeader('Content-Length', sizeBytes);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(fileUrl);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
}

/**
 * Vite plugin serving a built-in, offline, looping LIVE HLS stream at the same origin, for
 * both `vite` (dev) and `vite preview`:
 *
 * - `GET /demo/live.m3u8`: live sliding-window Media Playlist (RFC 8216 section 6.2.2) of the
 *   last 6 segments, from {@link buildDemoLivePlaylist} with `nowMs = Date.now()` and
 *   `epochMs` = server start; `application/vnd.apple.mpegurl`, `Cache-Control: no-cache`.
 *   The media sequence (section 4.3.3.2) rises by one every segment duration (2 s).
 * - `GET /demo/segments/<name>.ts`: the MPEG-TS segments made by `demo/make-demo.sh`
 *   (`video/mp2t`); only names listed in `demo/segments/segments.json`, otherwise 404.
 *
 * Every response carries `Access-Control-Allow-Origin: *`. If the clip has not been generated
 * the routes answer 503 with a hint instead of breaking the server.
 */
export function demoStreamPlugin(): Plugin {
  return {
    name: 'tapedeck-demo-stream',
    configureServer(server) {
      server.middlewares.use(createDemoStreamMiddleware());
    },
    configurePreviewServer(server) {
      server.middlewares.use(createDemoStreamMiddleware());
    },
  };
}
