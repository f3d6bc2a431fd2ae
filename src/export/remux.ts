import {
  ALL_FORMATS,
  BlobSource,
  EncodedAudioPacketSource,
  EncodedPacketSink,
  EncodedVideoPacketSource,
  Input,
  Mp4OutputFormat,
  Output,
  StreamTarget,
  type EncodedPacket,
  type InputAudioTrack,
  type InputVideoTrack,
  type StreamTargetChunk,
} from 'mediabunny';
import { startsDiscontinuity, type StoredSegmentTiming } from '../storage/segment-timeline.ts';

/** Containers a recording can be remuxed into without re-encoding. */
export type RemuxFormat = 'mp4' | 'm4a';

/** Thrown when the recording holds nothing the chosen format can carry. */
export class UnsupportedExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedExportError';
  }
}

/** Options of {@link remuxRuns}. */
export interface RemuxOptions {
  format: RemuxFormat;
  /** Receives the file as positioned writes; a FileSystemWritableFileStream fits. Closed at the end. */
  writable: WritableStream<StreamTargetChunk>;
  /** Total duration of the input, in seconds, for progress. */
  totalDurationSec: number;
  /** Called as packets are written, with the share done, 0..1. */
  onProgress?: (fraction: number) => void;
}

/** Result of a remux. */
export interface RemuxResult {
  /** Duration written, in seconds (end of the last packet). */
  durationSec: number;
  /** Codec strings of the tracks written. */
  codecs: string[];
}

type Track = { input: InputVideoTrack | InputAudioTrack; source: EncodedVideoPacketSource | EncodedAudioPacketSource };

/**
 * Remuxes recorded segments into MP4 or M4A without re-encoding, with mediabunny.
 *
 * `runs` are the recording's segments split at each EXT-X-DISCONTINUITY (RFC 8216 section
 * 4.3.2.3): within a run, timestamps are continuous; across runs they may jump, so each run is
 * re-timed to start where the previous one ended, which gives one continuous, playable file.
 * Each run is read through one Blob made of the segment Blobs, which the browser keeps on disk,
 * and video and audio packets are written in timestamp order, so memory stays bounded by
 * mediabunny's read-ahead and write chunk, whatever the recording's length.
 *
 * M4A keeps the first audio track only; MP4 keeps the first video and the first audio track.
 * @throws UnsupportedExportError when no track fits the format (M4A of a stream without audio).
 * @throws Error from mediabunny for bytes it cannot demux.
 */
export async function remuxRuns(runs: Blob[][], options: RemuxOptions): Promise<RemuxResult> {
  const output = new Output({
    format: new Mp4OutputFormat({ fastStart: false }),
    target: new StreamTarget(options.writable, { chunked: true, chunkSize: 8 * 1024 * 1024 }),
  });
  let video: EncodedVideoPacketSource | null = null;
  let audio: EncodedAudioPacketSource | null = null;
  let started = false;
  let offsetSec = 0;
  const codecs: string[] = [];
  try {
    for (const run of runs) {
      if (run.length === 0) continue;
      const input = new Input({ source: new BlobSource(new Blob(run)), formats: ALL_FORMATS });
      try {
        const inputVideo = options.format === 'mp4' ? await input.getPrimaryVideoTrack() : null;
        const inputAudio = await input.getPrimaryAudioTrack();
        if (!started) {
          if (inputVideo) output.addVideoTrack((video = new EncodedVideoPacketSource(inputVideo.codec!)));
          if (inputAudio) output.addAudioTrack((audio = new EncodedAudioPacketSource(inputAudio.codec!)));
          if (!video && !audio) {
            throw new UnsupportedExportError(options.format === 'm4a' ? 'This recording has no audio to put in an M4A file.' : 'This recording has no audio or video track.');
          }
          for (const track of [inputVideo, inputAudio]) {
            const codec = track && (await track.getCodecParameterString());
            if (codec) codecs.push(codec);
          }
          await output.start();
          started = true;
        }
        const tracks: Track[] = [];
        if (video && inputVideo) tracks.push({ input: inputVideo, source: video });
        if (audio && inputAudio) tracks.push({ input: inputAudio, source: audio });
        const endSec = await writeRun(tracks, offsetSec, (doneSec) => options.onProgress?.(Math.min(1, doneSec / Math.max(options.totalDurationSec, 1e-9))));
        offsetSec = Math.max(offsetSec, endSec);
      } finally {
        input.dispose();
      }
    }
    if (!started) throw new UnsupportedExportError('This recording has no segments to export.');
    await output.finalize();
    options.onProgress?.(1);
    return { durationSec: offsetSec, codecs };
  } catch (error) {
    if (output.state !== 'finalized' && output.state !== 'canceled') await output.cancel();
    throw error;
  }
}

/**
 * Writes one run's packets, interleaved by timestamp across tracks, shifted so the run
 * starts at `offsetSec`. Returns where the run ends, in seconds.
 */
async function writeRun(tracks: Track[], offsetSec: number, onProgress: (doneSec: number) => void): Promise<number> {
  const firstTimestamps = await Promise.all(tracks.map((track) => track.input.getFirstTimestamp()));
  const baseSec = Math.min(...firstTimestamps);
  const cursors = await Promise.all(
    tracks.map(async (track) => {
      const iterator = new EncodedPacketSink(track.input).packets();
      const decoderConfig = await track.input.getDecoderConfig();
      return { track, iterator, decoderConfig, first: true, head: (await iterator.next()).value as EncodedPacket | undefined };
    }),
  );
  let endSec = offsetSec;
  for (;;) {
    let next: (typeof cursors)[number] | undefined;
    for (const cursor of cursors) {
      if (cursor.head && (!next || cursor.head.timestamp < next.head!.timestamp)) next = cursor;
    }
    if (!next) return endSec;
    const packet = next.head!;
    const timestampSec = Math.max(0, packet.timestamp - baseSec + offsetSec);
    const meta = next.first && next.decoderConfig ? { decoderConfig: next.decoderConfig } : undefined;
    // The sources are typed per kind; each cursor only ever sees its own kind's config.
    await (next.track.source as EncodedVideoPacketSource).add(packet.clone({ timestamp: timestampSec }), meta as never);
    next.first = false;
    endSec = Math.max(endSec, timestampSec + packet.duration);
    onProgress(timestampSec);
    next.head = (await next.iterator.next()).value as EncodedPacket | undefined;
  }
}

/**
 * Splits stored segments (in media sequence order) into runs of continuous timestamps: a new
 * run starts at each EXT-X-DISCONTINUITY and after each missing media sequence number
 * (see {@link startsDiscontinuity}).
 * @returns one array per run, never empty ones.
 */
export function splitAtDiscontinuities<T extends StoredSegmentTiming>(segments: readonly T[]): T[][] {
  const runs: T[][] = [];
  let previous: T | undefined;
  for (const segment of segments) {
    const current = runs.at(-1);
    if (!current || startsDiscontinuity(previous, segment)) runs.push([segment]);
    else current.push(segment);
    previous = segment;
  }
  return runs;
}
