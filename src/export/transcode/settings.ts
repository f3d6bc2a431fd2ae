/**
 * What a transcode (ffmpeg.wasm) makes of a recording, and the defaults the export offers.
 */

/** Audio codecs a transcode encodes: AAC-LC (in MP4/M4A) or Opus (in Ogg). */
export type TranscodeAudioCodec = 'aac' | 'opus';

/** H.264 re-encode of the picture. */
export interface VideoEncodeSettings {
  /**
   * x264 constant rate factor: 0 (lossless) to 51; 23 is x264's default, each +6 about halves
   * the size. Whole numbers.
   */
  crf: number;
  /** Largest picture height in pixels (scaled down keeping the aspect ratio, never up); null keeps the size. */
  maxHeight: number | null;
}

/** A re-encode asked of an export. */
export interface TranscodeSettings {
  audio: {
    codec: TranscodeAudioCodec;
    /** Target bitrate, in kb/s. */
    bitrateKbps: number;
    /** EBU R128 loudness normalisation (ffmpeg `loudnorm`; two passes over a recording of several chunks) to {@link LOUDNORM_TARGET_LUFS}. */
    loudnorm: boolean;
  };
  /** H.264 settings; null writes no video (an audio file). */
  video: VideoEncodeSettings | null;
  /**
   * Burns the recording's wall-clock time (from EXT-X-PROGRAM-DATE-TIME, else the time the
   * recording started, RFC 8216 section 4.3.2.6) into the picture's top left, in DejaVu Sans.
   * Needs `video`.
   */
  burnWallClock: boolean;
}

/** Integrated loudness `loudnorm` aims at, in LUFS (EBU R128 / streaming platforms' -16). */
export const LOUDNORM_TARGET_LUFS = -16;
/** Highest true peak `loudnorm` lets through, in dBTP. */
export const LOUDNORM_TRUE_PEAK_DBTP = -1.5;
/** Loudness range target of `loudnorm`, in LU. */
export const LOUDNORM_RANGE_LU = 11;

/** Named qualities offered for a smaller MP4: the picture's largest height and x264 CRF. */
export const VIDEO_QUALITIES = {
  /** About 1/4 of a 720p stream's size. */
  small: { crf: 30, maxHeight: 360 },
  medium: { crf: 26, maxHeight: 720 },
  /** Same picture size, near-transparent quality. */
  high: { crf: 20, maxHeight: null },
} as const satisfies Record<string, VideoEncodeSettings>;

/** Name of one of the {@link VIDEO_QUALITIES}. */
export type VideoQuality = keyof typeof VIDEO_QUALITIES;

/** Default audio of a transcode: AAC at 128 kb/s, no loudness normalisation. */
export const DEFAULT_TRANSCODE_AUDIO: TranscodeSettings['audio'] = { codec: 'aac', bitrateKbps: 128, loudnorm: false };

/**
 * Checks the settings at the boundary.
 * @throws RangeError naming the bad value: CRF outside 0..51 or not whole, a height under
 *   16 px, a bitrate outside 6..512 kb/s, or the wall clock asked without video.
 */
export function checkTranscodeSettings(settings: TranscodeSettings): void {
  const { audio, video } = settings;
  if (!Number.isFinite(audio.bitrateKbps) || audio.bitrateKbps < 6 || audio.bitrateKbps > 512) throw new RangeError(`The audio bitrate must be 6 to 512 kb/s, not ${audio.bitrateKbps} kb/s.`);
  if (video) {
    if (!Number.isInteger(video.crf) || video.crf < 0 || video.crf > 51) throw new RangeError(`The H.264 CRF must be a whole number from 0 to 51, not ${video.crf}.`);
    if (video.maxHeight !== null && (!Number.isInteger(video.maxHeight) || video.maxHeight < 16)) throw new RangeError(`The largest height must be at least 16 px, not ${video.maxHeight} px.`);
  }
  if (settings.burnWallClock && !video) throw new RangeError('The wall clock can only be burned into a video export (MP4).');
}
