import { createCipheriv } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeFrames, probeMedia } from './ffprobe.ts';
import { makeVodVariant, startFfmpegLiveFmp4, VARIANT_PLAYLIST_NAME, type VodVariant } from './ffmpeg-hls-variants.ts';
import { startGstHlsStream } from './gst-hls.ts';
import type { LiveHlsProcess } from './live-process.ts';
import { listenOnLoopback } from './loopback-server.ts';
import { CORS_HEADERS, sendFile } from './range-file-server.ts';

/** Live streams {@link startFormatStreamServer} can run. */
export type LiveVariant = 'gst-ts' | 'fmp4';

const VOD_VARIANTS: readonly VodVariant[] = ['fmp4', 'fmp4-small', 'byterange', 'adts', 'adts-51', 'adts-id3', 'mp3', 'ts', 'hevc-ts', 'fmp4-renditions', 'fmp4-renditions-small', 'ts-renditions-wrap', 'ts-wrap', 'ts-bframes', 'ts-open-gop', 'ts-split-gop', 'ac3-ts', 'eac3-ts', 'eac3-fmp4', 'h264-ac3-ts', 'av-sync', 'av-sync-fmp4'];
const LIVE_VARIANTS: readonly LiveVariant[] = ['gst-ts', 'fmp4'];
/** Largest body `/ffprobe` takes, in bytes. */
const MAX_PROBE_BYTES = 256 * 1024 * 1024;

/** A running format-stream server; see {@link startFormatStreamServer}. */
export interface FormatStreamServer {
  /** Origin, `http://127.0.0.1:<port>`. */
  url: string;
  /** Stops the live streams, closes the server and removes its files. Never rejects. */
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 (OS-chosen port) serving HLS streams in every segment format,
 * each made on first request (so a test run pays only for the streams it uses), for the browser
 * unit tests (provided as `formatStreamsUrl`) and the e2e tests. Every answer allows CORS and
 * exposes Content-Range. Routes:
 * - `GET /vod/<variant>/<file>`: a VOD of {@link VodVariant} made by ffmpeg (`index.m3u8` and
 *   its segments), with Range requests answered 206.
 * - `GET /norange/vod/<variant>/<file>`: the same files from a server that ignores Range
 *   (always 200 with the whole file).
 * - `GET /wrong-range/vod/<variant>/<file>`: a server that answers a Range request 206 with the
 *   bytes one further on than asked, and says so in Content-Range.
 * - `GET /vod/fmp4-switch/index.m3u8`: an fMP4 VOD whose init section changes mid-stream: the
 *   `fmp4` segments (EXT-X-MAP `init.mp4`), then after EXT-X-DISCONTINUITY the `fmp4-small`
 *   ones (a different init section), then the `fmp4` ones again under a copy of `init.mp4` at
 *   another URI (same bytes).
 * - `GET /vod/fmp4-aes/<file>`: the `fmp4` VOD encrypted with METHOD=AES-128 (RFC 8216 section
 *   4.3.2.4) under {@link AES_FMP4_KEY} and {@link AES_FMP4_IV}, served as `key.bin`:
 *   `index.m3u8` puts EXT-X-KEY before EXT-X-MAP, so the init section is encrypted too
 *   (section 4.3.2.5); `index-clear-init.m3u8` puts EXT-X-MAP first (a clear init section,
 *   encrypted fragments); `index-no-iv.m3u8` is `index.m3u8` without the IV attribute, which an
 *   encrypted init section requires.
 * - `GET /live/<variant>/<file>`: a live stream ({@link LiveVariant}: GStreamer hlssink2
 *   MPEG-TS as `live.m3u8`, or ffmpeg fMP4 as `index.m3u8`), started on first request and run
 *   until the server closes.
 * - `POST /ffprobe`: the body is a media file; answers the JSON of {@link probeMedia}, or 422
 *   with ffprobe's message.
 * - `POST /ffprobe-frames`: the same with {@link probeFrames} (every video frame decoded).
 * @throws Error when the server cannot listen.
 */
export async function startFormatStreamServer(): Promise<FormatStreamServer> {
  const root = await mkdtemp(join(tmpdir(), 'tapedeck-formats-'));
  const vods = new Map<string, Promise<string>>();
  const lives = new Map<string, Promise<{ dir: string; process: LiveHlsProcess }>>();

  const vodDir = (variant: VodVariant): Promise<string> => {
    let made = vods.get(variant);
    if (!made) {
      made = (async () => {
        const dir = join(root, 'vod', variant);
        await mkdir(dir, { recursive: true });
        await makeVodVariant(variant, dir);
        return dir;
      })();
      made.catch(() => vods.delete(variant));
      vods.set(variant, made);
    }
    return made;
  };
  let aesFmp4: Promise<string> | undefined;
  const aesFmp4Dir = (): Promise<string> => {
    aesFmp4 ??= (async () => {
      const dir = join(root, 'vod', 'fmp4-aes');
      await mkdir(dir, { recursive: true });
      const clearDir = await vodDir('fmp4');
      const encrypt = (bytes: Buffer) => {
        const cipher = createCipheriv('aes-128-cbc', AES_FMP4_KEY, AES_FMP4_IV);
        return Buffer.concat([cipher.update(bytes), cipher.final()]);
      };
      await writeFile(join(dir, 'key.bin'), AES_FMP4_KEY);
      for (const name of ['init.mp4', ...AES_FMP4_FRAGMENTS]) {
        const clear = await readFile(join(clearDir, name));
        await writeFile(join(dir, `enc-${name}`), encrypt(clear));
        await writeFile(join(dir, `clear-${name}`), clear);
      }
      for (const [name, text] of Object.entries(aesFmp4Playlists())) await writeFile(join(dir, name), text);
      return dir;
    })();
    aesFmp4.catch(() => (aesFmp4 = undefined));
    return aesFmp4;
  };
  const liveDir = async (variant: LiveVariant): Promise<string> => {
    let started = lives.get(variant);
    if (!started) {
      started = (async () => {
        const dir = join(root, 'live', variant);
        await mkdir(dir, { recursive: true });
        const process = variant === 'gst-ts' ? await startGstHlsStream(dir) : await startFfmpegLiveFmp4(dir);
        return { dir, process };
      })();
      started.catch(() => lives.delete(variant));
      lives.set(variant, started);
    }
    return (await started).dir;
  };

  const server = await listenOnLoopback(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'OPTIONS') return void res.writeHead(204, CORS_HEADERS).end();
    if (req.method === 'POST' && (url.pathname === '/ffprobe' || url.pathname === '/ffprobe-frames')) {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).byteLength;
        if (size > MAX_PROBE_BYTES) return void res.writeHead(413, CORS_HEADERS).end('too large');
        chunks.push(chunk as Buffer);
      }
      const path = join(root, `probe-${crypto.randomUUID()}`);
      await writeFile(path, Buffer.concat(chunks));
      try {
        const probed = url.pathname === '/ffprobe' ? await probeMedia(path) : await probeFrames(path);
        res.writeHead(200, { ...CORS_HEADERS, 'Content-Type': 'application/json' }).end(JSON.stringify(probed));
      } catch (error) {
        res.writeHead(422, { ...CORS_HEADERS, 'Content-Type': 'text/plain' }).end(String(error));
      } finally {
        await rm(path, { force: true });
      }
      return;
    }
    const parts = url.pathname.split('/').filter(Boolean);
    const ignoreRange = parts[0] === 'norange';
    const wrongRange = parts[0] === 'wrong-range';
    if (ignoreRange || wrongRange) parts.shift();
    if (wrongRange && req.headers.range) req.headers.range = req.headers.range.replace(/^bytes=(\d+)-(\d+)$/, (_, a: string, b: string) => `bytes=${Number(a) + 1}-${Number(b) + 1}`);
    const [kind, variant, file, ...rest] = parts;
    if (rest.length > 0 || !file || file.includes('..')) return void res.writeHead(404, CORS_HEADERS).end('not found');
    if (kind === 'vod' && variant === 'fmp4-switch' && file === VARIANT_PLAYLIST_NAME) {
      await Promise.all([vodDir('fmp4'), vodDir('fmp4-small')]);
      return void res.writeHead(200, { ...CORS_HEADERS, 'Content-Type': 'application/vnd.apple.mpegurl' }).end(switchPlaylist());
    }
    if (kind === 'vod' && variant === 'fmp4' && file === 'init-copy.mp4') {
      return sendFile(req, res, join(await vodDir('fmp4'), 'init.mp4'), { ignoreRange });
    }
    if (kind === 'vod' && variant === 'fmp4-aes') {
      return sendFile(req, res, join(await aesFmp4Dir(), file), { ignoreRange });
    }
    if (kind === 'vod' && VOD_VARIANTS.includes(variant as VodVariant)) {
      return sendFile(req, res, join(await vodDir(variant as VodVariant), file), { ignoreRange });
    }
    if (kind === 'live' && LIVE_VARIANTS.includes(variant as LiveVariant)) {
      return sendFile(req, res, join(await liveDir(variant as LiveVariant), file), { ignoreRange });
    }
    res.writeHead(404, CORS_HEADERS).end('not found');
  });

  let closing: Promise<void> | undefined;
  return {
    url: server.origin,
    close() {
      closing ??= (async () => {
        await Promise.all([...lives.values()].map((started) => started.then((live) => live.process.stop(), () => undefined)));
        await server.close();
        await rm(root, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

/** The `fmp4-switch` playlist: 3 segments per part, URIs relative to `/vod/fmp4-switch/`. */
function switchPlaylist(): string {
  const part = (dir: string, init: string) => [
    `#EXT-X-MAP:URI="../${dir}/${init}"`,
    ...[0, 1, 2].flatMap((i) => ['#EXTINF:2.000000,', `../${dir}/seg00${i}.m4s`]),
  ];
  return [
    '#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD',
    ...part('fmp4', 'init.mp4'),
    '#EXT-X-DISCONTINUITY',
    ...part('fmp4-small', 'init.mp4'),
    '#EXT-X-DISCONTINUITY',
    ...part('fmp4', 'init-copy.mp4'),
    '#EXT-X-ENDLIST', '',
  ].join('\n');
}

/** AES-128 key of the `fmp4-aes` VOD, 16 bytes. */
export const AES_FMP4_KEY = Buffer.from('tapedeck-aes-key', 'latin1');
/** IV of the `fmp4-aes` VOD's EXT-X-KEY, 16 bytes. */
export const AES_FMP4_IV = Buffer.from('0123456789abcdef', 'latin1');
/** The `fmp4` VOD's fragments, in order. */
const AES_FMP4_FRAGMENTS = ['seg000.m4s', 'seg001.m4s', 'seg002.m4s'];

/** The `fmp4-aes` playlists by file name; fragment and init files are `enc-<name>` (encrypted) or `clear-<name>`. */
function aesFmp4Playlists(): Record<string, string> {
  const key = (iv: boolean) => `#EXT-X-KEY:METHOD=AES-128,URI="key.bin"${iv ? `,IV=0x${AES_FMP4_IV.toString('hex')}` : ''}`;
  const head = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD'];
  const fragments = AES_FMP4_FRAGMENTS.flatMap((name) => ['#EXTINF:2.000000,', `enc-${name}`]);
  const playlist = (lines: string[]) => [...head, ...lines, ...fragments, '#EXT-X-ENDLIST', ''].join('\n');
  return {
    'index.m3u8': playlist([key(true), '#EXT-X-MAP:URI="enc-init.mp4"']),
    'index-clear-init.m3u8': playlist(['#EXT-X-MAP:URI="clear-init.mp4"', key(true)]),
    'index-no-iv.m3u8': playlist([key(false), '#EXT-X-MAP:URI="enc-init.mp4"']),
  };
}
