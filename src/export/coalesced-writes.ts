import type { StreamTargetChunk } from 'mediabunny';

/** A run of bytes ready to be written out, and the pooled buffer it lives in, if any. */
interface ReadyRun {
  chunk: StreamTargetChunk;
  buffer: Uint8Array<ArrayBuffer> | null;
}

/**
 * Positioned writes gathered into few large ones, in buffers of its own that are reused.
 *
 * A muxer writes a file as many small pieces, one or more per packet. Each write to an Origin
 * Private File System sync access handle is a system call, and one that grows the file may also
 * ask the browser process for quota; mediabunny's own chunking (StreamTarget `chunked`) avoids
 * that but copies every byte into a new 8 MiB buffer per chunk, on the one thread that muxes.
 * Here a write that continues what is gathered, leaves a space in it, or goes back over part of
 * it (a box or element size filled in once its contents are written), is copied into the same
 * buffer ({@link put}, which is synchronous, as a mediabunny Target's writes are); a full
 * buffer, or one a write elsewhere interrupts (the `moov` at the end, a size at the start of
 * the file), is set aside until {@link drain} writes it out, then reused. Every byte reaches
 * the file in the order it was written, so a later write over an earlier one wins, as it must.
 *
 * Memory: one buffer being filled plus those set aside since the last {@link drain}; a muxer
 * that drains once per chunk of samples (mediabunny flushes after each) holds two or three.
 */
export class CoalescedWrites {
  private readonly bufferBytes: number;
  private buffer: Uint8Array<ArrayBuffer>;
  /** File position of `buffer[0]`; meaningful while {@link length} > 0. */
  private start = 0;
  private length = 0;
  /** End of the furthest write so far: the file's length once all is written out. */
  private fileEnd = 0;
  /** Runs set aside, in the order their bytes were written. */
  private readonly ready: ReadyRun[] = [];
  private readonly spareBuffers: Uint8Array<ArrayBuffer>[] = [];

  /**
   * @param writeOut writes one run of bytes at its position; its errors (a full disk) come back
   *   from the {@link drain}, {@link write} or {@link flush} that called it. The bytes it is
   *   given are reused once its promise settles.
   * @param bufferBytes how much is gathered before it is written out, in bytes.
   */
  constructor(
    private readonly writeOut: (chunk: StreamTargetChunk) => Promise<void>,
    bufferBytes: number,
  ) {
    this.bufferBytes = bufferBytes;
    this.buffer = new Uint8Array(bufferBytes);
  }

  /**
   * Takes one positioned write, copying its bytes (the caller may reuse them): into the buffer
   * when it starts within or right after what is gathered, or past it where no write has been
   * (a space left for a size, filled with zeros until written), and fits; else after setting
   * the gathered bytes aside.
   * A write as large as the buffer is set aside whole, as a copy.
   */
  put(data: Uint8Array, position: number): void {
    if (data.byteLength >= this.bufferBytes) {
      this.setAside();
      this.ready.push({ chunk: { type: 'write', data: data.slice(), position }, buffer: null });
      this.fileEnd = Math.max(this.fileEnd, position + data.byteLength);
      return;
    }
    const offset = position - this.start;
    // Past the gathered bytes is fine where nothing was ever written: those bytes are zeros.
    const reaches = offset <= this.length || this.start + this.length === this.fileEnd;
    if (this.length === 0 || offset < 0 || !reaches || offset + data.byteLength > this.bufferBytes) this.setAside();
    if (this.length === 0) this.start = position;
    const at = position - this.start;
    if (at > this.length) this.buffer.fill(0, this.length, at);
    this.buffer.set(data, at);
    this.length = Math.max(this.length, at + data.byteLength);
    this.fileEnd = Math.max(this.fileEnd, position + data.byteLength);
  }

  /** Writes out, in order, what was set aside; what is still gathering stays. */
  async drain(): Promise<void> {
    for (let run = this.ready.shift(); run; run = this.ready.shift()) {
      try {
        await this.writeOut(run.chunk);
      } finally {
        if (run.buffer) this.spareBuffers.push(run.buffer);
      }
    }
  }

  /** {@link put} then {@link drain}: a WritableStream sink's write. */
  async write(chunk: StreamTargetChunk): Promise<void> {
    this.put(chunk.data, chunk.position);
    await this.drain();
  }

  /** Writes out everything, what is still gathering too. */
  async flush(): Promise<void> {
    this.setAside();
    await this.drain();
  }

  private setAside(): void {
    if (this.length === 0) return;
    this.ready.push({ chunk: { type: 'write', data: this.buffer.subarray(0, this.length), position: this.start }, buffer: this.buffer });
    this.buffer = this.spareBuffers.pop() ?? new Uint8Array(this.bufferBytes);
    this.length = 0;
  }
}
