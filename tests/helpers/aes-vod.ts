import { execFile } from 'node:child_process';
import { createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LoopbackServer } from './loopback-server.ts';
import { serveDirectory } from './static-dir-server.ts';

const run = promisify(execFile);

/** Longest time, in milliseconds, ffmpeg may take to encode the VOD before it is killed. */
const ENCODE_TIMEOUT_MS = 60_000;

/** An AES-128 encrypted HLS VOD made by ffmpeg and served over HTTP on 127.0.0.1. */
export interface AesVod {
  /** Absolute URL of the media playlist (with EXT-X-KEY and EXT-X-ENDLIST). */
  playlistUrl: string;
  /** The playlist's text as ffmpeg wrote it. */
  playlistText: string;
  /** The 16-byte key, served as `key.bin` next to the playlist. */
  key: Buffer;
  /** Seconds of media encoded. */
  durationSec: number;
  /**
   * SHA-256 (hex) of each segment's clear bytes, by media sequence number from 0, decrypted
   * here with node:crypto (AES-128-CBC) under the IV ffmpeg used, independently of the app.
   */
  clearSha256: string[];
  /** Closes the server and deletes the temp dir. Never rejects. */
  close(): Promise<void>;
}

/**
 * Encodes `durationSec` seconds of lavfi test video (H.264, 320x180, 25 fps) and a tone (AAC)
 * into an HLS VOD of 2-second MPEG-TS segments, encrypted with METHOD=AES-128 (RFC 8216
 * section 4.3.2.4) by ffmpeg's `-hls_key_info_file`, and serves its directory.
 * @param options.explicitIv - true: the key info file's third line gives one IV, which ffmpeg
 *   writes as the IV attribute. false: the key info file has no IV and `-hls_flags
 *   periodic_rekey` is set, so ffmpeg encrypts each segment with its sequence number as IV
 *   (without periodic_rekey it would use the first one's for all); it still writes each as an
 *   explicit IV attribute, which the helper strips from the playlist, so the client must derive
 *   the IV from the media sequence number (section 5.2).
 * @throws Error when ffmpeg fails or the server cannot listen.
 */
export async function makeAesVod(options: { explicitIv: boolean; durationSec?: number }): Promise<AesVod> {
  const durationSec = options.durationSec ?? 8;
  const dir = await mkdtemp(join(tmpdir(), 'tapedeck-aes-vod-'));
  const key = randomBytes(16);
  await writeFile(join(dir, 'key.bin'), key);
  const infoLines = ['key.bin', join(dir, 'key.bin')];
  if (options.explicitIv) infoLines.push(randomBytes(16).toString('hex'));
  await writeFile(join(dir, 'key.info'), `${infoLines.join('\n')}\n`);
  await run(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'],
      ...['-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=25:duration=${durationSec}`],
      ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${durationSec}`],
      ...['-map', '0:v:0', '-map', '1:a:0', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0'],
      ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k'],
      ...['-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-hls_key_info_file', join(dir, 'key.info')],
      ...(options.explicitIv ? [] : ['-hls_flags', 'periodic_rekey']),
      ...['-hls_segment_filename', join(dir, 'seg%03d.ts'), join(dir, 'index.m3u8')],
    ],
    { timeout: ENCODE_TIMEOUT_MS },
  );
  let playlistText = await readFile(join(dir, 'index.m3u8'), 'utf8');
  const clearSha256 = await clearDigests(dir, playlistText, key);
  if (!options.explicitIv) {
    playlistText = playlistText.replace(/,IV=0x[0-9a-f]+/gi, '');
    await writeFile(join(dir, 'index.m3u8'), playlistText);
  }
  let server: LoopbackServer;
  try {
    server = await serveDirectory(dir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    playlistUrl: `${server.origin}/index.m3u8`,
    playlistText,
    key,
    durationSec,
    clearSha256,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

/**
 * Decrypts each segment the playlist lists (in order, msn from 0) with the IV its EXT-X-KEY
 * gives (ffmpeg always writes one) and returns the SHA-256 of the clear bytes.
 */
async function clearDigests(dir: string, playlistText: string, key: Buffer): Promise<string[]> {
  const digests: string[] = [];
  let iv: Buffer | null = null;
  for (const line of playlistText.split('\n')) {
    const ivMatch = /^#EXT-X-KEY:.*IV=0x([0-9a-f]{32})/i.exec(line);
    if (ivMatch) iv = Buffer.from(ivMatch[1]!, 'hex');
    if (line === '' || line.startsWith('#')) continue;
    if (!iv) throw new Error(`ffmpeg wrote no IV before ${line}`);
    const decipher = createDecipheriv('aes-128-cbc', key, iv);
    const clear = Buffer.concat([decipher.update(await readFile(join(dir, line))), decipher.final()]);
    digests.push(createHash('sha256').update(clear).digest('hex'));
  }
  return digests;
}
