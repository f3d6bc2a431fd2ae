/// <reference lib="webworker" />
import type { StreamTargetChunk, Target } from 'mediabunny';
import type { RemuxRequest } from './messages.ts';
import { CoalescedWrites } from './coalesced-writes.ts';
import { CoalescedTarget } from './coalesced-target.ts';
import { defaultConfig } from '../config.ts';

/**
 * The file an export writes, opened in the export worker: positioned writes in, then either
 * committed or discarded.
 */
export interface OutputFile {
  /**
   * Takes the writers' positioned writes (mediabunny's StreamTarget chunks; `ts-concat` writes
   * the same shape). Its own close does nothing: mediabunny closes its target on cancel too,
   * and only {@link commit} makes the file hold what was written.
   */
  readonly sink: WritableStream<StreamTargetChunk>;
  /**
   * The same file as a mediabunny Target, for a mediabunny Output (remuxes): its writes are
   * copied once, into the gathered writes, where the {@link sink} would take them through a
   * StreamTarget's two copies. Use either this or the sink, and this for one Output only.
   */
  readonly target: Target;
  /**
   * The first error a write gave (a full disk: QuotaExceededError), or null. It outranks what a
   * muxer makes of it: the muxer fails on closing the errored sink with "Cannot close a ERRORED
   * writable stream", and the write's own error is the one the user must see.
   */
  readonly writeError: unknown;
  /** Makes the file hold what was written. */
  commit(): Promise<void>;
  /**
   * Discards what was written: a picked file keeps its former contents, an Origin Private File
   * System file is removed. Never throws.
   */
  discard(): Promise<void>;
}

/**
 * Opens the export's target for writing.
 *
 * - An Origin Private File System file (the Download button's) is written in place through a
 *   FileSystemSyncAccessHandle (File System Standard, section 8.4), which only a worker may
 *   open: its writes are plain file writes in this process. A FileSystemWritableFileStream
 *   instead writes a swap file through the browser process: in a bench:export run (272 MB)
 *   timed inside the worker, its writes took 3.9 s of 8.3 s, against 1.0 s this way. It falls back to the writable stream where
 *   the browser has no sync access handles. The file is emptied first, and removed on
 *   {@link OutputFile.discard}. A write that does not go in whole fails with a
 *   QuotaExceededError, as a refused one does.
 * - A file the user picked (Save as…) is written through its createWritable(), whose writes
 *   reach the file only on commit: a failed or cancelled export leaves it as it was.
 * @param throwIfCancelled called between the steps of opening, so a cancel stops it early.
 * @throws DOMException from the File System API (NotAllowedError for a handle without write
 *   permission, NoModificationAllowedError for a file another tab has open).
 */
export async function openOutputFile(target: RemuxRequest['target'], throwIfCancelled: () => void): Promise<OutputFile> {
  if (target.kind === 'handle') {
    throwIfCancelled();
    const writable = await target.handle.createWritable();
    return streamOutput(writable, { commit: () => writable.close(), discard: () => writable.abort() });
  }
  const root = await navigator.storage.getDirectory();
  const dir = await root.getDirectoryHandle(target.dirName, { create: true });
  throwIfCancelled();
  const file = await dir.getFileHandle(target.fileName, { create: true });
  const remove = () => dir.removeEntry(target.fileName);
  if (typeof file.createSyncAccessHandle !== 'function') {
    const writable = await file.createWritable();
    return streamOutput(writable, { commit: () => writable.close(), discard: () => writable.abort().catch(() => undefined).then(remove) });
  }
  let handle: FileSystemSyncAccessHandle | null;
  try {
    handle = await file.createSyncAccessHandle();
    handle.truncate(0);
  } catch (error) {
    await remove().catch(() => undefined);
    throw error;
  }
  const close = () => {
    handle?.close();
    handle = null;
  };
  return streamOutput(
    {
      write: async ({ data, position }: StreamTargetChunk) => {
        if (!handle) throw new DOMException('The export file is closed.', 'InvalidStateError');
        // A write the quota refuses throws QuotaExceededError; one the file system cannot take
        // whole (a full disk; Chromium's in-memory OPFS of an incognito window answers a full
        // quota with its error code, -8 as an unsigned count) is the same thing to the user.
        const writtenBytes = handle.write(data, { at: position });
        if (writtenBytes !== data.byteLength) throw new DOMException(`Only part of ${data.byteLength} bytes could be written to the export file: the disk or the storage quota is full.`, 'QuotaExceededError');
      },
    },
    {
      commit: async () => close(),
      // The handle locks the file: it is closed before the file can be removed.
      discard: async () => {
        close();
        await remove();
      },
    },
  );
}

/**
 * An {@link OutputFile} over something that takes positioned writes, which get them gathered
 * into few large ones ({@link CoalescedWrites}, `export.writeBufferBytes`): what is still
 * gathered is written on {@link OutputFile.commit}.
 */
function streamOutput(file: { write(chunk: StreamTargetChunk): Promise<void> }, end: { commit(): Promise<void>; discard(): Promise<void> }): OutputFile {
  let writeError: unknown = null;
  let committed = false;
  const writes = new CoalescedWrites(
    (chunk) =>
      file.write(chunk).catch((error: unknown) => {
        writeError ??= error;
        throw error;
      }),
    defaultConfig.export.writeBufferBytes,
  );
  const sink = new WritableStream<StreamTargetChunk>({ write: (chunk) => writes.write(chunk) });
  return {
    sink,
    target: new CoalescedTarget(writes),
    get writeError() {
      return writeError;
    },
    async commit() {
      await writes.flush();
      await end.commit();
      committed = true;
    },
    async discard() {
      if (!committed) await end.discard().catch(() => undefined);
    },
  };
}
