import Hls from 'hls.js';
import type { RecordingStore } from '../storage/recording-store.ts';
import { createIdbLoader } from './idb-loader.ts';
import { recordingPlaylistUrl } from './recording-playlist.ts';

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
 * Plays a stored recording in `video`, reading playlist and segments from IndexedDB through
 * hls.js, with no network. Seeking works across the whole recording.
 * @throws Error when the browser lacks Media Source Extensions.
 */
export function attachRecording(video: HTMLVideoElement, recordingId: string, store: RecordingStore, onError: PlaybackErrorHandler): Detach {
  if (!Hls.isSupported()) throw new Error('Playing stored recordings needs Media Source Extensions, which this browser lacks.');
  const hls = new Hls({ loader: createIdbLoader(store) as never, enableWorker: true });
  return attachHls(video, recordingPlaylistUrl(recordingId), hls, onError);
}
