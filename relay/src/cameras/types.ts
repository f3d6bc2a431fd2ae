/**
 * Shapes shared by the camera API (`api/`), the HTTP layer (`http/`) and the camera pipeline
 * (`cameras/`): RTSP in, live HLS out.
 */

/** A camera as configured (persisted in the relay's JSON camera list). */
export interface CameraConfig {
  id: string;
  name: string;
  group: string;
  /** rtsp:// URL, possibly with user:password; never returned by the API or logged. */
  rtspUrl: string;
  transport: 'tcp' | 'udp';
  enabled: boolean;
}

/** Where a camera's stream is. */
export type CameraState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'offline' | 'disabled';

/** A camera's status as the API returns it. */
export interface CameraStatus {
  state: CameraState;
  /** Received media bitrate over the last few seconds, in bits per second. */
  bitrateBps: number;
  packetsLost: number;
  /** 0 to 1. */
  lossRate: number;
  /** Last error, with any password removed; null when none. */
  lastError: string | null;
  /** Set when an audio track was dropped because HLS in browsers cannot carry it, e.g. `PCMU`. */
  droppedAudioCodec: string | null;
}

/** A file of a camera's live HLS output. */
export interface CameraHlsFile {
  body: Uint8Array;
  contentType: string;
}

/** The running camera pipelines, as the HTTP and API layers see them. */
export interface CameraStreams {
  /** The camera list changed (added, edited, removed); pipelines follow it. */
  update(cameras: CameraConfig[]): void;
  status(id: string): CameraStatus;
  /**
   * A file of the camera's live HLS: `index.m3u8` (the media playlist players load), its init
   * section and segments. Starts the pipeline on demand and waits (up to a timeout) for the
   * first playlist; any request counts as activity for the idle stop.
   * @returns null for an unknown camera or file.
   */
  getFile(id: string, path: string, signal: AbortSignal): Promise<CameraHlsFile | null>;
  /** Stops every pipeline. */
  close(): Promise<void>;
}
