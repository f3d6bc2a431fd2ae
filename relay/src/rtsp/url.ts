/**
 * RTSP URLs: credentials taken out of a URL, and control URLs resolved against the
 * DESCRIBE answer's base (RFC 2326 appendix C.1.1).
 */
import { RtspProtocolError } from './errors.ts';

/** Default RTSP port (RFC 2326 section 3.2). */
export const RTSP_DEFAULT_PORT = 554;

/** An `rtsp://` URL split into what the connection, the request line and authentication need. */
export interface RtspTarget {
  /** The URL without userinfo, as sent in request lines. */
  url: string;
  host: string;
  /** TCP port, {@link RTSP_DEFAULT_PORT} when the URL has none. */
  port: number;
  /** Percent-decoded user name, or null when the URL has none. */
  user: string | null;
  /** Percent-decoded password, or null when the URL has none. */
  password: string | null;
}

/**
 * Parses an `rtsp://` (or `rtsps://` is refused) URL.
 * @throws RtspProtocolError when the text is not an `rtsp://` URL with a host.
 */
export function parseRtspUrl(text: string): RtspTarget {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new RtspProtocolError(`Not a URL: ${redactText(text)}`, redactText(text));
  }
  if (parsed.protocol !== 'rtsp:') {
    throw new RtspProtocolError(`Not an rtsp:// URL: ${redactText(text)}`, redactText(text));
  }
  if (parsed.hostname === '') throw new RtspProtocolError(`No host in ${redactText(text)}`, redactText(text));
  const user = parsed.username === '' ? null : safeDecode(parsed.username);
  const password = parsed.password === '' ? (user === null ? null : '') : safeDecode(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { url: parsed.href, host, port: parsed.port === '' ? RTSP_DEFAULT_PORT : Number(parsed.port), user, password };
}

/**
 * The absolute control URL of a media description (RFC 2326 appendix C.1.1): `*` or none is
 * the base itself; an absolute URL is taken as it is; a relative one is resolved against the
 * base (Content-Base, else Content-Location, else the DESCRIBE URL). As most cameras and
 * clients do, a base without a trailing `/` is treated as a directory (`rtsp://h/live` +
 * `trackID=1` gives `rtsp://h/live/trackID=1`). A base with a query keeps it, the control
 * going after it as ffmpeg, live555 and gortsplib do: Dahua-family cameras answer DESCRIBE of
 * `rtsp://h/cam/realmonitor?channel=1&subtype=0` with that Content-Base plus `/` and expect
 * SETUP of `…?channel=1&subtype=0/trackID=0` (URL resolution would drop the query and name
 * another resource, `rtsp://h/cam/trackID=0`).
 * @throws RtspProtocolError when the result is not a URL.
 */
export function resolveControlUrl(base: string, control: string | undefined): string {
  // sdp-transform hands `a=control:1` over as the number 1, whatever its types say.
  const trimmed = control === undefined ? '' : String(control).trim();
  if (trimmed === '' || trimmed === '*') return stripUserinfo(base);
  const directory = base.endsWith('/') ? base : `${base}/`;
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed);
  let resolved: URL;
  try {
    const keepsQuery = !absolute && !trimmed.startsWith('/') && new URL(base).search !== '';
    resolved = absolute ? new URL(trimmed) : keepsQuery ? new URL(trimmed.startsWith('?') ? `${base}${trimmed}` : `${directory}${trimmed}`) : new URL(trimmed, directory);
  } catch {
    throw new RtspProtocolError(`Bad control URL "${trimmed}" for base ${stripUserinfo(base)}`, base);
  }
  // A control URL names an RTSP resource on a host (RFC 2326 section 3.2); anything else cannot be set up.
  if (!/^rtsp[su]?:$/.test(resolved.protocol) || resolved.host === '') {
    throw new RtspProtocolError(`Control URL "${trimmed}" is not an rtsp:// URL (base ${stripUserinfo(base)})`, base);
  }
  return stripUserinfo(absolute ? trimmed : resolved.href);
}

/** The base URL of a DESCRIBE answer: Content-Base, else Content-Location (resolved), else the request URL. */
export function describeBaseUrl(requestUrl: string, contentBase: string | null, contentLocation: string | null): string {
  for (const candidate of [contentBase, contentLocation]) {
    if (candidate === null || candidate.trim() === '') continue;
    try {
      return new URL(candidate.trim(), requestUrl).href;
    } catch {
      // An unusable header: fall back to the next candidate.
    }
  }
  return requestUrl;
}

function stripUserinfo(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function redactText(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//');
}
