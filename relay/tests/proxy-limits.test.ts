/**
 * Size and time limits of the proxy: an upstream that sends too much or stalls gets a clear
 * error (or, once a streamed body has started, a cut-off transfer), and the relay stays up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from './helpers/relay-harness.ts';
import { startUpstream, type UpstreamServer } from './helpers/upstream-server.ts';

const MAX_PLAYLIST_BYTES = 1000;
const MAX_SEGMENT_BYTES = 100_000;
const TIMEOUT_MS = 400;

let upstream: UpstreamServer | undefined;
let relay: TestRelay | undefined;

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    switch (path) {
      case '/declared-too-big.ts':
        res.writeHead(200, { 'Content-Type': 'video/mp2t', 'Content-Length': String(MAX_SEGMENT_BYTES * 2) });
        res.end(Buffer.alloc(MAX_SEGMENT_BYTES * 2));
        return;
      case '/chunked-too-big.ts': {
        res.writeHead(200, { 'Content-Type': 'video/mp2t' });
        let sent = 0;
        const more = () => {
          while (sent < MAX_SEGMENT_BYTES * 3) {
            sent += 16_384;
            if (!res.write(Buffer.alloc(16_384, 0x47))) {
              res.once('drain', more);
              return;
            }
          }
          res.end();
        };
        more();
        res.once('close', () => res.destroy());
        return;
      }
      case '/big.m3u8':
        res.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl' });
        res.end(`#EXTM3U\n#EXT-X-TARGETDURATION:2\n${'#EXTINF:2,\nseg.ts\n'.repeat(200)}`);
        return;
      case '/no-headers.ts':
        return; // never answers
      case '/stalls-midway.ts':
        res.writeHead(200, { 'Content-Type': 'video/mp2t' });
        res.write(Buffer.alloc(1000, 0x47));
        return; // and nothing more
      case '/stalls-midway.m3u8':
        res.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl' });
        res.write('#EXTM3U\n#EXT-X-TARGETDURATION:2\n');
        return;
      case '/not-a-playlist.m3u8':
        res.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl' });
        res.end('<html>Service unavailable</html>');
        return;
      case '/ok.ts':
        res.writeHead(200, { 'Content-Type': 'video/mp2t' });
        res.end(Buffer.alloc(MAX_SEGMENT_BYTES, 0x47));
        return;
      default:
        res.writeHead(404).end();
    }
  });
  relay = await startTestRelay({
    args: [
      '--allow-private',
      ...['--max-playlist-bytes', String(MAX_PLAYLIST_BYTES), '--max-segment-bytes', String(MAX_SEGMENT_BYTES)],
      ...['--upstream-headers-timeout-ms', String(TIMEOUT_MS), '--upstream-idle-timeout-ms', String(TIMEOUT_MS)],
    ],
  });
});

afterAll(async () => {
  await relay?.dispose();
  await upstream?.close();
});

async function proxied(path: string): Promise<Response> {
  if (!relay || !upstream) throw new Error('setup failed');
  return relay.api(`/proxy?url=${encodeURIComponent(`${upstream.origin}${path}`)}`);
}

async function expectError(path: string, status: number, code: string, fragment: string): Promise<void> {
  const startedMs = Date.now();
  const response = await proxied(path);
  expect(response.status, path).toBe(status);
  const { error } = (await response.json()) as { error: { code: string; message: string } };
  expect(error.code, path).toBe(code);
  expect(error.message, path).toContain(fragment);
  expect(Date.now() - startedMs, path).toBeLessThan(TIMEOUT_MS + 3000);
}

/** Reads a streamed body to its end or its failure: the bytes received and whether it was cut. */
async function drain(response: Response): Promise<{ bytes: number; cut: boolean }> {
  let bytes = 0;
  const reader = response.body?.getReader();
  if (!reader) return { bytes, cut: false };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes, cut: false };
      bytes += value.byteLength;
    }
  } catch {
    return { bytes, cut: true };
  }
}

describe('size limits', () => {
  it('refuses a segment whose Content-Length is over --max-segment-bytes before sending anything', async () => {
    await expectError('/declared-too-big.ts', 502, 'upstream_too_large', `limit of ${MAX_SEGMENT_BYTES} bytes`);
  });

  it('cuts off a streamed segment that goes over --max-segment-bytes', async () => {
    const response = await proxied('/chunked-too-big.ts');
    expect(response.status).toBe(200);
    const { bytes, cut } = await drain(response);
    expect(cut).toBe(true);
    expect(bytes).toBeLessThanOrEqual(MAX_SEGMENT_BYTES);
  });

  it('passes a segment of exactly the limit whole', async () => {
    const response = await proxied('/ok.ts');
    expect(response.status).toBe(200);
    expect(await drain(response)).toEqual({ bytes: MAX_SEGMENT_BYTES, cut: false });
  });

  it('refuses a playlist over --max-playlist-bytes', async () => {
    await expectError('/big.m3u8', 502, 'upstream_too_large', `limit of ${MAX_PLAYLIST_BYTES} bytes`);
  });
});

describe('time limits', () => {
  it('answers 504 when the upstream sends no headers within --upstream-headers-timeout-ms', async () => {
    await expectError('/no-headers.ts', 504, 'upstream_timeout', `within ${TIMEOUT_MS} ms`);
  });

  it('answers 504 when a playlist stalls midway', async () => {
    await expectError('/stalls-midway.m3u8', 504, 'upstream_timeout', `for over ${TIMEOUT_MS} ms`);
  });

  it('cuts off a segment that stalls midway', async () => {
    const response = await proxied('/stalls-midway.ts');
    expect(response.status).toBe(200);
    expect(await drain(response)).toEqual({ bytes: 1000, cut: true });
  });
});

describe('bad upstream answers', () => {
  it('says so when a .m3u8 is not a playlist', async () => {
    await expectError('/not-a-playlist.m3u8', 502, 'upstream_not_playlist', 'does not start with #EXTM3U');
  });

  it('passes an upstream 404 as a clear error', async () => {
    await expectError('/missing.ts', 502, 'upstream_status', 'answered 404');
  });

  it('answers 502 when nothing listens upstream', async () => {
    if (!relay) throw new Error('setup failed');
    const response = await relay.api(`/proxy?url=${encodeURIComponent('http://127.0.0.1:1/x.ts')}`);
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_unreachable');
  });

  it('stays up through all of it', async () => {
    if (!relay) throw new Error('setup failed');
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
    const response = await proxied('/ok.ts');
    expect(response.status).toBe(200);
    expect((await drain(response)).bytes).toBe(MAX_SEGMENT_BYTES);
  });
});
