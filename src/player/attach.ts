import Hls from 'hls.js';
import type { RecordingStore } from '../storage/recording-store.ts';
import { createIdbLoader } from './idb-loader.ts';
import { recordingMasterUrl } from './recording-playlist.ts';

/** Detaches a player from its video element; safe to call more than once. */
export type Detach = () => void;

/** Reports a fatal playback error with a message for the user. */
export type PlaybackErrorHandler = (message: string) => void;

function attachHls(video: HTMLVideoElement, url: string, hls: Hls, onError: PlaybackErrorHandler): Detach {
  hls.on(Hls.Events.ERROR, (_event, data) => {
    if (data.fatal) onError(`Playback failed: ${data.details}${data.error ? ` (${data.error.message})` : ''}`);
  });
  hls.loadSource(url);
  hls.attachMedia(video);
  return () => hls.destroy();
}

/**
 * Plays a live HLS stream from the network in `video`: with hls.js where Media Source
 * Extensions exist, else with the browser's native HLS (Safari on iOS).
 * @throws Error when the browser can play HLS neither way.
 */
export function attachLiveStream(video: HTMLVideoElement, url: string, onError: PlaybackErrorHandler): Detach {
  if (Hls.isSupported()) return attachHls(video, url, new Hls({ liveDurationInfinity: true }), onError);
  if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = url;
    return () => {
      video.removeAttribute('src');
      video.load();
    };
  }
  throw new Error('This browser cannot play HLS streams.');
}

/**
 * A stored recording playing in a video element (see {@link attachRecording}). Positions are
 * in seconds of media time, 0 being the start of the recording.
 */
export interface RecordingPlayback {
  /** Stops playback and lets go of the element (no src, nothing buffered); safe to call more than once. */
  readonly detach: Detach;
  /**
   * Whether the playlist hls.js loaded last was still open (no EXT-X-ENDLIST): the recording
   * was in progress and hls.js keeps reloading it. False before the first load.
   */
  readonly live: boolean;
  /**
   * End of the playlist hls.js loaded last, in seconds: the newest stored moment, which grows
   * while the recording is in progress. Null before the first load.
   */
  readonly edgeSec: number | null;
  /**
   * Seeks to the live edge while the recording is in progress: to `hls.liveSyncPosition`
   * (three target durations before the newest stored moment, so playback does not stall at
   * once), else to the end of the seekable range.
   * @returns the position sought, in seconds; null (and no seek) when the recording has ended
   *   or nothing is loaded yet.
   */
  jumpToLive(): number | null;
  /** Seeks to the start of the recording (0 s). */
  backToStart(): void;
}

/**
 * Plays a stored recording in `video`, reading playlist and segments from IndexedDB through
 * hls.js, with no network. Seeking works across the whole recording. Playback starts at the
 * beginning, also for a recording still in progress (time-shift): its playlist is an open
 * EVENT playlist that hls.js reloads every target duration, so segments stored meanwhile
 * become playable and the element's duration grows; when the recording ends, the playlist
 * gets EXT-X-ENDLIST and playback runs to the real end. A recording with alternate renditions
 * recorded alongside is played through a generated master playlist: with its (first) alternate
 * audio, its subtitles offered as text tracks.
 * @param onError - gets a message for the user on a fatal playback error.
 * @throws Error when the browser lacks Media Source Extensions.
 */
export function attachRecording(video: HTMLVideoElement, recordingId: string, store: RecordingStore, onError: PlaybackErrorHandler): RecordingPlayback {
  if (!Hls.isSupported()) throw new Error('Playing stored recordings needs Media Source Extensions, which this browser lacks.');
  // startPosition 0: hls.js would start an open (live) playlist near its end otherwise.
  const hls = new Hls({ loader: createIdbLoader(store) as never, enableWorker: true, startPosition: 0 });
  const destroy = attachHls(video, recordingMasterUrl(recordingId), hls, onError);
  let detached = false;
  const details = () => (detached ? null : hls.latestLevelDetails);
  return {
    detach() {
      if (detached) return;
      detached = true;
      destroy();
    },
    get live() {
      return details()?.live ?? false;
    },
    get edgeSec() {
      return details()?.edge ?? null;
    },
    jumpToLive() {
      if (!details()?.live) return null;
      const seekable = video.seekable;
      const targetSec = hls.liveSyncPosition ?? (seekable.length > 0 ? seekable.end(seekable.length - 1) : null);
      if (targetSec === null) return null;
      video.currentTime = targetSec;
      return targetSec;
    },
    backToStart() {
      video.currentTime = 0;
    },
  };
}
