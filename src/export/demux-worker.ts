/// <reference lib="webworker" />
import { demuxSegment, transferablesOf } from './segment-demux.ts';
import type { DemuxReply, DemuxJob } from './demux-pool.ts';

/**
 * A demux worker of the export's {@link DemuxPool}: demuxes the segments it is sent, one at a
 * time, and sends each back with its packet buffers transferred (not copied).
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (event: MessageEvent<DemuxJob>) => {
  const { id, segment, keepsVideo, initSegments } = event.data;
  try {
    const demuxed = await demuxSegment(segment, keepsVideo, initSegments);
    scope.postMessage({ id, demuxed } satisfies DemuxReply, transferablesOf(demuxed));
  } catch (error) {
    const named = error instanceof Error ? error : new Error(String(error));
    scope.postMessage({ id, error: { name: named.name, message: named.message } } satisfies DemuxReply);
  }
};
