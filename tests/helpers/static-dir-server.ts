import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { listenOnLoopback, type LoopbackServer } from './loopback-server.ts';

/** Content type sent for each served file extension (lower case, with the dot). */
const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.aac': 'audio/aac',
};

/** Headers sent on every response so a page on any origin may fetch the files. */
const COMMON_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  'Access-Control-Allow-Headers': '*',
  'Cache-Control': 'no-cache',
};

/**
 * Serves the files of one directory (not its subdirectories' listings) over a real node:http
 * server on 127.0.0.1 at an OS-chosen port, for a browser to fetch a live HLS stream.
 *
 * Every response carries `Access-Control-Allow-Origin: *` and `Cache-Control: no-cache`.
 * `.m3u8` is served as `application/vnd.apple.mpegurl`, `.ts` as `video/mp2t`, anything else as
 * `application/octet-stream`. GET and HEAD answer 200 with the file, 404 when no such regular
 * file exists, and 404 for any path that would resolve outside `rootDir` (`..`, encoded or not);
 * a malformed percent-encoding answers 400, OPTIONS 204, other methods 405.
 *
 * @param rootDir Absolute path of the directory to serve.
 * @returns The listening server; close it with {@link LoopbackServer.close}.
 * @throws Error when the server cannot listen.
 */
export function serveDirectory(rootDir: string): Promise<LoopbackServer> {
  const root = resolve(rootDir);
  return listenOnLoopback(async (req, res) => {
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      res.writeHead(204, COMMON_HEADERS).end();
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { ...COMMON_HEADERS, Allow: 'GET, HEAD, OPTIONS' }).end();
      return;
    }
    const filePath = resolveInside(root, req.url ?? '/');
    if (filePath === 'bad-request') {
      res.writeHead(400, { ...COMMON_HEADERS, 'Content-Type': 'text/plain' }).end('bad request');
      return;
    }
    let body: Buffer;
    try {
      if (filePath === undefined) throw new Error('outside the served directory');
      body = await readFile(filePath);
    } catch {
      // Missing, a directory, unreadable, or outside the root: all look the same from outside.
      res.writeHead(404, { ...COMMON_HEADERS, 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': CONTENT_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': body.byteLength,
    });
    res.end(method === 'HEAD' ? undefined : body);
  });
}

/**
 * Maps a request target to a file path strictly inside `root`, or `undefined` when it would
 * escape it, or `'bad-request'` when its percent-encoding is malformed.
 */
function resolveInside(root: string, requestTarget: string): string | undefined | 'bad-request' {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(requestTarget, 'http://localhost').pathname);
  } catch {
    return 'bad-request';
  }
  if (pathname.includes('\0')) return undefined;
  const filePath = resolve(root, `.${pathname}`);
  return filePath.startsWith(root + sep) ? filePath : undefined;
}
