import { StreamTarget, Target, type StreamTargetChunk } from 'mediabunny';
import type { CoalescedWrites } from './coalesced-writes.ts';

/**
 * The calls mediabunny's Writer makes on its Target (mediabunny 1.61, src/writer.ts and
 * src/output.ts): marked internal there, so not in its type declarations. `_write` is
 * synchronous and its bytes may be reused by the caller once it returns; `_flush` comes after
 * each chunk of samples and may wait; `_close` comes after finalize and on cancel.
 */
interface TargetProtocol {
  _start(): void;
  _write(data: Uint8Array, position: number): void;
  _flush(): Promise<void>;
  _finalize(): Promise<void>;
  _close(): Promise<void>;
}

/** The EventEmitter call a Target makes when finalized (internal in mediabunny too). */
interface Emitter {
  _emit(event: 'finalized'): void;
}

/**
 * A mediabunny Target whose writes go straight into {@link CoalescedWrites}.
 *
 * mediabunny's StreamTarget copies every write (`slice()` in `_write`) and then every byte again
 * into a new buffer per contiguous run when it flushes, before the WritableStream sees it; on a
 * 272 MB remux profiled in the export worker those two copies took 1.1 to 1.5 s of the muxing
 * thread, about a third of its time. Here each write is copied once, into a reused buffer, and
 * written out on flush. Writes, overwrites and their order reach the file as with StreamTarget.
 */
export class CoalescedTarget extends Target implements TargetProtocol {
  constructor(private readonly writes: CoalescedWrites) {
    super();
  }

  _start(): void {}

  _write(data: Uint8Array, position: number): void {
    this.writes.put(data, position);
  }

  _flush(): Promise<void> {
    return this.writes.drain();
  }

  async _finalize(): Promise<void> {
    await this.writes.drain();
    (this as unknown as Emitter)._emit('finalized');
  }

  /** The file is committed or discarded by its owner (src/export/output-file.ts), not here. */
  async _close(): Promise<void> {}
}

/**
 * Where a remux writes its file: a mediabunny Target (the export's output file,
 * src/export/output-file.ts), or a stream of positioned writes (StreamTarget chunks), which
 * goes through a StreamTarget and its copies.
 */
export type ExportDestination = Target | WritableStream<StreamTargetChunk>;

/** The Target for a {@link ExportDestination}. Each may be written by one mediabunny Output only. */
export function destinationTarget(destination: ExportDestination): Target {
  return destination instanceof Target ? destination : new StreamTarget(destination);
}
