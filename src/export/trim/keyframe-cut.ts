import { ALL_FORMATS, BlobSource, EncodedPacketSink, Input } from 'mediabunny';
import { selectSegments, type ExportRange, type TimedSegment } from './range.ts';

/** Which segments a keyframe cut reads, and the window of output time it keeps. */
export interface KeyframeCut<T> {
  /** Only the segments the range needs, in order. */
  segments: T[];
  /**
   * The window kept, in seconds from the start of the first selected segment (the output time
   * of `remuxRuns` over `segments`): `startSec` is the last video keyframe at or before the in
   * point (the in point itself for audio), `endSec` the out point.
   */
  windowSec: { startSec: number; endSec: number };
}

/**
 * Plans a cut at keyframes without re-encoding: picks the segments overlapping the range and,
 * in the first of them, finds the last video keyframe at or before the in point with
 * mediabunny (only that segment is demuxed). The output then starts at that keyframe, at most
 * one keyframe interval before the in point.
 * @param segments the recording's stored segments, in media sequence order, with their bytes.
 * @throws Error from mediabunny when the first selected segment cannot be demuxed.
 */
export async function planKeyframeCut<T extends TimedSegment & { data: Blob }>(
  segments: readonly T[],
  range: Pick<ExportRange, 'startSec' | 'endSec'>,
  /** The bytes the demuxer reads for one segment (fMP4 needs its init section in front); default its own. */
  readableBytes: (segment: T) => Promise<Blob> = (segment) => Promise.resolve(segment.data),
): Promise<KeyframeCut<T>> {
  const selected = selectSegments(segments, range.startSec, range.endSec);
  const first = selected.segments[0];
  const { startSec: inSec, endSec: outSec } = selected.windowSec;
  if (!first) return { segments: [], windowSec: { startSec: inSec, endSec: outSec } };
  const input = new Input({ source: new BlobSource(await readableBytes(first)), formats: ALL_FORMATS });
  try {
    const tracks = [await input.getPrimaryVideoTrack(), await input.getPrimaryAudioTrack()].filter((track) => track !== null);
    if (tracks.length === 0) return { segments: selected.segments, windowSec: { startSec: inSec, endSec: outSec } };
    // remuxRuns puts the segment's earliest packet at output time 0.
    const baseSec = Math.min(...(await Promise.all(tracks.map((track) => track.getFirstTimestamp()))));
    const video = await input.getPrimaryVideoTrack();
    if (!video) return { segments: selected.segments, windowSec: { startSec: inSec, endSec: outSec } };
    const key = await new EncodedPacketSink(video).getKeyPacket(baseSec + inSec, { metadataOnly: true });
    const keySec = key ? Math.max(0, key.timestamp - baseSec) : 0;
    return { segments: selected.segments, windowSec: { startSec: Math.min(keySec, inSec), endSec: outSec } };
  } finally {
    input.dispose();
  }
}
