/**
 * RTSP authentication as cameras use it: Basic (RFC 7617) and Digest (RFC 7616 with MD5 or
 * SHA-256, `qop=auth` with nc and cnonce; and RFC 2069 style without qop). RTSP borrows
 * HTTP's scheme unchanged (RFC 2326 section 11.4.2; RFC 7826 section 19).
 */
import { createHash, randomBytes } from 'node:crypto';

/** One challenge of a `WWW-Authenticate` header (RFC 7235 section 4.1). */
export interface AuthChallenge {
  /** Scheme in lower case: `basic`, `digest`, ... */
  scheme: string;
  /** Parameters by lower-case name, values unquoted. */
  params: Record<string, string>;
}

/**
 * Parses `WWW-Authenticate` header values into challenges. One value may hold several
 * challenges (`Digest realm="a", nonce="b", Basic realm="a"`). Never throws; text it cannot read
 * is skipped.
 */
export function parseChallenges(headerValues: readonly string[]): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  for (const value of headerValues) {
    let current: AuthChallenge | null = null;
    let i = 0;
    while (i < value.length) {
      while (i < value.length && (value[i] === ' ' || value[i] === ',' || value[i] === '\t')) i += 1;
      const tokenMatch = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(value.slice(i));
      if (!tokenMatch) {
        i += 1;
        continue;
      }
      const token = tokenMatch[0];
      i += token.length;
      let j = i;
      while (j < value.length && value[j] === ' ') j += 1;
      if (value[j] === '=' && current !== null) {
        j += 1;
        while (j < value.length && value[j] === ' ') j += 1;
        let paramValue = '';
        if (value[j] === '"') {
          j += 1;
          while (j < value.length && value[j] !== '"') {
            if (value[j] === '\\' && j + 1 < value.length) j += 1;
            paramValue += value[j];
            j += 1;
          }
          j += 1;
        } else {
          const bare = /^[^,\s]*/.exec(value.slice(j))![0];
          paramValue = bare;
          j += bare.length;
        }
        current.params[token.toLowerCase()] = paramValue;
        i = j;
      } else if (value[j] === '=') {
        // A parameter before any scheme: unreadable; skip it.
        i = j + 1;
      } else {
        current = { scheme: token.toLowerCase(), params: {} };
        challenges.push(current);
        // token68 form (`Basic abc==`) is not used in challenges cameras send; ignored.
      }
    }
  }
  return challenges;
}

/** Digest algorithms this client computes, in order of preference. */
const DIGEST_ALGORITHMS = ['SHA-256', 'SHA-256-SESS', 'MD5', 'MD5-SESS'] as const;

/** What {@link DigestAuthenticator.authorization} needs to know of the request. */
export interface AuthRequest {
  method: string;
  /** Request-URI as sent in the request line (no userinfo). */
  uri: string;
}

/** Builds `Authorization` header values for one challenge, for as many requests as needed. */
export interface Authenticator {
  /** `basic` or `digest`. */
  readonly scheme: string;
  /** The Digest nonce answered (RFC 7616 section 3.3); absent for Basic. */
  readonly nonce?: string;
  /** The header value for this request. */
  authorization(request: AuthRequest): string;
}

/**
 * Picks the strongest challenge this client can answer (Digest SHA-256, then Digest MD5, then
 * Basic) and returns an authenticator for it, or null when none is usable.
 */
export function chooseAuthenticator(
  challenges: readonly AuthChallenge[],
  user: string,
  password: string,
  makeCnonce: () => string = () => randomBytes(16).toString('hex'),
): Authenticator | null {
  const digests = challenges.filter((c) => c.scheme === 'digest' && c.params.nonce !== undefined);
  for (const algorithm of DIGEST_ALGORITHMS) {
    const match = digests.find((c) => (c.params.algorithm ?? 'MD5').toUpperCase() === algorithm);
    if (match) return new DigestAuthenticator(match.params, user, password, makeCnonce);
  }
  if (challenges.some((c) => c.scheme === 'basic')) return basicAuthenticator(user, password);
  return null;
}

/** Basic authentication (RFC 7617 section 2): `Basic base64(user:password)`, UTF-8. */
export function basicAuthenticator(user: string, password: string): Authenticator {
  const value = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  return { scheme: 'basic', authorization: () => value };
}

/**
 * Digest authentication (RFC 7616 section 3.4; RFC 2069 section 2.1.2 when the challenge has no
 * qop). With `qop=auth` each request gets the next nonce count (`nc`, 8 hex digits) and a fresh
 * `cnonce`. `auth-int` alone is not supported (RTSP requests here have no body); when both are
 * offered `auth` is used.
 */
export class DigestAuthenticator implements Authenticator {
  readonly scheme = 'digest';
  readonly nonce: string;
  private nonceCount = 0;
  private readonly hash: 'md5' | 'sha256';
  private readonly session: boolean;
  private readonly qop: 'auth' | null;

  /**
   * @param challenge The Digest challenge's parameters (lower-case names): realm, nonce, and
   *   optionally opaque, algorithm, qop.
   */
  constructor(
    private readonly challenge: Record<string, string>,
    private readonly user: string,
    private readonly password: string,
    private readonly makeCnonce: () => string = () => randomBytes(16).toString('hex'),
  ) {
    this.nonce = challenge.nonce ?? '';
    const algorithm = (challenge.algorithm ?? 'MD5').toUpperCase();
    this.hash = algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
    this.session = algorithm.endsWith('-SESS');
    const qops = (challenge.qop ?? '').split(',').map((q) => q.trim().toLowerCase());
    this.qop = qops.includes('auth') ? 'auth' : null;
  }

  /** The `Authorization: Digest ...` value of one request. */
  authorization(request: AuthRequest): string {
    const realm = this.challenge.realm ?? '';
    const nonce = this.challenge.nonce ?? '';
    const h = (text: string) => createHash(this.hash).update(text, 'utf8').digest('hex');
    const cnonce = this.qop !== null || this.session ? this.makeCnonce() : '';
    let ha1 = h(`${this.user}:${realm}:${this.password}`);
    if (this.session) ha1 = h(`${ha1}:${nonce}:${cnonce}`);
    const ha2 = h(`${request.method}:${request.uri}`);
    const parts = [`username="${quote(this.user)}"`, `realm="${quote(realm)}"`, `nonce="${quote(nonce)}"`, `uri="${quote(request.uri)}"`];
    if (this.qop !== null) {
      this.nonceCount += 1;
      const nc = this.nonceCount.toString(16).padStart(8, '0');
      const response = h(`${ha1}:${nonce}:${nc}:${cnonce}:${this.qop}:${ha2}`);
      parts.push(`response="${response}"`);
      if (this.challenge.algorithm !== undefined) parts.push(`algorithm=${this.challenge.algorithm}`);
      parts.push(`qop=${this.qop}`, `nc=${nc}`, `cnonce="${quote(cnonce)}"`);
    } else {
      parts.push(`response="${h(`${ha1}:${nonce}:${ha2}`)}"`);
      if (this.challenge.algorithm !== undefined) parts.push(`algorithm=${this.challenge.algorithm}`);
      if (this.session) parts.push(`cnonce="${quote(cnonce)}"`);
    }
    if (this.challenge.opaque !== undefined) parts.push(`opaque="${quote(this.challenge.opaque)}"`);
    return `Digest ${parts.join(', ')}`;
  }
}

/** True when a 401's Digest challenge says only the nonce went stale (RFC 7616 section 3.3), so the same credentials may be tried again. */
export function isStaleChallenge(challenges: readonly AuthChallenge[]): boolean {
  return challenges.some((c) => c.scheme === 'digest' && (c.params.stale ?? '').toLowerCase() === 'true');
}

function quote(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
