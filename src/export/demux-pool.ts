import type { DemuxedSegment, SegmentDemuxer } from './segment-demux.ts';

/** A segment sent to a demux worker. */
export interface DemuxJob {
  id: number;
  segment: Blob;
  keepsVideo: boolean;
  /** Other segments of its run, for one without parameter sets (see {@link SegmentDemuxer}). */
  initSegments: readonly Blob[];
}

/** A demux worker's answer to a {@link DemuxJob}. */
export type DemuxReply = { id: number; demuxed: DemuxedSegment } | { id: number; error: { name: string; message: string } };

/**
 * Demux workers (src/export/demux-worker.ts) that share an export's segments, so demuxing,
 * which is most of a remux's work, runs on several cores while the export worker muxes.
 * Each job goes to the worker with the fewest jobs waiting; answers come back as each
 * finishes, in whatever order (the caller awaits them in its own order).
 *
 * Workers are created on construction and stay until {@link close}, which terminates them and
 * rejects what is still waiting with an AbortError. A worker that fails (cannot start, or
 * crashes) fails every waiting job and every later one, rather than leaving them unanswered.
 */
export class DemuxPool {
  private readonly workers: { worker: Worker; pending: number }[] = [];
  private readonly waiting = new Map<number, { resolve: (segment: DemuxedSegment) => void; reject: (error: Error) => void; slot: { pending: number } }>();
  private nextId = 0;
  /** Why jobs are refused: set by {@link close}, or by a worker that failed (it would never answer). */
  private refusal: Error | null = null;

  /** @param workerCount how many workers, at least 1. */
  constructor(workerCount: number) {
    for (let i = 0; i < Math.max(1, workerCount); i += 1) {
      const worker = new Worker(new URL('./demux-worker.ts', import.meta.url), { type: 'module', name: `tapedeck-demux-${i}` });
      const slot = { worker, pending: 0 };
      worker.onmessage = (event: MessageEvent<DemuxReply>) => this.settle(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        this.refusal ??= new Error(`A demux worker failed: ${event.message || 'it could not start'}`);
        this.failAll(this.refusal);
      };
      this.workers.push(slot);
    }
  }

  /** How many workers demux at once. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Demuxes `segment` in a worker; see {@link SegmentDemuxer}.
   * @throws Error with mediabunny's message for bytes it cannot demux; AbortError after
   *   {@link close}; Error "A demux worker failed: …" once a worker has failed.
   */
  readonly demux: SegmentDemuxer = (segment, keepsVideo, initSegments) => {
    if (this.refusal) return Promise.reject(this.refusal);
    const slot = this.workers.reduce((least, candidate) => (candidate.pending < least.pending ? candidate : least));
    const id = this.nextId++;
    slot.pending += 1;
    return new Promise<DemuxedSegment>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, slot });
      slot.worker.postMessage({ id, segment, keepsVideo, initSegments: initSegments ?? [] } satisfies DemuxJob);
    });
  };

  /** Terminates the workers; jobs still waiting reject with an AbortError. */
  close(): void {
    for (const { worker } of this.workers) worker.terminate();
    this.refusal ??= new DOMException('The export was stopped.', 'AbortError');
    this.failAll(this.refusal);
  }

  private settle(reply: DemuxReply): void {
    const job = this.waiting.get(reply.id);
    if (!job) return;
    this.waiting.delete(reply.id);
    job.slot.pending -= 1;
    if ('demuxed' in reply) job.resolve(reply.demuxed);
    else job.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
  }

  private failAll(error: Error): void {
    for (const [id, job] of this.waiting) {
      this.waiting.delete(id);
      job.reject(error);
    }
  }
}
