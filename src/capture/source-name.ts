/** Path of the built-in demo stream served by `npm start` (see demo/vite-plugin.ts). */
export const DEMO_PLAYLIST_PATH = '/demo/live.m3u8';

/**
 * A short human name for a stream: `Demo stream` for the built-in demo, else the host name
 * (without a leading `www.`) of the stream's own URL, the relay's proxy URL unwrapped (see
 * {@link shareableSourceUrl}).
 * @throws TypeError for a string that is not an absolute URL.
 */
export function sourceNameFromUrl(url: string): string {
  const parsed = new URL(shareableSourceUrl(url));
  if (parsed.pathname === DEMO_PLAYLIST_PATH) return 'Demo stream';
  return parsed.hostname.replace(/^www\./, '');
}

/**
 * Query parameters that carry an access token: `token`, the relay's (relay/src/http/auth.ts) and
 * many signed-URL CDNs', and `access_token`, RFC 6750 section 2.3's.
 */
const TOKEN_PARAMS = ['token', 'access_token'];

/**
 * A recording's source URL as Tapedeck shows it and writes it into exported files (the
 * comment tag), never to fetch with: a relay proxy URL (`<relay>/proxy?url=<stream>&source=<id>&token=…`,
 * as RelayClient.proxyUrl makes it) gives the stream's own URL, and any URL loses its user name
 * and password and its token query parameters, so a file shared with others carries no
 * credential (a relay camera's URL ends `index.m3u8?token=…`).
 * @returns the URL as {@link URL} serialises it; the input unchanged when it is not an absolute URL.
 */
export function shareableSourceUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const wrapped = parsed.searchParams.get('url');
  if (parsed.pathname.endsWith('/proxy') && wrapped !== null && parsed.searchParams.has('source')) return shareableSourceUrl(wrapped);
  parsed.username = '';
  parsed.password = '';
  // Only when there is one: rewriting the query re-encodes the rest of it.
  for (const name of TOKEN_PARAMS) if (parsed.searchParams.has(name)) parsed.searchParams.delete(name);
  return parsed.href;
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
