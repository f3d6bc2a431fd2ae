/**
 * How the recorder names what went wrong: the gap reason of a segment it could not have, and
 * the problem (code and message) shown to the user.
 */

import { RecordingNotFoundError } from '../storage/recording-store.ts';
import type { GapReason } from '../storage/types.ts';
import { CaptureError, HttpStatusError, ResponseTooLargeError } from './errors.ts';
import { KeyUnavailableError } from './key-cache.ts';

/** A problem to show; `fatal` ones ended the recording. */
export interface RecorderProblem {
  code: string;
  message: string;
  fatal: boolean;
}

/** The gap reason of a segment that could not be had because of `error`. */
export function gapReason(error: unknown): GapReason {
  if (error instanceof KeyUnavailableError) return 'key-unavailable';
  if (error instanceof ResponseTooLargeError) return 'too-large';
  if (error instanceof HttpStatusError) {
    if (error.status === 404 || error.status === 410) return 'not-found';
    if (!error.transient) return 'http-error';
  }
  return 'retries-exhausted';
}

/** True for a playlist reload answered 404 or 410, which a live stream may recover from. */
export function isMissingPlaylist(error: unknown): boolean {
  return error instanceof HttpStatusError && (error.status === 404 || error.status === 410);
}

/** True for the error IndexedDB gives when storage (the origin's quota or the disk) is full. */
export function isQuotaExceeded(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

/** Turns any failure met while recording into a message for the user. */
export function describeProblem(error: unknown, fatal: boolean): RecorderProblem {
  if (isQuotaExceeded(error)) {
    return { code: 'quota-exceeded', message: 'Storage is full: the recording stopped. Everything recorded so far is kept.', fatal };
  }
  if (error instanceof RecordingNotFoundError) {
    return { code: 'recording-deleted', message: 'The recording was deleted while it was being made.', fatal };
  }
  if (error instanceof CaptureError) return { code: error.code, message: error.message, fatal };
  return { code: 'unexpected', message: error instanceof Error ? error.message : String(error), fatal };
}
