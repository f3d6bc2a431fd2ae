import { ALL_FORMATS, BlobSource, Input } from 'mediabunny';
import type { RecordingKind } from '../storage/types.ts';

/** Codecs and kind of a stream, read from one of its segments. */
export interface MediaProbe {
  /** RFC 6381 codec strings of every track, e.g. `['avc1.64001e', 'mp4a.40.2']`. */
  codecs: string[];
  /** `video` when any track is video. */
  kind: RecordingKind;
}

/**
 * Reads the tracks of one media segment (MPEG-TS, or any container mediabunny reads) and
 * reports their codecs.
 * @throws Error from mediabunny when the bytes are not a container it knows.
 */
export async function probeSegment(segment: Blob): Promise<MediaProbe> {
  const input = new Input({ source: new BlobSource(segment), formats: ALL_FORMATS });
  try {
    const tracks = await input.getTracks();
    const codecs: string[] = [];
    for (const track of tracks) {
      const codec = await track.getCodecParameterString();
      if (codec) codecs.push(codec);
    }
    return { codecs, kind: tracks.some((track) => track.isVideoTrack()) ? 'video' : 'audio' };
  } finally {
    input.dispose();
  }
}
