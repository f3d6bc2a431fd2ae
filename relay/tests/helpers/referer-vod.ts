/**
 * A Referer-protected HLS VOD for proxy tests: ffmpeg encodes H.264 + AAC into AES-128
 * encrypted MPEG-TS segments with a master playlist, and a node:http server answers 403 to any
 * request without the expected Referer.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { startUpstream, type UpstreamServer } from './upstream-server.ts';

const run = promisify(execFile);

/** Longest time ffmpeg may take to encode, in ms. */
const ENCODE_TIMEOUT_MS = 60_000;

/** The VOD and its server. */
export interface RefererVod {
  /** URL of the master playlist (`master.m3u8`). */
  masterUrl: string;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** The Referer the server demands. */
  referer: string;
  durationSec: number;
  /** Directory of the files. */
  dir: string;
  server: UpstreamServer;
  /** Closes the server and deletes the files. Never rejects. */
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = { m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t', bin: 'application/octet-stream' };

/**
 * Encodes `durationSec` (default 6) seconds of 320x180 25 fps H.264 + 48 kHz AAC into a
 * 2-second-segment VOD: `master.m3u8` (one variant, plus an EXT-X-MEDIA rendition and an
 * EXT-X-I-FRAME-STREAM-INF line added by hand, both naming `index.m3u8`), `index.m3u8` with
 * EXT-X-KEY METHOD=AES-128 URI="key.bin", and `segNNN.ts`.
 * @throws Error when ffmpeg fails.
 */
export async function makeRefererVod(options: { durationSec?: number } = {}): Promise<RefererVod> {
  const durationSec = options.durationSec ?? 6;
  const dir = await mkdtemp(join(tmpdir(), 'tapedeck-referer-vod-'));
  const referer = `https://tv.example/watch/${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(join(dir, 'key.bin'), randomBytes(16));
    await writeFile(join(dir, 'key.info'), `key.bin\n${join(dir, 'key.bin')}\n`);
    await run(
      'ffmpeg',
      [
        ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'],
        ...['-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=25:duration=${durationSec}`],
        ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${durationSec}`],
        ...['-map', '0:v:0', '-map', '1:a:0', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0'],
        ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k'],
        ...['-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-hls_key_info_file', join(dir, 'key.info')],
        ...['-master_pl_name', 'master.m3u8', '-hls_segment_filename', join(dir, 'seg%03d.ts'), join(dir, 'index.m3u8')],
      ],
      { timeout: ENCODE_TIMEOUT_MS },
    );
    const master = await readFile(join(dir, 'master.m3u8'), 'utf8');
    await writeFile(
      join(dir, 'master.m3u8'),
      master.replace(
        '#EXT-X-STREAM-INF',
        '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="none, really",URI="index.m3u8"\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,URI="index.m3u8"\n#EXT-X-STREAM-INF',
      ),
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const server = await startUpstream(async (req, res) => {
    if (req.headers.referer !== referer) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('hotlinking not allowed');
      return;
    }
    const name = normalize(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    if (!/^[\w.]+$/.test(name)) {
      res.writeHead(404).end();
      return;
    }
    const body = await readFile(join(dir, name)).catch(() => null);
    if (body === null) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': CONTENT_TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream', 'Content-Length': String(body.byteLength) });
    res.end(body);
  });
  return {
    masterUrl: `${server.origin}/master.m3u8`,
    origin: server.origin,
    referer,
    durationSec,
    dir,
    server,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
