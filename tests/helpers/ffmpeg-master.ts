import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LoopbackServer } from './loopback-server.ts';
import { serveDirectory } from './static-dir-server.ts';

const run = promisify(execFile);

/** Options of {@link startMasterVod}. */
export interface MasterVodOptions {
  /** Length of the programme, in seconds. Default 8. */
  durationSec?: number;
  /** Segment duration, in seconds (`-hls_time`). Default 2. */
  segmentDurationSec?: number;
  /** Also list a WebVTT subtitles rendition (TYPE=SUBTITLES, GROUP-ID "subs"). Default true. */
  subtitles?: boolean;
}

/** A VOD master playlist with two video variants and an audio group, served on 127.0.0.1. */
export interface MasterVod {
  /** `http://127.0.0.1:<port>/master.m3u8`. */
  masterUrl: string;
  /** The two variants as the master lists them: `hi` 640×360, `lo` 320×180, and their BANDWIDTH in bit/s. */
  variants: { hi: { height: number; bandwidthBps: number }; lo: { height: number; bandwidthBps: number } };
  /** Directory served. */
  dir: string;
  /** Closes the server and removes `dir`. Never rejects. */
  stop(): Promise<void>;
}

/** Cues of the subtitles rendition: one per segment, `Cue <n>`. */
export function subtitleCue(n: number): string {
  return `Cue ${n}`;
}

/**
 * Makes, with ffmpeg (x264 ultrafast, AAC), a VOD HLS master playlist of a test pattern and a
 * 440 Hz tone: two video-only variants (640×360 at 800 kb/s, `v0/`; 320×180 at 200 kb/s, `v1/`)
 * that both name the audio group `group_aud`, whose one rendition (`audio_2`, DEFAULT=YES) has
 * its own media playlist (`v2/`), made with `-var_stream_map "v:0,agroup:aud v:1,agroup:aud
 * a:0,agroup:aud,default:yes"` and `-master_pl_name`. With `subtitles`, a WebVTT rendition
 * (`subs/`, one `.vtt` segment per video segment, with X-TIMESTAMP-MAP) is written beside it and
 * listed in the master (SUBTITLES="subs" on both variants). Serves the directory over HTTP.
 * @throws Error with ffmpeg's stderr when ffmpeg fails.
 */
export async function startMasterVod(options: MasterVodOptions = {}): Promise<MasterVod> {
  const durationSec = options.durationSec ?? 8;
  const segmentDurationSec = options.segmentDurationSec ?? 2;
  const dir = await mkdtemp(join(tmpdir(), 'tapedeck-master-'));
  const gop = String(Math.round(segmentDurationSec * 25));
  try {
    // prettier-ignore
    await run('ffmpeg', [
      '-hide_banner', '-loglevel', 'error',
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', String(durationSec),
      '-filter_complex', '[0:v]split=2[va][vb];[va]scale=640:360[vhi];[vb]scale=320:180[vlo]',
      '-map', '[vhi]', '-map', '[vlo]', '-map', '1:a',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', gop, '-keyint_min', gop, '-sc_threshold', '0',
      '-b:v:0', '800k', '-b:v:1', '200k', '-c:a', 'aac', '-b:a', '64k',
      '-f', 'hls', '-hls_time', String(segmentDurationSec), '-hls_playlist_type', 'vod',
      '-hls_segment_filename', join(dir, 'v%v/seg%03d.ts'),
      '-master_pl_name', 'master.m3u8',
      '-var_stream_map', 'v:0,agroup:aud v:1,agroup:aud a:0,agroup:aud,default:yes',
      join(dir, 'v%v/index.m3u8'),
    ], { cwd: dir });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`ffmpeg could not make the master playlist: ${(error as { stderr?: string }).stderr ?? String(error)}`, { cause: error });
  }
  if (options.subtitles ?? true) await writeSubtitles(dir, durationSec, segmentDurationSec);
  let server: LoopbackServer;
  try {
    server = await serveDirectory(dir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const master = await readFile(join(dir, 'master.m3u8'), 'utf8');
  const bandwidths = [...master.matchAll(/BANDWIDTH=(\d+)/g)].map((m) => Number(m[1]));
  return {
    masterUrl: `${server.origin}/master.m3u8`,
    variants: { hi: { height: 360, bandwidthBps: bandwidths[0]! }, lo: { height: 180, bandwidthBps: bandwidths[1]! } },
    dir,
    async stop() {
      await server.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Writes `subs/index.m3u8` and its `.vtt` segments, and lists them in `master.m3u8`. */
async function writeSubtitles(dir: string, durationSec: number, segmentDurationSec: number): Promise<void> {
  await mkdir(join(dir, 'subs'));
  const count = Math.ceil(durationSec / segmentDurationSec);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${Math.ceil(segmentDurationSec)}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD'];
  const clock = (sec: number) => `00:${String(Math.floor(sec / 60)).padStart(2, '0')}:${(sec % 60).toFixed(3).padStart(6, '0')}`;
  for (let i = 0; i < count; i++) {
    const fromSec = i * segmentDurationSec;
    const vtt = `WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000\n\n${clock(fromSec + 0.2)} --> ${clock(fromSec + segmentDurationSec - 0.2)}\n${subtitleCue(i)}\n`;
    await writeFile(join(dir, 'subs', `sub${i}.vtt`), vtt);
    lines.push(`#EXTINF:${segmentDurationSec.toFixed(3)},`, `sub${i}.vtt`);
  }
  lines.push('#EXT-X-ENDLIST');
  await writeFile(join(dir, 'subs', 'index.m3u8'), `${lines.join('\n')}\n`);
  const masterPath = join(dir, 'master.m3u8');
  const master = (await readFile(masterPath, 'utf8'))
    .replace('#EXT-X-STREAM-INF:', '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,URI="subs/index.m3u8"\n#EXT-X-STREAM-INF:')
    .replaceAll(/(#EXT-X-STREAM-INF:[^\n]*)/g, '$1,SUBTITLES="subs"');
  await writeFile(masterPath, master);
}

/**
 * The height in pixels of the first video stream of a media file, by ffprobe.
 * @throws Error when ffprobe fails or the file has no video stream.
 */
export async function videoHeight(path: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=height', '-of', 'csv=p=0', path]);
  // ffprobe may print the height once per program and once per stream: take the first.
  const height = Number(stdout.trim().split(/\s+/)[0]);
  if (!(height > 0)) throw new Error(`ffprobe found no video stream in ${path}`);
  return height;
}
