/**
 * Passwords in camera URLs (`rtsp://user:password@host/path`, RFC 2326 section 3.2 with
 * RFC 3986 userinfo): masked for the API, restored when a client sends the mask back.
 */
import { PASSWORD_MASK, redactUrlPasswords } from '../log.ts';

/** `scheme://user:` then the password, as written (percent-encoding kept), then `@`. */
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*:)([^\s/?#]*)@/i;

/** The URL with its password replaced by `***` (`rtsp://admin:***@cam/x`); unchanged without one. */
export function maskRtspUrl(url: string): string {
  return redactUrlPasswords(url);
}

/** True when the URL carries a non-empty password. */
export function hasPassword(url: string): boolean {
  const password = USERINFO.exec(url)?.[2];
  return password !== undefined && password !== '';
}

/** True when the URL's password is exactly the mask `***` the API returns. */
export function hasMaskedPassword(url: string): boolean {
  return USERINFO.exec(url)?.[2] === PASSWORD_MASK;
}

/**
 * Puts `storedUrl`'s password (as written) in place of the `***` mask in `sentUrl`, so a
 * client can send back the masked URL it was given and keep the password.
 * @returns The URL to store, or null when `sentUrl` has the mask but `storedUrl` has no password.
 */
export function restoreMaskedPassword(sentUrl: string, storedUrl: string | undefined): string | null {
  const stored = storedUrl === undefined ? undefined : USERINFO.exec(storedUrl)?.[2];
  if (stored === undefined || stored === '') return null;
  return sentUrl.replace(USERINFO, (_match, prefix: string) => `${prefix}${stored}@`);
}

/**
 * Checks that `text` is an `rtsp://` or `rtsps://` URL with a host.
 * @returns null when it is, else what is wrong (without the password).
 */
export function rtspUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `not a URL: ${JSON.stringify(maskRtspUrl(text))}`;
  }
  if (url.protocol !== 'rtsp:' && url.protocol !== 'rtsps:') return `must start with rtsp:// or rtsps://, got ${JSON.stringify(url.protocol)}`;
  if (url.hostname === '') return 'has no host';
  return null;
}
