import { LoadStats, type Loader, type LoaderCallbacks, type LoaderConfiguration, type LoaderContext } from 'hls.js';
import { RecordingNotFoundError, type RecordingStore } from '../storage/recording-store.ts';
import { buildRecordingMasterPlaylist, buildRecordingPlaylist, parseRecordingUrl } from './recording-playlist.ts';

/** Constructor shape hls.js expects for its `loader` option. */
export type IdbLoaderClass = new (config: unknown) => Loader<LoaderContext>;

/**
 * Makes an hls.js loader class that serves a stored recording from IndexedDB: the master
 * playlist names its alternate renditions (child recordings), the media playlists are generated
 * from the segment records and segments are their stored bytes, so playback
 * needs no network at all. A recording still in status `recording` gets an open EVENT
 * playlist, which hls.js reloads (every target duration) and so finds the segments stored
 * since; once it has ended the playlist gets EXT-X-ENDLIST, and stays EVENT for this loader
 * class if it was ever served as EVENT. fMP4 init sections (EXT-X-MAP) are served from the
 * `initSections` store. URLs that are not recording URLs, unknown recordings
 * and missing segments fail with code 404.
 */
export function createIdbLoader(store: RecordingStore): IdbLoaderClass {
  /** Recordings whose playlist this class has served as EVENT: they stay EVENT (RFC 8216 6.2.1). */
  const servedAsEvent = new Set<string>();
  const segmentTiming = store.segmentTimingCache();
  return class IdbLoader implements Loader<LoaderContext> {
    context: LoaderContext | null = null;
    stats = new LoadStats();
    private aborted = false;

    constructor(_config: unknown) {}

    load(context: LoaderContext, _config: LoaderConfiguration, callbacks: LoaderCallbacks<LoaderContext>): void {
      this.context = context;
      this.stats.loading.start = performance.now();
      void this.read(context.url).then(
        (data) => {
          if (this.aborted) return;
          const size = typeof data === 'string' ? data.length : data.byteLength;
          this.stats.loaded = this.stats.total = size;
          this.stats.loading.first = this.stats.loading.end = performance.now();
          callbacks.onSuccess({ url: context.url, data }, this.stats, context, null);
        },
        (error: unknown) => {
          if (this.aborted) return;
          callbacks.onError({ code: 404, text: error instanceof Error ? error.message : String(error) }, context, null, this.stats);
        },
      );
    }

    private async read(url: string): Promise<string | ArrayBuffer> {
      const parsed = parseRecordingUrl(url);
      if (!parsed) throw new Error(`Not a stored recording URL: ${url}`);
      if (parsed.msn === null && parsed.initSectionId === null) {
        if (parsed.master) {
          const recording = await store.get(parsed.recordingId);
          if (!recording) throw new RecordingNotFoundError(parsed.recordingId);
          const renditions = (await store.listChildren(recording.id)).filter((child) => child.segmentCount > 0 || child.status === 'recording');
          // With no renditions, the media playlist itself (players take either at the first URL).
          if (renditions.length) return buildRecordingMasterPlaylist(recording, renditions);
        }
        // The status and the segments come from one snapshot, so an ended status means the
        // list is complete. A recording in progress is read on from its last segment at each
        // reload, not whole again.
        const { recording, segments } = await segmentTiming.read(parsed.recordingId);
        if (!recording) throw new RecordingNotFoundError(parsed.recordingId);
        const ended = recording.status !== 'recording';
        if (ended) segmentTiming.forget(recording.id);
        else servedAsEvent.add(recording.id);
        return buildRecordingPlaylist(recording.id, segments, { ended, playlistType: servedAsEvent.has(recording.id) ? 'EVENT' : 'VOD', gaps: recording.gaps });
      }
      if (parsed.initSectionId !== null) {
        const init = await store.getInitSection(parsed.recordingId, parsed.initSectionId);
        if (!init) throw new Error(`Init section ${parsed.initSectionId} of recording ${parsed.recordingId} is not stored.`);
        return init.data.arrayBuffer();
      }
      const segment = await store.getSegment(parsed.recordingId, parsed.msn!);
      if (!segment) throw new Error(`Segment ${parsed.msn} of recording ${parsed.recordingId} is not stored.`);
      return segment.data.arrayBuffer();
    }

    abort(): void {
      this.aborted = true;
      this.stats.aborted = true;
    }

    destroy(): void {
      this.abort();
      this.context = null;
    }
  };
}
