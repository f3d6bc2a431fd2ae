import { detectSegmentFormat, isPackedAudio, skipId3Tags, type SegmentFormat } from '../capture/packed-audio.ts';
import type { SegmentRecord } from '../storage/types.ts';
import { splitAtDiscontinuities } from './remux.ts';

/**
 * Turning stored segments into what the demuxer reads, for every segment format: MPEG-TS as it
 * is, fMP4/CMAF fragments behind their init section (EXT-X-MAP, RFC 8216 section 4.3.2.5), and
 * packed audio (ADTS AAC, MP3; section 3.4) one segment at a time.
 */

/** Reads an init section's bytes by id; undefined when it is not stored. */
export type InitSectionReader = (initSectionId: number) => Promise<Blob | undefined>;

/** The stored segment fields read here. */
export type RunSegment = Pick<SegmentRecord, 'msn' | 'discontinuity' | 'data' | 'initSectionId'>;

/** Thrown when an fMP4 segment's init section is missing from storage. */
export class MissingInitSectionError extends Error {
  constructor(readonly initSectionId: number) {
    super(`The recording's init section ${initSectionId} (EXT-X-MAP) is missing from storage: its fMP4 segments cannot be read.`);
    this.name = 'MissingInitSectionError';
  }
}

/** The format of a stored segment, from its first 4 KiB (see {@link detectSegmentFormat}). */
export async function storedSegmentFormat(segment: RunSegment): Promise<SegmentFormat> {
  if (segment.initSectionId !== undefined) return 'fmp4';
  return detectSegmentFormat(new Uint8Array(await segment.data.slice(0, 4096).arrayBuffer()));
}

/** Caches init sections by id for one export. */
function initCache(read: InitSectionReader): (id: number) => Promise<Blob> {
  const cache = new Map<number, Promise<Blob>>();
  return (id) => {
    let init = cache.get(id);
    if (!init) {
      init = read(id).then((data) => {
        if (!data) throw new MissingInitSectionError(id);
        return data;
      });
      cache.set(id, init);
    }
    return init;
  };
}

/**
 * A reader of stored segments as Blobs a demuxer can open alone: MPEG-TS and packed audio as
 * stored, fMP4 fragments behind their init section (read once per id).
 * @returns a function that throws MissingInitSectionError for an init section not stored.
 */
export function storedSegmentBlobReader(readInit: InitSectionReader): (segment: RunSegment) => Promise<Blob> {
  const init = initCache(readInit);
  return async (segment) => (segment.initSectionId === undefined ? segment.data : new Blob([await init(segment.initSectionId), segment.data]));
}

/** Stored segments whose first bytes {@link packedAudioStarts} reads at once. */
const HEAD_READ_CONCURRENCY = 16;

/**
 * Where each segment's packed audio frames start (past its ID3 tags), or null for a segment
 * that is not packed audio (MPEG-TS, an fMP4 fragment): read from each segment's first 4 KiB,
 * {@link HEAD_READ_CONCURRENCY} segments at a time. Read one after another, the heads of the
 * 200 segments of bench:capture took 134-165 ms in Chromium before its export could start, 73 ms
 * this way (a 10-hour recording of 6 s segments has 6,000).
 */
async function packedAudioStarts(segments: readonly RunSegment[]): Promise<(number | null)[]> {
  const starts = new Array<number | null>(segments.length).fill(null);
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < segments.length; index = next++) {
      const segment = segments[index]!;
      if (segment.initSectionId !== undefined) continue;
      const head = new Uint8Array(await segment.data.slice(0, 4096).arrayBuffer());
      if (isPackedAudio(detectSegmentFormat(head))) starts[index] = skipId3Tags(head);
    }
  };
  await Promise.all(Array.from({ length: Math.min(HEAD_READ_CONCURRENCY, segments.length) }, lane));
  return starts;
}

/**
 * The runs {@link remuxRuns} and the MP3 encoder read, as Blobs each a demuxer can open alone.
 * Runs split where timestamps break ({@link splitAtDiscontinuities}); within a run:
 * - MPEG-TS segments are used as stored;
 * - fMP4 fragments are each preceded by their init section (so `init + moof + mdat` is one small
 *   MP4 file), and a new run starts where the init section changes (its codec setup may differ);
 * - packed audio (ADTS, MP3) segments are joined into one Blob per run, their ID3 tags dropped:
 *   their frames carry no timestamps and follow one another, so the joined frames are one gapless
 *   stream (a segment too short to be read alone, as segmenters leave at the end, is no problem).
 * Blobs are slices and joins of the stored ones: no segment bytes are read but a few header bytes
 * of each segment that is not an fMP4 fragment, and init sections once each.
 * @param segments - in media sequence order.
 * @returns the runs, never empty ones.
 * @throws MissingInitSectionError for an init section not stored.
 */
export async function recordingRuns(segments: readonly RunSegment[], readInit: InitSectionReader): Promise<Blob[][]> {
  const blobOf = storedSegmentBlobReader(readInit);
  const packedStarts = await packedAudioStarts(segments);
  // The runs hold the segments in their order, so a count through them indexes packedStarts.
  let index = 0;
  const runs: Blob[][] = [];
  for (const run of splitAtDiscontinuities(segments)) {
    let current: Blob[] = [];
    let currentInit: number | undefined;
    let packed: Blob[] = [];
    const flush = () => {
      if (packed.length) current.push(new Blob(packed));
      packed = [];
      if (current.length) runs.push(current);
      current = [];
    };
    for (const segment of run) {
      const packedStart = packedStarts[index++]!;
      if (packedStart !== null) {
        packed.push(segment.data.slice(packedStart));
        continue;
      }
      if (packed.length || (segment.initSectionId !== currentInit && current.length)) flush();
      currentInit = segment.initSectionId;
      current.push(await blobOf(segment));
    }
    flush();
  }
  return runs;
}

/**
 * The parts of the "original segments as one file" export, in order: for MPEG-TS and packed
 * audio (ADTS, MP3) the segments themselves, whose concatenation is a valid stream of that
 * format; for fMP4 the init section, then the fragments, with the init section written again
 * wherever it changes (a fragmented MP4 file, as ISO/IEC 23009-1 and CMAF lay it out).
 * @throws MissingInitSectionError for an init section not stored.
 */
export async function originalFileParts(segments: readonly RunSegment[], readInit: InitSectionReader): Promise<Blob[]> {
  const init = initCache(readInit);
  const parts: Blob[] = [];
  let currentInit: number | undefined;
  for (const segment of segments) {
    if (segment.initSectionId !== undefined && segment.initSectionId !== currentInit) parts.push(await init(segment.initSectionId));
    currentInit = segment.initSectionId;
    parts.push(segment.data);
  }
  return parts;
}

/** File extension (without dot) of an "original segments as one file" export; see {@link originalFileExtension}. */
export type OriginalFileExtension = 'ts' | 'mp4' | 'aac' | 'mp3';

/**
 * The file extension (without dot) of the "original segments as one file" export of a
 * recording whose first segment is `first`: `ts`, `mp4` (fMP4), `aac` (ADTS) or `mp3`.
 */
export async function originalFileExtension(first: RunSegment | undefined): Promise<OriginalFileExtension> {
  const format = first ? await storedSegmentFormat(first) : 'mpeg-ts';
  if (format === 'fmp4') return 'mp4';
  if (format === 'adts') return 'aac';
  if (format === 'mp3') return 'mp3';
  return 'ts';
}

/**
 * True when the recording's audio is MP3 already (packed MP3 segments, RFC 8216 section 3.4):
 * an MP3 export then copies its frames (remuxRuns with mediabunny's Mp3OutputFormat) instead
 * of decoding and re-encoding them.
 */
export async function isMp3Recording(first: RunSegment | undefined): Promise<boolean> {
  return first !== undefined && (await storedSegmentFormat(first)) === 'mp3';
}
