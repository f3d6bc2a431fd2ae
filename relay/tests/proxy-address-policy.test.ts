/**
 * The proxy is not an open proxy into the relay's own network: loopback, private, link-local
 * and multicast destinations are refused unless allowed, on the resolved address and at every
 * redirect.
 */
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from './helpers/relay-harness.ts';
import { startUpstream, type UpstreamServer } from './helpers/upstream-server.ts';

interface ErrorBody {
  error: { code: string; message: string };
}

let loopback: UpstreamServer | undefined; // 127.0.0.1: never allowed without --allow-private
let allowedHost: UpstreamServer | undefined; // 127.0.0.2: allowed by --allow-cidr in these tests
let strict: TestRelay | undefined;
let open: TestRelay | undefined;

/** Names a fake DNS resolves, for the relay's resolver (real DNS for anything else). */
const FAKE_DNS: Record<string, string[]> = {
  'camera.example': ['127.0.0.1'],
  'mixed.example': ['127.0.0.1', '127.0.0.2'],
};

async function fakeResolve(hostname: string): Promise<LookupAddress[]> {
  const addresses = FAKE_DNS[hostname];
  if (addresses === undefined) {
    const { lookup } = await import('node:dns/promises');
    return lookup(hostname, { all: true });
  }
  return addresses.map((address) => ({ address, family: 4 }));
}

beforeAll(async () => {
  loopback = await startUpstream((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'video/mp2t' }).end('secret from loopback');
  });
  const target = loopback.origin;
  allowedHost = await startUpstream((req, res) => {
    if (req.url?.startsWith('/redirect')) {
      res.writeHead(302, { Location: `${target}/admin` }).end();
      return;
    }
    if (req.url?.startsWith('/hop')) {
      const n = Number(new URL(req.url, 'http://x').searchParams.get('n'));
      res.writeHead(302, { Location: `/hop?n=${n + 1}` }).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'video/mp2t' }).end('public bytes');
  }, '127.0.0.2');
  strict = await startTestRelay({ args: ['--allow-cidr', '127.0.0.2/32', '--max-redirects', '3'], resolve: fakeResolve });
  open = await startTestRelay({ args: ['--allow-private'], resolve: fakeResolve });
});

afterAll(async () => {
  await strict?.dispose();
  await open?.dispose();
  await loopback?.close();
  await allowedHost?.close();
});

async function proxy(relay: TestRelay | undefined, url: string): Promise<{ status: number; text: string }> {
  if (!relay) throw new Error('setup failed');
  const response = await relay.api(`/proxy?url=${encodeURIComponent(url)}`);
  return { status: response.status, text: await response.text() };
}

function errorOf(text: string): ErrorBody['error'] {
  return (JSON.parse(text) as ErrorBody).error;
}

describe('without --allow-private', () => {
  it('refuses loopback, private, link-local and multicast literals before connecting', async () => {
    if (!loopback) throw new Error('setup failed');
    const before = loopback.requests.length;
    for (const [url, range] of [
      [`${loopback.origin}/live.m3u8`, 'loopback'],
      ['http://10.1.2.3/live.m3u8', 'private'],
      ['http://192.168.1.20:8080/live.m3u8', 'private'],
      ['http://169.254.169.254/latest/meta-data', 'linkLocal'],
      ['http://224.0.0.1/x.ts', 'multicast'],
      ['http://[::1]:80/x.ts', 'loopback'],
      ['http://[::ffff:127.0.0.1]/x.ts', 'loopback'],
      ['http://[fd00::1]/x.ts', 'uniqueLocal'],
    ] as const) {
      const { status, text } = await proxy(strict, url);
      expect(status, url).toBe(403);
      const error = errorOf(text);
      expect(error.code, url).toBe('upstream_forbidden_address');
      expect(error.message, url).toContain(`a ${range} address`);
      expect(error.message).toContain('--allow-private');
    }
    expect(loopback.requests.length).toBe(before);
  });

  it('refuses a host name that resolves to 127.0.0.1 (real DNS: localhost; injected: camera.example)', async () => {
    if (!loopback) throw new Error('setup failed');
    const before = loopback.requests.length;
    for (const host of ['localhost', 'camera.example']) {
      const { status, text } = await proxy(strict, `http://${host}:${loopback.port}/x.ts`);
      expect(status, host).toBe(403);
      expect(errorOf(text).message).toContain(`${host} (127.0.0.1)`);
    }
    expect(loopback.requests.length).toBe(before);
  });

  it('connects only to the checked address when a name resolves to an allowed and a refused one', async () => {
    if (!loopback || !allowedHost) throw new Error('setup failed');
    const before = loopback.requests.length;
    // Same port on both addresses cannot be arranged, so use the allowed server's port: the
    // connection must go to 127.0.0.2, never to 127.0.0.1.
    const { status, text } = await proxy(strict, `http://mixed.example:${allowedHost.port}/x.ts`);
    expect(status).toBe(200);
    expect(text).toBe('public bytes');
    expect(loopback.requests.length).toBe(before);
  });

  it('allows a range given by --allow-cidr', async () => {
    if (!allowedHost) throw new Error('setup failed');
    const { status, text } = await proxy(strict, `${allowedHost.origin}/x.ts`);
    expect(status).toBe(200);
    expect(text).toBe('public bytes');
  });

  it('checks every redirect: an allowed host redirecting to loopback is refused', async () => {
    if (!loopback || !allowedHost) throw new Error('setup failed');
    const before = loopback.requests.length;
    const { status, text } = await proxy(strict, `${allowedHost.origin}/redirect`);
    expect(status).toBe(403);
    expect(errorOf(text).code).toBe('upstream_forbidden_address');
    expect(loopback.requests.length).toBe(before);
  });

  it('stops after --max-redirects redirects', async () => {
    if (!allowedHost) throw new Error('setup failed');
    const { status, text } = await proxy(strict, `${allowedHost.origin}/hop?n=0`);
    expect(status).toBe(502);
    expect(errorOf(text)).toEqual({ code: 'upstream_too_many_redirects', message: `${allowedHost.origin}/hop?n=0 redirected more than 3 times.` });
  });

  it('refuses URLs that are not http(s) or carry credentials', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/x', 'http://user:pw@example.com/x']) {
      const { status, text } = await proxy(strict, url);
      expect(status, url).toBe(400);
      expect(errorOf(text).code).toBe('upstream_bad_url');
    }
  });
});

describe('with --allow-private', () => {
  it('reaches loopback, by address, by name, and through a redirect', async () => {
    if (!loopback || !allowedHost) throw new Error('setup failed');
    for (const url of [`${loopback.origin}/x.ts`, `http://localhost:${loopback.port}/x.ts`, `http://camera.example:${loopback.port}/x.ts`, `${allowedHost.origin}/redirect`]) {
      const { status, text } = await proxy(open, url);
      expect(status, url).toBe(200);
      expect(text, url).toBe('secret from loopback');
    }
  });

  it('sends a source\'s headers only under its prefix: not to the host a redirect leads to', async () => {
    if (!loopback || !allowedHost || !open) throw new Error('setup failed');
    const created = await open.api('/api/sources', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Site', url_prefix: `${allowedHost.origin}/`, headers: { Cookie: 'session=secret-cookie' } }),
    });
    const { id } = (await created.json()) as { id: string };
    const response = await open.api(`/proxy?source=${id}&url=${encodeURIComponent(`${allowedHost.origin}/redirect`)}`);
    expect(response.status).toBe(200);
    expect(allowedHost.requests.at(-1)?.headers.cookie).toBe('session=secret-cookie');
    expect(loopback.requests.at(-1)?.url).toBe('/admin');
    expect(loopback.requests.at(-1)?.headers.cookie).toBeUndefined();
  });
});
