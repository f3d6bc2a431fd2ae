import type { CameraConfig, CameraHlsFile, CameraStatus, CameraStreams } from './types.ts';
import type { Logger } from '../log.ts';
import { playRtsp } from '../rtsp/client.ts';
import { resolveCameraStreamsConfig, type CameraStreamsConfig } from './config.ts';
import { CameraStream, type PlayRtsp } from './camera-stream.ts';

/** Options of {@link createCameraStreams}. */
export interface CameraStreamsOptions {
  logger: Logger;
  /** Overrides of the camera settings; see {@link CameraStreamsConfig} for the defaults. */
  config?: Partial<CameraStreamsConfig>;
  /** The RTSP client; `playRtsp` of `rtsp/client.ts` by default. */
  playRtsp?: PlayRtsp;
  /** Called with each media playlist written, by camera id (benchmarks measure latency with it). */
  onPlaylist?: (cameraId: string, text: string) => void;
}

/** What {@link createCameraStreams} returns: the {@link CameraStreams} API plus what benchmarks read. */
export interface RunningCameraStreams extends CameraStreams {
  /** Bytes of live HLS held in memory by one camera (0 when idle or unknown). */
  bytesHeld(id: string): number;
}

/** Status of an id no camera has. */
const UNKNOWN_CAMERA: CameraStatus = { state: 'offline', bitrateBps: 0, packetsLost: 0, lossRate: 0, lastError: 'No such camera', droppedAudioCodec: null };

/**
 * The relay's camera pipelines, one {@link CameraStream} per configured camera: RTSP in, live
 * HLS (fMP4) out, started on demand and stopped when idle. `update` follows the camera list
 * (added cameras wait idle for a first request; removed ones are stopped; edited ones restart).
 * @throws RangeError when a config override is out of range.
 */
export function createCameraStreams(options: CameraStreamsOptions): RunningCameraStreams {
  const config = resolveCameraStreamsConfig(options.config);
  const deps = { playRtsp: options.playRtsp ?? (playRtsp as PlayRtsp), logger: options.logger, config, onPlaylist: options.onPlaylist };
  const streams = new Map<string, CameraStream>();
  let closed = false;
  return {
    update(cameras: CameraConfig[]): void {
      if (closed) return;
      const ids = new Set(cameras.map((camera) => camera.id));
      for (const [id, stream] of streams) {
        if (ids.has(id)) continue;
        streams.delete(id);
        void stream.stop();
      }
      for (const camera of cameras) {
        const stream = streams.get(camera.id);
        if (stream === undefined) streams.set(camera.id, new CameraStream(camera, deps));
        else void stream.update(camera);
      }
    },
    status(id: string): CameraStatus {
      return streams.get(id)?.status() ?? UNKNOWN_CAMERA;
    },
    getFile(id: string, path: string, signal: AbortSignal): Promise<CameraHlsFile | null> {
      const stream = streams.get(id);
      return stream === undefined || closed ? Promise.resolve(null) : stream.getFile(path, signal);
    },
    bytesHeld(id: string): number {
      return streams.get(id)?.bytesHeld ?? 0;
    },
    async close(): Promise<void> {
      closed = true;
      await Promise.all([...streams.values()].map((stream) => stream.stop()));
      streams.clear();
    },
  };
}
