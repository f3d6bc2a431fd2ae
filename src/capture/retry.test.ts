import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import type { RetryPolicy } from '../config.ts';
import { AbortedError, HttpStatusError, NetworkError } from './errors.ts';
import { fetchText } from './http.ts';
import { backoffDelayMs, delay, withRetry } from './retry.ts';

const base = inject('faultServerUrl');

/** Retries fast enough for tests; `random: () => 0` makes the delays exact. */
const fast: RetryPolicy = { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 80, backoffMultiplier: 2, jitterRatio: 0.5 };
const noJitter = () => 0;

async function requestsTo(key: string): Promise<number> {
  return ((await (await fetch(`${base}/count/${key}`)).json()) as { requests: number }).requests;
}

const get = (url: string) => fetchText(url, { timeoutMs: 5000 });

describe('backoffDelayMs', () => {
  const policy: RetryPolicy = { maxAttempts: 9, initialDelayMs: 500, maxDelayMs: 8000, backoffMultiplier: 2, jitterRatio: 0.5 };

  it('doubles from the initial delay up to the cap when no jitter is drawn', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => backoffDelayMs(i, policy, noJitter))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('takes up to jitterRatio of each delay away at random', () => {
    expect(backoffDelayMs(1, policy, () => 0.5)).toBe(750);
    expect(backoffDelayMs(1, policy, () => 0.999999)).toBe(500);
    expect(backoffDelayMs(9, policy, () => 0.25)).toBe(7000);
    expect(backoffDelayMs(1, { ...policy, jitterRatio: 0 }, () => 0.9)).toBe(1000);
  });

  const policies = fc.record({
    maxAttempts: fc.constant(10),
    initialDelayMs: fc.integer({ min: 1, max: 5000 }),
    maxDelayMs: fc.integer({ min: 1, max: 120_000 }),
    backoffMultiplier: fc.double({ min: 1, max: 4, noNaN: true }),
    jitterRatio: fc.double({ min: 0, max: 1, noNaN: true }),
  });
  const randoms = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

  it('property: every delay lies between (1 - jitterRatio) and 1 times the capped exponential delay', () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 0, max: 40 }), randoms, (p, retryIndex, r) => {
        const capped = Math.min(p.maxDelayMs, p.initialDelayMs * p.backoffMultiplier ** retryIndex);
        const waitMs = backoffDelayMs(retryIndex, p, () => r);
        expect(Number.isInteger(waitMs)).toBe(true);
        expect(waitMs).toBeLessThanOrEqual(Math.round(capped));
        expect(waitMs).toBeGreaterThanOrEqual(Math.round(capped * (1 - p.jitterRatio)));
        expect(waitMs).toBeLessThanOrEqual(p.maxDelayMs);
      }),
    );
  });

  it('property: for the same random draw, a later retry never waits less', () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 0, max: 40 }), randoms, (p, retryIndex, r) => {
        expect(backoffDelayMs(retryIndex + 1, p, () => r)).toBeGreaterThanOrEqual(backoffDelayMs(retryIndex, p, () => r));
      }),
    );
  });
});

describe('delay', () => {
  it('rejects with AbortedError at once for an already aborted signal', async () => {
    await expect(delay(60_000, AbortSignal.abort())).rejects.toBeInstanceOf(AbortedError);
  });

  it('rejects with AbortedError when aborted during the wait, long before the delay ends', async () => {
    const controller = new AbortController();
    const waiting = delay(60_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('withRetry against the fault server', () => {
  it('retries two 503s and succeeds on attempt 3, with growing delays reported before each wait', async () => {
    const key = crypto.randomUUID();
    const retries: [number, number, number][] = [];
    const attempts: number[] = [];
    const result = await withRetry(
      (attempt) => {
        attempts.push(attempt);
        return get(`${base}/flaky/${key}?failures=2&status=503`);
      },
      fast,
      { random: noJitter, onRetry: (error, attempt, delayMs) => retries.push([(error as HttpStatusError).status, attempt, delayMs]) },
    );
    expect(result.body).toBe(`ok ${key}`);
    expect(attempts).toEqual([1, 2, 3]);
    expect(retries).toEqual([
      [503, 1, 10],
      [503, 2, 20],
    ]);
    expect(await requestsTo(key)).toBe(3);
  });

  it('does not retry a 404: one request, and the HttpStatusError comes straight back', async () => {
    const key = crypto.randomUUID();
    const error = await withRetry(() => get(`${base}/flaky/${key}?failures=3&status=404`), fast, { random: noJitter }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 404, transient: false });
    expect(await requestsTo(key)).toBe(1);
  });

  it('retries network errors (the server drops the connection) until it answers', async () => {
    const key = crypto.randomUUID();
    const seen: unknown[] = [];
    const result = await withRetry(() => get(`${base}/drop/${key}?failures=2`), fast, { random: noJitter, onRetry: (error) => seen.push(error) });
    expect(result.body).toBe(`ok ${key}`);
    expect(seen).toHaveLength(2);
    expect(seen.every((error) => error instanceof NetworkError)).toBe(true);
    expect(await requestsTo(key)).toBe(3);
  });

  it('stops after maxAttempts requests when the server keeps failing, and throws its HttpStatusError', async () => {
    const key = crypto.randomUUID();
    const error = await withRetry(() => get(`${base}/flaky/${key}?failures=10&status=502`), { ...fast, maxAttempts: 3 }, { random: noJitter }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 502, transient: true, url: `${base}/flaky/${key}?failures=10&status=502` });
    expect(await requestsTo(key)).toBe(3);
  });

  it('throws the failure of the last attempt, not the first', async () => {
    const statuses = [503, 502, 500];
    const error = await withRetry((attempt) => get(`${base}/status/${statuses[attempt - 1] ?? 599}`), { ...fast, maxAttempts: 3 }, { random: noJitter }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(500);
  });

  it('makes exactly one request with maxAttempts 1', async () => {
    const key = crypto.randomUUID();
    const error = await withRetry(() => get(`${base}/flaky/${key}?failures=1`), { ...fast, maxAttempts: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, transient: true });
    expect(await requestsTo(key)).toBe(1);
  });

  it('does not retry errors that are not capture errors (a bug, not a flaky server)', async () => {
    let calls = 0;
    const bug = new TypeError('x is undefined');
    await expect(
      withRetry(async () => {
        calls += 1;
        throw bug;
      }, fast),
    ).rejects.toBe(bug);
    expect(calls).toBe(1);
  });

  it('gives up with AbortedError when stopped during a backoff wait, without another request', async () => {
    const key = crypto.randomUUID();
    const controller = new AbortController();
    const slow: RetryPolicy = { ...fast, initialDelayMs: 60_000, maxDelayMs: 60_000 };
    const error = await withRetry(() => get(`${base}/flaky/${key}?failures=5`), slow, {
      signal: controller.signal,
      onRetry: () => controller.abort(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect(await requestsTo(key)).toBe(1);
  });
});
