import { ALL_FORMATS, AudioSampleSink, AudioSampleSource, BlobSource, canEncodeAudio, Input, OggOutputFormat, Output, Quality, StreamTarget, type MetadataTags, type StreamTargetChunk } from 'mediabunny';
import { splitAtDiscontinuities, UnsupportedExportError, type RemuxResult } from '../remux.ts';
import { selectSegments, type TimedSegment } from '../trim/range.ts';

/** Options of {@link encodeOpusSegments}. */
export interface OpusEncodeOptions<T = unknown> {
  /** The bytes the demuxer reads for one segment (fMP4 needs its init section in front); default its own. */
  bytesOf?: (segment: T) => Promise<Blob>;
  /** Target bitrate, in kb/s. */
  bitrateKbps: number;
  /** Part of the recording to keep, in seconds of it (cut at audio frames, ~20 ms); null for all. */
  range: { startSec: number; endSec: number } | null;
  /** Receives the file as positioned writes; closed at the end. */
  writable: WritableStream<StreamTargetChunk>;
  /** Called with the share done, 0..1. */
  onProgress?: (fraction: number) => void;
  /** Written as Vorbis comments. */
  tags?: MetadataTags;
}

/** Thrown when the browser has no Opus encoder (WebCodecs `AudioEncoder`). */
export class NoOpusEncoderError extends UnsupportedExportError {
  constructor() {
    super('This browser cannot encode Opus audio (WebCodecs), so Ogg Opus export is not available here.');
    this.name = 'NoOpusEncoderError';
  }
}

/**
 * Re-encodes the recording's first audio track (AAC) as Opus in an Ogg file, through the
 * browser's own encoder (WebCodecs `AudioEncoder`, driven by mediabunny). ffmpeg.wasm's libopus
 * crashes in @ffmpeg/core 0.12.10 (ffmpegwasm/ffmpeg.wasm#591: stack too small; the fix, PR
 * #824, is unreleased), and WebCodecs is faster anyway.
 *
 * As in `encodeMp3Runs`, segments are decoded one at a time and released, each run placed
 * right after the previous, so memory stays bounded by one segment plus the encoder's buffers.
 * @param segments the recording's stored segments in media sequence order, with their bytes.
 * @throws NoOpusEncoderError when the browser has no Opus encoder.
 * @throws UnsupportedExportError when the recording has no audio or nothing in range.
 * @throws Error from mediabunny for bytes it cannot demux or decode.
 */
export async function encodeOpusSegments<T extends TimedSegment & { data: Blob }>(segments: readonly T[], options: OpusEncodeOptions<T>): Promise<RemuxResult> {
  if (!(await canEncodeAudio('opus', { bitrate: options.bitrateKbps * 1000 }))) throw new NoOpusEncoderError();
  const { range } = options;
  const selected = range ? selectSegments(segments, range.startSec, range.endSec) : { segments: [...segments], firstStartSec: 0 };
  if (selected.segments.length === 0) throw new UnsupportedExportError('There is nothing to export in the chosen range.');
  // Output time starts at the first selected segment; the window is cut out of it.
  const window = range ? { startSec: Math.max(0, range.startSec - selected.firstStartSec), endSec: range.endSec - selected.firstStartSec } : null;
  const totalSec = window ? window.endSec - window.startSec : selected.segments.reduce((sum, segment) => sum + segment.durationSec, 0);
  const output = new Output({ format: new OggOutputFormat(), target: new StreamTarget(options.writable, { chunked: true, chunkSize: 4 * 1024 * 1024 }) });
  if (options.tags) output.setMetadataTags(options.tags);
  const source = new AudioSampleSource({ codec: 'opus', quality: new Quality({ bitrate: options.bitrateKbps * 1000 }) });
  let started = false;
  let offsetSec = 0;
  let writtenEndSec = 0;
  try {
    for (const run of splitAtDiscontinuities(selected.segments)) {
      let baseSec: number | null = null;
      let endSec = offsetSec;
      for (const segment of run) {
        const input = new Input({ source: new BlobSource(options.bytesOf ? await options.bytesOf(segment) : segment.data), formats: ALL_FORMATS });
        try {
          const track = await input.getPrimaryAudioTrack();
          if (!track) throw new UnsupportedExportError('This recording has no audio to put in an Ogg Opus file.');
          if (!started) {
            output.addAudioTrack(source);
            await output.start();
            started = true;
          }
          for await (const sample of new AudioSampleSink(track).samples()) {
            try {
              baseSec ??= sample.timestamp;
              const timelineSec = Math.max(0, sample.timestamp - baseSec + offsetSec);
              endSec = Math.max(endSec, timelineSec + sample.duration);
              if (window && (timelineSec + sample.duration <= window.startSec || timelineSec >= window.endSec)) continue;
              const timestampSec = window ? Math.max(0, timelineSec - window.startSec) : timelineSec;
              sample.setTimestamp(timestampSec);
              await source.add(sample);
              writtenEndSec = Math.max(writtenEndSec, timestampSec + sample.duration);
              options.onProgress?.(Math.min(1, writtenEndSec / Math.max(totalSec, 1e-9)));
            } finally {
              sample.close();
            }
          }
        } finally {
          input.dispose();
        }
      }
      offsetSec = endSec;
    }
    if (!started) throw new UnsupportedExportError('This recording has no segments to export.');
    source.close();
    await output.finalize();
    options.onProgress?.(1);
    return { durationSec: writtenEndSec, codecs: ['opus'] };
  } catch (error) {
    if (output.state !== 'finalized' && output.state !== 'canceled') await output.cancel();
    throw error;
  }
}
