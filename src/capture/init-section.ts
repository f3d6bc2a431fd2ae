import type { RecordingStore } from '../storage/recording-store.ts';
import type { InitSectionRef, SegmentKey } from './playlist.ts';

/**
 * Fetches the clear bytes of an init section (its URI, or its byte range of it).
 * @param key - the AES-128 key in force for the segment needing it, which also encrypts the init
 *   section when the playlist's EXT-X-KEY came before its EXT-X-MAP (RFC 8216 section 4.3.2.5).
 */
export type InitSectionFetcher = (ref: InitSectionRef, key: SegmentKey | null) => Promise<Blob>;

/** The part of {@link RecordingStore} an {@link InitSectionTracker} uses. */
export type InitSectionStore = Pick<RecordingStore, 'putInitSection' | 'listInitSections'>;

/** Text naming an init section by where it is: its URI and byte range. */
export function initSectionKey(ref: InitSectionRef): string {
  return ref.byteRange ? `${ref.uri}#${ref.byteRange.offsetBytes}+${ref.byteRange.lengthBytes}` : ref.uri;
}

/** Hex SHA-256 of a Blob's bytes. */
async function digestOf(data: Blob): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', await data.arrayBuffer()));
  return [...hash].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Stores the fMP4/CMAF init sections of one recording once per change (EXT-X-MAP, RFC 8216
 * section 4.3.2.5) and tells each segment the id of the one it needs.
 *
 * An init section is fetched once per location (URI and byte range): segments under the same
 * EXT-X-MAP share it without a new request. A new location is fetched and its bytes compared
 * (SHA-256) with every init section stored for the recording: the same bytes (a CDN that
 * renames, a playlist that repeats its EXT-X-MAP) get the same id; new bytes get the next id
 * (0, 1, 2, … in the order they were first met) and are stored. Init sections stored before
 * (a resumed recording) are read from the store on first use, so ids go on from there.
 *
 * Several segments may ask at once (a VOD fetched in parallel): ids are still given in order,
 * one init section at a time.
 */
export class InitSectionTracker {
  /** Id by init section location, as a promise shared by the segments asking at once. */
  private readonly byKey = new Map<string, Promise<number>>();
  /** Id by SHA-256 of the bytes. */
  private byDigest: Map<string, number> | null = null;
  private nextId = 0;
  /** Serialises id assignment. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: InitSectionStore,
    private readonly recordingId: string,
    private readonly fetchInit: InitSectionFetcher,
  ) {}

  /**
   * The init section id a segment needs, storing its init section first if it is new.
   * @param map - the segment's EXT-X-MAP, or null for MPEG-TS and packed audio.
   * @param refetch - fetch the init section again even if its location is known: for a segment
   *   after EXT-X-DISCONTINUITY (RFC 8216 section 4.3.2.3), where an encoder restarted behind the
   *   same URI may have written a new init section. Its bytes still decide its id.
   * @param segmentKey - the segment's AES-128 key, handed to the fetcher (see {@link InitSectionFetcher}).
   * @returns the id, or undefined when `map` is null.
   * @throws what `fetchInit` throws (the segment then cannot be stored: it becomes a gap, and
   *   the next segment tries again); DOMException `QuotaExceededError` from storage.
   */
  idFor(map: InitSectionRef | null, refetch = false, segmentKey: SegmentKey | null = null): Promise<number | undefined> {
    if (!map) return Promise.resolve(undefined);
    const key = initSectionKey(map);
    let id = this.byKey.get(key);
    if (!id || refetch) {
      id = this.fetchAndStore(map, segmentKey);
      this.byKey.set(key, id);
      id.catch(() => this.byKey.delete(key));
    }
    return id;
  }

  private async fetchAndStore(map: InitSectionRef, key: SegmentKey | null): Promise<number> {
    const data = await this.fetchInit(map, key);
    const digest = await digestOf(data);
    const assigned = this.queue.then(async () => {
      const known = await this.knownDigests();
      const existing = known.get(digest);
      if (existing !== undefined) return existing;
      const initSectionId = this.nextId;
      await this.store.putInitSection({ recordingId: this.recordingId, initSectionId, data });
      this.nextId += 1;
      known.set(digest, initSectionId);
      return initSectionId;
    });
    this.queue = assigned.catch(() => undefined);
    return assigned;
  }

  private async knownDigests(): Promise<Map<string, number>> {
    if (this.byDigest) return this.byDigest;
    const known = new Map<string, number>();
    for (const record of await this.store.listInitSections(this.recordingId)) {
      known.set(await digestOf(record.data), record.initSectionId);
      this.nextId = Math.max(this.nextId, record.initSectionId + 1);
    }
    this.byDigest = known;
    return known;
  }
}
