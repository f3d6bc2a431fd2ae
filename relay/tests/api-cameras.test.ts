/**
 * The camera API: CRUD round trip with validation errors, passwords never returned or logged,
 * the list persisted atomically across restarts, and a corrupt list refused untouched.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CameraResource } from '../src/api/cameras-api.ts';
import type { CameraConfig, CameraStreams } from '../src/cameras/types.ts';
import { createPlaceholderCameraStreams } from '../src/http/camera-streams-factory.ts';
import { startTestRelay, type TestRelay } from './helpers/relay-harness.ts';

const SECRET = 'pa55-w0rd!';
const RTSP_URL = `rtsp://admin:${SECRET}@192.168.1.50:554/Streaming/Channels/101`;
const JSON_HEADERS = { 'content-type': 'application/json' };

let dir = '';
let relay: TestRelay | undefined;
/** Every list the relay handed to CameraStreams.update, newest last. */
const updates: CameraConfig[][] = [];

function recordingStreams(): CameraStreams {
  const inner = createPlaceholderCameraStreams();
  return { ...inner, update: (cameras) => (updates.push(cameras), inner.update(cameras)) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-relay-api-'));
  relay = await startTestRelay({ dir, streams: recordingStreams() });
});
afterAll(async () => {
  await relay?.close();
  await rm(dir, { recursive: true, force: true });
});

function started(): TestRelay {
  if (!relay) throw new Error('setup failed');
  return relay;
}

async function send(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await started().api(path, { method, headers: JSON_HEADERS, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, json: text === '' ? null : (JSON.parse(text) as unknown) };
}

describe('camera CRUD', () => {
  it('creates a camera, masking its password and giving its stream URL and status', async () => {
    const { status, json } = await send('POST', '/api/cameras', { name: 'Front door', group: 'Outside', rtsp_url: RTSP_URL });
    expect(status).toBe(201);
    const camera = json as CameraResource;
    expect(camera).toMatchObject({
      id: 'front-door',
      name: 'Front door',
      group: 'Outside',
      rtsp_url: 'rtsp://admin:***@192.168.1.50:554/Streaming/Channels/101',
      has_password: true,
      transport: 'tcp',
      enabled: true,
      stream_url: `${started().url}/cameras/front-door/index.m3u8?token=${encodeURIComponent(started().token)}`,
    });
    expect(camera.status.state).toBe('offline');
    expect(JSON.stringify(json)).not.toContain(SECRET);
    expect(updates.at(-1)?.map((item) => item.rtspUrl)).toEqual([RTSP_URL]);
  });

  it('lists and gets cameras without passwords', async () => {
    const list = await send('GET', '/api/cameras');
    expect(list.status).toBe(200);
    expect((list.json as { cameras: CameraResource[] }).cameras.map((camera) => camera.id)).toEqual(['front-door']);
    const one = await send('GET', '/api/cameras/front-door');
    expect(one.status).toBe(200);
    expect(JSON.stringify(list.json) + JSON.stringify(one.json)).not.toContain(SECRET);
  });

  it('refuses invalid bodies with 400 and every problem named', async () => {
    const cases: [unknown, string[]][] = [
      [{ name: '', rtsp_url: 'http://cam/x' }, ['name: must not be empty', 'rtsp_url: RTSP URL must start with rtsp://']],
      [{ name: 'Cam', rtsp_url: 'rtsp://cam/x', transport: 'quic' }, ['transport']],
      [{ name: 'Cam', rtsp_url: 'rtsp://cam/x', colour: 'red' }, ['colour']],
      [{ name: 'Cam', rtsp_url: 'rtsp://cam/x', id: '../etc' }, ['id: must be 1-64']],
      [{ rtsp_url: 'not a url' }, ['name', 'rtsp_url: RTSP URL not a URL']],
      [[1, 2], ['(body)']],
    ];
    for (const [body, fragments] of cases) {
      const { status, json } = await send('POST', '/api/cameras', body);
      expect(status, JSON.stringify(body)).toBe(400);
      const error = (json as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('invalid_body');
      for (const fragment of fragments) expect(error.message, JSON.stringify(body)).toContain(fragment);
    }
    const withMask = await send('POST', '/api/cameras', { name: 'Masked', rtsp_url: 'rtsp://admin:***@cam/x' });
    expect(withMask.status).toBe(400);
    expect((withMask.json as { error: { code: string } }).error.code).toBe('masked_password');
    expect(((await send('GET', '/api/cameras')).json as { cameras: unknown[] }).cameras).toHaveLength(1);
  });

  it('refuses a duplicate id with 409 and an unknown id with 404', async () => {
    const duplicate = await send('POST', '/api/cameras', { id: 'front-door', name: 'Again', rtsp_url: 'rtsp://cam/x' });
    expect(duplicate.status).toBe(409);
    expect((duplicate.json as { error: { code: string } }).error.code).toBe('camera_exists');
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const missing = await send(method, '/api/cameras/nope', method === 'PUT' ? { name: 'x' } : undefined);
      expect(missing.status, method).toBe(404);
      expect((missing.json as { error: { code: string } }).error.code).toBe('camera_not_found');
    }
  });

  it('keeps the stored password when a PUT sends the masked URL back, and replaces it when a new one is sent', async () => {
    const masked = (await send('GET', '/api/cameras/front-door')).json as CameraResource;
    const renamed = await send('PUT', '/api/cameras/front-door', { name: 'Front door (new)', rtsp_url: masked.rtsp_url, transport: 'udp', enabled: false });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ name: 'Front door (new)', transport: 'udp', enabled: false, has_password: true, rtsp_url: masked.rtsp_url });
    expect((renamed.json as CameraResource).status.state).toBe('disabled');
    expect(updates.at(-1)?.[0]?.rtspUrl).toBe(RTSP_URL);

    const moved = await send('PUT', '/api/cameras/front-door', { rtsp_url: 'rtsp://admin:***@192.168.1.51/other' });
    expect(moved.status).toBe(200);
    expect(updates.at(-1)?.[0]?.rtspUrl).toBe(`rtsp://admin:${SECRET}@192.168.1.51/other`);

    const changed = await send('PUT', '/api/cameras/front-door', { rtsp_url: 'rtsp://viewer:n3w@192.168.1.51/other' });
    expect(changed.status).toBe(200);
    expect((changed.json as CameraResource).rtsp_url).toBe('rtsp://viewer:***@192.168.1.51/other');
    expect(updates.at(-1)?.[0]?.rtspUrl).toBe('rtsp://viewer:n3w@192.168.1.51/other');

    const empty = await send('PUT', '/api/cameras/front-door', {});
    expect(empty.status).toBe(400);
    await send('PUT', '/api/cameras/front-door', { rtsp_url: RTSP_URL });
  });

  it('never writes a password to the log', () => {
    expect(started().logText()).toContain('"rtspUrl":"rtsp://admin:***@192.168.1.50:554/Streaming/Channels/101"');
    expect(started().logText()).toContain('"rtspUrl":"rtsp://viewer:***@192.168.1.51/other"');
    expect(started().logText()).not.toContain(SECRET);
    expect(started().logText()).not.toContain('n3w@');
  });

  it('deletes a camera', async () => {
    const created = await send('POST', '/api/cameras', { name: 'Garage', rtsp_url: 'rtsp://10.0.0.9/live', enabled: false });
    expect((created.json as CameraResource).has_password).toBe(false);
    const removed = await send('DELETE', '/api/cameras/garage');
    expect(removed.status).toBe(204);
    expect((await send('GET', '/api/cameras/garage')).status).toBe(404);
    expect(updates.at(-1)?.map((item) => item.id)).toEqual(['front-door']);
  });
});

describe('the camera list file', () => {
  it('is written atomically: the JSON holds the cameras and no temp file is left', async () => {
    const names = await readdir(dir);
    expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const file = JSON.parse(await readFile(join(dir, 'cameras.json'), 'utf8')) as { version: number; cameras: CameraConfig[] };
    expect(file.version).toBe(1);
    expect(file.cameras).toEqual([{ id: 'front-door', name: 'Front door (new)', group: 'Outside', rtspUrl: RTSP_URL, transport: 'udp', enabled: false }]);
  });

  it('survives a restart, with the same token', async () => {
    const before = started();
    await before.close();
    relay = await startTestRelay({ dir });
    expect(relay.token).toBe(before.token);
    const list = (await send('GET', '/api/cameras')).json as { cameras: CameraResource[] };
    expect(list.cameras.map((camera) => [camera.id, camera.name, camera.rtsp_url])).toEqual([['front-door', 'Front door (new)', 'rtsp://admin:***@192.168.1.50:554/Streaming/Channels/101']]);
  });

  it('refuses to start on a corrupt file, with a clear message, and leaves it untouched', async () => {
    const corruptDir = await mkdtemp(join(tmpdir(), 'tapedeck-relay-corrupt-'));
    try {
      for (const [text, fragment] of [
        ['{"version":1,"cameras":[{"id":"a"', 'is not valid JSON'],
        ['{"version":1,"cameras":[{"id":"a","name":"A"}]}', 'does not have the expected shape'],
        ['{"version":2,"cameras":[]}', 'does not have the expected shape'],
      ] as const) {
        await writeFile(join(corruptDir, 'cameras.json'), text);
        const start = startTestRelay({ dir: corruptDir });
        await expect(start).rejects.toThrow(fragment);
        await expect(start).rejects.toThrow(join(corruptDir, 'cameras.json'));
        await expect(start).rejects.toThrow('left untouched');
        expect(await readFile(join(corruptDir, 'cameras.json'), 'utf8')).toBe(text);
      }
    } finally {
      await rm(corruptDir, { recursive: true, force: true });
    }
  });

  it('answers 500 storage_failed when the file cannot be written, and keeps the list as it was', async () => {
    const brokenDir = await mkdtemp(join(tmpdir(), 'tapedeck-relay-broken-'));
    const dataDir = join(brokenDir, 'data');
    const broken = await startTestRelay({ dir: dataDir });
    try {
      const first = await broken.api('/api/cameras', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ name: 'Kept', rtsp_url: 'rtsp://cam/1' }) });
      expect(first.status).toBe(201);
      // The data directory turns into a plain file: no write can succeed now.
      await rm(dataDir, { recursive: true, force: true });
      await writeFile(dataDir, 'not a directory');
      const second = await broken.api('/api/cameras', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ name: 'Lost', rtsp_url: 'rtsp://cam/2' }) });
      expect(second.status).toBe(500);
      const { error } = (await second.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('storage_failed');
      expect(error.message).toContain('Nothing was changed');
      const list = (await (await broken.api('/api/cameras')).json()) as { cameras: CameraResource[] };
      expect(list.cameras.map((camera) => camera.name)).toEqual(['Kept']);
    } finally {
      await broken.close();
      await rm(brokenDir, { recursive: true, force: true });
    }
  });
});
