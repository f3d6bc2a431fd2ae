/**
 * The relay is not open to anyone: the bearer token is required (header or `token` query
 * parameter), CORS answers only configured origins, preflights are handled, and errors are JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from './helpers/relay-harness.ts';

const APP_ORIGIN = 'http://app.example:5173';
let relay: TestRelay | undefined;

beforeAll(async () => {
  relay = await startTestRelay({ args: ['--allowed-origin', APP_ORIGIN, '--max-request-body-bytes', '1024'] });
});
afterAll(async () => {
  await relay?.dispose();
});

function started(): TestRelay {
  if (!relay) throw new Error('setup failed');
  return relay;
}

describe('bearer token', () => {
  it('answers /healthz without a token', async () => {
    const response = await fetch(`${started().url}/healthz`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe('ok');
  });

  it('refuses a request without a token with 401 and a JSON error', async () => {
    for (const path of ['/api/cameras', '/api/sources', '/proxy?url=http%3A%2F%2Fexample.com%2Fx.m3u8', '/cameras/porch/index.m3u8']) {
      const response = await fetch(`${started().url}${path}`);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unauthorized');
      expect(body.error.message).toContain('token');
    }
  });

  it('refuses a wrong token, in the header or the query', async () => {
    const relay = started();
    const wrong = `${relay.token.slice(0, -1)}${relay.token.endsWith('A') ? 'B' : 'A'}`;
    const byHeader = await fetch(`${relay.url}/api/cameras`, { headers: { Authorization: `Bearer ${wrong}` } });
    expect(byHeader.status).toBe(401);
    const byQuery = await fetch(`${relay.url}/api/cameras?token=${wrong}`);
    expect(byQuery.status).toBe(401);
    const malformed = await fetch(`${relay.url}/api/cameras?token=${relay.token}`, { headers: { Authorization: `Basic ${relay.token}` } });
    expect(malformed.status).toBe(401);
  });

  it('accepts the right token in the Authorization header or the token query parameter', async () => {
    const relay = started();
    expect((await fetch(`${relay.url}/api/cameras`, { headers: { Authorization: `Bearer ${relay.token}` } })).status).toBe(200);
    expect((await fetch(`${relay.url}/api/cameras?token=${encodeURIComponent(relay.token)}`)).status).toBe(200);
  });

  it('keeps the token across restarts in a file only its owner can read', async () => {
    const { stat, readFile } = await import('node:fs/promises');
    const relay = started();
    const info = await stat(relay.config.tokenFile);
    expect(info.mode & 0o777).toBe(0o600);
    expect((await readFile(relay.config.tokenFile, 'utf8')).trim()).toBe(relay.token);
  });
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin with the methods and headers', async () => {
    const response = await fetch(`${started().url}/api/cameras`, {
      method: 'OPTIONS',
      headers: { Origin: APP_ORIGIN, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization, content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('gives another origin no CORS headers, on preflight and on requests', async () => {
    const relay = started();
    const preflight = await fetch(`${relay.url}/api/cameras`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'GET' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
    const request = await relay.api('/api/cameras', { headers: { Origin: 'http://evil.example' } });
    expect(request.status).toBe(200);
    expect(request.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reflects the allowed origin on answers, errors included', async () => {
    const relay = started();
    const ok = await relay.api('/api/cameras', { headers: { Origin: APP_ORIGIN } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const unauthorized = await fetch(`${relay.url}/api/cameras`, { headers: { Origin: APP_ORIGIN } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });
});

describe('bad requests', () => {
  it('answers unknown routes 404 and wrong methods 405, as JSON', async () => {
    const relay = started();
    const missing = await relay.api('/api/nothing');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const wrongMethod = await relay.api('/api/cameras', { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('refuses a body over --max-request-body-bytes with 413, and non-JSON with 415/400', async () => {
    const relay = started();
    const big = await relay.api('/api/cameras', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(2000) }) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'body_too_large', message: expect.stringContaining('1024 bytes') });
    const text = await relay.api('/api/cameras', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(text.status).toBe(415);
    const broken = await relay.api('/api/cameras', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    // The relay still answers.
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
  });
});
