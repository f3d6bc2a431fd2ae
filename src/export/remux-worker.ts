/// <reference lib="webworker" />
import { Mp3OutputFormat } from 'mediabunny';
import { RecordingStore } from '../storage/recording-store.ts';
import type { RemuxCancel, RemuxRequest, RemuxWorkerMessage } from './messages.ts';
import { encodeMp3Runs } from './mp3-encode.ts';
import { remuxRuns, type RemuxResult } from './remux.ts';
import { loadRenditionParts, remuxWithRenditions } from './merge-renditions.ts';
import { toMetadataTags } from './tags.ts';
import { concatSegments } from './ts-concat.ts';
import { isMp3Recording, originalFileParts, recordingRuns } from './recording-runs.ts';
import { defaultConfig } from '../config.ts';
import { transcodeSegments } from './transcode/transcode.ts';
import { encodeOpusRuns } from './transcode/webcodecs-audio.ts';
import { planKeyframeCut } from './trim/keyframe-cut.ts';
import { MIN_RANGE_SEC, selectSegments, toStoredRange } from './trim/range.ts';
import { DemuxPool } from './demux-pool.ts';
import { openOutputFile, type OutputFile } from './output-file.ts';

/**
 * The export worker: reads a recording's segments from IndexedDB and writes the exported file
 * (MP4, M4A, MKV, MPEG-TS or MP3) into the Origin Private File System or into a file the user
 * picked, off the page's main thread (src/export/output-file.ts). On failure or cancellation it
 * discards what it wrote (a picked file keeps its former contents) and removes its partial OPFS
 * file itself before answering: while it writes, the file is locked, so the page could not
 * remove it.
 * Re-encodes run ffmpeg.wasm in a worker of its own (src/export/transcode/), which a cancel
 * terminates at once; Ogg Opus is encoded by WebCodecs; a range is cut at keyframes here
 * (src/export/trim/) or frame-exact by ffmpeg.wasm.
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: RemuxWorkerMessage) => scope.postMessage(message);
let cancelled = false;
/** Aborted on cancel: stops a running ffmpeg.wasm command at once (its worker is terminated). */
const cancelController = new AbortController();

function throwIfCancelled(): void {
  if (cancelled) throw new DOMException('Export cancelled.', 'AbortError');
}

scope.onmessage = async (event: MessageEvent<RemuxRequest | RemuxCancel>) => {
  const request = event.data;
  if (request.type === 'cancel') {
    cancelled = true;
    cancelController.abort();
    return;
  }
  let store: RecordingStore | null = null;
  let output: OutputFile | null = null;
  let pool: DemuxPool | null = null;
  try {
    store = await RecordingStore.open(request.dbName);
    const recording = await store.get(request.recordingId);
    if (!recording) throw new Error('This recording no longer exists.');
    const allSegments = await store.listSegments(request.recordingId);
    // Exports lay the media out with the dropouts left out, players with them kept.
    const range = request.range && toStoredRange(request.range, allSegments, recording.gaps);
    if (range && range.endSec - range.startSec < MIN_RANGE_SEC) throw new Error('Nothing was recorded between the in and out points: they lie in a gap of the recording, or past its end.');
    // The segments a range needs, and where it sits in them. Keyframe cuts of MPEG-TS and packed
    // MP3 keep whole segments; MP4/M4A/MKV cut at the keyframe; MP3 and Opus encoded from the
    // audio cut at the sample; ffmpeg.wasm transcodes select their own chunks.
    const selected = range ? selectSegments(allSegments, range.startSec, range.endSec) : null;
    const segments = selected && !request.transcode ? selected.segments : allSegments;
    output = await openOutputFile(request.target, throwIfCancelled);
    const { sink, target } = output;
    let lastReportedPercent = -1;
    const onProgress = (fraction: number) => {
      throwIfCancelled();
      const percent = Math.floor(fraction * 100);
      if (percent === lastReportedPercent) return;
      lastReportedPercent = percent;
      post({ type: 'progress', fraction });
    };
    // fMP4 fragments behind their init sections, packed audio joined (src/export/recording-runs.ts).
    const readInit = (id: number) => store!.getInitSection(request.recordingId, id).then((init) => init?.data);
    const runs = () => recordingRuns(segments, readInit);
    const totalDurationSec = range ? range.endSec - range.startSec : recording.durationSec;
    const common = { writable: sink, totalDurationSec, onProgress, tags: toMetadataTags(request.tags) };
    /**
     * Remuxes demux in workers, one per core (this worker, which muxes, mostly waits on them),
     * up to the configured most, each a segment or so ahead.
     */
    const parallelDemux = () => {
      const { demuxWorkerMaxCount, demuxAheadPerWorkerCount } = defaultConfig.export;
      pool ??= new DemuxPool(Math.max(1, Math.min(demuxWorkerMaxCount, navigator.hardwareConcurrency || 2)));
      return { demux: pool.demux, demuxAheadCount: pool.size * demuxAheadPerWorkerCount };
    };
    let result: RemuxResult;
    /** Told to the user with the finished file. */
    const warnings: string[] = [];
    // Alternate audio and subtitle renditions recorded alongside go into MP4 and MKV (merge-renditions.ts).
    const renditions = request.format === 'mp4' || request.format === 'mkv' ? await loadRenditionParts(store, request.recordingId) : [];
    const notMerged = (because: string) => warnings.push(`The alternate audio and subtitles are not in this file: ${because}. They stay stored with the recording.`);
    if (request.transcode && request.format === 'ogg') {
      const opusRuns = await recordingRuns(selected?.segments ?? allSegments, readInit);
      result = await encodeOpusRuns(opusRuns, { ...common, bitrateKbps: request.transcode.audio.bitrateKbps, windowSec: selected?.windowSec ?? null });
    } else if (request.transcode) {
      if (request.format !== 'mp4' && request.format !== 'm4a') throw new Error(`Re-encoded exports are MP4, M4A or Ogg, not ${request.format}.`);
      if (renditions.length) notMerged('a re-encoded export holds the main recording only');
      result = await transcodeSegments(allSegments, {
        ...common,
        format: request.format,
        settings: request.transcode,
        range,
        recordingStartedAtMs: recording.startedAtMs,
        timeZone: request.timeZone,
        chunkSec: defaultConfig.export.transcodeChunkSec,
        chunkBytes: defaultConfig.export.transcodeChunkBytes,
        ffmpegBasePath: defaultConfig.export.ffmpegBasePath,
        signal: cancelController.signal,
        partsOf: (run) => originalFileParts(run, readInit),
        runsOf: (run) => recordingRuns(run, readInit),
      });
    } else if (request.format === 'ogg') {
      throw new Error('Ogg exports are always re-encoded.');
    } else if (range && request.format !== 'ts' && request.format !== 'mp3') {
      if (renditions.length) notMerged('a trimmed export holds the main recording only');
      const cut = await planKeyframeCut(allSegments, range, async (segment) => new Blob(await originalFileParts([segment], readInit)));
      const cutRuns = await recordingRuns(cut.segments, readInit);
      result = await remuxRuns(cutRuns, { ...common, destination: target, ...parallelDemux(), format: request.format, windowSec: cut.windowSec });
    } else if (request.format === 'ts') {
      await concatSegments(await originalFileParts(segments, readInit), { writable: sink, onProgress });
      result = { durationSec: range ? segments.reduce((sum, segment) => sum + segment.durationSec, 0) : recording.durationSec, codecs: recording.codecs };
    } else if (request.format === 'mp3' && range?.mode !== 'exact' && (await isMp3Recording(segments[0]))) {
      // Packed MP3 (RFC 8216 section 3.4): its frames are copied, not decoded and encoded again
      // (a keyframe trim keeps whole segments).
      result = await remuxRuns(await runs(), { ...common, destination: target, ...parallelDemux(), format: 'm4a', createFormat: () => new Mp3OutputFormat() });
      warnings.push(`This recording is MP3 already: its frames were copied as the station sent them, not encoded again at ${request.bitrateKbps} kb/s, which would lose quality and gain nothing.`);
    } else if (request.format === 'mp3') {
      // Decoded and encoded: a trim is cut at the sample, whichever mode was asked for.
      result = await encodeMp3Runs(await runs(), { ...common, bitrateKbps: request.bitrateKbps, windowSec: selected?.windowSec ?? null });
    } else {
      const readRenditionInit = (recordingId: string, id: number) => store!.getInitSection(recordingId, id).then((init) => init?.data);
      const outcome = renditions.length ? await remuxWithRenditions(recording, segments, renditions, { ...common, destination: target, format: request.format, readInit: readRenditionInit }) : null;
      if (outcome && 'notMergedBecause' in outcome) notMerged(outcome.notMergedBecause);
      result = outcome && 'merged' in outcome ? outcome.merged : await remuxRuns(await runs(), { ...common, destination: target, ...parallelDemux(), format: request.format });
    }
    throwIfCancelled();
    await output.commit();
    post({ type: 'done', durationSec: result.durationSec, codecs: result.codecs, warnings: [...warnings, ...(result.warnings ?? [])] });
  } catch (error) {
    // A picked file keeps what it held before; a file of our own is removed.
    await output?.discard();
    const cause = output?.writeError ?? error;
    const named = cause instanceof Error ? cause : new Error(String(cause));
    post({ type: 'error', name: named.name, message: named.message });
  } finally {
    (pool as DemuxPool | null)?.close();
    store?.close();
  }
};
