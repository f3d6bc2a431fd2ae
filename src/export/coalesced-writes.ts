import type { StreamTargetChunk } from 'mediabunny';

/**
 * Positioned writes gathered into few large ones, in a buffer of its own that is reused.
 *
 * A muxer writes a file as many small pieces, one or more per packet. Each write to an Origin
 * Private File System sync access handle is a system call, and one that grows the file may also
 * ask the browser process for quota; mediabunny's own chunking (StreamTarget `chunked`) avoids
 * that but copies every byte into a new 8 MiB buffer per chunk, on the one thread that muxes.
 * Here a write that continues the one before is copied into the same buffer, which is written
 * out whole when full; a write elsewhere (a box size filled in afterwards, the `moov` at the end)
 * first writes out what is gathered, so every byte reaches the file in the order it was written
 * and a later write over an earlier one wins, as it must.
 */
export class CoalescedWrites {
  private readonly buffer: Uint8Array<ArrayBuffer>;
  /** File position of `buffer[0]`; meaningful while {@link length} > 0. */
  private start = 0;
  private length = 0;

  /**
   * @param writeOut writes one run of bytes at its position; its errors (a full disk) come back
   *   from the {@link write} or {@link flush} that called it.
   * @param bufferBytes how much is gathered before it is written out, in bytes.
   */
  constructor(
    private readonly writeOut: (chunk: StreamTargetChunk) => Promise<void>,
    bufferBytes: number,
  ) {
    this.buffer = new Uint8Array(bufferBytes);
  }

  /** Takes one positioned write; writes out what was gathered when this one does not continue it or does not fit. */
  async write(chunk: StreamTargetChunk): Promise<void> {
    const { data, position } = chunk;
    const continues = this.length > 0 && position === this.start + this.length;
    if (!continues || this.length + data.byteLength > this.buffer.byteLength) await this.flush();
    if (data.byteLength >= this.buffer.byteLength) {
      await this.writeOut(chunk);
      return;
    }
    if (this.length === 0) this.start = position;
    this.buffer.set(data, this.length);
    this.length += data.byteLength;
  }

  /** Writes out what is gathered. The buffer is reused, so `writeOut` must be done with it when its promise settles. */
  async flush(): Promise<void> {
    if (this.length === 0) return;
    const length = this.length;
    this.length = 0;
    await this.writeOut({ type: 'write', data: this.buffer.subarray(0, length), position: this.start });
  }
}
