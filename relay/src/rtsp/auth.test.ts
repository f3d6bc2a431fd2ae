import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DigestAuthenticator, basicAuthenticator, chooseAuthenticator, isStaleChallenge, parseChallenges } from './auth.ts';

/** RFC 7616 section 3.9.1's example. */
const rfc7616 = {
  user: 'Mufasa',
  password: 'Circle of Life',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  header: (algorithm: string) =>
    `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
};

function param(header: string, name: string): string | undefined {
  return parseChallenges([header])[0]?.params[name];
}

describe('RTSP authentication (RFC 7616, RFC 2069, RFC 7617)', () => {
  it('computes RFC 7616 section 3.9.1 with SHA-256 and with MD5 (qop=auth, nc, cnonce)', () => {
    for (const [algorithm, response] of [
      ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
      ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ] as const) {
      const challenge = parseChallenges([rfc7616.header(algorithm)]);
      const auth = chooseAuthenticator(challenge, rfc7616.user, rfc7616.password, () => rfc7616.cnonce)!;
      const value = auth.authorization({ method: 'GET', uri: '/dir/index.html' });
      expect(value.startsWith('Digest ')).toBe(true);
      expect(param(value, 'response')).toBe(response);
      expect(param(value, 'nc')).toBe('00000001');
      expect(param(value, 'qop')).toBe('auth');
      expect(param(value, 'opaque')).toBe('FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS');
      // The next request counts on.
      expect(param(auth.authorization({ method: 'GET', uri: '/dir/index.html' }), 'nc')).toBe('00000002');
    }
  });

  it('computes RFC 2069 section 2.4 (no qop)', () => {
    const auth = new DigestAuthenticator({ realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', opaque: '5ccc069c403ebaf9f0171e9517f40e41' }, 'Mufasa', 'CircleOfLife');
    const value = auth.authorization({ method: 'GET', uri: '/dir/index.html' });
    expect(param(value, 'response')).toBe('1949323746fe6a43ef61f9606e7febea');
    expect(param(value, 'nc')).toBeUndefined();
  });

  it('prefers Digest SHA-256 over MD5 over Basic, and gives null for unknown schemes', () => {
    const challenges = parseChallenges(['Basic realm="cam"', 'Digest realm="cam", nonce="a", algorithm=MD5, Digest realm="cam", nonce="b", algorithm=SHA-256']);
    expect(challenges.map((c) => `${c.scheme}:${c.params.nonce ?? ''}`)).toEqual(['basic:', 'digest:a', 'digest:b']);
    expect(param(chooseAuthenticator(challenges, 'u', 'p')!.authorization({ method: 'DESCRIBE', uri: 'rtsp://h/' }), 'algorithm')).toBe('SHA-256');
    expect(chooseAuthenticator(parseChallenges(['Basic realm="x"']), 'u', 'p')!.scheme).toBe('basic');
    expect(chooseAuthenticator(parseChallenges(['Bearer realm="x"']), 'u', 'p')).toBeNull();
  });

  it('writes Basic as RFC 7617 section 2 shows', () => {
    expect(basicAuthenticator('Aladdin', 'open sesame').authorization({ method: 'OPTIONS', uri: 'rtsp://h/' })).toBe('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
  });

  it('reads stale=true and quoted strings with escapes', () => {
    expect(isStaleChallenge(parseChallenges(['Digest realm="r", nonce="n2", stale=TRUE']))).toBe(true);
    expect(isStaleChallenge(parseChallenges(['Digest realm="r", nonce="n2"']))).toBe(false);
    expect(parseChallenges(['Digest realm="a \\"b\\", c", nonce=x'])[0]!.params).toEqual({ realm: 'a "b", c', nonce: 'x' });
  });

  it('never throws on random header text', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 60 }), { maxLength: 3 }), (values) => {
      const challenges = parseChallenges(values);
      chooseAuthenticator(challenges, 'u', 'p')?.authorization({ method: 'DESCRIBE', uri: 'rtsp://h/' });
    }), { numRuns: 1000 });
  });
});
