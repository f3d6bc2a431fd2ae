import { EncodedAudioPacketSource, EncodedVideoPacketSource, Output, StreamTarget, type EncodedPacket, type MetadataTags, type StreamTargetChunk } from 'mediabunny';
import { TrackWriter } from '../track-writer.ts';
import { REMUX_CONTAINERS, UnsupportedExportError, type RemuxResult } from '../remux.ts';

/** One encoded packet on the output timeline (timestamp in seconds), with the decoder setup of its stream. */
export interface TimedPacket<Config extends VideoDecoderConfig | AudioDecoderConfig> {
  packet: EncodedPacket;
  decoderConfig: Config;
}

/** The streams of a transcode's output, as {@link writeEncodedFile} takes them. */
export interface EncodedStreams {
  /** H.264 packets in decode order. */
  video?: AsyncIterable<TimedPacket<VideoDecoderConfig>>;
  /** AAC packets in order (src/export/transcode/aac-chunks.ts). */
  audio?: AsyncIterable<TimedPacket<AudioDecoderConfig>>;
}

/** Options of {@link writeEncodedFile}. */
export interface EncodedFileOptions {
  format: 'mp4' | 'm4a';
  /** Receives the file as positioned writes; closed at the end. */
  writable: WritableStream<StreamTargetChunk>;
  tags?: MetadataTags;
}

type Cursor = {
  iterator: AsyncIterator<TimedPacket<VideoDecoderConfig | AudioDecoderConfig>>;
  head: TimedPacket<VideoDecoderConfig | AudioDecoderConfig> | null;
  writer: TrackWriter;
};

/**
 * Writes encoded H.264 and AAC streams into an MP4 (or AAC alone into an M4A) file with
 * mediabunny, streamed to `writable` in 4 MiB chunks. The streams are read side by side and
 * their packets written in timestamp order, so the file is interleaved (half-second chunks of
 * each track) and each stream is read only as far as the other has got. A first audio packet
 * before 0 (the AAC encoder's priming) is hidden by an edit list. Each stream's decoder setup is
 * taken from its first packet. On failure the output is cancelled and the streams are closed.
 * @returns the duration written (end of the last packet), in seconds, and the codec strings (video first).
 * @throws UnsupportedExportError when there are no packets at all.
 */
export async function writeEncodedFile(streams: EncodedStreams, options: EncodedFileOptions): Promise<RemuxResult> {
  const output = new Output({ format: REMUX_CONTAINERS[options.format].createFormat(), target: new StreamTarget(options.writable, { chunked: true, chunkSize: 4 * 1024 * 1024 }) });
  if (options.tags) output.setMetadataTags(options.tags);
  const cursors: Cursor[] = [];
  if (streams.video) cursors.push({ iterator: streams.video[Symbol.asyncIterator](), head: null, writer: new TrackWriter(new EncodedVideoPacketSource('avc'), 'avc') });
  if (streams.audio) cursors.push({ iterator: streams.audio[Symbol.asyncIterator](), head: null, writer: new TrackWriter(new EncodedAudioPacketSource('aac'), 'aac') });
  const advance = async (cursor: Cursor) => {
    const next = await cursor.iterator.next();
    cursor.head = next.done ? null : next.value;
  };
  const codecs: string[] = [];
  let endSec = 0;
  try {
    for (const cursor of cursors) await advance(cursor);
    const open = cursors.filter((cursor) => cursor.head !== null);
    if (open.length === 0) throw new UnsupportedExportError('There is nothing to export in the chosen range.');
    for (const cursor of open) {
      if (cursor.writer.source instanceof EncodedVideoPacketSource) output.addVideoTrack(cursor.writer.source);
      else output.addAudioTrack(cursor.writer.source);
      codecs.push(cursor.head!.decoderConfig.codec);
    }
    await output.start();
    for (;;) {
      let next: Cursor | null = null;
      for (const cursor of open) if (cursor.head && (!next || cursor.head.packet.timestamp < next.head!.packet.timestamp)) next = cursor;
      if (!next) break;
      const { packet, decoderConfig } = next.head!;
      await next.writer.add(packet, decoderConfig);
      endSec = Math.max(endSec, packet.timestamp + packet.duration);
      await advance(next);
    }
    await output.finalize();
    return { durationSec: endSec, codecs };
  } catch (error) {
    if (output.state !== 'finalized' && output.state !== 'canceled') await output.cancel();
    await Promise.all(cursors.map((cursor) => cursor.iterator.return?.().catch(() => undefined)));
    throw error;
  }
}
