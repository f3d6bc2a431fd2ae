import type { RetryPolicy } from '../config.ts';
import { AbortedError, isTransient } from './errors.ts';

/**
 * Delay before retry number `retryIndex` (0 for the first retry), in milliseconds:
 * exponential growth capped at `maxDelayMs`, of which `jitterRatio` is random.
 * @param random - a source of numbers in [0, 1); tests pass a fixed one.
 */
export function backoffDelayMs(retryIndex: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponentialMs = policy.initialDelayMs * policy.backoffMultiplier ** retryIndex;
  const cappedMs = Math.min(policy.maxDelayMs, exponentialMs);
  const jitterMs = cappedMs * policy.jitterRatio * random();
  return Math.round(cappedMs - jitterMs);
}

/**
 * Resolves after `delayMs`, or rejects with {@link AbortedError} as soon as `signal` aborts.
 */
export function delay(delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Options of {@link withRetry}. */
export interface RetryOptions {
  signal?: AbortSignal;
  /** Called before each wait, with the failure and the coming delay in milliseconds. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Source of jitter, numbers in [0, 1). */
  random?: () => number;
}

/**
 * Runs `operation` until it succeeds, retrying transient failures ({@link isTransient})
 * with exponential backoff and jitter, at most `policy.maxAttempts` attempts in all.
 * @throws the last error when attempts run out, any non-transient error at once, and
 *   AbortedError when `signal` aborts during a wait.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, policy: RetryPolicy, options: RetryOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!isTransient(error) || attempt >= policy.maxAttempts) throw error;
      const waitMs = backoffDelayMs(attempt - 1, policy, options.random);
      options.onRetry?.(error, attempt, waitMs);
      await delay(waitMs, options.signal);
    }
  }
}
