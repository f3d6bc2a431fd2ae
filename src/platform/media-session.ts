import type { Recording } from '../storage/types.ts';

/** The Media Session actions Tapedeck answers (lock screen, notification, headset keys). */
export const MEDIA_SESSION_ACTIONS = ['play', 'pause', 'seekbackward', 'seekforward', 'seekto', 'stop'] as const;

/** One of {@link MEDIA_SESSION_ACTIONS}. */
export type TapedeckMediaSessionAction = (typeof MEDIA_SESSION_ACTIONS)[number];

/** How far `seekbackward` and `seekforward` move when the browser gives no `seekOffset`, in seconds. */
export const DEFAULT_SEEK_OFFSET_SEC = 10;

/** What the Media Session shows of a recording. */
export type MediaSessionRecording = Pick<Recording, 'title' | 'sourceName' | 'tags'>;

/** What a browser passes to an action handler, without the action's name. */
export type MediaSessionActionArgs = Omit<MediaSessionActionDetails, 'action'>;

/** Options of {@link attachMediaSession}. */
export interface MediaSessionOptions {
  /** Called after `stop` has paused the video, e.g. to close the player. */
  onStop?: () => void;
}

/** A video's Media Session, made by {@link attachMediaSession}. */
export interface MediaSessionController {
  /**
   * Runs Tapedeck's handler for `action` as the browser would (scripts cannot trigger the
   * browser's own): `seekbackward`/`seekforward` move by `seekOffset` seconds (default
   * {@link DEFAULT_SEEK_OFFSET_SEC}), `seekto` goes to `seekTime` seconds, `stop` pauses and
   * calls `onStop`. Seeks stay within 0 and the end of the seekable range.
   */
  handle(action: TapedeckMediaSessionAction, args?: MediaSessionActionArgs): void;
  /** Shows another recording's (or a renamed recording's) title, artist and album. */
  setRecording(recording: MediaSessionRecording): void;
  /**
   * Clears the handlers, the metadata (to null), the playback state and the position state,
   * and stops listening to the video. Safe to call more than once.
   */
  detach(): void;
}

/** Artwork shown with every recording: the app icon, as SVG and PNGs (paths under the app's base URL). */
function artwork(): MediaImage[] {
  const base = import.meta.env.BASE_URL;
  return [
    { src: `${base}favicon.svg`, sizes: 'any', type: 'image/svg+xml' },
    { src: `${base}icons/icon-192.png`, sizes: '192x192', type: 'image/png' },
    { src: `${base}icons/icon-512.png`, sizes: '512x512', type: 'image/png' },
  ];
}

/**
 * Metadata for a recording: its title; as artist the station (the `artist` tag, else the
 * source name); as album the `album` tag (the programme, for scheduled recordings).
 */
export function recordingMediaMetadata(recording: MediaSessionRecording): MediaMetadataInit {
  return { title: recording.title, artist: recording.tags?.artist ?? recording.sourceName, album: recording.tags?.album ?? '', artwork: artwork() };
}

/** End of the last seekable range of `video`, in seconds; null when nothing is seekable. */
function seekableEndSec(video: HTMLMediaElement): number | null {
  const { seekable } = video;
  return seekable.length > 0 ? seekable.end(seekable.length - 1) : null;
}

/**
 * Connects `video` to the browser's Media Session while a recording plays: sets
 * `navigator.mediaSession.metadata` from `recording`, answers play, pause, seekbackward,
 * seekforward, seekto and stop, and keeps the position state (duration, playback rate,
 * position, in seconds) up to date on `timeupdate`, `durationchange`, `ratechange` and
 * `seeked`. A duration that is not finite (a live stream) is replaced by the end of the
 * seekable range, or the position state is left alone when there is none.
 *
 * In a browser without the Media Session API nothing is registered, and the returned
 * controller's `handle` still acts on the video. There is one Media Session per page: attach
 * one video at a time, and detach it before attaching another.
 */
export function attachMediaSession(video: HTMLMediaElement, recording: MediaSessionRecording, options: MediaSessionOptions = {}): MediaSessionController {
  const session = 'mediaSession' in navigator ? navigator.mediaSession : null;

  const seekToSec = (targetSec: number, fastSeek = false) => {
    const endSec = seekableEndSec(video) ?? (Number.isFinite(video.duration) ? video.duration : targetSec);
    const clampedSec = Math.min(Math.max(0, targetSec), endSec);
    if (fastSeek && 'fastSeek' in video && typeof video.fastSeek === 'function') video.fastSeek(clampedSec);
    else video.currentTime = clampedSec;
  };

  const handlers: Record<TapedeckMediaSessionAction, (args: MediaSessionActionArgs) => void> = {
    play: () => void video.play().catch(() => undefined),
    pause: () => video.pause(),
    seekbackward: (args) => seekToSec(video.currentTime - (args.seekOffset ?? DEFAULT_SEEK_OFFSET_SEC)),
    seekforward: (args) => seekToSec(video.currentTime + (args.seekOffset ?? DEFAULT_SEEK_OFFSET_SEC)),
    seekto: (args) => {
      if (args.seekTime !== undefined && Number.isFinite(args.seekTime)) seekToSec(args.seekTime, args.fastSeek ?? false);
    },
    stop: () => {
      video.pause();
      options.onStop?.();
    },
  };

  const updatePosition = () => {
    if (!session) return;
    const durationSec = Number.isFinite(video.duration) ? video.duration : seekableEndSec(video);
    // setPositionState throws a TypeError for a negative duration, a zero rate or a position past the duration.
    if (durationSec === null || !(durationSec >= 0) || video.playbackRate === 0) return;
    try {
      session.setPositionState({ duration: durationSec, playbackRate: video.playbackRate, position: Math.min(Math.max(0, video.currentTime), durationSec) });
    } catch {
      // A browser with stricter rules than the spec: the position on the lock screen is only cosmetic.
    }
  };
  const onPlay = () => {
    if (session) session.playbackState = 'playing';
  };
  const onPause = () => {
    if (session) session.playbackState = 'paused';
  };
  const positionEvents = ['timeupdate', 'durationchange', 'ratechange', 'seeked'] as const;

  if (session) {
    session.metadata = new MediaMetadata(recordingMediaMetadata(recording));
    for (const action of MEDIA_SESSION_ACTIONS) {
      try {
        session.setActionHandler(action, (details) => handlers[action](details));
      } catch {
        // An action this browser does not know (older browsers throw): the others still work.
      }
    }
    session.playbackState = video.paused ? 'paused' : 'playing';
    for (const type of positionEvents) video.addEventListener(type, updatePosition);
    video.addEventListener('play', onPlay);
    video.addEventListener('pause', onPause);
    updatePosition();
  }

  let detached = false;
  return {
    handle(action, args = {}) {
      handlers[action](args);
    },
    setRecording(next) {
      if (session && !detached) session.metadata = new MediaMetadata(recordingMediaMetadata(next));
    },
    detach() {
      if (detached || !session) return;
      detached = true;
      for (const type of positionEvents) video.removeEventListener(type, updatePosition);
      video.removeEventListener('play', onPlay);
      video.removeEventListener('pause', onPause);
      for (const action of MEDIA_SESSION_ACTIONS) {
        try {
          session.setActionHandler(action, null);
        } catch {
          // Not registered in the first place.
        }
      }
      session.metadata = null;
      session.playbackState = 'none';
      try {
        session.setPositionState();
      } catch {
        // Nothing to clear.
      }
    },
  };
}
