import { describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../tests/helpers/poll.ts';
import { AbortedError, FetchTimeoutError, HttpStatusError, NetworkError, isTransient } from './errors.ts';
import { fetchBytes, fetchText } from './http.ts';

const base = inject('faultServerUrl');

async function requestsTo(key: string): Promise<number> {
  return ((await (await fetch(`${base}/count/${key}`)).json()) as { requests: number }).requests;
}

/** What `promise` rejected with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

describe('fetchText and fetchBytes', () => {
  it('return the body and the URL it came from', async () => {
    const url = `${base}/file?body=${encodeURIComponent('#EXTM3U\n')}&type=application/vnd.apple.mpegurl`;
    expect(await fetchText(url, { timeoutMs: 5000 })).toEqual({ body: '#EXTM3U\n', url });
  });

  it('fetchBytes keeps the bytes as served', async () => {
    const fetched = await fetchBytes(`${base}/file?body=${encodeURIComponent('G\u0040\u0011ü')}`, { timeoutMs: 5000 });
    expect(fetched.body).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await fetched.body.arrayBuffer())]).toEqual([...new TextEncoder().encode('G\u0040\u0011ü')]);
  });

  it('turn a non-2xx answer into HttpStatusError with the status, the URL and whether to retry', async () => {
    for (const [status, transient] of [
      [404, false],
      [403, false],
      [410, false],
      [429, true],
      [500, true],
      [503, true],
    ] as const) {
      const url = `${base}/status/${status}`;
      const error = await rejection(fetchText(url, { timeoutMs: 5000 }));
      expect(error).toBeInstanceOf(HttpStatusError);
      expect(error).toMatchObject({ status, transient, url, code: 'http-status' });
      expect((error as Error).message).toContain(String(status));
      expect(isTransient(error)).toBe(transient);
    }
  });

  it('give up on a server that never answers with FetchTimeoutError after timeoutMs', async () => {
    const key = crypto.randomUUID();
    const startedAt = performance.now();
    const error = await rejection(fetchText(`${base}/hang/${key}`, { timeoutMs: 300 }));
    expect(error).toBeInstanceOf(FetchTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 300, transient: true, code: 'timeout', url: `${base}/hang/${key}` });
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect(await requestsTo(key)).toBe(1);
  });

  it('reject with AbortedError, not a timeout or network error, when stopped mid-request', async () => {
    const key = crypto.randomUUID();
    const controller = new AbortController();
    const pending = rejection(fetchBytes(`${base}/hang/${key}`, { timeoutMs: 30_000, signal: controller.signal }));
    await waitFor(async () => ((await requestsTo(key)) === 1 ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 20,
      description: 'the request to reach the server',
    });
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(AbortedError);
    expect(isTransient(error)).toBe(false);
  });

  it('send no request at all when already stopped', async () => {
    const key = crypto.randomUUID();
    expect(await rejection(fetchText(`${base}/flaky/${key}`, { timeoutMs: 5000, signal: AbortSignal.abort() }))).toBeInstanceOf(AbortedError);
    expect(await requestsTo(key)).toBe(0);
  });

  it('report a dropped connection as a transient NetworkError that keeps the cause', async () => {
    const key = crypto.randomUUID();
    const error = await rejection(fetchText(`${base}/drop/${key}?failures=1`, { timeoutMs: 5000 }));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'network', transient: true, url: `${base}/drop/${key}?failures=1` });
    expect((error as NetworkError).cause).toBeInstanceOf(TypeError);
    expect(await fetchText(`${base}/drop/${key}?failures=1`, { timeoutMs: 5000 })).toMatchObject({ body: `ok ${key}` });
  });
});

describe('HttpStatusError', () => {
  it('marks 5xx, 408 and 429 transient, other 4xx not', () => {
    const transient = (status: number) => new HttpStatusError('https://x.example/a.m3u8', status, '').transient;
    expect([400, 401, 403, 404, 410, 451].map(transient)).toEqual([false, false, false, false, false, false]);
    expect([408, 429, 500, 502, 503, 504, 599].map(transient)).toEqual([true, true, true, true, true, true, true]);
  });

  it('says which URL answered what', () => {
    const error = new HttpStatusError('https://x.example/a.m3u8', 503, 'Service Unavailable');
    expect(error.message).toBe('https://x.example/a.m3u8 answered HTTP 503 Service Unavailable');
    expect(error.name).toBe('HttpStatusError');
  });
});
