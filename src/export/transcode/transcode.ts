import { ALL_FORMATS, BlobSource, BufferSource, Input, type MetadataTags, type StreamTargetChunk } from 'mediabunny';
import { defaultConfig } from '../../config.ts';
import { decodeAudioRuns } from '../audio-decode.ts';
import { recordingRuns } from '../recording-runs.ts';
import { remuxRuns, UnsupportedExportError, type RemuxResult } from '../remux.ts';
import { chunkSegments, selectSegments, type SegmentChunk, type TimedSegment } from '../trim/range.ts';
import { encodeAacChunks } from './aac-chunks.ts';
import { writeEncodedFile } from './encoded-file.ts';
import { chunkArgs, FONT_PATH, loudnessMeasureArgs, outputZeroSec } from './ffmpeg-args.ts';
import { combineLoudness, parseLoudnormReport, type LoudnessMeasurement } from './loudness.ts';
import { FfmpegLoadError, FfmpegOutputError, FfmpegSession } from './ffmpeg-session.ts';
import { placeAudioRuns } from './placed-audio.ts';
import { chunkTimeline, placedVideoPackets, type VideoPiece } from './placed-video.ts';
import { segmentStartSec } from './run-timeline.ts';
import type { TranscodeSettings } from './settings.ts';
import { utcOffsetMinIn, wallClockPieces } from './wall-clock-zone.ts';

/** Containers a transcode writes (Ogg Opus is encoded by WebCodecs, see webcodecs-audio.ts). */
export type TranscodeFormat = 'mp4' | 'm4a';

/** A stored segment as a transcode reads it. */
export interface TranscodeSegment extends TimedSegment {
  /** The segment's MPEG-TS bytes. */
  data: Blob;
  /** EXT-X-PROGRAM-DATE-TIME, in ms since the Unix epoch, or null (RFC 8216 section 4.3.2.6). */
  programDateTimeMs: number | null;
}

/** Options of {@link transcodeSegments}. */
export interface TranscodeOptions {
  format: TranscodeFormat;
  settings: TranscodeSettings;
  /** Part of the recording to keep, in seconds of the recording (frame-exact); null for all of it. */
  range: { startSec: number; endSec: number } | null;
  /** Wall clock at the recording's start, in ms since the Unix epoch (when no segment has a program date-time). */
  recordingStartedAtMs: number;
  /**
   * The viewer's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`), for the
   * burned wall clock, which follows its daylight-saving changes.
   */
  timeZone: string;
  /** Longest chunk given to ffmpeg at once, in seconds (config `export.transcodeChunkSec`). */
  chunkSec: number;
  /** Largest chunk given to ffmpeg at once, in bytes of segments (config `export.transcodeChunkBytes`); no limit when not given. */
  chunkBytes?: number;
  /** Same-origin folder of the ffmpeg core and font (config `export.ffmpegBasePath`). */
  ffmpegBasePath: string;
  /** Receives the file as positioned writes; closed at the end. */
  writable: WritableStream<StreamTargetChunk>;
  /** Called with the share done, 0..1. */
  onProgress?: (fraction: number) => void;
  /** Tags written into the file. */
  tags?: MetadataTags;
  /** Aborting stops ffmpeg at once (its worker is terminated) and rejects. */
  signal?: AbortSignal;
  /**
   * The bytes ffmpeg reads for a run of continuous segments, as parts to join: fMP4 fragments
   * need their init section in front (src/export/recording-runs.ts `originalFileParts`).
   * Default: the segments' own bytes (MPEG-TS, packed audio).
   */
  partsOf?: (segments: TranscodeSegment[]) => Promise<Blob[]>;
  /**
   * The segments as runs of continuous timestamps, each segment a Blob the browser's demuxer
   * reads alone (src/export/recording-runs.ts `recordingRuns`), for audio decoded by the browser.
   * Default: the same without init sections (MPEG-TS, packed audio).
   */
  runsOf?: (segments: TranscodeSegment[]) => Promise<Blob[][]>;
}

/** What the first segment holds, to choose the encoders and check the format. */
async function probeTracks(segment: Blob): Promise<{ hasVideo: boolean; hasAudio: boolean }> {
  const input = new Input({ source: new BlobSource(segment), formats: ALL_FORMATS });
  try {
    return { hasVideo: (await input.getPrimaryVideoTrack()) !== null, hasAudio: (await input.getPrimaryAudioTrack()) !== null };
  } finally {
    input.dispose();
  }
}

/**
 * The coded size of a video piece's pictures, in pixels.
 * @throws FfmpegOutputError when the piece has no video.
 */
async function videoFrameSize(piece: Uint8Array): Promise<{ width: number; height: number }> {
  const input = new Input({ source: new BufferSource(piece), formats: ALL_FORMATS });
  try {
    const track = await input.getPrimaryVideoTrack();
    if (!track) throw new FfmpegOutputError('a re-encoded piece of the recording has no video.');
    return { width: track.codedWidth, height: track.codedHeight };
  } finally {
    input.dispose();
  }
}

/** How one chunk is cut: where to start inside it and how much to keep, in seconds. */
function chunkCut(chunk: SegmentChunk<TranscodeSegment>, range: TranscodeOptions['range']): { seekSec: number; keepSec: number | null; outSec: number } {
  const chunkEndSec = chunk.startSec + chunk.durationSec;
  const fromSec = range ? Math.max(chunk.startSec, range.startSec) : chunk.startSec;
  const toSec = range ? Math.min(chunkEndSec, range.endSec) : chunkEndSec;
  return { seekSec: fromSec - chunk.startSec, keepSec: range && range.endSec < chunkEndSec ? toSec - fromSec : null, outSec: toSec - fromSec };
}

/**
 * Re-encodes a recording (or a part of it, frame-exact) with ffmpeg.wasm: H.264 (libx264) at
 * the chosen CRF and size with the wall clock optionally burned in (drawtext), AAC or Opus
 * audio optionally loudness-normalised (EBU R128 `loudnorm`), into MP4 or M4A.
 *
 * ffmpeg.wasm holds its files in memory and cannot address more than 2 GB, so the recording is
 * fed one chunk at a time: at most `chunkSec` seconds and `chunkBytes` bytes of continuous
 * segments (broken also at discontinuities) are joined and their video transcoded to a
 * Matroska piece with the input's own timestamps (`-copyts`), and the piece's packets go into
 * the output before the next chunk is read. Memory is bounded by one chunk's input and output
 * plus the core (about 31 MB of code and its heap), and one chunk of PCM in the browser and in
 * a second core, whatever the recording's length.
 *
 * Audio is never cut into pieces: the browser decodes it (AAC, MP3; ffmpeg.wasm decodes AC-3
 * and E-AC-3 in overlapping chunks, ffmpeg-audio-decoder.ts), and ffmpeg.wasm encodes the PCM
 * in overlapping chunks of which only the inner parts are kept (aac-chunks.ts), so it has no
 * seam at chunk joins. `loudnorm` takes two passes: every chunk is measured first, then each
 * is given the one gain that normalises the whole recording (src/export/transcode/loudness.ts).
 * - Audio alone (M4A, or MP4 without a video setting) is cut at the sample for a range, as MP3
 *   exports are (src/export/audio-decode.ts).
 * - With video, the pieces hold video alone, and the audio is encoded beside them in a second
 *   ffmpeg.wasm (it encodes its next chunk while the pieces are written). Each run of
 *   continuous timestamps is laid on the output from its own clock (placed-video.ts,
 *   run-timeline.ts), its video packets and its audio samples (placed-audio.ts) both by their
 *   timestamps, so audio stays on the picture however many chunks the video is encoded in; runs
 *   follow one another. The two streams are interleaved into the MP4 (encoded-file.ts).
 * - Video without audio: the pieces are remuxed one after another ({@link remuxRuns}).
 * Every picture has the first piece's size: a later chunk of another size (an advert, a new
 * init section) is scaled to fit inside it and padded with black, as one encode would give.
 *
 * The core is loaded only here, the first time a transcode runs, from the app's own origin.
 * @throws UnsupportedExportError when the recording has no segments in range, no audio for an
 *   audio format or a video-less export, or no video to burn the wall clock into.
 * @throws FfmpegLoadError when the core or font cannot be loaded (offline before first use).
 * @throws FfmpegRunError when ffmpeg cannot read a chunk.
 * @throws FfmpegOutputError when ffmpeg's AAC falls short of its input (aac-chunks.ts), its
 *   decoded AC-3 of its frames (ffmpeg-audio-decoder.ts), or a video piece has no video.
 * @throws UnsupportedAudioCodecError when neither the browser nor ffmpeg.wasm decodes the audio here.
 * @throws DOMException `AbortError` when `signal` aborts.
 */
export async function transcodeSegments(segments: readonly TranscodeSegment[], options: TranscodeOptions): Promise<RemuxResult> {
  const { range, settings } = options;
  const selected = range ? selectSegments(segments, range.startSec, range.endSec) : { segments: [...segments], firstStartSec: 0, windowSec: null };
  const first = selected.segments[0];
  if (!first) throw new UnsupportedExportError('There is nothing to export in the chosen range.');
  const partsOf = options.partsOf ?? ((run: TranscodeSegment[]) => Promise.resolve(run.map((segment) => segment.data)));
  const { hasVideo, hasAudio } = await probeTracks(new Blob(await partsOf([first])));
  if (settings.audio.codec !== 'aac') throw new UnsupportedExportError('ffmpeg.wasm encodes AAC here; Opus is encoded by the browser (Ogg export).');
  if (options.format === 'm4a' && !hasAudio) throw new UnsupportedExportError('This recording has no audio to put in an M4A file.');
  if (settings.burnWallClock && !hasVideo) throw new UnsupportedExportError('This recording has no picture to burn the time into.');
  if (!hasVideo && !hasAudio) throw new UnsupportedExportError('This recording has no audio or video track.');
  const keepVideo = hasVideo && options.format === 'mp4' && settings.video !== null;
  if (!keepVideo && !hasAudio) throw new UnsupportedExportError('This recording has no audio, and this export keeps no picture.');

  const chunks = chunkSegments(selected.segments, options.chunkSec, selected.firstStartSec, options.chunkBytes);
  const cuts = chunks.map((chunk) => chunkCut(chunk, range));
  const totalSec = cuts.reduce((sum, cut) => sum + Math.max(0, cut.outSec), 0);
  const throwIfAborted = () => {
    if (options.signal?.aborted) throw new DOMException('Export cancelled.', 'AbortError');
  };
  throwIfAborted();
  const session = await FfmpegSession.load(options.ffmpegBasePath);
  const onAbort = () => session.terminate();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    throwIfAborted();
    // The font is fetched with every transcode, so that the service worker has it (with the
    // core) for a wall-clock export made offline later.
    const font = await fetchFont(options.ffmpegBasePath).catch((error: unknown) => error as Error);
    if (settings.burnWallClock) {
      if (font instanceof Error) throw font;
      await session.writeFile(FONT_PATH, font);
    }
    const offsetMinAt = utcOffsetMinIn(options.timeZone);
    // Loudness normalisation measures every chunk first, then gives the PCM the one gain that
    // normalises the whole (loudness.ts, aac-chunks.ts).
    const measuring = settings.audio.loudnorm && hasAudio;
    /** Share of the progress bar the measuring pass takes. */
    const measureShare = measuring ? 0.25 : 0;
    const report = (fraction: number) => options.onProgress?.(Math.min(0.999, fraction));
    let loudness: LoudnessMeasurement | null = null;
    if (measuring) {
      const measured: { measurement: LoudnessMeasurement; durationSec: number }[] = [];
      let measuredSec = 0;
      for (const [index, chunk] of chunks.entries()) {
        const cut = cuts[index]!;
        if (cut.outSec <= 0) continue;
        await session.writeFile('in.ts', new Uint8Array(await new Blob(await partsOf(chunk.segments)).arrayBuffer()));
        const log = await session.runForLog(loudnessMeasureArgs({ inputPath: 'in.ts', seekSec: cut.seekSec, keepSec: cut.keepSec }), (outputSec) =>
          report((measureShare * (measuredSec + Math.min(outputSec, cut.outSec))) / Math.max(totalSec, 1e-9)),
        );
        await session.deleteFile('in.ts');
        measured.push({ measurement: parseLoudnormReport(log), durationSec: cut.outSec });
        measuredSec += cut.outSec;
        throwIfAborted();
      }
      loudness = combineLoudness(measured);
    }
    const runsOf = options.runsOf ?? ((run: TranscodeSegment[]) => recordingRuns(run, () => Promise.resolve(undefined)));
    const { audioBlockFrames, audioDecodeQueueCount, ffmpegDecodeChunkBytes } = defaultConfig.export;
    /** AC-3 and E-AC-3 are decoded by ffmpeg.wasm, in the session that encodes the AAC. */
    const decodeIn = (audioSession: FfmpegSession) => ({ session: () => Promise.resolve(audioSession), chunkBytes: ffmpegDecodeChunkBytes });
    const aacOptions = {
      bitrateKbps: settings.audio.bitrateKbps,
      loudness,
      chunkSec: options.chunkSec,
      chunkBytes: options.chunkBytes ?? Infinity,
    };
    const tags = options.tags ? { tags: options.tags } : {};
    if (!keepVideo) {
      const samples = decodeAudioRuns(await runsOf(selected.segments), {
        blockFrames: audioBlockFrames,
        decodeQueueCount: audioDecodeQueueCount,
        windowSec: selected.windowSec,
        noAudioMessage: 'This recording has no audio to put in an M4A file.',
        ffmpeg: decodeIn(session),
      });
      const packets = encodeAacChunks(samples, {
        ...aacOptions,
        session,
        onProgress: (encodedSec) => report(measureShare + ((1 - measureShare) * encodedSec) / Math.max(totalSec, 1e-9)),
      });
      const result = await writeEncodedFile({ audio: packets }, { format: 'm4a', writable: options.writable, ...tags });
      throwIfAborted();
      options.onProgress?.(1);
      return result;
    }
    let doneSec = 0;
    /**
     * Transcodes the chunks one after another into Matroska pieces, each with the source time
     * (seconds of the recording's clock) its time 0 stands for.
     */
    /** The first piece's picture size, which every later piece is fitted into. */
    let frameSize: { width: number; height: number } | null = null;
    async function* encodedChunks(): AsyncGenerator<VideoPiece> {
      for (const [index, chunk] of chunks.entries()) {
        const cut = cuts[index]!;
        if (cut.outSec <= 0) continue;
        const startMs = chunk.segments[0]!.programDateTimeMs ?? options.recordingStartedAtMs + chunk.startSec * 1000;
        const input = new Blob(await partsOf(chunk.segments));
        const inputStartSec = await segmentStartSec(new Blob(await partsOf([chunk.segments[0]!])));
        const args = chunkArgs({
          settings,
          inputPath: 'in.ts',
          outputPath: 'out.mkv',
          inputStartSec,
          seekSec: cut.seekSec,
          keepSec: cut.keepSec,
          wallClock: wallClockPieces(startMs / 1000 + cut.seekSec, cut.outSec, offsetMinAt),
          frameSize,
        });
        await session.writeFile('in.ts', new Uint8Array(await input.arrayBuffer()));
        await session.run(args, (outputSec) => report(measureShare + ((1 - measureShare) * (doneSec + Math.min(outputSec, cut.outSec))) / Math.max(totalSec, 1e-9)));
        await session.deleteFile('in.ts');
        const piece = await session.readFile('out.mkv');
        frameSize ??= await videoFrameSize(piece);
        await session.deleteFile('out.mkv');
        doneSec += cut.outSec;
        throwIfAborted();
        yield { index, piece, zeroSourceSec: outputZeroSec({ inputStartSec, seekSec: cut.seekSec }) };
      }
    }
    if (hasAudio) {
      const audioSession = await FfmpegSession.load(options.ffmpegBasePath);
      const stopAudio = () => audioSession.terminate();
      options.signal?.addEventListener('abort', stopAudio, { once: true });
      try {
        const placed = chunkTimeline(chunks, cuts, async (segment) => new Blob(await partsOf([segment])));
        const samples = placeAudioRuns(
          placed.runs.map((run, runIndex) => ({ blobs: () => runsOf(run), placement: () => placed.timeline.placement(runIndex) })),
          {
            blockFrames: audioBlockFrames,
            decodeQueueCount: audioDecodeQueueCount,
            noAudioMessage: 'A segment of this recording has no audio where the ones before it had.',
            ffmpeg: decodeIn(audioSession),
          },
        );
        const video = placedVideoPackets(encodedChunks(), placed.chunkPlacement);
        const result = await writeEncodedFile({ video, audio: encodeAacChunks(samples, { ...aacOptions, session: audioSession }) }, { format: 'mp4', writable: options.writable, ...tags });
        throwIfAborted();
        options.onProgress?.(1);
        return result;
      } finally {
        options.signal?.removeEventListener('abort', stopAudio);
        audioSession.terminate();
      }
    }
    async function* pieces(): AsyncGenerator<Blob[]> {
      for await (const { piece } of encodedChunks()) yield [new Blob([piece as Uint8Array<ArrayBuffer>])];
    }
    const result = await remuxRuns(pieces(), { format: 'mp4', destination: options.writable, totalDurationSec: totalSec, ...tags });
    options.onProgress?.(1);
    return result;
  } catch (error) {
    throwIfAborted();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    session.terminate();
  }
}

/** The drawtext font from the app's origin. */
async function fetchFont(basePath: string): Promise<Uint8Array> {
  const url = new URL('DejaVuSans.ttf', new URL(basePath, self.location.origin));
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${url.pathname}`);
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new FfmpegLoadError(error instanceof Error ? error.message : String(error));
  }
}
