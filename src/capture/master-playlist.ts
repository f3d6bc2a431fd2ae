import { parse, types } from 'hls-parser';
import { PlaylistError } from './errors.ts';
import { fetchText } from './http.ts';
import type { LoadedMediaPlaylist, PlaylistLoadOptions } from './playlist-loader.ts';
import { parsePlaylist, type MediaPlaylistSnapshot, type VariantStream } from './playlist.ts';
import { withRetry } from './retry.ts';
import { chooseVariant, type VariantChoice } from './variant-choice.ts';

/**
 * An alternate rendition with its own media playlist: an EXT-X-MEDIA tag with a URI (RFC 8216
 * section 4.3.4.1), TYPE=AUDIO or TYPE=SUBTITLES (WebVTT, section 3.5).
 */
export interface AlternateRendition {
  type: 'audio' | 'subtitles';
  /** GROUP-ID: the variants that name it in their AUDIO or SUBTITLES attribute. */
  groupId: string;
  /** NAME, e.g. `English`. */
  name: string;
  /** LANGUAGE (RFC 5646 tag), or null. */
  language: string | null;
  /** DEFAULT=YES. */
  isDefault: boolean;
  /** Absolute URL of the rendition's media playlist. */
  uri: string;
}

/** A variant with the rendition groups it names (AUDIO and SUBTITLES attributes). */
export interface MasterVariant extends VariantStream {
  audioGroupId: string | null;
  subtitlesGroupId: string | null;
}

/** What a URL turned out to be, as the source form shows it before recording. */
export type SourceInfo =
  | { type: 'media'; playlist: MediaPlaylistSnapshot }
  | { type: 'master'; url: string; variants: MasterVariant[]; renditions: AlternateRendition[] };

/**
 * Parses a master playlist's variants with the groups they name, and its alternate renditions
 * that have their own URI (EXT-X-MEDIA TYPE=AUDIO or SUBTITLES). Renditions without URI (carried
 * inside the variant) and CLOSED-CAPTIONS are left out, as are I-frame-only variants.
 * @param text - the master playlist body; url - where it came from (relative URIs resolve against it).
 * @throws PlaylistError as {@link parsePlaylist}, or when the text is a media playlist.
 */
export function parseMasterPlaylist(text: string, url: string): { variants: MasterVariant[]; renditions: AlternateRendition[] } {
  const checked = parsePlaylist(text, url);
  if (checked.type !== 'master') throw new PlaylistError(url, 'it is a media playlist, not a master playlist');
  const parsed = parse(text) as types.MasterPlaylist;
  const listed = parsed.variants.filter((variant) => !variant.isIFrameOnly && variant.uri);
  const variants = checked.variants.map<MasterVariant>((variant, index) => ({
    ...variant,
    audioGroupId: listed[index]?.audio[0]?.groupId ?? null,
    subtitlesGroupId: listed[index]?.subtitles[0]?.groupId ?? null,
  }));
  const seen = new Set<string>();
  const renditions: AlternateRendition[] = [];
  for (const variant of listed) {
    for (const rendition of [...variant.audio, ...variant.subtitles]) {
      if (!rendition.uri) continue;
      const uri = new URL(rendition.uri, url).href;
      const key = `${rendition.type}|${rendition.groupId}|${uri}`;
      if (seen.has(key)) continue;
      seen.add(key);
      renditions.push({
        type: rendition.type === 'AUDIO' ? 'audio' : 'subtitles',
        groupId: rendition.groupId,
        name: rendition.name,
        language: rendition.language ?? null,
        isDefault: rendition.isDefault,
        uri,
      });
    }
  }
  return { variants, renditions };
}

/**
 * Loads `url` once and tells what it is: a media playlist, or a master playlist with its variants
 * and alternate renditions (for the source form, and for recording).
 * @throws see {@link fetchText} (after retries) and {@link parsePlaylist}.
 */
export async function loadSourceInfo(url: string, options: PlaylistLoadOptions): Promise<SourceInfo> {
  const fetched = await withRetry(() => fetchText(url, options), options.retry, options);
  const parsed = parsePlaylist(fetched.body, fetched.url);
  if (parsed.type === 'media') return { type: 'media', playlist: parsed.playlist };
  return { type: 'master', url: fetched.url, ...parseMasterPlaylist(fetched.body, fetched.url) };
}

/** A loaded media playlist with the alternate renditions that go with the chosen variant. */
export interface ChosenMediaPlaylist extends LoadedMediaPlaylist {
  /** The renditions of the chosen variant's AUDIO and SUBTITLES groups; empty for a media playlist. */
  renditions: AlternateRendition[];
}

/**
 * Loads the media playlist behind `url`: the playlist itself, or, for a master playlist, the
 * variant `choice` picks (RFC 8216 section 4.3.4.2), with its alternate renditions.
 * @throws PlaylistError when a variant URI leads to another master playlist; CaptureError
 *   `bad-request` for a `uri` choice the master no longer lists; otherwise as {@link loadSourceInfo}.
 */
export async function loadChosenMediaPlaylist(url: string, choice: VariantChoice, options: PlaylistLoadOptions): Promise<ChosenMediaPlaylist> {
  const source = await loadSourceInfo(url, options);
  if (source.type === 'media') return { playlist: source.playlist, variant: null, renditions: [] };
  const variant = chooseVariant(source.variants, choice) as MasterVariant;
  const fetched = await withRetry(() => fetchText(variant.uri, options), options.retry, options);
  const second = parsePlaylist(fetched.body, fetched.url);
  if (second.type !== 'media') throw new PlaylistError(variant.uri, 'a variant URI leads to another master playlist');
  const renditions = source.renditions.filter(
    (rendition) => rendition.groupId === (rendition.type === 'audio' ? variant.audioGroupId : variant.subtitlesGroupId),
  );
  return { playlist: second.playlist, variant, renditions };
}
