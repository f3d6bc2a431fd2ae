/**
 * `GET /cameras/{id}/{file}` serves what CameraStreams.getFile gives, with content types,
 * no-cache playlists, CORS and the token; the API's `stream_url` plays in ffprobe.
 *
 * The camera pipeline is built elsewhere; here a stand-in CameraStreams serves a real
 * ffmpeg-made HLS VOD from a directory, so what is tested is the HTTP side only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeMedia } from '../../tests/helpers/ffprobe.ts';
import type { CameraResource } from '../src/api/cameras-api.ts';
import type { CameraConfig, CameraStreams } from '../src/cameras/types.ts';
import { createPlaceholderCameraStreams } from '../src/http/camera-streams-factory.ts';
import { makeRefererVod, type RefererVod } from './helpers/referer-vod.ts';
import { startTestRelay, type TestRelay } from './helpers/relay-harness.ts';

const APP_ORIGIN = 'http://localhost:5173';
let vod: RefererVod | undefined;
let relay: TestRelay | undefined;
/** Abort signals the relay passed to getFile. */
const signals: AbortSignal[] = [];

/** Serves the VOD's files for camera `porch` while it is in the list and enabled. */
function directoryStreams(dir: string): CameraStreams {
  const status = createPlaceholderCameraStreams();
  let cameras: CameraConfig[] = [];
  return {
    ...status,
    update(next) {
      cameras = next;
      status.update(next);
    },
    async getFile(id, path, signal) {
      signals.push(signal);
      if (!cameras.some((camera) => camera.id === id && camera.enabled)) return null;
      const name = path === 'index.m3u8' ? 'index.m3u8' : path;
      const body = await readFile(join(dir, name)).catch(() => null);
      if (body === null) return null;
      return { body: new Uint8Array(body), contentType: name.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : name.endsWith('.ts') ? 'video/mp2t' : 'application/octet-stream' };
    },
  };
}

beforeAll(async () => {
  vod = await makeRefererVod({ durationSec: 4 });
  relay = await startTestRelay({ streams: directoryStreams(vod.dir) });
  const created = await relay.api('/api/cameras', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'porch', name: 'Porch', rtsp_url: 'rtsp://cam.local/live' }),
  });
  expect(created.status).toBe(201);
}, 90_000);

afterAll(async () => {
  await relay?.dispose();
  await vod?.close();
});

describe('camera files', () => {
  it('serves the playlist no-cache and segments cacheable, with content types and CORS', async () => {
    if (!relay) throw new Error('setup failed');
    const playlist = await relay.api('/cameras/porch/index.m3u8', { headers: { Origin: APP_ORIGIN } });
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(playlist.headers.get('cache-control')).toBe('no-cache');
    expect(playlist.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const text = await playlist.text();
    expect(text).toContain('#EXTINF');
    const token = encodeURIComponent(relay.token);
    expect(text).toContain(`\n${relay.url}/cameras/porch/seg000.ts?token=${token}\n`);
    expect(text).toContain(`URI="${relay.url}/cameras/porch/key.bin?token=${token}"`);
    const segment = await relay.api('/cameras/porch/seg000.ts');
    expect(segment.status).toBe(200);
    expect(segment.headers.get('content-type')).toBe('video/mp2t');
    expect(segment.headers.get('cache-control')).toBe('max-age=60');
    expect(signals.at(-1)?.aborted).toBe(false);
  });

  it('needs the token', async () => {
    if (!relay) throw new Error('setup failed');
    expect((await fetch(`${relay.url}/cameras/porch/index.m3u8`)).status).toBe(401);
  });

  it('answers 404 for an unknown camera or file, and 400 for a name that is not a file name', async () => {
    if (!relay) throw new Error('setup failed');
    for (const path of ['/cameras/garage/index.m3u8', '/cameras/porch/seg999.ts']) {
      const response = await relay.api(path);
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('camera_file_not_found');
    }
    for (const path of ['/cameras/porch/.hidden', '/cameras/porch/..%2Fcameras.json']) {
      const response = await relay.api(path);
      expect(response.status, path).toBe(400);
    }
  });

  it('gives a stream_url that ffprobe plays: H.264 for the whole duration', async () => {
    if (!relay || !vod) throw new Error('setup failed');
    const camera = (await (await relay.api('/api/cameras/porch')).json()) as CameraResource;
    expect(camera.stream_url).toBe(`${relay.url}/cameras/porch/index.m3u8?token=${encodeURIComponent(relay.token)}`);
    // A player that has only the stream_url (no Authorization header) fetches the key and the
    // segments too: the relay added the token to the playlist's URIs.
    const probed = await probeMedia(camera.stream_url).catch((error: Error) => error);
    if (probed instanceof Error) throw probed;
    expect(probed.streams.map((stream) => stream.codecName)).toContain('h264');
    expect(probed.durationSec).toBeGreaterThan(vod.durationSec - 0.5);
  }, 60_000);
});
