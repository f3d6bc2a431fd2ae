import { ALL_FORMATS, AudioSampleSink, BufferSource, Input, VideoSampleSink } from 'mediabunny';
import { fetchVodSegments } from '../test-format-streams.ts';
import type { TranscodeSegment } from './transcode.ts';

/**
 * For the transcode unit tests (never imported by the app): stored segments of the test VODs,
 * and what a listener or viewer would notice in an export's decoded audio and pictures.
 */

/**
 * A VOD of tests/helpers/ffmpeg-hls-variants.ts as stored segments (2 s each), with media
 * sequence numbers from `firstMsn`; the first one starts a discontinuity when `discontinuity`.
 */
export async function vodSegments(variant: string, firstMsn = 0, discontinuity = false): Promise<TranscodeSegment[]> {
  const segments = await fetchVodSegments(variant);
  return segments.map(({ data, durationSec }, index) => ({
    msn: firstMsn + index,
    discontinuity: discontinuity && index === 0,
    durationSec,
    data,
    byteLength: data.size,
    programDateTimeMs: null,
  }));
}

/**
 * One channel (the first unless `channel` says) of a file's audio as decoded by the browser
 * (WebCodecs, through mediabunny), every sample, from the first one's timestamp `startSec`
 * (before 0 where an edit list hides the encoder's priming).
 */
export async function decodedChannel(bytes: Uint8Array, channel = 0): Promise<{ pcm: Float32Array; sampleRate: number; startSec: number }> {
  const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS });
  const parts: Float32Array[] = [];
  let sampleRate = 0;
  let startSec = NaN;
  try {
    for await (const sample of new AudioSampleSink((await input.getPrimaryAudioTrack())!).samples()) {
      sampleRate = sample.sampleRate;
      if (Number.isNaN(startSec)) startSec = sample.timestamp;
      const part = new Float32Array(sample.numberOfFrames);
      sample.copyTo(part, { planeIndex: channel, format: 'f32-planar' });
      parts.push(part);
      sample.close();
    }
  } finally {
    input.dispose();
  }
  const pcm = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  parts.reduce((offset, part) => (pcm.set(part, offset), offset + part.length), 0);
  return { pcm, sampleRate, startSec };
}

/**
 * How far each sample strays from continuing a sine of `frequencyHz`: x[n] - 2cos(w)x[n-1] +
 * x[n-2], which is 0 for a pure sine and jumps at a gap or click.
 */
function sineResidual(pcm: Float32Array, sampleRate: number, frequencyHz: number): Float32Array {
  const k = 2 * Math.cos((2 * Math.PI * frequencyHz) / sampleRate);
  const residual = new Float32Array(pcm.length);
  for (let n = 2; n < pcm.length; n++) residual[n] = Math.abs(pcm[n]! - k * pcm[n - 1]! + pcm[n - 2]!);
  return residual;
}

function maxOf(values: Float32Array, from: number, to: number): number {
  let max = 0;
  for (let n = from; n < to; n++) max = Math.max(max, values[n]!);
  return max;
}

/**
 * How a decoded sine of `frequencyHz` strays from a pure one ({@link sineResidual}): at most
 * inside 0.3 to 1.7 s (coding noise, inside a 2 s chunk), and at most anywhere but the first and
 * last 0.1 s, where the tone sets in (after the priming of the source's AAC and of ours) and
 * ends. A gap or click anywhere makes `everywhereMax` several times `insideMax`.
 */
export function sineStray(pcm: Float32Array, sampleRate: number, frequencyHz: number): { insideMax: number; everywhereMax: number } {
  const residual = sineResidual(pcm, sampleRate, frequencyHz);
  return {
    insideMax: maxOf(residual, Math.round(0.3 * sampleRate), Math.round(1.7 * sampleRate)),
    everywhereMax: maxOf(residual, Math.round(0.1 * sampleRate), pcm.length - Math.round(0.1 * sampleRate)),
  };
}

/**
 * Where beeps start in decoded audio that is silent between them, in seconds of the file (the
 * first sample at `startSec`): the first sample above `threshold` after at least `quietSec` below it.
 */
export function beepOnsetsSec({ pcm, sampleRate, startSec }: { pcm: Float32Array; sampleRate: number; startSec: number }, threshold = 0.2, quietSec = 0.3): number[] {
  const onsets: number[] = [];
  let lastLoud = -Infinity;
  for (let n = 0; n < pcm.length; n++) {
    if (Math.abs(pcm[n]!) < threshold) continue;
    if (n - lastLoud > quietSec * sampleRate) onsets.push(startSec + n / sampleRate);
    lastLoud = n;
  }
  return onsets;
}

/** Presentation times (seconds) of a file's video frames whose mean luma is above `luma`, decoded by the browser. */
export async function brightFramesSec(bytes: Uint8Array, luma = 128): Promise<number[]> {
  const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS });
  const times: number[] = [];
  try {
    for await (const sample of new VideoSampleSink((await input.getPrimaryVideoTrack())!).samples()) {
      try {
        // I420 (or NV12): the luma plane comes first, one byte per pixel.
        const data = new Uint8Array(sample.allocationSize());
        await sample.copyTo(data);
        const pixels = sample.codedWidth * sample.codedHeight;
        let sum = 0;
        for (let i = 0; i < pixels; i++) sum += data[i]!;
        if (sum / pixels > luma) times.push(sample.timestamp);
      } finally {
        sample.close();
      }
    }
  } finally {
    input.dispose();
  }
  return times;
}
