import type { CaptureConfig } from '../config.ts';
import { TypedEventTarget } from '../events.ts';
import { holdRecordingLock } from '../storage/recording-lock.ts';
import { RecordingNotFoundError, type NewSegment, type RecordingPatch, type RecordingStore } from '../storage/recording-store.ts';
import type { GapReason, Recording } from '../storage/types.ts';
import { AbortedError, CaptureError, isTransient } from './errors.ts';
import { KeyCache } from './key-cache.ts';
import { describeProblem, gapReason, isMissingPlaylist, isQuotaExceeded, type RecorderProblem } from './problems.ts';
import { fetchRange } from './byte-range.ts';
import { InitSectionTracker } from './init-section.ts';
import { loadPlaylist } from './playlist-loader.ts';
import { PauseController } from './pause-controller.ts';
import { abandonRecording, openRecording, openSource, type RecordRequest } from './record-request.ts';
import { RenditionRecorders, WEBVTT_CODEC } from './rendition-recorder.ts';
import { MsnContinuity } from './resume.ts';
import type { MediaPlaylistSnapshot, PlaylistSegment } from './playlist.ts';
import { playlistReloadDelayMs } from './reload-timing.ts';
import { delay, withRetry } from './retry.ts';
import { SegmentFetchPool, SegmentStoreError, type SegmentFetchOutcome } from './segment-fetch-pool.ts';
import { SegmentTracker, type TrackerUpdate } from './segment-tracker.ts';
import { SegmentQueue } from './segment-queue.ts';
import { StallDetector, stallMessage } from './stall-detector.ts';
import { VodProgressMeter, type VodProgress } from './vod-progress.ts';

/** Where a recorder is in its life. */
export type RecorderState = 'idle' | 'starting' | 'recording' | 'stopping' | 'stopped';

export type { RecorderProblem } from './problems.ts';

/** Events of {@link HlsRecorder}, by name, with their payloads. */
export interface HlsRecorderEvents {
  state: { state: RecorderState };
  /** The recording's metadata changed (a segment stored, a gap, the end). */
  progress: { recording: Recording };
  /** A transient failure is being retried. */
  retry: { url: string; attempt: number; delayMs: number; message: string };
  problem: RecorderProblem;
  /**
   * A live playlist brought no new segment for three target durations, or three of its
   * longest segments when they are longer (`stalled: true`, with
   * the silent time in ms and a message), or segments flow again (`stalled: false`).
   */
  stall: { stalled: true; silentMs: number; message: string } | { stalled: false };
  /** After each settled segment of a VOD download (a first playlist with EXT-X-ENDLIST). */
  'vod-progress': VodProgress;
  /** Capture was paused (`paused: true`: nothing is fetched) or goes on again. */
  paused: { paused: boolean };
}

export type { RecordRequest } from './record-request.ts';

/** Clock and randomness, replaceable in tests. */
export interface RecorderEnvironment {
  /** Wall clock, in ms since the Unix epoch. */
  now: () => number;
  random: () => number;
}

/** Segments tried for codecs before giving up (the recording goes on either way). */
const MAX_PROBE_ATTEMPTS = 3;
/** First wait before writing a recording's end again when storage was too full for it, in ms. */
const END_WRITE_RETRY_INITIAL_MS = 1000;
/** Longest wait between two attempts to write a recording's end into full storage, in ms. */
const END_WRITE_RETRY_MAX_MS = 30_000;

const defaultEnvironment: RecorderEnvironment = { now: () => Date.now(), random: Math.random };

/**
 * Records one live (or VOD) HLS media playlist into a {@link RecordingStore}, with no player
 * needed. It reloads the playlist as RFC 8216 section 6.3.4 says, fetches every new segment
 * exactly once (keyed by media sequence number), stores each as it arrives, and reports
 * every segment it could not have as a gap with its reason. AES-128 segments (section
 * 4.3.2.4) are decrypted before they are stored. A VOD (EXT-X-ENDLIST in the first playlist)
 * is fetched `config.vodConcurrency` segments at a time with `vod-progress` events; a live
 * stream one segment at a time, with a `stall` warning when it stops bringing segments.
 *
 * Life cycle: `start()` once, then `stop()`, or the recording ends by itself at
 * EXT-X-ENDLIST or on a fatal error. `state` events tell which; `done` settles then.
 */
export class HlsRecorder extends TypedEventTarget<HlsRecorderEvents> {
  private state: RecorderState = 'idle';
  private readonly abort = new AbortController();
  private recording: Recording | null = null;
  private releaseLock: (() => void) | null = null;
  private finished!: Promise<Recording>;
  /** Segments whose codecs could not be read so far; probing stops at success or the limit. */
  private probeFailures = 0;
  private probed = false;
  /** AES-128 keys of this recording (RFC 8216 section 4.3.2.4), created by `start()`. */
  private keys!: KeyCache;
  /** Stored msns across pauses and resumes (a resumed recording starts from what it holds). */
  private continuity = new MsnContinuity();
  private readonly pauser = new PauseController();
  /** The alternate renditions recorded alongside, null for a rendition's own recorder. */
  private renditions: RenditionRecorders | null = null;
  /** msns (playlist numbering) of a VOD's segments inside the requested time range; null: all. */
  private rangeMsns: Set<number> | null = null;
  /** A URL template's segments end before this msn (its first 404, with `stopAtFirstMissing`). */
  private endBeforeMsn = Infinity;
  private stopAtFirstMissing = false;
  /** A resumed recording: a live stream takes every listed segment after the last stored one. */
  private resumed = false;
  /** fMP4 init sections of this recording (EXT-X-MAP, section 4.3.2.5), created on first use. */
  private initSections: InitSectionTracker | null = null;
  /** Workers that fetch and store clear whole segments, created on first use, closed at the end. */
  private fetchPool: SegmentFetchPool | null = null;

  constructor(
    private readonly store: RecordingStore,
    private readonly config: CaptureConfig,
    private readonly env: RecorderEnvironment = defaultEnvironment,
  ) {
    super();
  }

  /** The recording being made, or null before `start()` resolves. */
  get current(): Recording | null {
    return this.recording;
  }

  /** Settles with the final recording once the recorder has stopped. */
  get done(): Promise<Recording> {
    if (!this.finished) throw new Error('The recorder has not started.');
    return this.finished;
  }

  /**
   * Loads the playlist (for a master playlist, the variant `request.variant` picks; for a URL
   * template, its synthetic VOD) and, once it proves usable, creates the recording, or reopens
   * the one `request.resumeRecordingId` names, and starts capture, with the alternate renditions
   * alongside. Nothing is stored when the first load fails.
   * @throws RangeError when already started; CaptureError (HttpStatusError for a 4xx,
   *   PlaylistError for a malformed or unsupported playlist, NetworkError, FetchTimeoutError)
   *   when the playlist cannot be loaded after retries; CaptureError `bad-request` for a bad URL
   *   template or time range; RecordingNotFoundError or CaptureError `resume-refused` for a
   *   resume that cannot be (see {@link RecordRequest.resumeRecordingId}).
   */
  async start(request: RecordRequest): Promise<Recording> {
    if (this.state !== 'idle') throw new RangeError(`start() was called in state ${this.state}`);
    this.setState('starting');
    let loaded;
    try {
      loaded = await openSource(request, this.store, this.config, this.playlistOptions());
    } catch (error) {
      this.setState('stopped');
      throw error;
    }
    this.keys = new KeyCache({
      timeoutMs: this.config.segmentTimeoutMs,
      retry: this.config.segmentRetry,
      signal: this.abort.signal,
      random: this.env.random,
      onRetry: (url, error, attempt, delayMs) => this.onRetry(url, error, attempt, delayMs),
    });
    try {
      await this.loadFirstKey(loaded.playlist);
    } catch (error) {
      this.setState('stopped');
      throw error;
    }
    if (this.abort.signal.aborted) {
      this.setState('stopped');
      throw new AbortedError();
    }
    const recording = await openRecording(this.store, request, loaded, this.env.now());
    this.recording = recording;
    this.rangeMsns = loaded.rangeSegments && new Set(loaded.rangeSegments.map((segment) => segment.msn));
    this.stopAtFirstMissing = Boolean(loaded.urlTemplate?.stopAtFirstMissing);
    if (loaded.resume) {
      this.resumed = true;
      this.continuity = new MsnContinuity({ storedMsns: loaded.resume.storedMsns, gaps: recording.gaps, outageStartedAtMs: loaded.resume.interruptedAtMs });
      this.probed = recording.kind !== null || recording.codecs.includes(WEBVTT_CODEC);
    }
    if (request.renditionType === 'subtitles' && !loaded.resume) {
      // A WebVTT subtitles rendition (RFC 8216 section 3.5): text, nothing to probe.
      this.probed = true;
      this.recording = await this.store.update(recording.id, { codecs: [WEBVTT_CODEC] });
    }
    this.releaseLock = await holdRecordingLock(recording.id);
    if (this.abort.signal.aborted) {
      // Stop came while the recording was being set up: nothing was captured, keep nothing new.
      this.releaseLock();
      await abandonRecording(this.store, recording, loaded);
      this.recording = null;
      this.setState('stopped');
      throw new AbortedError();
    }
    this.setState('recording');
    this.emit('progress', { recording: this.recording });
    this.finished = this.run(loaded.playlist);
    if (!request.parentRecordingId) {
      this.renditions = new RenditionRecorders(() => new HlsRecorder(this.store, this.config, this.env), (problem) => this.emit('problem', problem));
      const parent = this.recording;
      void (loaded.resume ? this.renditions.resumeChildren(parent, this.store.listChildren(parent.id)) : this.renditions.start(parent, loaded.renditions)).catch((error: unknown) =>
        this.report(error, false),
      );
    }
    return this.recording;
  }

  /**
   * Stops capture: pending requests are cancelled and the recording is marked complete.
   * Called while `start()` is still loading the playlist, it cancels the start (which then
   * rejects with AbortedError) and resolves to null.
   * @returns the final recording.
   */
  async stop(): Promise<Recording | null> {
    if (this.state === 'idle') throw new RangeError('stop() before start()');
    if (this.state === 'starting') {
      this.abort.abort();
      return null;
    }
    if (this.state === 'recording') {
      this.setState('stopping');
      this.abort.abort();
      // The main recording may have ended by itself already and be waiting for its renditions
      // to end too (run()): those are stopped here, or a rendition that never ends would hold
      // the stop for ever.
      void this.renditions?.stop();
    }
    return this.done;
  }

  /**
   * Pauses capture: no playlist or segment is fetched until {@link resume} (a request under way
   * finishes and is stored). A live stream then rejoins its live edge and the paused span is
   * recorded as an `outage` gap; a VOD goes on where it was, missing nothing. Alternate
   * renditions pause too.
   * @returns false when not recording or already paused.
   */
  pause(): boolean {
    if (this.state !== 'recording' || !this.pauser.pause(this.env.now())) return false;
    this.renditions?.pause();
    this.emit('paused', { paused: true });
    return true;
  }

  /**
   * Lets a paused capture go on.
   * @returns false when not paused, or no longer recording (stopped while paused).
   */
  resume(): boolean {
    if (this.state !== 'recording' || !this.pauser.resume(this.env.now())) return false;
    this.renditions?.resume();
    this.emit('paused', { paused: false });
    return true;
  }

  /** True between {@link pause} and {@link resume}. */
  get paused(): boolean {
    return this.pauser.paused;
  }

  /**
   * Fetches the key of the first segment the recording will take (the first of a VOD, the first
   * of the live edge), so that an encrypted stream whose key cannot be had fails `start()`
   * before anything is stored. Later keys that fail make gaps instead.
   * @throws KeyUnavailableError, AbortedError.
   */
  private async loadFirstKey(playlist: MediaPlaylistSnapshot): Promise<void> {
    const segments = playlist.endList ? playlist.segments : playlist.segments.slice(-this.config.liveEdgeSegmentCount);
    const key = segments[0]?.key;
    if (key) await this.keys.get(key.uri);
  }

  private async run(first: MediaPlaylistSnapshot): Promise<Recording> {
    // Resumed, a live stream takes its whole window: what was missed and is still listed is not lost.
    const tracker = new SegmentTracker(this.resumed ? Number.MAX_SAFE_INTEGER : this.config.liveEdgeSegmentCount);
    const queue = new SegmentQueue();
    let status: 'complete' | 'interrupted' = 'complete';
    let lastError: string | null = null;
    const poll = this.pollPlaylist(first, tracker, queue);
    // A VOD is fetched several segments at a time; a live stream one at a time, in order.
    const planned = this.rangeMsns ? first.segments.filter((segment) => this.rangeMsns!.has(segment.msn)) : first.segments;
    const vod = first.endList ? new VodProgressMeter(this.continuity.remaining(planned), this.env.now()) : null;
    const workers = vod ? Math.max(1, this.config.vodConcurrency) : 1;
    // A download failure (storage full, recording deleted) ends the whole capture; a poll
    // failure lets the segments already queued be fetched first.
    const download = this.downloadWith(workers, queue, vod);
    const results = await Promise.allSettled([poll, download]);
    this.fetchPool?.close();
    for (const result of results) {
      if (result.status === 'rejected' && !(result.reason instanceof AbortedError)) {
        status = 'interrupted';
        lastError ??= this.report(result.reason, true);
      }
    }
    const stopped = this.abort.signal.aborted;
    this.abort.abort();
    // Renditions end with the main recording: fetched whole when it ended by itself, else stopped.
    if (this.renditions) await (status === 'complete' && !stopped ? this.renditions.finish() : this.renditions.stop());
    const id = this.recording!.id;
    const end: RecordingPatch = { status, endedAtMs: this.env.now(), lastError };
    try {
      // Segments after a URL template's first 404, fetched at the same time, are not its.
      if (Number.isFinite(this.endBeforeMsn)) await this.store.endBefore(id, this.endBeforeMsn);
      this.recording = await this.store.update(id, end);
      this.emit('progress', { recording: this.recording });
    } catch (error) {
      if (isQuotaExceeded(error)) {
        // Storage is so full that not even the end can be written: Chromium lets IndexedDB
        // writes run past a lowered quota for up to 30 s, after which every write fails. The
        // capture has ended all the same: show it ended now, and store the end once space allows.
        this.recording = { ...this.recording!, ...end };
        this.emit('progress', { recording: this.recording });
        void this.writeEndWhenSpaceAllows(id, end);
      } else if (!(error instanceof RecordingNotFoundError)) {
        this.report(error, true);
      }
    }
    this.releaseLock?.();
    this.setState('stopped');
    return this.recording!;
  }

  /**
   * Tries again to store a recording's end after storage was too full for it: after a growing
   * wait (1 s doubling to 30 s) or as soon as the store changes (a deletion may have freed
   * space), for as long as the page lives. Until then the recording reads as `recording` in
   * storage; a later start of the app would mark it interrupted too, without the message.
   */
  private async writeEndWhenSpaceAllows(id: string, end: RecordingPatch): Promise<void> {
    let waitMs = END_WRITE_RETRY_INITIAL_MS;
    for (;;) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, waitMs);
        const off = this.store.on('change', wake);
        function wake() {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
      try {
        this.recording = await this.store.update(id, end);
        this.emit('progress', { recording: this.recording });
        return;
      } catch (error) {
        if (error instanceof RecordingNotFoundError) return;
        if (!isQuotaExceeded(error)) return void this.report(error, false);
      }
      waitMs = Math.min(waitMs * 2, END_WRITE_RETRY_MAX_MS);
    }
  }

  /** Reloads the playlist until EXT-X-ENDLIST or stop; feeds new segments to `queue`. */
  private async pollPlaylist(first: MediaPlaylistSnapshot, tracker: SegmentTracker, queue: SegmentQueue): Promise<void> {
    const signal = this.abort.signal;
    let playlist = first;
    let loadStartedAtMs = this.env.now();
    const stall = new StallDetector(loadStartedAtMs);
    /**
     * The longest segment listed so far, in seconds. A stall is counted in the longer of it and
     * the target duration: some cameras stretch their key frame interval in still scenes (and
     * so their segments past EXT-X-TARGETDURATION, which RFC 8216 4.3.3.1 forbids), and would
     * otherwise stall at every segment.
     */
    let longestSegmentSec = 0;
    /**
     * When the playlist's reloads began to fail, in ms since the Unix epoch, and the time spent
     * paused until then (see PauseController.pausedMsUntil); null while they succeed.
     */
    let failingSince: { atMs: number; pausedMs: number } | null = null;
    /** Takes a load (or a failed try, bringing nothing) into account: a stall is told as soon as it is one. */
    const noteStall = (newSegmentCount: number, targetDurationSec: number) => {
      const change = stall.observe(newSegmentCount, targetDurationSec, this.env.now());
      if (change?.stalled) {
        const message = stallMessage(change.silentMs);
        this.emit('stall', { stalled: true, silentMs: change.silentMs, message });
        this.emit('problem', { code: 'stalled', message, fatal: false });
      } else if (change) {
        this.emit('stall', { stalled: false });
      }
    };
    /**
     * Whether `playlist` is a load the tracker has not taken in yet: a failed reload keeps the
     * last snapshot, which a tracker made anew after a pause must not take for the live edge.
     */
    let fresh = true;
    /** {@link PauseController.pauses} when the loop last looked: a change means a pause came (and maybe went). */
    let pausesSeen = this.pauser.pauses;
    try {
      for (;;) {
        const tracked: TrackerUpdate = fresh ? tracker.ingest(playlist) : { newSegments: [], gaps: [], changed: false };
        fresh = false;
        const inRange = this.rangeMsns ? tracked.newSegments.filter((segment) => this.rangeMsns!.has(segment.msn)) : tracked.newSegments;
        // Numbered as stored: after a pause or resume, with the outage as a gap.
        const update = this.continuity.apply({ ...tracked, newSegments: inRange }, playlist.endList, this.env.now());
        if (tracked.restartedFromMsn !== undefined && update.segments[0]) {
          const message = `The stream restarted its segment numbering (media sequence number ${tracked.restartedFromMsn} went back to ${tracked.newSegments[0]!.msn}), as after an encoder restart. Recording goes on; players and exports start a new timeline there.`;
          this.emit('problem', { code: 'numbering-restarted', message, fatal: false });
        }
        for (const gap of update.gaps) await this.addGap(gap.fromMsn, gap.count, gap.durationSec, gap.reason);
        queue.push(update.segments);
        if (playlist.endList) {
          if (stall.isStalled) this.emit('stall', { stalled: false });
          return;
        }
        longestSegmentSec = playlist.segments.reduce((longest, segment) => Math.max(longest, segment.durationSec), longestSegmentSec);
        noteStall(tracked.newSegments.length, Math.max(playlist.targetDurationSec, longestSegmentSec));
        const waitMs = playlistReloadDelayMs({
          targetDurationSec: playlist.targetDurationSec,
          changed: tracked.changed,
          loadStartedAtMs,
          nowMs: this.env.now(),
        });
        await delay(waitMs, signal);
        if (this.pauser.pauses !== pausesSeen) {
          // Paused (or paused and resumed while the loop waited): nothing is fetched meanwhile.
          // A live stream then rejoins its live edge, and what it brought meanwhile becomes an
          // `outage` gap.
          const pausedAtMs = this.pauser.lastPausedAtMs!;
          await this.pauser.whilePaused(signal);
          pausesSeen = this.pauser.pauses;
          tracker = new SegmentTracker(this.config.liveEdgeSegmentCount);
          this.continuity.beginOutage(pausedAtMs);
        }
        loadStartedAtMs = this.env.now();
        let loaded;
        try {
          // A reload retried for long (each try up to playlistTimeoutMs) still counts towards a stall.
          const options = this.playlistOptions();
          const targetDurationSec = Math.max(playlist.targetDurationSec, longestSegmentSec);
          loaded = await loadPlaylist(playlist.url, {
            ...options,
            onRetry: (error: unknown, attempt: number, delayMs: number) => {
              options.onRetry(error, attempt, delayMs);
              noteStall(0, targetDurationSec);
            },
          });
          failingSince = null;
        } catch (error) {
          // An outage (of the origin, its CDN or the network) is waited out for a while (nothing
          // new meanwhile), and what slid out of the window in the time is a gap once the
          // playlist loads again.
          // The time paused is the user's, not the stream's: it does not count towards the tolerance.
          const nowMs = this.env.now();
          failingSince ??= { atMs: loadStartedAtMs, pausedMs: this.pauser.pausedMsUntil(loadStartedAtMs) };
          const outlasted = nowMs - failingSince.atMs - (this.pauser.pausedMsUntil(nowMs) - failingSince.pausedMs) >= this.config.liveOutageToleranceMs;
          if (!(isTransient(error) || isMissingPlaylist(error)) || outlasted) throw error;
          this.report(error, false);
          continue;
        }
        if (loaded.type !== 'media') throw new CaptureError('playlist-invalid', `${playlist.url} turned into a master playlist`, false);
        playlist = loaded.playlist;
        fresh = true;
      }
    } finally {
      queue.close();
    }
  }

  /**
   * Runs `workers` {@link downloadSegments} loops over one queue; the first failure aborts the
   * capture, and the promise settles once every loop has ended.
   * @throws the first loop's failure.
   */
  private async downloadWith(workers: number, queue: SegmentQueue, vod: VodProgressMeter | null): Promise<void> {
    const loops = Array.from({ length: workers }, () =>
      this.downloadSegments(queue, vod).catch((error: unknown) => {
        this.abort.abort();
        throw error;
      }),
    );
    const results = await Promise.allSettled(loops);
    const failed = results.find((result) => result.status === 'rejected' && !(result.reason instanceof AbortedError));
    const aborted = results.find((result) => result.status === 'rejected');
    const first = failed ?? aborted;
    if (first?.status === 'rejected') throw first.reason;
  }

  /**
   * Takes queued segments one at a time, in media sequence order, fetches, decrypts and stores
   * each. Several of these run at once for a VOD; each segment is still taken by only one.
   * @param vod - the VOD's progress meter, null for a live stream.
   */
  private async downloadSegments(queue: SegmentQueue, vod: VodProgressMeter | null): Promise<void> {
    const signal = this.abort.signal;
    for (;;) {
      await this.pauser.whilePaused(signal);
      const segment = await queue.next(signal);
      if (!segment) return;
      // Past a URL template's first missing segment: the segments end there, nothing is missing.
      if (segment.msn >= this.endBeforeMsn) continue;
      let stored: SegmentFetchOutcome | null = null;
      let data: Blob | null = null;
      let initSectionId: number | undefined;
      try {
        initSectionId = await this.initSectionTracker().idFor(segment.map, segment, segment.key);
        const retry = { signal, random: this.env.random, onRetry: (error: unknown, attempt: number, delayMs: number) => this.onRetry(segment.uri, error, attempt, delayMs) };
        if (!segment.key && !segment.byteRange) {
          // Clear whole segments go through workers, so their bytes never pass through the page.
          const request = { url: segment.uri, timeoutMs: this.segmentTimeoutMs(segment, vod === null), maxBytes: this.config.maxSegmentBytes, segment: this.segmentRecord(segment, initSectionId), storedAtMs: this.env.now() };
          this.fetchPool ??= new SegmentFetchPool(this.store.dbName, this.config.segmentWorkerRecycleBytes);
          stored = await withRetry(() => this.fetchPool!.fetchAndStore(request, signal), this.config.segmentRetry, retry);
        } else {
          // EXT-X-BYTERANGE segments are fetched with a Range request (section 4.3.2.2).
          const fetched = await withRetry(() => fetchRange(segment.uri, segment.byteRange, { timeoutMs: this.segmentTimeoutMs(segment, vod === null), signal, maxBytes: this.config.maxSegmentBytes }), this.config.segmentRetry, retry);
          data = await this.keys.decrypt(segment, fetched.body);
        }
      } catch (error) {
        // The database refused the segment (storage full, recording deleted): the capture ends.
        if (error instanceof SegmentStoreError) throw error.cause;
        if (error instanceof AbortedError || signal.aborted) throw error;
        if (this.stopAtFirstMissing && isMissingPlaylist(error)) {
          this.endBeforeMsn = Math.min(this.endBeforeMsn, segment.msn);
          continue;
        }
        await this.addGap(segment.msn, 1, segment.durationSec, gapReason(error));
        this.report(error, false);
        this.settleVod(vod, 0);
        continue;
      }
      if (stored) {
        await this.afterStored(stored.recording, initSectionId, async () => (await this.store.getSegment(stored.recording.id, segment.msn))?.data ?? new Blob());
        this.settleVod(vod, stored.byteLength);
      } else {
        const { recording } = await this.store.appendSegment({ ...this.segmentRecord(segment, initSectionId), data: data! }, this.env.now());
        await this.afterStored(recording, initSectionId, () => Promise.resolve(data!));
        this.settleVod(vod, data!.size);
      }
    }
  }

  /**
   * Time limit of one attempt at `segment`, in ms: `segmentTimeoutMs`, or for a live stream
   * `liveSegmentTimeoutRatio` times its duration within `liveSegmentMinTimeoutMs` and
   * `segmentTimeoutMs`, so that a stalled body cannot hold up the segments after it until
   * they leave the playlist window.
   */
  private segmentTimeoutMs(segment: PlaylistSegment, live: boolean): number {
    const { segmentTimeoutMs, liveSegmentTimeoutRatio, liveSegmentMinTimeoutMs } = this.config;
    if (!live) return segmentTimeoutMs;
    return Math.min(segmentTimeoutMs, Math.max(liveSegmentMinTimeoutMs, Math.round(segment.durationSec * 1000 * liveSegmentTimeoutRatio)));
  }

  /** Emits a VOD's progress; a URL template that ends at its first 404 has no known total. */
  private settleVod(vod: VodProgressMeter | null, bytes: number): void {
    if (!vod) return;
    const progress = vod.settle(bytes, this.env.now());
    this.emit('vod-progress', this.stopAtFirstMissing ? { ...progress, totalSegments: progress.doneSegments, etaSec: null } : progress);
  }


  /** The recording's {@link InitSectionTracker}, whose init sections are fetched like segments. */
  private initSectionTracker(): InitSectionTracker {
    const signal = this.abort.signal;
    this.initSections ??= new InitSectionTracker(this.store, this.recording!.id, async (ref, key) => {
      const options = { timeoutMs: this.config.segmentTimeoutMs, signal, maxBytes: this.config.maxSegmentBytes };
      const retry = { signal, random: this.env.random, onRetry: (error: unknown, attempt: number, delayMs: number) => this.onRetry(ref.uri, error, attempt, delayMs) };
      const fetched = await withRetry(() => fetchRange(ref.uri, ref.byteRange, options), this.config.segmentRetry, retry);
      return this.keys.decryptInitSection(ref, key, fetched.body);
    });
    return this.initSections;
  }

  /** The stored record of `segment`, without its data. */
  private segmentRecord(segment: PlaylistSegment, initSectionId: number | undefined): Omit<NewSegment, 'data'> {
    return {
      recordingId: this.recording!.id,
      msn: segment.msn,
      durationSec: segment.durationSec,
      discontinuity: segment.discontinuity,
      discontinuitySequence: segment.discontinuitySequence,
      programDateTimeMs: segment.programDateTimeMs,
      ...(initSectionId !== undefined && { initSectionId }),
    };
  }

  /**
   * Takes in the recording as a segment's store left it, reads the stream's codecs from the
   * first segments (`readData` gives the segment's bytes), and reports progress.
   */
  private async afterStored(recording: Recording, initSectionId: number | undefined, readData: () => Promise<Blob>): Promise<void> {
    const id = recording.id;
    this.recording = recording;
    if (!this.probed && this.probeFailures < MAX_PROBE_ATTEMPTS) {
      try {
        // Loaded on first use: mediabunny stays out of the page's start-up bundle.
        const { probeSegment } = await import('./media-probe.ts');
        // An fMP4 fragment is read with its init section (section 4.3.2.5).
        const init = initSectionId === undefined ? undefined : await this.store.getInitSection(id, initSectionId);
        const data = await readData();
        const probe = await probeSegment(init ? new Blob([init.data, data]) : data);
        this.probed = true;
        this.recording = await this.store.update(id, {
          kind: probe.kind,
          codecs: this.recording.codecs.length ? this.recording.codecs : probe.codecs,
        });
      } catch (error) {
        this.probeFailures += 1;
        if (this.probeFailures === MAX_PROBE_ATTEMPTS) {
          this.report(new CaptureError('playlist-invalid', `Could not read the stream's codecs from ${MAX_PROBE_ATTEMPTS} segments: ${String(error)}`, false), false);
        }
      }
    }
    this.emit('progress', { recording: this.recording });
  }

  private async addGap(fromMsn: number, count: number, durationSec: number, reason: GapReason): Promise<void> {
    this.recording = await this.store.addGap(this.recording!.id, { fromMsn, count, durationSec, reason, detectedAtMs: this.env.now() });
    this.emit('progress', { recording: this.recording });
  }

  private playlistOptions() {
    return {
      timeoutMs: this.config.playlistTimeoutMs,
      maxBytes: this.config.maxPlaylistBytes,
      retry: this.config.playlistRetry,
      signal: this.abort.signal,
      random: this.env.random,
      onRetry: (error: unknown, attempt: number, delayMs: number) => this.onRetry('playlist', error, attempt, delayMs),
    };
  }

  private onRetry(url: string, error: unknown, attempt: number, delayMs: number): void {
    this.emit('retry', { url, attempt, delayMs, message: error instanceof Error ? error.message : String(error) });
  }

  /** Emits a problem event and returns its message. */
  private report(error: unknown, fatal: boolean): string {
    const problem = describeProblem(error, fatal);
    this.emit('problem', problem);
    return problem.message;
  }

  private setState(state: RecorderState): void {
    this.state = state;
    this.emit('state', { state });
  }
}

export { describeProblem } from './problems.ts';
