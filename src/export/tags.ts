import type { MetadataTags } from 'mediabunny';
import type { RecordingTags } from '../schedule/types.ts';
import type { Recording } from '../storage/types.ts';
import { shareableSourceUrl } from '../capture/source-name.ts';

/** The tags Tapedeck writes into an exported file; every field a plain string, '' when unset. */
export interface ExportTags {
  title: string;
  artist: string;
  album: string;
  genre: string;
  /** ISO 8601 calendar date, `YYYY-MM-DD`, or ''. */
  date: string;
  /** Free text; by default the recording's source URL, without credentials. */
  comment: string;
}

/** The local calendar date of `ms` (ms since the Unix epoch), as `YYYY-MM-DD`. */
export function localDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * The tags to write for a recording: its stored `tags`, with defaults for what is unset
 * (absent): title = the recording's title, artist = the station (`sourceName`), date = the local
 * date the recording started, comment = the source URL without credentials
 * ({@link shareableSourceUrl}: a relay's proxy URL gives the stream's own). Album and genre
 * default to ''. A tag stored as '' was emptied on purpose (say, to keep the URL out of a file
 * shared on): it stays empty and is not written.
 */
export function exportTags(recording: Pick<Recording, 'title' | 'sourceName' | 'sourceUrl' | 'startedAtMs' | 'tags'>): ExportTags {
  const tags: RecordingTags = recording.tags ?? {};
  return {
    title: tags.title ?? recording.title,
    artist: tags.artist ?? recording.sourceName,
    album: tags.album ?? '',
    genre: tags.genre ?? '',
    date: tags.date ?? localDate(recording.startedAtMs),
    comment: tags.comment ?? shareableSourceUrl(recording.sourceUrl),
  };
}

/**
 * mediabunny's MetadataTags for {@link ExportTags}: empty fields are left out, and the date
 * becomes UTC midnight of that day, which mediabunny writes back as the same `YYYY-MM-DD`
 * (MP4 `©day`, ID3v2 `TDRC`, Matroska `DATE`). An unparsable date is left out.
 */
export function toMetadataTags(tags: ExportTags): MetadataTags {
  const out: MetadataTags = {};
  if (tags.title) out.title = tags.title;
  if (tags.artist) out.artist = tags.artist;
  if (tags.album) out.album = tags.album;
  if (tags.genre) out.genre = tags.genre;
  if (tags.comment) out.comment = tags.comment;
  if (/^\d{4}-\d{2}-\d{2}$/.test(tags.date)) {
    const date = new Date(`${tags.date}T00:00:00Z`);
    if (!Number.isNaN(date.getTime())) out.date = date;
  }
  return out;
}

/**
 * Reads the tags of an exported file (MP4/M4A, MP3, MKV…) with music-metadata, reading the
 * Blob in slices rather than whole. Fields the file lacks are ''.
 * @throws Error from music-metadata when the file is no format it knows.
 */
export async function readTags(file: Blob): Promise<ExportTags> {
  const { parseBlob } = await import('music-metadata');
  const { common } = await parseBlob(file, { duration: false, skipCovers: true });
  return {
    title: common.title ?? '',
    artist: common.artist ?? '',
    album: common.album ?? '',
    genre: common.genre?.[0] ?? '',
    date: common.date ?? (common.year ? String(common.year) : ''),
    comment: common.comment?.[0]?.text ?? '',
  };
}
