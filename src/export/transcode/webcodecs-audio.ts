import { canEncodeAudio, OggOutputFormat, Quality, type MetadataTags, type StreamTargetChunk } from 'mediabunny';
import { splitAtDiscontinuities, UnsupportedExportError, type RemuxResult } from '../remux.ts';
import { selectSegments, type TimedSegment } from '../trim/range.ts';
import { reencodeAudioRuns } from '../audio-reencode.ts';

/** Options of {@link encodeOpusSegments}. */
export interface OpusEncodeOptions<T = unknown> {
  /** The bytes the demuxer reads for one segment (fMP4 needs its init section in front); default its own. */
  bytesOf?: (segment: T) => Promise<Blob>;
  /** Target bitrate, in kb/s. */
  bitrateKbps: number;
  /** Part of the recording to keep, in seconds of it (cut at the sample); null for all. */
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
 * As in `encodeMp3Runs`, each run of continuous segments is decoded as one stream by the
 * browser's decoder (src/export/audio-decode.ts) and placed right after the previous run, so
 * memory stays bounded by one segment, a few seconds of PCM and the encoder's buffers.
 * @param segments the recording's stored segments in media sequence order, with their bytes.
 * @throws NoOpusEncoderError when the browser has no Opus encoder.
 * @throws UnsupportedExportError when the recording has no audio or nothing in range.
 * @throws UnsupportedAudioCodecError when the browser cannot decode the audio.
 * @throws Error from mediabunny for bytes it cannot demux or decode.
 */
export async function encodeOpusSegments<T extends TimedSegment & { data: Blob }>(segments: readonly T[], options: OpusEncodeOptions<T>): Promise<RemuxResult> {
  if (!(await canEncodeAudio('opus', { bitrate: options.bitrateKbps * 1000 }))) throw new NoOpusEncoderError();
  const { range } = options;
  const selected = range ? selectSegments(segments, range.startSec, range.endSec) : { segments: [...segments], windowSec: null };
  if (selected.segments.length === 0) throw new UnsupportedExportError('There is nothing to export in the chosen range.');
  // Output time starts at the first selected segment; the window is cut out of it.
  const window = selected.windowSec;
  const totalSec = window ? window.endSec - window.startSec : selected.segments.reduce((sum, segment) => sum + segment.durationSec, 0);
  const bytesOf = options.bytesOf ?? ((segment: T) => Promise.resolve(segment.data));
  async function* runs(): AsyncGenerator<Blob[]> {
    for (const run of splitAtDiscontinuities(selected.segments)) yield await Promise.all(run.map(bytesOf));
  }
  const { durationSec } = await reencodeAudioRuns(runs(), {
    ...options,
    format: new OggOutputFormat(),
    codec: 'opus',
    quality: new Quality({ bitrate: options.bitrateKbps * 1000 }),
    windowSec: window,
    totalDurationSec: totalSec,
    noAudioMessage: 'This recording has no audio to put in an Ogg Opus file.',
  });
  return { durationSec, codecs: ['opus'] };
}
