import { canEncodeAudio, OggOutputFormat, Quality, type MetadataTags, type StreamTargetChunk } from 'mediabunny';
import { reencodeAudioRuns } from '../audio-reencode.ts';
import { UnsupportedExportError, type RemuxResult } from '../remux.ts';

/** Options of {@link encodeOpusRuns}. */
export interface OpusEncodeOptions {
  /** Target bitrate, in kb/s. */
  bitrateKbps: number;
  /**
   * Part of the runs' timeline to keep, in seconds from the first sample (cut at the sample,
   * src/export/trim/range.ts `selectSegments`); null or absent for all of it.
   */
  windowSec?: { startSec: number; endSec: number } | null;
  /** Receives the file as positioned writes; closed at the end. */
  writable: WritableStream<StreamTargetChunk>;
  /** Duration of the output, in seconds, for progress. */
  totalDurationSec: number;
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
 * Re-encodes the recording's first audio track (AAC or MP3; AC-3 and E-AC-3 decoded by
 * ffmpeg.wasm), more than two channels mixed down to stereo, as Opus in an Ogg file, through the
 * browser's own encoder (WebCodecs `AudioEncoder`, driven by mediabunny). ffmpeg.wasm's libopus
 * crashes in @ffmpeg/core 0.12.10 (ffmpegwasm/ffmpeg.wasm#591: stack too small; the fix, PR
 * #824, is unreleased), and WebCodecs is faster anyway.
 *
 * As in `encodeMp3Runs`, each run of continuous segments (src/export/recording-runs.ts
 * `recordingRuns`) is decoded as one stream by the browser's decoder and placed right after the
 * previous run ({@link reencodeAudioRuns}), so memory stays bounded by one segment, a few
 * seconds of PCM and the encoder's buffers.
 * @param runs segment bytes, one array per run of continuous timestamps.
 * @returns the duration written, in seconds, and the codec (`opus`).
 * @throws NoOpusEncoderError when the browser has no Opus encoder.
 * @throws UnsupportedExportError when the recording has no audio or no segments.
 * @throws UnsupportedAudioCodecError when neither the browser nor ffmpeg.wasm decodes the audio here.
 * @throws FfmpegLoadError when the audio needs ffmpeg.wasm and its core cannot be loaded.
 * @throws Error from mediabunny for bytes it cannot demux or decode.
 */
export async function encodeOpusRuns(runs: Blob[][], options: OpusEncodeOptions): Promise<RemuxResult> {
  if (!(await canEncodeAudio('opus', { bitrate: options.bitrateKbps * 1000 }))) throw new NoOpusEncoderError();
  const { durationSec } = await reencodeAudioRuns(runs, {
    ...options,
    format: new OggOutputFormat(),
    codec: 'opus',
    quality: new Quality({ bitrate: options.bitrateKbps * 1000 }),
    noAudioMessage: 'This recording has no audio to put in an Ogg Opus file.',
    maxChannels: 2,
  });
  return { durationSec, codecs: ['opus'] };
}
