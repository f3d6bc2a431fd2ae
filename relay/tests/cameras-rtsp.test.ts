/**
 * The whole camera path on real RTSP: GStreamer's RTSP server (relay/tests/fixtures) ->
 * playRtsp (TCP interleaved and UDP) -> depacketizers -> mediabunny live HLS -> ffprobe.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { waitFor } from '../../tests/helpers/poll.ts';
import { startRtspServer, type RtspTestServer } from './helpers/rtsp-server.ts';
import { createCameraStreams, type RunningCameraStreams } from '../src/cameras/camera-streams.ts';
import type { CameraConfig } from '../src/cameras/types.ts';
import { createLogger } from '../src/log.ts';

const FAST = { targetDurationSec: 1, liveSegmentCount: 4, stallTimeoutMs: 3000, reconnectInitialDelayMs: 200, reconnectMaxDelayMs: 1000, offlineAfterFailures: 50, firstPlaylistTimeoutMs: 20_000 };

function camera(id: string, rtspUrl: string, transport: 'tcp' | 'udp'): CameraConfig {
  return { id, name: id, group: 'test', rtspUrl, transport, enabled: true };
}

/** A logger whose lines the test reads back. */
function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

function ffprobe(args: string[]): Promise<{ streams?: Record<string, unknown>[]; packets?: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) =>
    execFile('ffprobe', ['-v', 'error', '-print_format', 'json', ...args], { maxBuffer: 32 * 1024 * 1024, timeout: 30_000 }, (error, out, err) =>
      error ? reject(new Error(`ffprobe: ${err || error.message}`)) : resolve(JSON.parse(out) as never),
    ),
  );
}

const text = (body: Uint8Array): string => new TextDecoder().decode(body);
const segmentNames = (playlist: string): string[] => playlist.split('\n').filter((line) => line.endsWith('.m4s'));

/**
 * Fetches the camera's playlist until it lists `count` segments (and `accept` takes it),
 * writes them with the init section to a directory and ffprobes it.
 */
async function probeCamera(streams: RunningCameraStreams, id: string, count: number, dir: string, accept: (playlist: string) => boolean = () => true) {
  const signal = new AbortController().signal;
  const playlist = await waitFor(async () => {
    const file = await streams.getFile(id, 'index.m3u8', signal);
    return file !== null && segmentNames(text(file.body)).length >= count && accept(text(file.body)) ? text(file.body) : undefined;
  }, { timeoutMs: 30_000, intervalMs: 250, description: `${id}'s playlist to list ${count} segments` });
  const cameraDir = join(dir, id);
  await rm(cameraDir, { recursive: true, force: true });
  await mkdir(cameraDir, { recursive: true });
  const initName = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)![1]!;
  const init = (await streams.getFile(id, initName, signal))!.body;
  await writeFile(join(cameraDir, initName), init);
  await writeFile(join(cameraDir, 'index.m3u8'), playlist);
  const firstPackets: string[] = [];
  for (const name of segmentNames(playlist)) {
    const segment = await streams.getFile(id, name, signal);
    expect(segment, `${id} ${name} is served while listed`).not.toBeNull();
    await writeFile(join(cameraDir, name), segment!.body);
    await writeFile(join(cameraDir, `${name}.mp4`), Buffer.concat([init, segment!.body]));
    const packets = (await ffprobe(['-select_streams', 'v', '-show_packets', '-show_entries', 'packet=flags', join(cameraDir, `${name}.mp4`)])).packets ?? [];
    firstPackets.push(String(packets[0]?.['flags']));
  }
  const streamsProbed = (await ffprobe(['-show_streams', join(cameraDir, 'index.m3u8')])).streams ?? [];
  return { playlist, firstPackets, streams: streamsProbed };
}

/** A TCP forwarder in front of the RTSP server, so the camera URL survives a server restart on a new port. */
async function startForwarder(): Promise<{ port: number; target: { port: number }; close: () => Promise<void> }> {
  const target = { port: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    target,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('camera streams over real RTSP', () => {
  let server: RtspTestServer;
  let dir: string;
  let streams: RunningCameraStreams | null = null;
  beforeAll(async () => {
    server = await startRtspServer({ mounts: ['/h264aac', '/h265', '/pcmu'] });
    dir = await mkdtemp(join(tmpdir(), 'tapedeck-cameras-'));
  }, 30_000);
  afterEach(async () => {
    await streams?.close();
    streams = null;
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('packages /h264aac and /h265 over TCP and UDP into live HLS: codecs, size, keyframe-first segments, status; stops when idle', async () => {
    const { logger } = memoryLogger();
    const running = createCameraStreams({ logger, config: { ...FAST, idleStopMs: 4000 } });
    streams = running;
    const cameras = [
      camera('h264-tcp', server.url('/h264aac'), 'tcp'),
      camera('h264-udp', server.url('/h264aac'), 'udp'),
      camera('h265-tcp', server.url('/h265'), 'tcp'),
      camera('h265-udp', server.url('/h265'), 'udp'),
    ];
    running.update(cameras);
    expect(running.status('h264-tcp').state).toBe('idle');
    const results = await Promise.all(cameras.map((c) => probeCamera(running, c.id, 2, dir)));
    for (const [i, result] of results.entries()) {
      const id = cameras[i]!.id;
      const codecs = result.streams.map((s) => s['codec_name']).sort();
      expect(codecs, id).toEqual(id.startsWith('h264') ? ['aac', 'h264'] : ['hevc']);
      const video = result.streams.find((s) => s['codec_type'] === 'video')!;
      expect([video['width'], video['height']], id).toEqual([320, 180]);
      expect(result.firstPackets.every((flags) => flags.startsWith('K')), `${id} segments start on keyframes: ${result.firstPackets.join(' ')}`).toBe(true);
      expect(result.playlist, id).toMatch(/#EXT-X-PROGRAM-DATE-TIME:/);
      const status = running.status(id);
      expect(status, id).toMatchObject({ state: 'live', lastError: null, droppedAudioCodec: null, packetsLost: 0, lossRate: 0 });
      expect(status.bitrateBps, id).toBeGreaterThan(50_000);
    }
    // Nobody asks any more: each camera stops (TEARDOWN) and goes back to idle.
    await waitFor(() => (cameras.every((c) => running.status(c.id).state === 'idle') ? true : undefined), { timeoutMs: 15_000, description: 'the cameras to stop when idle' });
    await waitFor(() => (server.events.filter((e) => e.event === 'request' && e.method === 'TEARDOWN').length >= 4 ? true : undefined), { timeoutMs: 5000, description: 'four TEARDOWNs' });
    expect(await running.getFile('h264-tcp', segmentNames(results[0]!.playlist)[0]!, new AbortController().signal)).toBeNull();
  }, 90_000);

  it('drops PCMU audio with one log line and droppedAudioCodec, and the video still flows', async () => {
    const { logger, lines } = memoryLogger();
    const running = createCameraStreams({ logger, config: FAST });
    streams = running;
    running.update([camera('pcmu', server.url('/pcmu'), 'tcp')]);
    const result = await probeCamera(running, 'pcmu', 2, dir);
    expect(result.streams.map((s) => s['codec_name'])).toEqual(['h264']);
    expect(running.status('pcmu')).toMatchObject({ state: 'live', droppedAudioCodec: 'PCMU' });
    const dropped = lines.filter((line) => String(line['msg']).includes('PCMU'));
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!['msg']).toBe('camera audio PCMU dropped: HLS in browsers cannot carry it; video continues');
  }, 60_000);

  it('unknown cameras and files give null; a wrong path goes offline with the RTSP 404 as lastError, password removed', async () => {
    const { logger, lines } = memoryLogger();
    const running = createCameraStreams({ logger, config: { ...FAST, offlineAfterFailures: 2, firstPlaylistTimeoutMs: 1500 } });
    streams = running;
    const url = `rtsp://admin:hunter2@127.0.0.1:${server.port}/nothing-here`;
    running.update([camera('wrong', url, 'tcp')]);
    const signal = new AbortController().signal;
    expect(await running.getFile('nobody', 'index.m3u8', signal)).toBeNull();
    expect(await running.getFile('wrong', 'index.m3u8', signal)).toBeNull();
    const status = await waitFor(() => {
      const s = running.status('wrong');
      return s.state === 'offline' ? s : undefined;
    }, { timeoutMs: 15_000, description: 'the camera to show offline' });
    expect(status.lastError).toMatch(/404/);
    expect(status.lastError).not.toContain('hunter2');
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  }, 30_000);

  it('shows reconnecting when the RTSP server stops mid-stream, and live again with a new playlist after it restarts', async () => {
    const forwarder = await startForwarder();
    let restarted: RtspTestServer | null = null;
    try {
      const first = await startRtspServer({ mounts: ['/h264aac'] });
      forwarder.target.port = first.port;
      const { logger } = memoryLogger();
      const running = createCameraStreams({ logger, config: FAST });
      streams = running;
      running.update([camera('flaky', `rtsp://127.0.0.1:${forwarder.port}/h264aac`, 'tcp')]);
      const before = await probeCamera(running, 'flaky', 1, dir);
      expect(running.status('flaky').state).toBe('live');

      await first.stop();
      const during = await waitFor(() => {
        const s = running.status('flaky');
        return s.state === 'reconnecting' ? s : undefined;
      }, { timeoutMs: 10_000, intervalMs: 50, description: 'the camera to show reconnecting' });
      expect(during.lastError).not.toBeNull();
      // While it reconnects, the last playlist still answers at once, and every segment it
      // lists can still be fetched (RFC 8216 6.2.2): a recorder that loaded it just before
      // the drop loses nothing.
      const reloading = new AbortController();
      const lastPlaylist = await Promise.race([
        running.getFile('flaky', 'index.m3u8', reloading.signal),
        new Promise<null>((resolve) => setTimeout(resolve, 2000, null)),
      ]);
      reloading.abort();
      expect(lastPlaylist, 'the last playlist, within 2 s').not.toBeNull();
      const lastSegments = segmentNames(text(lastPlaylist!.body));
      expect(lastSegments).toContain(segmentNames(before.playlist).at(-1));
      for (const name of lastSegments) expect(await running.getFile('flaky', name, new AbortController().signal), name).not.toBeNull();

      restarted = await startRtspServer({ mounts: ['/h264aac'] });
      forwarder.target.port = restarted.port;
      await waitFor(() => (running.status('flaky').state === 'live' ? true : undefined), { timeoutMs: 20_000, description: 'the camera to be live again' });
      // The last session's playlist answers until the new session has one of its own.
      const again = await probeCamera(running, 'flaky', 1, dir, (playlist) => playlist !== text(lastPlaylist!.body));
      expect(again.streams.map((s) => s['codec_name']).sort()).toEqual(['aac', 'h264']);
      expect(running.status('flaky').lastError).toBeNull();
      // The new session's files have new names: a cached segment of the old session is never served for them.
      const oldNames = new Set(segmentNames(before.playlist));
      expect(segmentNames(again.playlist).some((name) => oldNames.has(name))).toBe(false);
      // Media sequence numbers go on from the first session's, across a marked discontinuity (RFC 8216 6.2.2).
      const mediaSequence = (playlist: string): number => Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(playlist)![1]);
      expect(mediaSequence(again.playlist)).toBeGreaterThanOrEqual(mediaSequence(before.playlist) + segmentNames(before.playlist).length);
      expect(again.playlist).toMatch(/#EXT-X-DISCONTINUITY\n|#EXT-X-DISCONTINUITY-SEQUENCE:1\n/);
      // The last session's files are freed once a playlist's length has passed ((4 + 1) x 1 s here).
      await waitFor(async () => ((await running.getFile('flaky', lastSegments.at(-1)!, new AbortController().signal)) === null ? true : undefined), {
        timeoutMs: 15_000,
        intervalMs: 250,
        description: "the last session's segments to be freed",
      });
    } finally {
      await streams?.close();
      streams = null;
      await restarted?.stop();
      await forwarder.close();
    }
  }, 90_000);
});
