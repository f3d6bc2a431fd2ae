import {
  ALL_FORMATS,
  BlobSource,
  EncodedAudioPacketSource,
  EncodedPacketSink,
  EncodedVideoPacketSource,
  Input,
  Output,
  TextSubtitleSource,
  type EncodedPacket,
  type InputAudioTrack,
  type InputVideoTrack,
} from 'mediabunny';
import { isSubtitlesRendition, renditionTrackName } from '../capture/rendition-recorder.ts';
import type { RecordingStore } from '../storage/recording-store.ts';
import type { Recording, SegmentRecord } from '../storage/types.ts';
import { storedSegmentBlobReader } from './recording-runs.ts';
import { droppedLeadingFramesWarnings, TrackWriter } from './track-writer.ts';
import { destinationTarget } from './coalesced-target.ts';
import { ptsWrapSec, REMUX_CONTAINERS, UnsupportedExportError, type RemuxOptions, type RemuxResult } from './remux.ts';

/** An alternate rendition of a recording (a child recording) with its stored segments. */
export interface RenditionPart {
  recording: Recording;
  segments: SegmentRecord[];
}

/**
 * The alternate renditions recorded alongside `recordingId` (child recordings, RFC 8216 section
 * 4.3.4.1) that have segments, audio first, in the order they were made.
 */
export async function loadRenditionParts(store: RecordingStore, recordingId: string): Promise<RenditionPart[]> {
  const children = await store.listChildren(recordingId);
  const parts = await Promise.all(children.map(async (recording) => ({ recording, segments: await store.listSegments(recording.id) })));
  return parts.filter((part) => part.segments.length > 0).sort((a, b) => Number(isSubtitlesRendition(a.recording)) - Number(isSubtitlesRendition(b.recording)));
}

/**
 * Splits segments (in media sequence order) at each EXT-X-DISCONTINUITY (RFC 8216 section
 * 4.3.2.3) into the stretches whose timestamps are on one clock. Missing segments (gaps) do not
 * split: the clock goes on across them, shared by every rendition (section 3), so the streams
 * stay lined up and a gap is a hole in its own track only.
 */
export function splitAtDiscontinuityTags<T extends Pick<SegmentRecord, 'discontinuity'>>(segments: readonly T[]): T[][] {
  const epochs: T[][] = [];
  for (const segment of segments) {
    if (!epochs.length || segment.discontinuity) epochs.push([]);
    epochs.at(-1)!.push(segment);
  }
  return epochs;
}

/** Options of {@link remuxWithRenditions}. */
export interface MergeOptions extends RemuxOptions {
  /** Reads a recording's init section (EXT-X-MAP) by id, for fMP4 segments; undefined when not stored. */
  readInit: (recordingId: string, initSectionId: number) => Promise<Blob | undefined>;
}

/** What {@link remuxWithRenditions} did: the file it wrote, or why it wrote none. */
export type MergeOutcome = { merged: RemuxResult } | { notMergedBecause: string };

/** One stream of segments being merged, with its current segment opened. */
interface Cursor {
  recordingId: string;
  /** The stream's segments of the current discontinuity stretch. */
  segments: SegmentRecord[];
  index: number;
  kind: 'video' | 'audio';
  /** Writes the stream's track of the output. */
  writer: TrackWriter;
  input: Input | null;
  track: InputVideoTrack | InputAudioTrack | null;
  /** First timestamp of the open segment, unwrapped (see {@link ptsWrapSec}). */
  startSec: number;
  /** Added to the open segment's timestamps to unwrap the 33-bit MPEG-TS clock. */
  wrapSec: number;
}

/**
 * Exports a recording to MP4 or MKV together with its alternate renditions, without re-encoding:
 * the main recording's video (and its own audio, if any), then one audio track per audio
 * rendition, and, in MKV, one WebVTT subtitle track per subtitles rendition (MP4 gets none: the
 * subtitles stay stored with the recording; export MKV to have them). MPEG-TS and fMP4 segments
 * (behind their init sections) alike.
 *
 * HLS renditions share one clock (RFC 8216 section 3) and break it at the same places
 * (EXT-X-DISCONTINUITY): the recordings are split there into stretches (the k-th of each stream
 * together), and each stretch is written after the previous one ends, its streams keeping their
 * presentation timestamps relative to one another. Missing segments leave a hole in their own
 * track only, so the tracks stay in sync. Segments are written in start-time order, one at a
 * time.
 * @returns the file written, or, writing nothing, why not: the format is M4A, the export is
 *   trimmed, or a rendition's discontinuities do not match the main recording's (the caller
 *   then exports the main recording alone and says so).
 * @throws UnsupportedExportError when the main recording has no video; MissingInitSectionError
 *   for an fMP4 init section not stored; Error from mediabunny for bytes it cannot demux.
 */
export async function remuxWithRenditions(main: Recording, mainSegments: SegmentRecord[], renditions: RenditionPart[], options: MergeOptions): Promise<MergeOutcome> {
  if (options.format === 'm4a') return { notMergedBecause: "an M4A file holds the main recording's audio only" };
  if (options.windowSec) return { notMergedBecause: 'a trimmed export holds the main recording only' };
  const mainEpochs = splitAtDiscontinuityTags(mainSegments);
  const unaligned = renditions.filter((part) => splitAtDiscontinuityTags(part.segments).length !== mainEpochs.length);
  if (unaligned.length) {
    return {
      notMergedBecause: `${unaligned.map((part) => renditionTrackName(part.recording)).join(', ')} ${unaligned.length > 1 ? 'break' : 'breaks'} (EXT-X-DISCONTINUITY) at other places than the main recording, so ${unaligned.length > 1 ? 'they' : 'it'} could not be lined up with it`,
    };
  }
  const blobOf = segmentBlobReader(options.readInit);
  const format = REMUX_CONTAINERS[options.format].createFormat();
  const audioParts = renditions.filter((part) => !isSubtitlesRendition(part.recording));
  // WebVTT goes into MKV only: in MP4 (ISO/IEC 14496-30 'wvtt') few players show it.
  const subtitleParts = options.format === 'mkv' ? renditions.filter((part) => isSubtitlesRendition(part.recording)) : [];
  const output = new Output({ format, target: destinationTarget(options.destination) });
  if (options.tags) output.setMetadataTags(options.tags);
  /** Each stream's discontinuity stretches, the cursor writing it, and its track in the output. */
  const streams: { epochs: SegmentRecord[][]; cursor: Cursor }[] = [];
  const codecs: string[] = [];
  try {
    const first = new Input({ source: new BlobSource(await blobOf(main.id, mainSegments[0]!)), formats: ALL_FORMATS });
    const video = await first.getPrimaryVideoTrack();
    const ownAudio = await first.getPrimaryAudioTrack();
    if (!video) throw new UnsupportedExportError('This recording has no video to merge its alternate audio with.');
    const add = async (recordingId: string, segments: SegmentRecord[], kind: 'video' | 'audio', track: InputVideoTrack | InputAudioTrack, name?: string) => {
      const source = kind === 'video' ? new EncodedVideoPacketSource((track as InputVideoTrack).codec!) : new EncodedAudioPacketSource((track as InputAudioTrack).codec!);
      if (source instanceof EncodedVideoPacketSource) output.addVideoTrack(source);
      else output.addAudioTrack(source, name ? { name } : {});
      codecs.push((await track.getCodecParameterString()) ?? '');
      const cursor: Cursor = { recordingId, segments: [], index: 0, kind, writer: new TrackWriter(source, track.codec!), input: null, track: null, startSec: Infinity, wrapSec: 0 };
      streams.push({ epochs: splitAtDiscontinuityTags(segments), cursor });
    };
    await add(main.id, mainSegments, 'video', video);
    if (ownAudio) await add(main.id, mainSegments, 'audio', ownAudio);
    for (const part of audioParts) {
      const probe = new Input({ source: new BlobSource(await blobOf(part.recording.id, part.segments[0]!)), formats: ALL_FORMATS });
      const track = await probe.getPrimaryAudioTrack();
      if (track) await add(part.recording.id, part.segments, 'audio', track, renditionTrackName(part.recording));
      probe.dispose();
    }
    first.dispose();
    const subtitles = subtitleParts.map((part) => {
      const source = new TextSubtitleSource('webvtt');
      output.addSubtitleTrack(source, { name: renditionTrackName(part.recording) });
      return { epochs: splitAtDiscontinuityTags(part.segments), source };
    });
    await output.start();
    let offsetSec = 0;
    let endSec = 0;
    for (let k = 0; k < mainEpochs.length; k++) {
      const cursors = streams.map(({ epochs, cursor }) => Object.assign(cursor, { segments: epochs[k]!, index: 0 }));
      // Each stream's first segment is unwrapped near the main video's (the 33-bit clock may
      // have wrapped between them); later segments near their stream's previous one.
      let stretchStartSec: number | null = null;
      for (const cursor of cursors) {
        await open(cursor, blobOf, stretchStartSec);
        if (cursor.track) stretchStartSec ??= cursor.startSec;
      }
      const opened = cursors.filter((cursor) => cursor.track);
      if (!opened.length) continue;
      // This stretch's zero on the streams' shared clock goes where the previous one ended.
      const baseSec = Math.min(...opened.map((cursor) => cursor.startSec)) - offsetSec;
      for (const { epochs, source } of subtitles) {
        const text = await mergedWebVtt(epochs[k] ?? [], baseSec);
        // The first stretch gives the WEBVTT header; later ones add cue blocks only.
        await source.add(k === 0 ? text : text.replace(/^WEBVTT\n\n/, ''));
      }
      endSec = await writeEpoch(cursors, baseSec, offsetSec, blobOf, (writtenSec) => {
        endSec = Math.max(endSec, writtenSec);
        options.onProgress?.(Math.min(1, endSec / Math.max(options.totalDurationSec, 1e-9)));
      });
      offsetSec = Math.max(offsetSec, endSec);
    }
    await output.finalize();
    options.onProgress?.(1);
    // The main video is the first stream added.
    return { merged: { durationSec: endSec, codecs: codecs.filter(Boolean), warnings: droppedLeadingFramesWarnings(streams[0]!.cursor.writer) } };
  } catch (error) {
    for (const { cursor } of streams) cursor.input?.dispose();
    if (output.state !== 'finalized' && output.state !== 'canceled') await output.cancel();
    throw error;
  }
}

/**
 * Writes one discontinuity stretch of every stream, segment by segment in start-time order,
 * presentation timestamps moved from the streams' clock (`baseSec` there is `offsetSec` in the
 * file, never before it).
 * @param onVideoWritten - called with the end of each video packet written, in file seconds.
 * @returns the end of the last packet written, in file seconds.
 */
async function writeEpoch(cursors: Cursor[], baseSec: number, offsetSec: number, blobOf: SegmentBlobReader, onVideoWritten: (endSec: number) => void): Promise<number> {
  let endSec = offsetSec;
  for (;;) {
    const next = cursors.filter((cursor) => cursor.track).sort((a, b) => a.startSec - b.startSec)[0];
    if (!next) return endSec;
    const decoderConfig = await next.track!.getDecoderConfig();
    for await (const packet of new EncodedPacketSink(next.track!).packets() as AsyncIterable<EncodedPacket>) {
      const timestamp = Math.max(offsetSec, packet.timestamp + next.wrapSec - baseSec);
      await next.writer.add(packet.clone({ timestamp }), decoderConfig);
      endSec = Math.max(endSec, timestamp + packet.duration);
      if (next.kind === 'video') onVideoWritten(timestamp + packet.duration);
    }
    next.input?.dispose();
    next.index += 1;
    await open(next, blobOf, next.startSec);
  }
}

/** Reads a stored segment as a Blob a demuxer can open alone (fMP4: behind its init section). */
type SegmentBlobReader = (recordingId: string, segment: SegmentRecord) => Promise<Blob>;

function segmentBlobReader(readInit: MergeOptions['readInit']): SegmentBlobReader {
  const readers = new Map<string, (segment: SegmentRecord) => Promise<Blob>>();
  return (recordingId, segment) => {
    let read = readers.get(recordingId);
    if (!read) {
      read = storedSegmentBlobReader((id) => readInit(recordingId, id));
      readers.set(recordingId, read);
    }
    return read(segment);
  };
}

/**
 * Opens a cursor's current segment and reads where it starts, unwrapped near `nearSec` (see
 * {@link ptsWrapSec}; null: taken as it is); no track when it has no more.
 */
async function open(cursor: Cursor, blobOf: SegmentBlobReader, nearSec: number | null): Promise<void> {
  const segment = cursor.segments[cursor.index];
  cursor.input = null;
  cursor.track = null;
  if (!segment) return;
  const input = new Input({ source: new BlobSource(await blobOf(cursor.recordingId, segment)), formats: ALL_FORMATS });
  const track = cursor.kind === 'video' ? await input.getPrimaryVideoTrack() : await input.getPrimaryAudioTrack();
  if (!track) {
    input.dispose();
    cursor.index += 1;
    return open(cursor, blobOf, nearSec);
  }
  cursor.input = input;
  cursor.track = track;
  const firstSec = await track.getFirstTimestamp();
  cursor.wrapSec = nearSec === null ? 0 : ptsWrapSec(firstSec, nearSec);
  cursor.startSec = firstSec + cursor.wrapSec;
}

/**
 * The cues of HLS WebVTT segments as one WebVTT text on the export's timeline: each segment's
 * X-TIMESTAMP-MAP (RFC 8216 section 3.5) maps its cue times to the MPEG-TS clock, from which
 * `baseSec` (the export's zero, on the unwrapped clock) is taken away. The 33-bit MPEGTS value is
 * unwrapped near the previous segment's ({@link ptsWrapSec}). Cues repeated across segments are
 * kept once.
 */
export async function mergedWebVtt(segments: readonly SegmentRecord[], baseSec: number): Promise<string> {
  const out: string[] = ['WEBVTT', ''];
  const seen = new Set<string>();
  let nearSec = baseSec;
  for (const segment of segments) {
    const text = (await segment.data.text()).replace(/\r\n?/g, '\n');
    const map = /X-TIMESTAMP-MAP=([^\n]*)/.exec(text)?.[1] ?? '';
    const wrappedSec = Number(/MPEGTS:(\d+)/.exec(map)?.[1] ?? 0) / 90_000;
    const mpegtsSec = wrappedSec + ptsWrapSec(wrappedSec, nearSec);
    nearSec = mpegtsSec;
    const localSec = parseVttTime(/LOCAL:([\d:.]+)/.exec(map)?.[1] ?? '00:00.000');
    const shiftSec = mpegtsSec - localSec - baseSec;
    for (const block of text.split(/\n\n+/)) {
      const timing = /^(.*\n)?([\d:.]+) --> ([\d:.]+)([^\n]*)\n([\s\S]+)$/.exec(block.trim());
      if (!timing) continue;
      const fromSec = Math.max(0, parseVttTime(timing[2]!) + shiftSec);
      const toSec = Math.max(fromSec, parseVttTime(timing[3]!) + shiftSec);
      const cue = `${formatVttTime(fromSec)} --> ${formatVttTime(toSec)}${timing[4]}\n${timing[5]}`;
      if (seen.has(cue)) continue;
      seen.add(cue);
      out.push(cue, '');
    }
  }
  return out.join('\n');
}

function parseVttTime(text: string): number {
  return text.split(':').reduce((sec, part) => sec * 60 + Number(part), 0);
}

function formatVttTime(sec: number): string {
  const ms = Math.round(sec * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = ((ms % 60_000) / 1000).toFixed(3).padStart(6, '0');
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${s}`;
}
