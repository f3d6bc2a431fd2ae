import { RecordingNotFoundError, type NewSegment } from '../storage/recording-store.ts';
import type { Recording } from '../storage/types.ts';
import { AbortedError, FetchTimeoutError, HttpStatusError, NetworkError, ResponseTooLargeError } from './errors.ts';

/** A segment to fetch and store, as the recorder hands it to {@link SegmentFetchPool.fetchAndStore}. */
export interface SegmentFetchRequest {
  url: string;
  /** Time limit of the request, body included, in milliseconds. */
  timeoutMs: number;
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** The segment's record, without its data (the worker fills that in). */
  segment: Omit<NewSegment, 'data'>;
  /**
   * The segment's stored time, in ms since the Unix epoch, from the recorder's clock (which
   * tests replace): taken when the fetch is asked for, so earlier than the write by the fetch.
   */
  storedAtMs: number;
}

/** What {@link SegmentFetchPool.fetchAndStore} gives back once the segment is stored. */
export interface SegmentFetchOutcome {
  /** The recording with the segment counted, as the same transaction left it. */
  recording: Recording;
  /** False when the recording already held this media sequence number (nothing was written). */
  added: boolean;
  /** Size of the stored body. */
  byteLength: number;
}

/** An error as it crosses from the worker: its class name, message and the fields its class needs. */
export interface SerializedError {
  name: string;
  message: string;
  url?: string;
  status?: number;
  statusText?: string;
  timeoutMs?: number;
  maxBytes?: number;
  recordingId?: string;
}

/** Messages to a segment fetch worker. */
export type SegmentFetchMessage = ({ type: 'fetch'; id: number; dbName: string } & SegmentFetchRequest) | { type: 'cancel'; id: number };

/**
 * A segment fetch worker's answer: the stored outcome, or the failure and the stage it came
 * from (`fetch`: the request, which the recorder may retry or record as a gap; `store`: the
 * database, which ends the capture).
 */
export type SegmentFetchReply = { id: number; stored: SegmentFetchOutcome } | { id: number; stage: 'fetch' | 'store'; error: SerializedError };

/**
 * A fetched segment could not be stored: `cause` is the database's error (a QuotaExceededError
 * DOMException, a RecordingNotFoundError), or the worker's failure. Ends the capture.
 */
export class SegmentStoreError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'SegmentStoreError';
  }
}

/** Turns an error into what a worker posts; see {@link rebuildError}. */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error) && !(error instanceof DOMException)) return { name: 'Error', message: String(error) };
  const fields = error as Partial<SerializedError>;
  return {
    name: error.name,
    message: error.message,
    ...(fields.url !== undefined && { url: fields.url }),
    ...(fields.status !== undefined && { status: fields.status, statusText: fields.statusText ?? '' }),
    ...(fields.timeoutMs !== undefined && { timeoutMs: fields.timeoutMs }),
    ...(fields.maxBytes !== undefined && { maxBytes: fields.maxBytes }),
    ...(fields.recordingId !== undefined && { recordingId: fields.recordingId }),
  };
}

/**
 * The error of the same class as the one {@link serializeError} was given, for the capture
 * errors the recorder tells apart (gap reasons, retries) and the storage errors it reports;
 * any other comes back as a DOMException of the same name (QuotaExceededError among them), or
 * an Error.
 */
export function rebuildError(error: SerializedError): Error {
  const url = error.url ?? '';
  switch (error.name) {
    case 'HttpStatusError':
      return new HttpStatusError(url, error.status ?? 0, error.statusText ?? '');
    case 'FetchTimeoutError':
      return new FetchTimeoutError(url, error.timeoutMs ?? 0);
    case 'NetworkError':
      return new NetworkError(url, new Error(error.message));
    case 'ResponseTooLargeError':
      return new ResponseTooLargeError(url, error.maxBytes ?? 0);
    case 'AbortedError':
      return new AbortedError();
    case 'RecordingNotFoundError':
      return new RecordingNotFoundError(error.recordingId ?? '');
    case 'Error':
      return new Error(error.message);
    default:
      return new DOMException(error.message, error.name);
  }
}

interface WorkerSlot {
  worker: Worker;
  /** Jobs sent and not yet answered. */
  pending: number;
  /** Bytes this worker has stored. */
  storedBytes: number;
  /** Takes no more jobs; terminated once `pending` is 0. */
  retired: boolean;
}

interface Waiting {
  slot: WorkerSlot;
  resolve: (outcome: SegmentFetchOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Fetches segments and stores them into IndexedDB in dedicated workers
 * (src/capture/segment-fetch-worker.ts), so their bytes never pass through the page.
 *
 * Why workers: a body read by `Response.blob()` is the cheapest read there is, but Chromium
 * keeps its bytes in the browser process until the Blob object is garbage-collected, and a
 * page rarely collects such small objects; bytes read in chunks instead are copied through the
 * renderer, which kept about 200 MB of them. A worker reads with `Response.blob()`, stores the
 * Blob in the same transaction as the recording's totals ({@link RecordingStore.appendSegment}),
 * and is terminated once it has stored `recycleAfterBytes` (counting each job it is still
 * running at the last segment's size), which releases every Blob it made. New jobs then go to
 * a fresh worker while the old one finishes those it has.
 *
 * Errors keep their class across the worker boundary ({@link rebuildError}): a failed request
 * rejects with the capture error (HttpStatusError, FetchTimeoutError, NetworkError,
 * ResponseTooLargeError, AbortedError); a failed store rejects with {@link SegmentStoreError}.
 */
export class SegmentFetchPool {
  private current: WorkerSlot | null = null;
  private readonly slots = new Set<WorkerSlot>();
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private closed = false;
  private started = 0;
  /** Size of the last segment stored, in bytes: the guess for each job still running. */
  private lastSegmentBytes = 0;

  /**
   * @param dbName - the database the recorder's store uses ({@link RecordingStore.dbName}).
   * @param recycleAfterBytes - bytes one worker stores before it is replaced.
   */
  constructor(
    private readonly dbName: string,
    private readonly recycleAfterBytes: number,
  ) {}

  /** Workers started so far (one, plus one per recycling). */
  get workersStarted(): number {
    return this.started;
  }

  /**
   * Fetches `request.url` and stores its body as the segment `request.segment`.
   * @throws the request's capture error (see the class); SegmentStoreError when the database
   *   refuses it or the worker fails; AbortedError when `signal` aborts (the worker's request is
   *   cancelled) or the pool is closed.
   */
  fetchAndStore(request: SegmentFetchRequest, signal: AbortSignal): Promise<SegmentFetchOutcome> {
    if (this.closed || signal.aborted) return Promise.reject(new AbortedError());
    const slot = this.slotForNewJob();
    const id = this.nextId++;
    slot.pending += 1;
    return new Promise<SegmentFetchOutcome>((resolve, reject) => {
      const onAbort = () => slot.worker.postMessage({ type: 'cancel', id } satisfies SegmentFetchMessage);
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = <T>(finish: (value: T) => void) => (value: T) => {
        signal.removeEventListener('abort', onAbort);
        finish(value);
      };
      this.waiting.set(id, { slot, resolve: settle(resolve), reject: settle(reject) });
      slot.worker.postMessage({ type: 'fetch', id, dbName: this.dbName, ...request } satisfies SegmentFetchMessage);
    });
  }

  /** Terminates every worker; jobs still waiting reject with AbortedError. */
  close(): void {
    this.closed = true;
    for (const slot of this.slots) slot.worker.terminate();
    this.slots.clear();
    this.current = null;
    this.failWaiting(() => true, new AbortedError());
  }

  private slotForNewJob(): WorkerSlot {
    const current = this.current;
    // Counting the jobs it is running at the last segment's size, so that several segments
    // fetched at once do not carry a worker far past its share.
    if (current && current.storedBytes + current.pending * this.lastSegmentBytes >= this.recycleAfterBytes) this.retire(current);
    if (this.current && !this.current.retired) return this.current;
    const worker = new Worker(new URL('./segment-fetch-worker.ts', import.meta.url), { type: 'module', name: `tapedeck-segment-fetch-${this.started}` });
    const slot: WorkerSlot = { worker, pending: 0, storedBytes: 0, retired: false };
    this.started += 1;
    worker.onmessage = (event: MessageEvent<SegmentFetchReply>) => this.settle(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      slot.retired = true;
      worker.terminate();
      this.slots.delete(slot);
      this.failWaiting((job) => job.slot === slot, new SegmentStoreError(new Error(`The segment fetch worker failed: ${event.message || 'it could not start'}`)));
    };
    this.slots.add(slot);
    this.current = slot;
    return slot;
  }

  private settle(reply: SegmentFetchReply): void {
    const job = this.waiting.get(reply.id);
    if (!job) return;
    this.waiting.delete(reply.id);
    const { slot } = job;
    slot.pending -= 1;
    if ('stored' in reply) {
      slot.storedBytes += reply.stored.byteLength;
      this.lastSegmentBytes = reply.stored.byteLength;
      job.resolve(reply.stored);
    } else {
      const error = rebuildError(reply.error);
      job.reject(reply.stage === 'store' ? new SegmentStoreError(error) : error);
    }
    if (slot.retired || slot.storedBytes >= this.recycleAfterBytes) this.retire(slot);
  }

  /** Takes no more jobs to `slot`, and terminates its worker once it has answered all it has. */
  private retire(slot: WorkerSlot): void {
    slot.retired = true;
    if (slot.pending > 0) return;
    slot.worker.terminate();
    this.slots.delete(slot);
  }

  private failWaiting(matches: (job: Waiting) => boolean, error: unknown): void {
    for (const [id, job] of this.waiting) {
      if (!matches(job)) continue;
      this.waiting.delete(id);
      job.reject(error);
    }
  }
}
