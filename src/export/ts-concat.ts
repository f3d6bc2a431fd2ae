import type { StreamTargetChunk } from 'mediabunny';

/** Options of {@link concatSegments}. */
export interface ConcatOptions {
  /** Receives the file as positioned writes; a FileSystemWritableFileStream fits. Closed at the end. */
  writable: WritableStream<StreamTargetChunk>;
  /** Called after each segment, with the share of bytes written, 0..1. */
  onProgress?: (fraction: number) => void;
}

/**
 * Writes the recording's original segments, in media sequence order, one after the other, byte
 * for byte: one segment in memory at a time. For MPEG-TS and packed audio (ADTS, MP3) the parts
 * are the segments; for fMP4 they come from `originalFileParts` of recording-runs.ts (init section, then the
 * fragments), which gives one fragmented MP4 file. Timestamps are left as they are: a
 * discontinuity is legal in a transport stream (ISO/IEC 13818-1 discontinuity_indicator), and
 * players handle it as they do in HLS.
 * @returns the bytes written.
 * @throws UnsupportedExportError-like Error when there are no segments; the writable's errors (e.g. QuotaExceededError).
 */
export async function concatSegments(segments: Blob[], options: ConcatOptions): Promise<number> {
  if (segments.length === 0) throw new Error('This recording has no segments to export.');
  const totalBytes = segments.reduce((sum, segment) => sum + segment.size, 0);
  const writer = options.writable.getWriter();
  let position = 0;
  try {
    for (const segment of segments) {
      const data = new Uint8Array(await segment.arrayBuffer());
      await writer.write({ type: 'write', position, data });
      position += data.byteLength;
      options.onProgress?.(Math.min(1, position / Math.max(totalBytes, 1)));
    }
    await writer.close();
    return position;
  } catch (error) {
    await writer.abort(error).catch(() => undefined);
    throw error;
  } finally {
    writer.releaseLock();
  }
}
