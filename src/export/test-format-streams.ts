import { inject } from 'vitest';

/**
 * For the export unit tests (never imported by the app): the format-stream server of
 * tests/helpers/format-streams.ts, provided to browser tests as `formatStreamsUrl`, which makes
 * real streams with ffmpeg and runs ffprobe.
 */

/** What `POST /ffprobe` answers (tests/helpers/ffprobe.ts `probeMedia`). */
export interface Probed {
  /** Container duration, in seconds. */
  durationSec: number;
  /** ffprobe's format name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`. */
  formatName: string;
  /** Stream duration in seconds, null when ffprobe gives none (MPEG-TS, Matroska). */
  streams: { codecType: string; codecName: string; durationSec: number | null }[];
}

/**
 * ffprobe on `bytes`, run by the format-stream server.
 * @throws Error with ffprobe's message when it cannot read them.
 */
export async function ffprobe(bytes: Uint8Array<ArrayBuffer>): Promise<Probed> {
  const response = await fetch(`${inject('formatStreamsUrl')}/ffprobe`, { method: 'POST', body: bytes });
  if (!response.ok) throw new Error(`ffprobe: ${await response.text()}`);
  return (await response.json()) as Probed;
}

/**
 * The segments listed in one media playlist of a VOD variant (tests/helpers/ffmpeg-hls-variants.ts),
 * in order, with their EXTINF durations in seconds.
 * @throws Error when the playlist or a segment is not served.
 */
export async function fetchVodSegments(variant: string, playlist = 'index.m3u8'): Promise<{ data: Blob; durationSec: number }[]> {
  const base = `${inject('formatStreamsUrl')}/vod/${variant}/`;
  const get = async (name: string) => {
    const response = await fetch(base + name);
    if (!response.ok) throw new Error(`${variant}/${name}: HTTP ${response.status}`);
    return response;
  };
  const segments: { name: string; durationSec: number }[] = [];
  let durationSec = 0;
  for (const line of (await (await get(playlist)).text()).split(/\r?\n/)) {
    const extinf = /^#EXTINF:([\d.]+)/.exec(line);
    if (extinf) durationSec = Number(extinf[1]);
    else if (line && !line.startsWith('#')) segments.push({ name: line, durationSec });
  }
  return Promise.all(segments.map(async ({ name, durationSec }) => ({ data: await (await get(name)).blob(), durationSec })));
}

/** What `POST /ffprobe-frames` answers (tests/helpers/ffprobe.ts `probeFrames`). */
export interface ProbedFrames {
  /** Runs of consecutive decoded frames of one picture size, in output order. */
  frameSizes: { width: number; height: number; count: number }[];
  /** ffprobe's decoding errors; empty for a clean decode. */
  decodeErrors: string[];
}

/**
 * Every video frame of `bytes` decoded by ffprobe, run by the format-stream server.
 * @throws Error with ffprobe's message when it cannot read them.
 */
export async function ffprobeFrames(bytes: Uint8Array<ArrayBuffer> | Blob): Promise<ProbedFrames> {
  const response = await fetch(`${inject('formatStreamsUrl')}/ffprobe-frames`, { method: 'POST', body: bytes });
  if (!response.ok) throw new Error(`ffprobe: ${await response.text()}`);
  return (await response.json()) as ProbedFrames;
}
