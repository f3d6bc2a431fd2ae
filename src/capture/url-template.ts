import { CaptureError } from './errors.ts';
import type { UrlTemplate } from '../storage/types.ts';
import { parsePlaylist, type MediaPlaylistSnapshot } from './playlist.ts';

/** The mark in a segment URL template where the segment number goes. */
export const TEMPLATE_MARK = '(*)';

/** A URL template; defined with the recording that stores it (`Recording.urlTemplate`). */
export type { UrlTemplate } from '../storage/types.ts';

/**
 * Checks a template and tells how many segments its playlist lists.
 * @param maxSegments - most segments a template may give (the count when only
 *   `stopAtFirstMissing` bounds it).
 * @throws CaptureError `bad-request`, with the field at fault, for a URL without the mark (or with
 *   it twice) or not http(s), a bad width, first number, count, or duration, or no way to know where
 *   the segments end.
 */
export function templateSegmentCount(template: UrlTemplate, maxSegments: number): number {
  const bad = (message: string) => new CaptureError('bad-request', message, false);
  const parts = template.url.split(TEMPLATE_MARK);
  if (parts.length !== 2) throw bad(`The segment URL must hold ${TEMPLATE_MARK} exactly once where the number goes.`);
  let parsed: URL;
  try {
    parsed = new URL(template.url.replace(TEMPLATE_MARK, '0'));
  } catch {
    throw bad(`The segment URL "${template.url}" is not a full URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw bad('The segment URL must start with http:// or https://.');
  if (!Number.isInteger(template.padWidth) || template.padWidth < 0 || template.padWidth > 12) throw bad(`The zero-padding width must be 0 to 12 digits, not ${template.padWidth}.`);
  if (!Number.isSafeInteger(template.firstNumber) || template.firstNumber < 0) throw bad(`The first number must be a whole number ≥ 0, not ${template.firstNumber}.`);
  if (!(template.segmentDurationSec > 0) || !Number.isFinite(template.segmentDurationSec)) throw bad(`The segment duration must be above 0 s, not ${template.segmentDurationSec} s.`);
  let count: number;
  if (template.count !== null) {
    if (!Number.isInteger(template.count) || template.count < 1) throw bad(`The segment count must be a whole number ≥ 1, not ${template.count}.`);
    count = template.count;
  } else if (template.totalDurationSec !== null) {
    if (!(template.totalDurationSec > 0) || !Number.isFinite(template.totalDurationSec)) throw bad(`The total duration must be above 0 s, not ${template.totalDurationSec} s.`);
    count = Math.ceil(template.totalDurationSec / template.segmentDurationSec - 1e-9);
  } else if (template.stopAtFirstMissing) {
    count = maxSegments;
  } else {
    throw bad('Give the segment count, or the total duration, or choose to stop at the first missing segment.');
  }
  if (count > maxSegments) throw bad(`A template may give at most ${maxSegments} segments, not ${count}.`);
  return count;
}

/** The URL of segment number `n` of `template`. */
export function templateSegmentUrl(template: UrlTemplate, n: number): string {
  return template.url.replace(TEMPLATE_MARK, String(n).padStart(template.padWidth, '0'));
}

/**
 * A synthetic VOD media playlist (RFC 8216 section 4.3.3, with EXT-X-ENDLIST) listing the
 * template's segments; its media sequence numbers start at 0 for the first segment.
 * @throws as {@link templateSegmentCount}.
 */
export function templatePlaylistText(template: UrlTemplate, maxSegments: number): string {
  const count = templateSegmentCount(template, maxSegments);
  const durationSec = template.segmentDurationSec;
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${Math.ceil(durationSec)}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD'];
  let restSec = template.count === null && template.totalDurationSec !== null ? template.totalDurationSec : Infinity;
  for (let i = 0; i < count; i++) {
    const thisSec = Math.min(durationSec, restSec);
    restSec -= thisSec;
    lines.push(`#EXTINF:${thisSec.toFixed(3)},`, templateSegmentUrl(template, template.firstNumber + i));
  }
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/**
 * The template's synthetic playlist, parsed as any VOD.
 * @throws as {@link templateSegmentCount}.
 */
export function templatePlaylist(template: UrlTemplate, maxSegments: number): MediaPlaylistSnapshot {
  const parsed = parsePlaylist(templatePlaylistText(template, maxSegments), template.url.replace(TEMPLATE_MARK, String(template.firstNumber)));
  if (parsed.type !== 'media') throw new CaptureError('bad-request', 'The template did not give a media playlist.', false);
  return parsed.playlist;
}
