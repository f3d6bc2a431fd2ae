import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './poll.ts';
import { serveDirectory } from './static-dir-server.ts';

/** Frame rate of the video test pattern, in frames per second. */
export const VIDEO_FRAME_RATE = 25;
/** File name of the live media playlist inside {@link LiveStream.dir}. */
export const PLAYLIST_NAME = 'live.m3u8';
/** Longest wait, in milliseconds, for ffmpeg to exit after SIGTERM before it gets SIGKILL. */
const KILL_GRACE_MS = 3000;
/** How many characters of ffmpeg's stderr are kept for error messages. */
const STDERR_TAIL_CHARS = 4000;

/** Options for {@link startLiveStream}. */
export interface LiveStreamOptions {
  /** `'video'`: 640x360 25 fps H.264 test pattern plus a 440 Hz AAC tone; `'audio'`: the tone only. */
  kind: 'video' | 'audio';
  /** Target segment duration, in seconds (`-hls_time`). Defaults to 2. */
  segmentDurationSec?: number;
  /** Number of segments the live playlist lists (`-hls_list_size`). Defaults to 6. */
  listSize?: number;
  /** Longest wait, in milliseconds, for the playlist to list a first segment. Defaults to 30000. */
  startTimeoutMs?: number;
}

/** A live HLS stream, encoded in real time by ffmpeg and served over HTTP on 127.0.0.1. */
export interface LiveStream {
  /** Absolute URL of the live media playlist, `http://127.0.0.1:<port>/live.m3u8`. */
  playlistUrl: string;
  /** Absolute path of the temporary directory ffmpeg writes the playlist and `segNNNNN.ts` into. */
  dir: string;
  /**
   * Stops ffmpeg (SIGTERM, then SIGKILL after 3 s), closes the HTTP server and its open sockets,
   * and removes `dir`. Safe to call more than once; later calls wait for the first. Never rejects.
   */
  stop(): Promise<void>;
}

/** Streams started and not yet stopped, so that {@link stopAllLiveStreams} can end them. */
const running = new Set<LiveStream>();
/** ffmpeg processes alive now, killed synchronously if the Node process exits with them. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/**
 * Starts a live HLS stream: makes a temp dir, spawns ffmpeg encoding lavfi test sources in real
 * time (`-re`) into `<dir>/live.m3u8` + `seg%05d.ts` (MPEG-TS, `delete_segments`), and serves the
 * dir with {@link serveDirectory}. Video has a keyframe at every segment boundary exactly
 * (GOP = segmentDurationSec × 25 frames, scene-cut off). Resolves once the playlist lists at least
 * one segment.
 *
 * Always stop the stream, even when the test fails: call `stop()` in a `finally` or `afterAll`,
 * or {@link stopIfRunning} (which accepts `undefined` when the start itself failed) or
 * {@link stopAllLiveStreams} in `afterAll`. A Node process that exits with streams running
 * SIGKILLs their ffmpeg as a last resort, but its temp dirs stay.
 *
 * @throws Error when ffmpeg cannot be spawned or exits before the first segment (the message
 *   holds the tail of its stderr), or when no segment is listed within `startTimeoutMs`.
 *   Everything started is cleaned up before it throws.
 */
export async function startLiveStream(options: LiveStreamOptions): Promise<LiveStream> {
  const segmentDurationSec = options.segmentDurationSec ?? 2;
  const listSize = options.listSize ?? 6;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  if (!(segmentDurationSec > 0) || !Number.isInteger(listSize) || listSize < 1) {
    throw new Error(`Bad live stream options: ${JSON.stringify(options)}`);
  }

  const dir = await mkdtemp(join(tmpdir(), 'tapedeck-live-'));
  const child = spawn('ffmpeg', ffmpegArgs(options.kind, segmentDurationSec, listSize), {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  liveChildren.add(child);
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
  });
  let exitReason: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      exitReason ??= `could not run ffmpeg: ${error.message}`;
      liveChildren.delete(child);
      resolve();
    });
    // 'close' rather than 'exit': it comes after stderr is drained, so the tail is complete.
    child.once('close', (code, signal) => {
      exitReason ??= `ffmpeg exited early (code ${code}, signal ${signal})`;
      liveChildren.delete(child);
      resolve();
    });
  });

  let server: Awaited<ReturnType<typeof serveDirectory>> | undefined;
  let stopping: Promise<void> | undefined;
  const stream: LiveStream = {
    playlistUrl: '',
    dir,
    stop() {
      stopping ??= (async () => {
        await killChild(child, exited);
        await server?.close();
        await rm(dir, { recursive: true, force: true });
        running.delete(stream);
      })();
      return stopping;
    },
  };
  running.add(stream);

  try {
    server = await serveDirectory(dir);
    stream.playlistUrl = `${server.origin}/${PLAYLIST_NAME}`;
    await waitFor(
      async () => {
        if (exitReason !== undefined) throw new Error(`${exitReason}; stderr tail:\n${stderrTail}`);
        const text = await readFile(join(dir, PLAYLIST_NAME), 'utf8').catch(() => '');
        return /^[^#\s].*\.ts\s*$/m.test(text) ? true : undefined;
      },
      { timeoutMs: startTimeoutMs, description: `${PLAYLIST_NAME} to list a segment` },
    );
  } catch (error) {
    await stream.stop();
    throw error;
  }
  return stream;
}

/**
 * Stops a stream if there is one. Meant for `afterAll`/`finally`, where the variable may still be
 * `undefined` because {@link startLiveStream} threw (it has then cleaned up already).
 * Never rejects.
 */
export async function stopIfRunning(stream: LiveStream | undefined): Promise<void> {
  await stream?.stop();
}

/** Stops every stream started in this process and not stopped yet. Never rejects. */
export async function stopAllLiveStreams(): Promise<void> {
  await Promise.all([...running].map((stream) => stream.stop()));
}

/** What a live media playlist says now. */
export interface PlaylistState {
  /** Value of `#EXT-X-MEDIA-SEQUENCE` (0 when absent). */
  mediaSequence: number;
  /** Segment URIs in playlist order, as written (relative to the playlist URL). */
  segmentUris: string[];
  /** Whether the playlist has `#EXT-X-ENDLIST`. */
  ended: boolean;
}

/**
 * Fetches a media playlist over HTTP and reads its media sequence and segment URIs.
 * @param playlistUrl Absolute URL of an HLS media playlist.
 * @throws Error when the request fails or answers a status other than 2xx.
 */
export async function fetchPlaylistState(playlistUrl: string): Promise<PlaylistState> {
  const response = await fetch(playlistUrl, { cache: 'no-store' });
  if (!response.ok) throw new Error(`GET ${playlistUrl} answered ${response.status}`);
  const text = await response.text();
  const sequence = /^#EXT-X-MEDIA-SEQUENCE:(\d+)\s*$/m.exec(text)?.[1];
  return {
    mediaSequence: sequence === undefined ? 0 : Number(sequence),
    segmentUris: text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#')),
    ended: /^#EXT-X-ENDLIST\s*$/m.test(text),
  };
}

/** ffmpeg command-line arguments (after `ffmpeg`) for one live stream, writing into the cwd. */
function ffmpegArgs(kind: 'video' | 'audio', segmentDurationSec: number, listSize: number): string[] {
  const tone = ['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'];
  const aac = ['-c:a', 'aac', '-b:a', '128k'];
  const gopFrames = String(Math.max(1, Math.round(segmentDurationSec * VIDEO_FRAME_RATE)));
  const media =
    kind === 'video'
      ? [
          ...['-re', '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=${VIDEO_FRAME_RATE}`],
          ...tone,
          ...['-map', '0:v:0', '-map', '1:a:0'],
          ...['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency'],
          ...['-g', gopFrames, '-keyint_min', gopFrames, '-sc_threshold', '0', '-pix_fmt', 'yuv420p'],
          ...aac,
        ]
      : [...tone, '-map', '0:a:0', ...aac];
  return [
    ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning'],
    ...media,
    ...['-f', 'hls', '-hls_time', String(segmentDurationSec), '-hls_list_size', String(listSize)],
    ...['-hls_flags', 'delete_segments', '-hls_segment_type', 'mpegts'],
    ...['-hls_segment_filename', 'seg%05d.ts', PLAYLIST_NAME],
  ];
}

/** Sends SIGTERM, then SIGKILL if the child has not exited within {@link KILL_GRACE_MS}. */
async function killChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace-over'>((resolve) => {
    timer = setTimeout(() => resolve('grace-over'), KILL_GRACE_MS);
  });
  const outcome = await Promise.race([exited.then(() => 'exited' as const), graceOver]);
  clearTimeout(timer);
  if (outcome === 'grace-over') {
    child.kill('SIGKILL');
    await exited;
  }
}
