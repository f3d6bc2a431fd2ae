import type { RetryPolicy } from '../config.ts';
import { PlaylistError } from './errors.ts';
import { fetchText } from './http.ts';
import { parsePlaylist, selectHighestBandwidth, type MediaPlaylistSnapshot, type VariantStream } from './playlist.ts';
import { withRetry, type RetryOptions } from './retry.ts';

/** Options of {@link loadMediaPlaylist}. */
export interface PlaylistLoadOptions extends RetryOptions {
  timeoutMs: number;
  /** Largest playlist body read, in bytes (config `capture.maxPlaylistBytes`). */
  maxBytes: number;
  retry: RetryPolicy;
}

/** A loaded media playlist, and the variant chosen when the URL was a master playlist. */
export interface LoadedMediaPlaylist {
  playlist: MediaPlaylistSnapshot;
  /** null when the URL was already a media playlist. */
  variant: VariantStream | null;
}

/**
 * Loads one playlist with retries and parses it.
 * @throws see {@link fetchText} (after retries) and {@link parsePlaylist}.
 */
export async function loadPlaylist(url: string, options: PlaylistLoadOptions) {
  const fetched = await withRetry(() => fetchText(url, options), options.retry, options);
  return parsePlaylist(fetched.body, fetched.url);
}

/**
 * Loads the media playlist behind `url`: the playlist itself, or, for a master playlist
 * (RFC 8216 section 4.3.4), the variant with the highest BANDWIDTH.
 * @throws PlaylistError when a variant URI leads to another master playlist; otherwise as
 *   {@link loadPlaylist}.
 */
export async function loadMediaPlaylist(url: string, options: PlaylistLoadOptions): Promise<LoadedMediaPlaylist> {
  const first = await loadPlaylist(url, options);
  if (first.type === 'media') return { playlist: first.playlist, variant: null };
  const variant = selectHighestBandwidth(first.variants);
  const second = await loadPlaylist(variant.uri, options);
  if (second.type !== 'media') throw new PlaylistError(variant.uri, 'a variant URI leads to another master playlist');
  return { playlist: second.playlist, variant };
}
