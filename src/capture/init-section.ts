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

/** Where a segment is in its stream, as far as its init section goes; a `PlaylistSegment` is one. */
export interface SegmentPlace {
  /** The segment follows EXT-X-DISCONTINUITY (RFC 8216 section 4.3.2.3). */
  discontinuity: boolean;
  /** Its discontinuity sequence number (RFC 8216 section 4.3.3.3). */
  discontinuitySequence: number;
}

const FIRST_PLACE: SegmentPlace = { discontinuity: false, discontinuitySequence: 0 };

/** Hex SHA-256 of a Blob's bytes. */
async function digestOf(data: Blob): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', await data.arrayBuffer()));
  return [...hash].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Stores the fMP4/CMAF init sections of one recording once per change (EXT-X-MAP, RFC 8216
 * section 4.3.2.5) and tells each segment the id of the one it needs.
 *
 * An init section is fetched once per location (URI and byte range) and discontinuity
 * sequence: segments under the same EXT-X-MAP share it without a new request. An encoder
 * restarted behind the same URI may write a new init section, and it marks that with
 * EXT-X-DISCONTINUITY (RFC 8216 section 4.3.2.3); the segment carrying the tag may have slid
 * out of the playlist unseen, but the discontinuity sequence of those after it still tells
 * (section 4.3.3.3). A new location is fetched and its bytes compared
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
   * @param at - where the segment is: its discontinuity sequence (RFC 8216 section 4.3.3.3),
   *   under which a location is fetched once, and whether it follows EXT-X-DISCONTINUITY
   *   (section 4.3.2.3), which fetches the init section again even then (a stream that
   *   restarted may number its discontinuities from 0 again). Its bytes still decide its id.
   * @param segmentKey - the segment's AES-128 key, handed to the fetcher (see {@link InitSectionFetcher}).
   * @returns the id, or undefined when `map` is null.
   * @throws what `fetchInit` throws (the segment then cannot be stored: it becomes a gap, and
   *   the next segment tries again); DOMException `QuotaExceededError` from storage.
   */
  idFor(map: InitSectionRef | null, at: SegmentPlace = FIRST_PLACE, segmentKey: SegmentKey | null = null): Promise<number | undefined> {
    if (!map) return Promise.resolve(undefined);
    const key = `${at.discontinuitySequence} ${initSectionKey(map)}`;
    let id = this.byKey.get(key);
    if (!id || at.discontinuity) {
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
