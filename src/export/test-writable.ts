import type { StreamTargetChunk } from 'mediabunny';

/**
 * For the export unit tests (never imported by the app): a WritableStream that applies
 * positioned writes to a growing byte array. `bytes()` copies what was written.
 */
export function memoryWritable() {
  let buffer = new Uint8Array(1 << 16);
  let length = 0;
  let closed = false;
  const writable = new WritableStream<StreamTargetChunk>({
    write(chunk) {
      const end = chunk.position + chunk.data.byteLength;
      if (end > buffer.length) {
        const grown = new Uint8Array(Math.max(end, buffer.length * 2));
        grown.set(buffer.subarray(0, length));
        buffer = grown;
      }
      buffer.set(chunk.data, chunk.position);
      length = Math.max(length, end);
    },
    close() {
      closed = true;
    },
  });
  return { writable, bytes: () => buffer.slice(0, length), isClosed: () => closed };
}
