import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer, type FaultServer } from './fault-server.ts';
import { waitFor } from './poll.ts';

let server: FaultServer | undefined;
let base = '';

beforeAll(async () => {
  server = await startFaultServer();
  base = server.url;
});
afterAll(() => server?.close());

/** GETs a path of the fault server and returns status and body text. */
async function getText(path: string): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** Number of requests the server has seen for `key`, from `/count/<key>`. */
async function countOf(key: string): Promise<number> {
  const response = await fetch(`${base}/count/${key}`);
  expect(response.headers.get('content-type')).toBe('application/json');
  return ((await response.json()) as { requests: number }).requests;
}

describe('startFaultServer', () => {
  it('listens on 127.0.0.1 and sends CORS and no-store on every response', async () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const path of ['/status/500', '/nowhere', '/file?body=x', '/count/k']) {
      const { headers } = await getText(path);
      expect(headers.get('access-control-allow-origin')).toBe('*');
      expect(headers.get('cache-control')).toBe('no-store');
    }
  });

  it('answers an OPTIONS preflight allowing the requested headers', async () => {
    const response = await fetch(`${base}/flaky/preflight`, {
      method: 'OPTIONS',
      headers: { 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-trace, range' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toBe('x-trace, range');
    expect(response.headers.get('access-control-allow-methods')).toContain('GET');
    expect(await countOf('preflight')).toBe(0);
  });

  it('/status/<code> answers that status', async () => {
    expect(await getText('/status/503')).toMatchObject({ status: 503, body: 'status 503' });
    expect(await getText('/status/404')).toMatchObject({ status: 404, body: 'status 404' });
    expect(await getText('/status/200')).toMatchObject({ status: 200, body: 'status 200' });
    expect((await getText('/status/abc')).status).toBe(400);
  });

  it('/flaky/<key> fails N times with the given status, then succeeds; keys are independent', async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await getText('/flaky/a?failures=2&status=500'));
    expect(results.map(({ status, body }) => [status, body])).toEqual([
      [500, 'fail 1'],
      [500, 'fail 2'],
      [200, 'ok a'],
      [200, 'ok a'],
    ]);
    expect(await getText('/flaky/b?failures=1')).toMatchObject({ status: 503, body: 'fail 1' });
    expect(await getText('/flaky/b?failures=1')).toMatchObject({ status: 200, body: 'ok b' });
    expect(await countOf('a')).toBe(4);
    expect(await countOf('b')).toBe(2);
    expect(await countOf('never-used')).toBe(0);
  });

  it('/flaky/<key>?after=K succeeds K times with the given body first, then fails N times, then succeeds again', async () => {
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await getText('/flaky/c?after=2&failures=2&status=502&body=hello'));
    expect(results.map(({ status, body }) => [status, body])).toEqual([
      [200, 'hello'],
      [200, 'hello'],
      [502, 'fail 1'],
      [502, 'fail 2'],
      [200, 'hello'],
    ]);
    const changed = [];
    for (let i = 0; i < 4; i++) changed.push((await getText('/flaky/changing?after=1&failures=2&body=before&then=after')).body);
    expect(changed).toEqual(['before', 'fail 1', 'fail 2', 'after']);
  });

  it('/switch/<key>?after=K answers `body` K times, then `then`, and counts each request', async () => {
    const bodies = [];
    for (let i = 0; i < 4; i++) bodies.push((await getText('/switch/s?after=2&body=before&then=after')).body);
    expect(bodies).toEqual(['before', 'before', 'after', 'after']);
    expect(await countOf('s')).toBe(4);
  });

  it('/numbered/<n> answers `segment <n>`, 404 for the missing numbers and those above last', async () => {
    const results = [];
    for (const n of [0, 3, 4, 9]) results.push(await getText(`/numbered/${n}?missing=3&missingDelayMs=5&last=5`));
    expect(results.map(({ status, body }) => [status, body])).toEqual([[200, 'segment 0'], [404, 'not found'], [200, 'segment 4'], [404, 'not found']]);
  });

  it('/drop/<key> destroys the socket N times (a network error), then succeeds', async () => {
    await expect(fetch(`${base}/drop/d?failures=2`)).rejects.toThrow(TypeError);
    await expect(fetch(`${base}/drop/d?failures=2`)).rejects.toThrow(TypeError);
    expect(await getText('/drop/d?failures=2')).toMatchObject({ status: 200, body: 'ok d' });
    expect(await countOf('d')).toBe(3);
  });

  it('/hang never answers', async () => {
    const error = await fetch(`${base}/hang`, { signal: AbortSignal.timeout(300) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('TimeoutError');
  });

  it('/file serves the given body and content type', async () => {
    const body = '#EXTM3U\n#EXT-X-ENDLIST\n';
    const type = 'application/vnd.apple.mpegurl';
    const response = await fetch(`${base}/file?body=${encodeURIComponent(body)}&type=${encodeURIComponent(type)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(await response.text()).toBe(body);
    expect((await getText('/file?body=plain')).headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('answers 404 for unknown routes', async () => {
    expect((await getText('/nowhere')).status).toBe(404);
    expect((await getText('/flaky/a/extra')).status).toBe(404);
  });

  it('close() ends requests parked on /hang and resolves', async () => {
    const own = await startFaultServer();
    const hanging = fetch(`${own.url}/hang/parked`).catch((e: unknown) => e);
    await waitFor(
      async () => ((await (await fetch(`${own.url}/count/parked`)).json()) as { requests: number }).requests === 1 || undefined,
      { timeoutMs: 5000, intervalMs: 20, description: 'the /hang request to reach the server' },
    );
    await own.close();
    expect(await hanging).toBeInstanceOf(TypeError);
    await own.close();
    await expect(fetch(`${own.url}/status/200`)).rejects.toThrow(TypeError);
  });
});
