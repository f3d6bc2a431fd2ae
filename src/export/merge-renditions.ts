import {
  ALL_FORMATS,
  BlobSource,
  EncodedAudioPacketSource,
  EncodedPacketSink,
  EncodedVideoPacketSource,
  Input,
  Output,
  StreamTarget,
  TextSubtitleSource,
  type EncodedPacket,
  type InputAudioTrack,
  type InputVideoTrack,
} from 'mediabunny';
import { WEBVTT_CODEC } from '../capture/rendition-recorder.ts';
import type { RecordingStore } from '../storage/recording-store.ts';
import type { Recording, SegmentRecord } from '../storage/types.ts';
import { startsDiscontinuity } from '../storage/segment-timeline.ts';
import { REMUX_CONTAINERS, UnsupportedExportError, type RemuxOptions, type RemuxResult } from './remux.ts';

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
  return parts.filter((part) => part.segments.length > 0).sort((a, b) => Number(isSubtitles(a.recording)) - Number(isSubtitles(b.recording)));
}

function isSubtitles(recording: Recording): boolean {
  return recording.codecs.includes(WEBVTT_CODEC);
}

/** True when a run of MPEG-TS segments has one timeline: no discontinuity, no gap, no init section. */
function isOneTimeline(segments: readonly SegmentRecord[]): boolean {
  return segments.every((segment, i) => segment.initSectionId === undefined && (i === 0 || !startsDiscontinuity(segments[i - 1], segment)));
}

/** The name shown for a rendition track: the name in its title, e.g. `audio_2` of `Show (audio: audio_2)`. */
function trackName(recording: Recording): string {
  return /\((?:audio|subtitles): (.*)\)$/.exec(recording.title)?.[1] ?? recording.title;
}

/** One stream of segments being merged, with its current segment opened. */
interface Cursor {
  segments: SegmentRecord[];
  index: number;
  kind: 'video' | 'audio';
  source: EncodedVideoPacketSource | EncodedAudioPacketSource;
  configSent: boolean;
  input: Input | null;
  track: InputVideoTrack | InputAudioTrack | null;
  startSec: number;
}

/**
 * Exports a recording to MP4 or MKV together with its alternate renditions, without re-encoding:
 * the main recording's video (and its own audio, if any), then one audio track per audio
 * rendition, and, in MKV, one WebVTT subtitle track per subtitles rendition (MP4 gets none: the
 * subtitles stay stored with the recording; export MKV to have them). The streams keep their presentation timestamps relative to one
 * another (HLS renditions share one clock, RFC 8216 section 3), shifted so the file starts at 0;
 * segments are written in start-time order, one at a time.
 *
 * Only recordings whose segments form one timeline (MPEG-TS, no discontinuity or gap) are merged.
 * @returns null when the recording or a rendition does not form one timeline, or the format is
 *   not MP4 or MKV: the caller exports the main recording alone.
 * @throws UnsupportedExportError when the main recording has no video; Error from mediabunny for
 *   bytes it cannot demux.
 */
export async function remuxWithRenditions(main: SegmentRecord[], renditions: RenditionPart[], options: RemuxOptions): Promise<RemuxResult | null> {
  if (options.format === 'm4a' || options.windowSec || !isOneTimeline(main) || renditions.some((part) => !isOneTimeline(part.segments))) return null;
  const format = REMUX_CONTAINERS[options.format].createFormat();
  const audioParts = renditions.filter((part) => !isSubtitles(part.recording));
  // WebVTT goes into MKV only: in MP4 (ISO/IEC 14496-30 'wvtt') few players show it.
  const subtitleParts = options.format === 'mkv' ? renditions.filter((part) => isSubtitles(part.recording)) : [];
  const output = new Output({ format, target: new StreamTarget(options.writable, { chunked: true, chunkSize: 8 * 1024 * 1024 }) });
  if (options.tags) output.setMetadataTags(options.tags);
  const cursors: Cursor[] = [];
  const codecs: string[] = [];
  try {
    const first = new Input({ source: new BlobSource(main[0]!.data), formats: ALL_FORMATS });
    const video = await first.getPrimaryVideoTrack();
    const ownAudio = await first.getPrimaryAudioTrack();
    if (!video) throw new UnsupportedExportError('This recording has no video to merge its alternate audio with.');
    const add = async (segments: SegmentRecord[], kind: 'video' | 'audio', track: InputVideoTrack | InputAudioTrack, name?: string) => {
      const source = kind === 'video' ? new EncodedVideoPacketSource((track as InputVideoTrack).codec!) : new EncodedAudioPacketSource((track as InputAudioTrack).codec!);
      if (source instanceof EncodedVideoPacketSource) output.addVideoTrack(source);
      else output.addAudioTrack(source, name ? { name } : {});
      codecs.push((await track.getCodecParameterString()) ?? '');
      cursors.push({ segments, index: 0, kind, source, configSent: false, input: null, track: null, startSec: Infinity });
    };
    await add(main, 'video', video);
    if (ownAudio) await add(main, 'audio', ownAudio);
    for (const part of audioParts) {
      const probe = new Input({ source: new BlobSource(part.segments[0]!.data), formats: ALL_FORMATS });
      const track = await probe.getPrimaryAudioTrack();
      probe.dispose();
      if (track) await add(part.segments, 'audio', track, trackName(part.recording));
    }
    first.dispose();
    const subtitleSources = subtitleParts.map((part) => {
      const source = new TextSubtitleSource('webvtt');
      output.addSubtitleTrack(source, { name: trackName(part.recording) });
      return { part, source };
    });
    await output.start();
    for (const cursor of cursors) await open(cursor);
    const baseSec = Math.min(...cursors.map((cursor) => cursor.startSec));
    for (const { part, source } of subtitleSources) await source.add(await mergedWebVtt(part.segments, baseSec));
    let endSec = 0;
    for (;;) {
      const next = cursors.filter((cursor) => cursor.track).sort((a, b) => a.startSec - b.startSec)[0];
      if (!next) break;
      const iterator = new EncodedPacketSink(next.track!).packets();
      const decoderConfig = next.configSent ? undefined : await next.track!.getDecoderConfig();
      for await (const packet of iterator as AsyncIterable<EncodedPacket>) {
        const timestamp = Math.max(0, packet.timestamp - baseSec);
        const meta = !next.configSent && decoderConfig ? { decoderConfig } : undefined;
        await (next.source as EncodedVideoPacketSource).add(packet.clone({ timestamp }), meta as never);
        next.configSent = true;
        endSec = Math.max(endSec, timestamp + packet.duration);
        if (next.kind === 'video') options.onProgress?.(Math.min(1, endSec / Math.max(options.totalDurationSec, 1e-9)));
      }
      next.input?.dispose();
      next.index += 1;
      await open(next);
    }
    await output.finalize();
    options.onProgress?.(1);
    return { durationSec: endSec, codecs: codecs.filter(Boolean) };
  } catch (error) {
    for (const cursor of cursors) cursor.input?.dispose();
    if (output.state !== 'finalized' && output.state !== 'canceled') await output.cancel();
    throw error;
  }
}

/** Opens a cursor's current segment and reads where it starts; no track when it has no more. */
async function open(cursor: Cursor): Promise<void> {
  const segment = cursor.segments[cursor.index];
  cursor.input = null;
  cursor.track = null;
  if (!segment) return;
  const input = new Input({ source: new BlobSource(segment.data), formats: ALL_FORMATS });
  const track = cursor.kind === 'video' ? await input.getPrimaryVideoTrack() : await input.getPrimaryAudioTrack();
  if (!track) {
    input.dispose();
    cursor.index += 1;
    return open(cursor);
  }
  cursor.input = input;
  cursor.track = track;
  cursor.startSec = await track.getFirstTimestamp();
}

/**
 * The cues of HLS WebVTT segments as one WebVTT text on the export's timeline: each segment's
 * X-TIMESTAMP-MAP (RFC 8216 section 3.5) maps its cue times to the MPEG-TS clock, from which
 * `baseSec` (the export's zero) is taken away. Cues repeated across segments are kept once.
 */
export async function mergedWebVtt(segments: readonly SegmentRecord[], baseSec: number): Promise<string> {
  const out: string[] = ['WEBVTT', ''];
  const seen = new Set<string>();
  for (const segment of segments) {
    const text = (await segment.data.text()).replace(/\r\n?/g, '\n');
    const map = /X-TIMESTAMP-MAP=([^\n]*)/.exec(text)?.[1] ?? '';
    const mpegtsSec = Number(/MPEGTS:(\d+)/.exec(map)?.[1] ?? 0) / 90_000;
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
