import { ALL_FORMATS, BufferSource, EncodedPacket, EncodedPacketSink, Input } from 'mediabunny';
import { startsDiscontinuity } from '../../storage/segment-timeline.ts';
import type { SegmentChunk, TimedSegment } from '../trim/range.ts';
import type { TimedPacket } from './encoded-file.ts';
import { FfmpegOutputError } from './ffmpeg-session.ts';
import { RunTimeline, type RunPlacement, type TimelineRun } from './run-timeline.ts';

/** How one chunk is cut, in seconds after its first timestamp (ffmpeg's input start): output `-ss` and `-t`. */
export interface ChunkCut {
  seekSec: number;
  /** Null: to the chunk's end. */
  keepSec: number | null;
  /** Output length; chunks with none are not transcoded. */
  outSec: number;
}

/** The runs of a chunked video transcode, and where each chunk's piece lands. */
export interface ChunkTimeline<T> {
  /** The transcoded chunks' segments, one array per run of continuous timestamps. */
  runs: T[][];
  timeline: RunTimeline;
  /**
   * The placement of chunk `index`'s run, and about where the chunk's time 0 (its in point)
   * lies after the run's in point, in EXTINF seconds (to unwrap timestamps near it).
   */
  chunkPlacement(index: number): Promise<{ placement: RunPlacement; expectedZeroSec: number }>;
}

/**
 * Groups the chunks of a video transcode (src/export/trim/range.ts `chunkSegments`, each with
 * its cut) into runs of continuous timestamps, and lays them out with a {@link RunTimeline}: a
 * run starts at its first chunk's in point and ends at its last chunk's out point, or at the end
 * of its last segment.
 * @param blobOf a segment's bytes, readable alone (fMP4 behind its init section).
 */
export function chunkTimeline<T extends TimedSegment>(chunks: readonly SegmentChunk<T>[], cuts: readonly ChunkCut[], blobOf: (segment: T) => Promise<Blob>): ChunkTimeline<T> {
  const runChunks: number[][] = [];
  const runOfChunk = new Map<number, number>();
  let previous: SegmentChunk<T> | null = null;
  for (const [index, chunk] of chunks.entries()) {
    if (cuts[index]!.outSec <= 0) continue;
    if (!previous || startsDiscontinuity(previous.segments.at(-1), chunk.segments[0]!)) runChunks.push([]);
    runChunks.at(-1)!.push(index);
    runOfChunk.set(index, runChunks.length - 1);
    previous = chunk;
  }
  /** The EXTINF position of each run's in point, in seconds of the recording. */
  const inPointSec = runChunks.map((indexes) => chunks[indexes[0]!]!.startSec + cuts[indexes[0]!]!.seekSec);
  const timelineRuns: TimelineRun[] = runChunks.map((indexes, run) => {
    const first = chunks[indexes[0]!]!;
    const lastIndex = indexes.at(-1)!;
    const last = chunks[lastIndex]!;
    const lastCut = cuts[lastIndex]!;
    return {
      start: { segment: () => blobOf(first.segments[0]!), afterSec: cuts[indexes[0]!]!.seekSec, expectedSec: 0 },
      end:
        lastCut.keepSec === null
          ? { segment: () => blobOf(last.segments.at(-1)!), afterSec: null, expectedSec: last.startSec + last.durationSec - inPointSec[run]! }
          : { segment: () => blobOf(last.segments[0]!), afterSec: lastCut.seekSec + lastCut.keepSec, expectedSec: last.startSec + lastCut.seekSec + lastCut.keepSec - inPointSec[run]! },
    };
  });
  const timeline = new RunTimeline(timelineRuns);
  return {
    runs: runChunks.map((indexes) => indexes.flatMap((index) => chunks[index]!.segments)),
    timeline,
    async chunkPlacement(index) {
      const run = runOfChunk.get(index);
      if (run === undefined) throw new RangeError(`Chunk ${index} is not transcoded.`);
      return { placement: await timeline.placement(run), expectedZeroSec: chunks[index]!.startSec + cuts[index]!.seekSec - inPointSec[run]! };
    },
  };
}

/** A chunk's Matroska piece from ffmpeg, and where its time 0 lies on the source clock. */
export interface VideoPiece {
  /** The chunk's index (see {@link ChunkTimeline.chunkPlacement}). */
  index: number;
  piece: Uint8Array;
  /** ffmpeg's input start plus the chunk's in point, in seconds of the source clock. */
  zeroSourceSec: number;
}

/**
 * The video packets of ffmpeg's pieces (in decode order), each timestamp moved from its piece's
 * time onto the output timeline through its run's placement: source time is the piece's time
 * plus `zeroSourceSec`.
 * @throws FfmpegOutputError for a piece without video.
 */
export async function* placedVideoPackets(
  pieces: AsyncIterable<VideoPiece>,
  chunkPlacement: ChunkTimeline<unknown>['chunkPlacement'],
): AsyncGenerator<TimedPacket<VideoDecoderConfig>, void, undefined> {
  for await (const { index, piece, zeroSourceSec } of pieces) {
    const { placement, expectedZeroSec } = await chunkPlacement(index);
    const input = new Input({ source: new BufferSource(piece), formats: ALL_FORMATS });
    try {
      const track = await input.getPrimaryVideoTrack();
      const decoderConfig = await track?.getDecoderConfig();
      if (!track || !decoderConfig) throw new FfmpegOutputError('a re-encoded piece of the recording has no video.');
      for await (const packet of new EncodedPacketSink(track).packets()) {
        const timestampSec = placement.outputSecOf(zeroSourceSec + packet.timestamp, expectedZeroSec + packet.timestamp);
        yield { packet: new EncodedPacket(packet.data, packet.type, timestampSec, packet.duration), decoderConfig };
      }
    } finally {
      input.dispose();
    }
  }
}
