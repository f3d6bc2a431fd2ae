import { get } from 'node:http';
import { access, mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeMedia } from './ffprobe.ts';
import { fetchPlaylistState, startLiveStream, stopIfRunning, type LiveStream } from './live-stream.ts';
import { waitFor } from './poll.ts';

const STREAM_TIMEOUT_MS = 60_000;

/** Raw GET with the path sent exactly as given (fetch would normalise `..` away). */
function rawGetStatus(origin: string, rawPath: string): Promise<number> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    get({ hostname, port, path: rawPath }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

/** Ids of processes (Linux /proc) whose working directory is `dir`: the stream's ffmpeg. */
async function processesIn(dir: string): Promise<string[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const cwds = await Promise.all(pids.map((pid) => readlink(`/proc/${pid}/cwd`).catch(() => '')));
  return pids.filter((_, i) => cwds[i] === dir || cwds[i] === `${dir} (deleted)`);
}

/** Downloads the newest listed segment into a temp file, probes it and removes the file. */
async function probeNewestSegment(stream: LiveStream): Promise<Awaited<ReturnType<typeof probeMedia>>> {
  const state = await fetchPlaylistState(stream.playlistUrl);
  const uri = state.segmentUris.at(-1);
  if (uri === undefined) throw new Error('playlist lists no segment');
  const response = await fetch(new URL(uri, stream.playlistUrl));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('video/mp2t');
  const scratch = await mkdtemp(join(tmpdir(), 'tapedeck-probe-'));
  try {
    const file = join(scratch, 'segment.ts');
    await writeFile(file, new Uint8Array(await response.arrayBuffer()));
    return await probeMedia(file);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

describe.each([
  { kind: 'video' as const, codecs: ['aac', 'h264'], types: ['audio', 'video'] },
  { kind: 'audio' as const, codecs: ['aac'], types: ['audio'] },
])('startLiveStream($kind)', ({ kind, codecs, types }) => {
  const segmentDurationSec = 1;
  let stream: LiveStream | undefined;

  beforeAll(async () => {
    stream = await startLiveStream({ kind, segmentDurationSec, listSize: 3 });
  }, STREAM_TIMEOUT_MS);
  // Runs even when a test failed, and tolerates a failed start: no ffmpeg is left behind.
  afterAll(() => stopIfRunning(stream), STREAM_TIMEOUT_MS);

  it('serves the playlist with HLS headers', async () => {
    const response = await fetch(stream!.playlistUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const text = await response.text();
    expect(text).toMatch(/^#EXTM3U/);
    expect(text).toMatch(/^seg\d{5}\.ts$/m);
  });

  it('is live: the media sequence rises and old segments are deleted', async () => {
    const first = await fetchPlaylistState(stream!.playlistUrl);
    expect(first.ended).toBe(false);
    const later = await waitFor(
      async () => {
        const state = await fetchPlaylistState(stream!.playlistUrl);
        return state.mediaSequence > first.mediaSequence ? state : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'the media sequence to rise' },
    );
    expect(later.mediaSequence).toBeGreaterThan(first.mediaSequence);
    expect(later.segmentUris.length).toBeLessThanOrEqual(3);
    // delete_segments keeps the listed segments plus a small margin, not the whole history.
    const files = (await readdir(stream!.dir)).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeLessThanOrEqual(3 + 2);
  }, STREAM_TIMEOUT_MS);

  it(`has segments that probe as ${codecs.join(' + ')} in MPEG-TS`, async () => {
    const probed = await probeNewestSegment(stream!);
    expect(probed.formatName).toBe('mpegts');
    expect(probed.streams.map((s) => s.codecType).sort()).toEqual(types);
    expect(probed.streams.map((s) => s.codecName).sort()).toEqual(codecs);
    expect(probed.durationSec).toBeGreaterThan(segmentDurationSec * 0.5);
    expect(probed.durationSec).toBeLessThan(segmentDurationSec * 2);
  }, STREAM_TIMEOUT_MS);

  it('answers 404 for missing files and paths outside its directory', async () => {
    const { origin } = new URL(stream!.playlistUrl);
    expect((await fetch(`${origin}/nope.ts`)).status).toBe(404);
    expect(await rawGetStatus(origin, '/../../../etc/passwd')).toBe(404);
    expect(await rawGetStatus(origin, '/%2e%2e/%2e%2e/%2e%2e/etc/passwd')).toBe(404);
    expect(await rawGetStatus(origin, '/..%2f..%2f..%2fetc%2fpasswd')).toBe(404);
    expect(await rawGetStatus(origin, '/%E0%A4%A')).toBe(400);
  });
});

describe('LiveStream.stop', () => {
  it('ends ffmpeg, stops serving, removes the dir, and can be called twice', async () => {
    const stream = await startLiveStream({ kind: 'audio', segmentDurationSec: 1, listSize: 2 });
    try {
      expect(await processesIn(stream.dir)).toHaveLength(1);
      await stream.stop();
      expect(await processesIn(stream.dir)).toHaveLength(0);
      await stream.stop();
      await expect(access(stream.dir)).rejects.toThrow();
      await expect(fetch(stream.playlistUrl)).rejects.toThrow();
    } finally {
      await stopIfRunning(stream);
    }
  }, STREAM_TIMEOUT_MS);

  it('rejects bad options before spawning anything', async () => {
    await expect(startLiveStream({ kind: 'audio', listSize: 0 })).rejects.toThrow(/Bad live stream options/);
  });
});
