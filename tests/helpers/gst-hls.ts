import { startLiveHlsProcess, type LiveHlsProcess } from './live-process.ts';

/** Options of {@link startGstHlsStream}. */
export interface GstHlsOptions {
  /** hlssink2 `target-duration`, in seconds. Defaults to 2. */
  segmentDurationSec?: number;
  /** hlssink2 `playlist-length`: segments the live playlist lists. Defaults to 6. */
  listSize?: number;
}

/** File name of the playlist {@link startGstHlsStream} writes. */
export const GST_PLAYLIST_NAME = 'live.m3u8';

/**
 * Starts a live MPEG-TS HLS stream made by GStreamer's `hlssink2` in `dir`: a 320x180 25 fps
 * H.264 test pattern (x264enc, a keyframe every segment) and a 440 Hz AAC tone (avenc_aac), in
 * real time (`is-live`), as `seg%05d.ts` listed by `live.m3u8`; old segments are deleted
 * (`max-files`). Stop it with `stop()`.
 * @throws Error when gst-launch-1.0 cannot run or lists no segment within 30 s.
 */
export function startGstHlsStream(dir: string, options: GstHlsOptions = {}): Promise<LiveHlsProcess> {
  const segmentDurationSec = options.segmentDurationSec ?? 2;
  const listSize = options.listSize ?? 6;
  const gop = String(segmentDurationSec * 25);
  const pipeline = [
    ...['videotestsrc', 'is-live=true', 'pattern=smpte', '!', 'video/x-raw,width=320,height=180,framerate=25/1', '!'],
    ...['x264enc', 'tune=zerolatency', 'speed-preset=ultrafast', `key-int-max=${gop}`, '!', 'h264parse', '!', 'hls.video'],
    ...['audiotestsrc', 'is-live=true', 'freq=440', '!', 'audioconvert', '!', 'audioresample', '!', 'avenc_aac', '!', 'aacparse', '!', 'hls.audio'],
    ...['hlssink2', 'name=hls', 'location=seg%05d.ts', `playlist-location=${GST_PLAYLIST_NAME}`],
    ...[`target-duration=${segmentDurationSec}`, `playlist-length=${listSize}`, `max-files=${listSize + 4}`],
  ];
  return startLiveHlsProcess({ command: 'gst-launch-1.0', args: ['-q', ...pipeline], dir, playlistName: GST_PLAYLIST_NAME });
}
