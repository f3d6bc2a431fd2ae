/** The proxy sources API: CRUD, header validation, URL prefix normalised, persisted. */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceResource } from '../src/api/sources-api.ts';
import { startTestRelay, type TestRelay } from './helpers/relay-harness.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };
let relay: TestRelay | undefined;

beforeAll(async () => {
  relay = await startTestRelay();
});
afterAll(async () => {
  await relay?.dispose();
});

async function send(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  if (!relay) throw new Error('setup failed');
  const response = await relay.api(path, { method, headers: JSON_HEADERS, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, json: text === '' ? null : (JSON.parse(text) as unknown) };
}

describe('/api/sources', () => {
  it('creates, reads, changes and deletes a source, persisting each change', async () => {
    if (!relay) throw new Error('setup failed');
    const created = await send('POST', '/api/sources', { name: 'Radio', url_prefix: 'https://radio.example', headers: { Referer: 'https://radio.example/player', Cookie: 'session=abc' } });
    expect(created.status).toBe(201);
    const source = created.json as SourceResource;
    expect(source).toMatchObject({ id: 'source-1', name: 'Radio', url_prefix: 'https://radio.example/', headers: { Referer: 'https://radio.example/player', Cookie: 'session=abc' } });
    expect(source.proxy_base_url).toBe(`${relay.url}/proxy/file?url=${encodeURIComponent('https://radio.example/')}&source=source-1&token=${encodeURIComponent(relay.token)}`);
    expect((await send('GET', '/api/sources')).json).toEqual({ sources: [source] });

    const changed = await send('PUT', '/api/sources/source-1', { headers: { 'User-Agent': 'VLC/3.0' } });
    expect(changed.status).toBe(200);
    expect((changed.json as SourceResource).headers).toEqual({ 'User-Agent': 'VLC/3.0' });
    const file = JSON.parse(await readFile(relay.config.sourcesFile, 'utf8')) as { sources: { headers: Record<string, string> }[] };
    expect(file.sources[0]?.headers).toEqual({ 'User-Agent': 'VLC/3.0' });

    expect((await send('DELETE', '/api/sources/source-1')).status).toBe(204);
    expect((await send('GET', '/api/sources/source-1')).status).toBe(404);
  });

  it('refuses bad headers and prefixes with 400 naming the problem', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'A', url_prefix: 'https://a.example/', headers: { 'Bad Header': 'x' } }, 'is not a valid header name'],
      [{ name: 'A', url_prefix: 'https://a.example/', headers: { Host: 'evil' } }, 'the header Host cannot be set'],
      [{ name: 'A', url_prefix: 'https://a.example/', headers: { Referer: 'a\r\nX-Injected: 1' } }, 'line breaks'],
      [{ name: 'A', url_prefix: 'ftp://a.example/' }, 'url_prefix: must be an http:// or https:// URL'],
      [{ name: 'A' }, 'url_prefix'],
    ];
    for (const [body, fragment] of cases) {
      const { status, json } = await send('POST', '/api/sources', body);
      expect(status, JSON.stringify(body)).toBe(400);
      expect((json as { error: { message: string } }).error.message).toContain(fragment);
    }
    expect((await send('GET', '/api/sources')).json).toEqual({ sources: [] });
  });
});
