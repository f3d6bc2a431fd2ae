/**
 * The HLS proxy against a Referer-protected server: with a source carrying the Referer every
 * URI of the rewritten playlists fetches through the relay and ffprobe reads the stream; without
 * it the upstream's 403 comes back as a clear error.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeMedia } from '../../tests/helpers/ffprobe.ts';
import { makeRefererVod, type RefererVod } from './helpers/referer-vod.ts';
import { startTestRelay, type TestRelay } from './helpers/relay-harness.ts';

let vod: RefererVod | undefined;
let relay: TestRelay | undefined;
let sourceId = '';

beforeAll(async () => {
  vod = await makeRefererVod();
  relay = await startTestRelay({ args: ['--allow-private'] });
  const created = await relay.api('/api/sources', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'TV example', url_prefix: `${vod.origin}/`, headers: { Referer: vod.referer, 'User-Agent': 'Tapedeck test' } }),
  });
  expect(created.status).toBe(201);
  sourceId = ((await created.json()) as { id: string }).id;
}, 90_000);

afterAll(async () => {
  await relay?.dispose();
  await vod?.close();
});

/** Every URI in a playlist: URI lines and URI="..." attributes. */
function urisOf(playlist: string): string[] {
  const uris: string[] = [];
  for (const line of playlist.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (!line.startsWith('#')) uris.push(line.trim());
    for (const match of line.matchAll(/URI="([^"]*)"/g)) uris.push(match[1] ?? '');
  }
  return uris;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('proxy with a source carrying the Referer', () => {
  it('rewrites every URI of the master and media playlists to the relay, and each one fetches', async () => {
    if (!vod || !relay) throw new Error('setup failed');
    const masterResponse = await relay.api(`/proxy?source=${sourceId}&url=${encodeURIComponent(vod.masterUrl)}`);
    expect(masterResponse.status).toBe(200);
    expect(masterResponse.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const master = await masterResponse.text();
    const masterUris = urisOf(master);
    expect(masterUris).toHaveLength(3); // rendition, I-frame playlist, variant
    const seen = new Map<string, Uint8Array>();
    const queue = [...masterUris];
    while (queue.length > 0) {
      const uri = queue.shift() ?? '';
      expect(uri.startsWith(`${relay.url}/proxy/`), uri).toBe(true);
      const target = new URL(uri).searchParams.get('url') ?? '';
      if (seen.has(target)) continue;
      // The token rides in the URL: no Authorization header here, as a media element sends none.
      const response = await fetch(uri);
      expect(response.status, `${target}: ${response.status}`).toBe(200);
      const bytes = new Uint8Array(await response.arrayBuffer());
      seen.set(target, bytes);
      if (target.endsWith('.m3u8')) queue.push(...urisOf(new TextDecoder().decode(bytes)));
    }
    const names = [...seen.keys()].map((url) => new URL(url).pathname.slice(1)).sort();
    expect(names).toEqual(['index.m3u8', 'key.bin', 'seg000.ts', 'seg001.ts', 'seg002.ts']);
    for (const name of ['key.bin', 'seg000.ts', 'seg001.ts', 'seg002.ts']) {
      const original = await readFile(join(vod.dir, name));
      expect(sha256(seen.get(`${vod.origin}/${name}`) ?? new Uint8Array()), name).toBe(sha256(original));
    }
    // The upstream saw the source's headers on every request.
    const upstreamAgents = new Set(vod.server.requests.map((request) => `${request.headers.referer} | ${request.headers['user-agent']}`));
    expect([...upstreamAgents]).toEqual([`${vod.referer} | Tapedeck test`]);
  });

  it('lets ffprobe read the stream (H.264 and AAC, the full duration) from the relay URL', async () => {
    if (!vod || !relay) throw new Error('setup failed');
    const probed = await probeMedia(`${relay.url}/proxy/master.m3u8?source=${sourceId}&url=${encodeURIComponent(vod.masterUrl)}&token=${relay.token}`);
    const codecs = probed.streams.map((stream) => stream.codecName);
    expect(codecs).toContain('h264');
    expect(codecs).toContain('aac');
    expect(probed.durationSec).toBeGreaterThan(vod.durationSec - 0.5);
    expect(probed.durationSec).toBeLessThan(vod.durationSec + 0.5);
  }, 60_000);
});

describe('proxy without the source', () => {
  it('passes the upstream 403 as a clear 502 error that suggests a source', async () => {
    if (!vod || !relay) throw new Error('setup failed');
    const response = await relay.api(`/proxy?url=${encodeURIComponent(vod.masterUrl)}`);
    expect(response.status).toBe(502);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('upstream_status');
    expect(body.error.message).toContain('answered 403');
    expect(body.error.message).toContain('/api/sources');
  });

  it('refuses to send a source\'s headers outside its URL prefix', async () => {
    if (!vod || !relay) throw new Error('setup failed');
    const before = vod.server.requests.length;
    const response = await relay.api(`/proxy?source=${sourceId}&url=${encodeURIComponent('http://127.0.0.1:1/elsewhere.m3u8')}`);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('outside_source_prefix');
    expect(vod.server.requests.length).toBe(before);
  });

  it('answers 404 for an unknown source', async () => {
    if (!vod || !relay) throw new Error('setup failed');
    const response = await relay.api(`/proxy?source=nope&url=${encodeURIComponent(vod.masterUrl)}`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('source_not_found');
  });
});
