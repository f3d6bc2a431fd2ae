import { LoadStats, type Loader, type LoaderCallbacks, type LoaderConfiguration, type LoaderContext } from 'hls.js';
import type { RecordingStore } from '../storage/recording-store.ts';
import { buildRecordingPlaylist, parseRecordingUrl } from './recording-playlist.ts';

/** Constructor shape hls.js expects for its `loader` option. */
export type IdbLoaderClass = new (config: unknown) => Loader<LoaderContext>;

/**
 * Makes an hls.js loader class that serves a stored recording from IndexedDB: the playlist
 * is generated from the segment records and segments are their stored bytes, so playback
 * needs no network at all. URLs that are not recording URLs fail with code 404.
 */
export function createIdbLoader(store: RecordingStore): IdbLoaderClass {
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
      if (parsed.msn === null) {
        return buildRecordingPlaylist(parsed.recordingId, await store.listSegments(parsed.recordingId));
      }
      const segment = await store.getSegment(parsed.recordingId, parsed.msn);
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
