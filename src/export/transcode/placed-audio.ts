import { AudioSample } from 'mediabunny';
import { AudioFormatChangeError, decodeAudioRuns, type AudioDecodeOptions, type PcmFormat } from '../audio-decode.ts';
import type { RunPlacement } from './run-timeline.ts';

/** One run of continuous timestamps whose audio {@link placeAudioRuns} decodes. */
export interface PlacedAudioRun {
  /** The run's segments as the browser's demuxer reads them (src/export/recording-runs.ts `recordingRuns`). */
  blobs: () => Promise<Blob[][]>;
  /** Where the run lands (src/export/transcode/run-timeline.ts). */
  placement: () => Promise<RunPlacement>;
}

/**
 * Options of {@link placeAudioRuns}: those of {@link decodeAudioRuns} but the window (a run is
 * cut by its placement), `noAudioMessage` being for a segment without audio inside a run that has it.
 */
export type PlacedAudioOptions = Omit<AudioDecodeOptions, 'windowSec'>;

/** `frameCount` frames of a planar 16-bit block from `frameOffset`, as a new sample at `timestampSec`. */
function sliceBlock(block: AudioSample, frameOffset: number, frameCount: number, timestampSec: number): AudioSample {
  const { numberOfChannels, sampleRate } = block;
  const data = new Int16Array(frameCount * numberOfChannels);
  for (let channel = 0; channel < numberOfChannels; channel++) {
    block.copyTo(data.subarray(channel * frameCount, (channel + 1) * frameCount), { planeIndex: channel, format: 's16-planar', frameOffset, frameCount });
  }
  return new AudioSample({ data, format: 's16-planar', numberOfChannels, sampleRate, timestamp: timestampSec });
}

/** Silence of `frameCount` frames from output frame `fromFrame`, in blocks of at most `blockFrames`. */
function* silence(fromFrame: number, frameCount: number, format: PcmFormat, blockFrames: number): Generator<AudioSample> {
  for (let done = 0; done < frameCount; done += blockFrames) {
    const count = Math.min(blockFrames, frameCount - done);
    yield new AudioSample({ data: new Int16Array(count * format.numberOfChannels), format: 's16-planar', ...format, timestamp: (fromFrame + done) / format.sampleRate });
  }
}

/**
 * The audio of a video transcode's runs as one continuous PCM stream on the output timeline
 * (planar 16-bit {@link AudioSample}s, timestamped in seconds from 0), for an encoder that
 * must not restart (src/export/transcode/aac-chunks.ts `encodeAacChunks`).
 *
 * Each run is decoded by the browser, or ffmpeg.wasm where given for AC-3 ({@link decodeAudioRuns}), and its first sample placed where
 * its first audio packet lands on the timeline (its PTS through {@link RunPlacement}), the
 * following samples one after another: within a run the audio stays where the source had it
 * next to the video, whatever the number of chunks the video is encoded in. Samples before the
 * in point, or past the run's end (a range's out point, or where the next run starts), are
 * dropped; silence fills where the audio starts after the picture, between runs, and for a run
 * without audio. The consumer closes each sample it is given.
 * @throws AudioFormatChangeError when the sample rate or channel count changes between runs, and as {@link decodeAudioRuns}.
 */
export async function* placeAudioRuns(runs: Iterable<PlacedAudioRun>, options: PlacedAudioOptions): AsyncGenerator<AudioSample, void, undefined> {
  let format: PcmFormat | null = null;
  /** Output frames yielded so far. */
  let writtenFrames = 0;
  for (const run of runs) {
    const placement = await run.placement();
    if (placement.firstAudioSec === null) continue;
    const firstOutputSec = placement.outputSecOf(placement.firstAudioSec, placement.firstAudioSec - placement.anchorSec);
    /** Frames of this run decoded so far. */
    let runFrames = 0;
    for await (const block of decodeAudioRuns(await run.blobs(), { ...options, windowSec: null })) {
      /** The block itself is handed on when all of it is kept; the consumer closes what it is given. */
      let handedOn = false;
      try {
        format ??= { sampleRate: block.sampleRate, numberOfChannels: block.numberOfChannels };
        if (block.sampleRate !== format.sampleRate || block.numberOfChannels !== format.numberOfChannels) {
          throw new AudioFormatChangeError(format, block);
        }
        const blockFrame = Math.round(firstOutputSec * format.sampleRate) + runFrames;
        const endFrame = Math.round(placement.outputEndSec * format.sampleRate);
        runFrames += block.numberOfFrames;
        const fromFrame = Math.max(writtenFrames, blockFrame);
        const toFrame = Math.min(endFrame, blockFrame + block.numberOfFrames);
        if (toFrame > fromFrame) {
          yield* silence(writtenFrames, fromFrame - writtenFrames, format, options.blockFrames);
          handedOn = fromFrame === blockFrame && toFrame === blockFrame + block.numberOfFrames;
          if (handedOn) block.setTimestamp(blockFrame / format.sampleRate);
          yield handedOn ? block : sliceBlock(block, fromFrame - blockFrame, toFrame - fromFrame, fromFrame / format.sampleRate);
          writtenFrames = toFrame;
        }
        if (blockFrame + block.numberOfFrames >= endFrame) break;
      } finally {
        if (!handedOn) block.close();
      }
    }
  }
}
