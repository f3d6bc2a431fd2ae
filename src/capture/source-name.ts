/** Path of the built-in demo stream served by `npm start` (see demo/vite-plugin.ts). */
export const DEMO_PLAYLIST_PATH = '/demo/live.m3u8';

/**
 * A short human name for a stream: `Demo stream` for the built-in demo, else the URL's
 * host name without a leading `www.`.
 * @throws TypeError for a string that is not an absolute URL.
 */
export function sourceNameFromUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === DEMO_PLAYLIST_PATH) return 'Demo stream';
  return parsed.hostname.replace(/^www\./, '');
}

const pad = (value: number) => String(value).padStart(2, '0');

/**
 * The default title of a recording: the source name and the local start time to the minute,
 * e.g. `Demo stream 2026-11-21 14:05`.
 * @param startedAtMs - wall clock in ms since the Unix epoch, shown in the local time zone.
 */
export function defaultRecordingTitle(sourceName: string, startedAtMs: number): string {
  const d = new Date(startedAtMs);
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${sourceName} ${date} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
