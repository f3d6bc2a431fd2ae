import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';

/** Content type sent for each served file extension (lower case, with the dot). */
const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.aac': 'audio/aac',
  '.mp3': 'audio/mpeg',
};

/** Headers on every answer, so a page on any origin may fetch and read them (CORS). */
export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
  'Access-Control-Allow-Headers': '*',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges',
  'Cache-Control': 'no-cache',
  // A reused keep-alive socket that closes makes Chromium retry silently: keep requests apart.
  Connection: 'close',
};

/**
 * Reads a `Range: bytes=first-last` header (one range; `first-` and `-suffix` too, RFC 9110
 * section 14.1.2) against a resource of `sizeBytes`.
 * @returns the first byte and the last byte (inclusive), `'unsatisfiable'`, or null for no
 *   usable header (the whole resource is sent).
 */
export function parseRangeHeader(header: string | undefined, sizeBytes: number): { first: number; last: number } | 'unsatisfiable' | null {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let first: number;
  let last: number;
  if (match[1] === '') {
    first = Math.max(0, sizeBytes - Number(match[2]));
    last = sizeBytes - 1;
  } else {
    first = Number(match[1]);
    last = match[2] === '' ? sizeBytes - 1 : Math.min(Number(match[2]), sizeBytes - 1);
  }
  return first > last || first >= sizeBytes ? 'unsatisfiable' : { first, last };
}

/** How {@link sendFile} answers. */
export interface SendFileOptions {
  /** Answer 200 with the whole file whatever the Range header says, as some servers do. */
  ignoreRange?: boolean;
}

/**
 * Answers a GET or HEAD with a file: 200 with all of it, or 206 with `Content-Range` for a
 * satisfiable Range request (416 for an unsatisfiable one), or 404 when it cannot be read.
 * Every answer carries {@link CORS_HEADERS} and `Accept-Ranges: bytes` (unless `ignoreRange`).
 */
export async function sendFile(req: IncomingMessage, res: ServerResponse, filePath: string, options: SendFileOptions = {}): Promise<void> {
  let body: Buffer;
  try {
    body = await readFile(filePath);
  } catch {
    res.writeHead(404, { ...CORS_HEADERS, 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  const type = CONTENT_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream';
  const head = req.method === 'HEAD';
  const range = options.ignoreRange ? null : parseRangeHeader(req.headers.range, body.byteLength);
  const acceptRanges = options.ignoreRange ? {} : { 'Accept-Ranges': 'bytes' };
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...CORS_HEADERS, ...acceptRanges, 'Content-Range': `bytes */${body.byteLength}` }).end();
    return;
  }
  if (range) {
    const part = body.subarray(range.first, range.last + 1);
    res.writeHead(206, {
      ...CORS_HEADERS,
      ...acceptRanges,
      'Content-Type': type,
      'Content-Length': part.byteLength,
      'Content-Range': `bytes ${range.first}-${range.last}/${body.byteLength}`,
    });
    res.end(head ? undefined : part);
    return;
  }
  res.writeHead(200, { ...CORS_HEADERS, ...acceptRanges, 'Content-Type': type, 'Content-Length': body.byteLength });
  res.end(head ? undefined : body);
}
