import { ALL_FORMATS, BufferSource, Input } from 'mediabunny';
import { describe, expect, test } from 'vitest';
import { encodeMp3Runs } from './mp3-encode.ts';
import { recordingRuns } from './recording-runs.ts';
import { memoryWritable } from './test-writable.ts';
import { decodedChannel, sineStray, vodSegments } from './transcode/test-signals.ts';

/**
 * Audio with more channels than the codec takes, re-encoded from real streams ffmpeg made:
 * `adts-51` (5.1 AAC at 44.1 kHz, which the browser decodes) and `h264-ac3-ts` (5.1 AC-3 at
 * 48 kHz, which ffmpeg.wasm decodes), each with a 440 Hz tone (ffmpeg's `sine`, amplitude 1/8)
 * in the centre channel alone.
 */

/** Root mean square of the samples from 0.5 s to 0.5 s before the end, past the codecs' onsets. */
function rms(pcm: Float32Array, sampleRate: number): number {
  const inner = pcm.subarray(sampleRate / 2, pcm.length - sampleRate / 2);
  return Math.sqrt(inner.reduce((sum, value) => sum + value * value, 0) / inner.length);
}

describe('5.1 audio exported as MP3', () => {
  for (const { variant, sampleRate } of [
    { variant: 'adts-51', sampleRate: 44_100 },
    { variant: 'h264-ac3-ts', sampleRate: 48_000 },
  ] as const) {
    test(`${variant}: mixed down to stereo, the centre at -3 dB in each side, as long as the source, no seam`, { timeout: 120_000 }, async () => {
      // As an export reads them: packed audio joined into one stream (its last segment holds one frame).
      const runs = await recordingRuns(await vodSegments(variant), () => Promise.resolve(undefined));
      const out = memoryWritable();
      const result = await encodeMp3Runs(runs, { bitrateKbps: 192, writable: out.writable, totalDurationSec: 6 });
      expect(Math.abs(result.durationSec - 6)).toBeLessThan(0.1);
      const bytes = out.bytes();
      const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS });
      try {
        const track = (await input.getPrimaryAudioTrack())!;
        expect([track.codec, track.numberOfChannels, track.sampleRate]).toEqual(['mp3', 2, sampleRate]);
      } finally {
        input.dispose();
      }
      // The tone's RMS is 0.125 / sqrt(2) in the centre; -3 dB of it in each side, not scaled down further.
      for (const channel of [0, 1]) {
        const { pcm } = await decodedChannel(bytes, channel);
        expect(rms(pcm, sampleRate)).toBeCloseTo((0.125 / Math.SQRT2) * Math.SQRT1_2, 2);
        const { insideMax, everywhereMax } = sineStray(pcm, sampleRate, 440);
        expect(everywhereMax).toBeLessThan(3 * insideMax);
      }
    });
  }
});
