import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import { startFaultServer, type FaultServer } from './fault-server.ts';
import type { LoopbackServer } from './loopback-server.ts';
import { serveDirectory } from './static-dir-server.ts';

let dir = '';
let origin: LoopbackServer | undefined;
let proxy: FaultProxy | undefined;
let faults: FaultServer | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-proxy-test-'));
  await writeFile(join(dir, 'live.m3u8'), '#EXTM3U\n');
  for (const name of ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts']) await writeFile(join(dir, name), `bytes of ${name}`);
  origin = await serveDirectory(dir);
  proxy = await startFaultProxy(origin.origin, [
    { target: 'playlist', ordinal: 2, fault: { kind: 'status', status: 404 } },
    { target: 'segment', ordinal: 1, times: 2, fault: { kind: 'status', status: 503 } },
    { target: 'segment', ordinal: 2, fault: { kind: 'reset' } },
    { target: 'segment', ordinal: 3, fault: { kind: 'stall-body' } },
    { target: 'segment', ordinal: 4, fault: { kind: 'slow-first-byte', delayMs: 300 } },
  ]);
  faults = await startFaultServer();
});
afterAll(async () => {
  await proxy?.close();
  await origin?.close();
  await faults?.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit) => fetch(`${proxy!.origin}${path}`, init);

describe('startFaultProxy', () => {
  it('answers a scheduled status for a segment as many times as scheduled, then forwards it', async () => {
    expect((await get('/a.ts')).status).toBe(503);
    expect((await get('/a.ts')).status).toBe(503);
    const ok = await get('/a.ts');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    expect(await ok.text()).toBe('bytes of a.ts');
  });

  it('resets the connection once, then forwards', async () => {
    await expect(get('/b.ts')).rejects.toThrow();
    expect(await (await get('/b.ts')).text()).toBe('bytes of b.ts');
  });

  it('stalls a body after its headers until the client gives up', async () => {
    const response = await get('/c.ts', { signal: AbortSignal.timeout(500) });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it('delays the first byte', async () => {
    const startedAt = performance.now();
    expect(await (await get('/d.ts')).text()).toBe('bytes of d.ts');
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290);
  });

  it('answers the n-th playlist request with a 404 once, and logs every request', async () => {
    expect((await get('/live.m3u8')).status).toBe(200);
    expect((await get('/live.m3u8')).status).toBe(404);
    expect((await get('/live.m3u8')).status).toBe(200);
    expect(proxy!.segmentPath(3)).toBe('/c.ts');
    expect(proxy!.log.filter((entry) => entry.path === '/a.ts').map((entry) => entry.attempt)).toEqual([1, 2, 3]);
  });
});

describe('startFaultServer routes for the capture tests', () => {
  it('/bytes serves binary bodies, /slow waits, /big-playlist streams N entries, /huge never ends', async () => {
    const bytes = new Uint8Array(await (await fetch(`${faults!.url}/bytes?hex=00ff10`)).arrayBuffer());
    expect([...bytes]).toEqual([0, 255, 16]);

    const startedAt = performance.now();
    expect(await (await fetch(`${faults!.url}/slow/k-${Date.now()}?ms=200&body=late`)).text()).toBe('late');
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(190);

    const big = await (await fetch(`${faults!.url}/big-playlist?count=2500`)).text();
    expect(big.match(/^#EXTINF/gm)).toHaveLength(2500);
    expect(big).toContain('/file?body=seg2499\n#EXT-X-ENDLIST');

    const reader = (await fetch(`${faults!.url}/huge`)).body!.getReader();
    let total = 0;
    while (total < 5 * 1024 * 1024) total += (await reader.read()).value!.byteLength;
    await reader.cancel();
    expect(total).toBeGreaterThanOrEqual(5 * 1024 * 1024);
  });
});
