/**
 * Where the relay gets its camera pipelines: the real ones (`cameras/camera-streams.ts`, RTSP
 * in, live HLS out), and {@link createPlaceholderCameraStreams}, a stand-in without pipelines
 * for tests of the HTTP side.
 */
import { createCameraStreams } from '../cameras/camera-streams.ts';
import type { CameraConfig, CameraHlsFile, CameraStatus, CameraStreams } from '../cameras/types.ts';
import type { Logger } from '../log.ts';

/** Status of every enabled camera of the stand-in. */
const NO_PIPELINE_ERROR = 'No camera pipeline runs in this relay (test stand-in).';

/**
 * A stand-in for the camera pipelines: remembers the camera list, reports enabled cameras as
 * `offline` (with a clear `lastError`) and disabled ones as `disabled`, serves no files.
 */
export function createPlaceholderCameraStreams(): CameraStreams {
  let cameras: CameraConfig[] = [];
  return {
    update(next) {
      cameras = [...next];
    },
    status(id): CameraStatus {
      const camera = cameras.find((item) => item.id === id);
      const disabled = camera !== undefined && !camera.enabled;
      return { state: disabled ? 'disabled' : 'offline', bitrateBps: 0, packetsLost: 0, lossRate: 0, lastError: disabled ? null : NO_PIPELINE_ERROR, droppedAudioCodec: null };
    },
    getFile(): Promise<CameraHlsFile | null> {
      return Promise.resolve(null);
    },
    close() {
      return Promise.resolve();
    },
  };
}

/**
 * The camera pipelines the relay runs: `createCameraStreams` of `cameras/camera-streams.ts`
 * with its default settings (see `cameras/config.ts`).
 */
export function createRelayCameraStreams(logger: Logger): CameraStreams {
  return createCameraStreams({ logger });
}
