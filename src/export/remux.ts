import {
  EncodedAudioPacketSource,
  EncodedVideoPacketSource,
  MkvOutputFormat,
  Mp4OutputFormat,
  Output,
  type AudioCodec,
  type MetadataTags,
  type OutputFormat,
  type VideoCodec,
} from 'mediabunny';
import { demuxSegment, packetAt, type DemuxedSegment, type DemuxedTrack, type SegmentDemuxer } from './segment-demux.ts';
import { startsDiscontinuity, type StoredSegmentTiming } from '../storage/segment-timeline.ts';
import { UnsupportedExportError } from './export-errors.ts';
import { droppedLeadingFramesWarnings, TrackWriter } from './track-writer.ts';
import { destinationTarget, type ExportDestination } from './coalesced-target.ts';

/** Containers a recording can be remuxed into without re-encoding. */
export type RemuxFormat = 'mp4' | 'm4a' | 'mkv';

/** How each {@link RemuxFormat} is made: its mediabunny output format, and whether it keeps video. */
export const REMUX_CONTAINERS: Record<RemuxFormat, { createFormat: () => OutputFormat; keepsVideo: boolean }> = {
  mp4: { createFormat: () => new Mp4OutputFormat({ fastStart: false }), keepsVideo: true },
  m4a: { createFormat: () => new Mp4OutputFormat({ fastStart: false }), keepsVideo: false },
  mkv: { createFormat: () => new MkvOutputFormat(), keepsVideo: true },
};

export { UnsupportedExportError };

/** Options of {@link remuxRuns}. */
export interface RemuxOptions {
  format: RemuxFormat;
  /**
   * Receives the file: the export's output file's Target, which gathers the writes into large
   * ones with one copy (src/export/coalesced-target.ts), or a stream of positioned writes, one
   * or more for each packet, closed at the end.
   */
  destination: ExportDestination;
  /** Total duration of the input, in seconds, for progress. */
  totalDurationSec: number;
  /** Called as packets are written, with the share done, 0..1. */
  onProgress?: (fraction: number) => void;
  /** Metadata written into the file (MP4/M4A `ilst`, Matroska tags). */
  tags?: MetadataTags;
  /** Overrides the output format of `format` (see {@link REMUX_CONTAINERS}); same track choice. */
  createFormat?: () => OutputFormat;
  /**
   * Keeps only packets presenting in `[startSec, endSec)` of output time (seconds from the first
   * packet), shifted so that the file starts at 0: a cut without re-encoding, which should start
   * on a video keyframe (see src/export/trim/keyframe-cut.ts). All packets when not given.
   */
  windowSec?: { startSec: number; endSec: number };
  /**
   * Demuxes each segment; default {@link demuxSegment} in this thread. A DemuxPool's `demux`
   * (src/export/demux-pool.ts) spreads them over workers.
   */
  demux?: SegmentDemuxer;
  /**
   * Segments demuxed ahead of the one being written, so several demux at once (with a pool:
   * its size × `export.demuxAheadPerWorkerCount`). Memory grows by this many demuxed
   * segments. Default 0.
   */
  demuxAheadCount?: number;
}

/** Result of a remux. */
export interface RemuxResult {
  /** Duration written, in seconds (end of the last packet). */
  durationSec: number;
  /** Codec strings of the tracks written. */
  codecs: string[];
  /** What the user should know of the file, one sentence each (none when absent). */
  warnings?: string[];
}

type Track = { demuxed: DemuxedTrack; writer: TrackWriter };

/** The MPEG-TS presentation clock wraps after 2^33 ticks of 90 kHz (ISO/IEC 13818-1 2.4.3.7), in seconds. */
export const PTS_WRAP_SEC = 2 ** 33 / 90_000;

/**
 * What to add to `sec` (a timestamp read off an MPEG-TS clock, seconds) to unwrap it: the whole
 * number of wraps of the 33-bit clock ({@link PTS_WRAP_SEC}) that puts it nearest `nearSec`, a
 * timestamp of the same stream (or of another stream on the same clock, RFC 8216 section 3)
 * already on the unwrapped timeline. Timestamps of one stretch more than half a wrap (13 hours)
 * apart cannot belong together otherwise. On a 64-bit clock (fMP4) nothing in one stretch is
 * that far apart, so the answer there is 0.
 * @returns seconds, a whole (possibly negative) multiple of {@link PTS_WRAP_SEC}.
 */
export function ptsWrapSec(sec: number, nearSec: number): number {
  const wraps = Math.round((nearSec - sec) / PTS_WRAP_SEC);
  return wraps === 0 ? 0 : wraps * PTS_WRAP_SEC;
}

/**
 * Remuxes recorded segments into MP4, M4A or MKV without re-encoding, with mediabunny.
 *
 * `runs` are the recording's segments split where timestamps break (see
 * {@link splitAtDiscontinuities}, RFC 8216 section 4.3.2.3): within a run, timestamps are
 * continuous; across runs they may jump, so each run is re-timed to start where the previous
 * one ended, which gives one continuous, playable file. Each segment is demuxed on its own
 * (`demux`, with `demuxAheadCount` more demuxing meanwhile, in workers when `demux` is a
 * DemuxPool's, src/export/demux-pool.ts) and released once written, and video and audio
 * packets are written in timestamp order, so memory stays bounded by `demuxAheadCount + 1`
 * segments plus mediabunny's write chunk, whatever the recording's length. A presentation
 * clock that wraps inside a run (after about 26.5 hours) is unwrapped. Where the H.264/H.265
 * decoder configuration changes between segments (another picture size, a new init section),
 * the new parameter sets go in-band ({@link TrackWriter}).
 *
 * M4A keeps the first audio track only; MP4 and MKV keep the first video and the first audio track.
 * @throws UnsupportedExportError when no track fits the format (M4A of a stream without audio).
 * @throws Error from mediabunny for bytes it cannot demux.
 */
export async function remuxRuns(runs: Iterable<Blob[]> | AsyncIterable<Blob[]>, options: RemuxOptions): Promise<RemuxResult> {
  const container = REMUX_CONTAINERS[options.format];
  const output = new Output({
    format: (options.createFormat ?? container.createFormat)(),
    target: destinationTarget(options.destination),
  });
  if (options.tags) output.setMetadataTags(options.tags);
  const sinks: OutputTracks = { video: null, audio: null };
  let offsetSec = 0;
  const codecs: string[] = [];
  const reportProgress = (doneSec: number) => options.onProgress?.(Math.min(1, doneSec / Math.max(options.totalDurationSec, 1e-9)));
  const demux = options.demux ?? demuxSegment;
  let clock: RunClock | null = null;
  try {
    for await (const { segment, startsRun } of demuxedInOrder(runs, (blob, runStart) => demux(blob, container.keepsVideo, runStart), options.demuxAheadCount ?? 0)) {
      if (startsRun || !clock) {
        if (clock) offsetSec = Math.max(offsetSec, clock.endSec);
        clock = { baseSec: null, offsetSec, wrapSec: 0, lastStartSec: null, endSec: offsetSec, window: options.windowSec ?? null };
      }
      const { video, audio } = segment;
      if (output.state === 'pending' && options.format === 'm4a' && !options.createFormat && audio?.codec === 'mp3') {
        // MP3 in MP4 exists (ISO/IEC 14496-3 OTI 0x6B) but is not what players expect of .m4a.
        throw new UnsupportedExportError('This recording is MP3 audio, which an M4A file cannot hold without re-encoding: choose MP3, which keeps the MP3 frames as they are.');
      }
      if (output.state === 'pending') await startOutput(output, sinks, segment, options.format, codecs);
      const tracks: Track[] = [];
      if (sinks.video && video) tracks.push({ demuxed: video, writer: sinks.video });
      if (sinks.audio && audio) tracks.push({ demuxed: audio, writer: sinks.audio });
      await writeSegment(tracks, clock, reportProgress);
    }
    if (clock) offsetSec = Math.max(offsetSec, clock.endSec);
    if (output.state === 'pending') throw new UnsupportedExportError('This recording has no segments to export.');
    if (sinks.video && !sinks.video.started) {
      // Its packets are length-prefixed (segment-demux.ts); the muxer needs a record to go with them.
      throw new UnsupportedExportError("The recording's video carries no parameter sets (SPS and PPS) with any key frame, so it cannot be put into a file.");
    }
    await output.finalize();
    options.onProgress?.(1);
    const window = options.windowSec;
    const warnings = droppedLeadingFramesWarnings(sinks.video);
    return { durationSec: window ? Math.max(0, Math.min(offsetSec, window.endSec) - window.startSec) : offsetSec, codecs, warnings };
  } catch (error) {
    if (output.state !== 'finalized' && output.state !== 'canceled') await output.cancel();
    throw error;
  }
}

interface OutputTracks {
  video: TrackWriter | null;
  audio: TrackWriter | null;
}

/** Timing state of one run: where it started, where it is written to, in seconds. */
interface RunClock {
  /** First presentation timestamp of the run, null before its first packet. */
  baseSec: number | null;
  /** Where the run starts in the output. */
  offsetSec: number;
  /** Added to timestamps after the 33-bit clock wrapped. */
  wrapSec: number;
  /** First timestamp of the previous segment, to notice a wrap. */
  lastStartSec: number | null;
  /** End of the last packet written, in output time. */
  endSec: number;
  /** {@link RemuxOptions.windowSec}: packets outside it are skipped, the rest shifted to start at 0. */
  window: { startSec: number; endSec: number } | null;
}

/**
 * Segments at the start of a run offered to each of its segments for their parameter sets (see
 * {@link SegmentDemuxer}): a recording that starts between key frames of a stream cut by time
 * has none in its first segment, but in one of the next few.
 */
const RUN_INIT_SEGMENT_COUNT = 3;

/**
 * Demuxes the runs' segments in order, keeping `aheadCount` demuxes running ahead of the one
 * handed out, and marks each run's first segment. Each demux is also given the run's first
 * {@link RUN_INIT_SEGMENT_COUNT} segments, whose parameter sets a segment without its own
 * takes (see {@link SegmentDemuxer}).
 */
async function* demuxedInOrder(
  runs: Iterable<Blob[]> | AsyncIterable<Blob[]>,
  demux: (segment: Blob, runStart: readonly Blob[]) => Promise<DemuxedSegment>,
  aheadCount: number,
): AsyncGenerator<{ segment: DemuxedSegment; startsRun: boolean }> {
  const queue: { demuxed: Promise<DemuxedSegment>; startsRun: boolean }[] = [];
  for await (const run of runs) {
    const runStart = run.slice(0, RUN_INIT_SEGMENT_COUNT);
    for (const [index, blob] of run.entries()) {
      const demuxed = demux(blob, runStart);
      // Awaited in order below; a failure ahead must not count as unhandled meanwhile.
      demuxed.catch(() => undefined);
      queue.push({ demuxed, startsRun: index === 0 });
      while (queue.length > aheadCount) {
        const next = queue.shift()!;
        yield { segment: await next.demuxed, startsRun: next.startsRun };
      }
    }
  }
  for (const next of queue) yield { segment: await next.demuxed, startsRun: next.startsRun };
}

async function startOutput(output: Output, sinks: OutputTracks, first: DemuxedSegment, format: RemuxFormat, codecs: string[]): Promise<void> {
  // A first segment without parameter sets (missingParameterSets) still sets the video track
  // up: its frames are dropped until a key frame comes with a record (TrackWriter).
  if (first.video) {
    const source = new EncodedVideoPacketSource(first.video.codec as VideoCodec);
    output.addVideoTrack(source);
    sinks.video = new TrackWriter(source, first.video.codec);
  }
  if (first.audio) {
    const source = new EncodedAudioPacketSource(first.audio.codec as AudioCodec);
    output.addAudioTrack(source);
    sinks.audio = new TrackWriter(source, first.audio.codec);
  }
  if (!sinks.video && !sinks.audio) {
    throw new UnsupportedExportError(format === 'm4a' ? 'This recording has no audio to put in an M4A file.' : 'This recording has no audio or video track.');
  }
  for (const track of [first.video, first.audio]) if (track?.codecString) codecs.push(track.codecString);
  await output.start();
}

/**
 * Writes one segment's packets, interleaved by timestamp across tracks, placed on the run's
 * clock (see {@link RunClock}).
 */
async function writeSegment(tracks: Track[], clock: RunClock, onProgress: (doneSec: number) => void): Promise<void> {
  if (tracks.length === 0) return;
  const startSec = Math.min(...tracks.map((track) => track.demuxed.firstTimestampSec));
  if (clock.lastStartSec !== null) clock.wrapSec = ptsWrapSec(startSec, clock.lastStartSec);
  clock.lastStartSec = startSec + clock.wrapSec;
  clock.baseSec ??= clock.lastStartSec;
  const cursors = tracks.map((track) => ({ track, index: 0 }));
  for (;;) {
    let next: (typeof cursors)[number] | undefined;
    for (const cursor of cursors) {
      const packets = cursor.track.demuxed.packets;
      if (cursor.index < packets.length && (!next || packets[cursor.index]!.timestampSec < next.track.demuxed.packets[next.index]!.timestampSec)) next = cursor;
    }
    if (!next) return;
    const index = next.index;
    next.index += 1;
    const packet = next.track.demuxed.packets[index]!;
    const timelineSec = Math.max(0, packet.timestampSec + clock.wrapSec - clock.baseSec + clock.offsetSec);
    const window = clock.window;
    // Inside the window means starting at or after its start and ending by its end: a cut
    // without re-encoding may start early (at a keyframe) but never runs past the out point.
    if (window && (timelineSec < window.startSec - 1e-6 || timelineSec + packet.durationSec > window.endSec + 1e-6)) {
      clock.endSec = Math.max(clock.endSec, Math.min(timelineSec + packet.durationSec, window.endSec));
      continue;
    }
    const timestampSec = window ? Math.max(0, timelineSec - window.startSec) : timelineSec;
    const { demuxed } = next.track;
    // A segment without parameter sets has no record of its own: its packets go with the one in force.
    await next.track.writer.add(packetAt(demuxed, index, timestampSec), demuxed.missingParameterSets ? null : demuxed.decoderConfig);
    clock.endSec = Math.max(clock.endSec, timelineSec + packet.durationSec);
    onProgress(timestampSec);
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
