import { ALL_FORMATS, AudioSampleSink, BlobSource, Input, type AudioSample } from 'mediabunny';
import { describe, expect, inject, test } from 'vitest';
import { demoSegment } from '../storage/test-fixtures.ts';
import { AudioFormatChangeError, decodeAudioRuns, UnsupportedAudioCodecError } from './audio-decode.ts';
import { collect } from './test-pcm.ts';

const formats = inject('formatStreamsUrl');

/**
 * The re-encoding exports' decoder, in Chromium with its WebCodecs AAC decoder, on the demo
 * stream's MPEG-TS segments (H.264 + AAC made by ffmpeg).
 */

/** mediabunny's own decoding of one file, as the reference. */
async function* decodedByMediabunny(file: Blob): AsyncGenerator<AudioSample> {
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  try {
    const track = await input.getPrimaryAudioTrack();
    if (!track) throw new Error('no audio');
    yield* new AudioSampleSink(track).samples();
  } finally {
    input.dispose();
  }
}

const options = { blockFrames: 48_000, decodeQueueCount: 64, noAudioMessage: 'No audio here.' };

describe('decodeAudioRuns', () => {
  test('a run of segments decodes as one stream: the same PCM as the segments joined into one file, no seam at the boundaries', async () => {
    const segments = (await Promise.all([0, 1, 2].map(demoSegment))) as Blob[];
    const ours = await collect(decodeAudioRuns([segments], options));
    const reference = await collect(decodedByMediabunny(new Blob(segments)));
    expect(ours.planes).toHaveLength(2);
    expect(ours.sampleRate).toBe(reference.sampleRate);
    expect(ours.planes[0]!.length).toBe(reference.planes[0]!.length);
    for (let channel = 0; channel < 2; channel++) expect(ours.planes[channel]!).toEqual(reference.planes[channel]!);
    // About 6 s of audio, in blocks of one second, each at its place on the timeline.
    expect(ours.planes[0]!.length / ours.sampleRate).toBeCloseTo(6, 0);
    expect(ours.timestampsSec.slice(0, 3)).toEqual([0, 48_000 / ours.sampleRate, 96_000 / ours.sampleRate]);
  });

  test('a window is cut at the sample; a second run follows the first one’s last sample', async () => {
    const segments = (await Promise.all([0, 1, 2, 3].map(demoSegment))) as Blob[];
    const whole = await collect(decodeAudioRuns([segments.slice(0, 2), segments.slice(2)], options));
    const rate = whole.sampleRate;
    const firstRunFrames = (await collect(decodeAudioRuns([segments.slice(0, 2)], options))).planes[0]!.length;
    // The second run's first block starts where the first run ended.
    expect(whole.timestampsSec).toContain(firstRunFrames / rate);

    const windowSec = { startSec: 1.5, endSec: 5.25 };
    const cut = await collect(decodeAudioRuns([segments.slice(0, 2), segments.slice(2)], { ...options, windowSec }));
    const fromFrame = Math.round(windowSec.startSec * rate);
    const toFrame = Math.round(windowSec.endSec * rate);
    expect(cut.timestampsSec[0]).toBe(0);
    for (let channel = 0; channel < 2; channel++) expect(cut.planes[channel]!).toEqual(whole.planes[channel]!.subarray(fromFrame, toFrame));
  });

  test('bytes that are no media reject with an error, alone or after a good segment (no audio at all: formats.test.ts)', async () => {
    const garbage = new Blob([new Uint8Array(4096).fill(0x47)]);
    await expect(collect(decodeAudioRuns([[garbage]], options))).rejects.toThrow(Error);
    const segment = (await demoSegment(0))!;
    await expect(collect(decodeAudioRuns([[segment, garbage]], options))).rejects.toThrow(Error);
  });

  test('audio the browser cannot decode (AC-3 in MPEG-TS, made by ffmpeg) is refused by name', async () => {
    const response = await fetch(`${formats}/vod/ac3-ts/seg000.ts`);
    expect(response.ok).toBe(true);
    const segment = await response.blob();
    const error = await collect(decodeAudioRuns([[segment]], options)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnsupportedAudioCodecError);
    expect((error as Error).message).toBe("This browser cannot decode the recording's audio (ac-3), so it cannot be re-encoded here.");
  });

  test('audio that changes sample rate (a 48 kHz run, then 44.1 kHz ADTS) is refused with both formats named', async () => {
    const adts = await (await fetch(`${formats}/vod/adts/seg000.aac`)).blob();
    const error = await collect(decodeAudioRuns([[(await demoSegment(0))!], [adts]], options)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AudioFormatChangeError);
    expect((error as Error).message).toBe(
      "The recording's audio changes from 2 channels at 48000 Hz to 1 at 44100 Hz; export the parts on either side of the change separately.",
    );
  });
});
