/**
 * Authentication against real servers: GStreamer's gst-rtsp-server for Digest without qop
 * (RFC 2069 style, what it speaks); a scripted server (node:net) for what gst-rtsp-server cannot
 * ask for: Basic, and Digest SHA-256 with qop=auth (RFC 7616). After authenticating, the
 * scripted server redirects to the real stream, so the whole path is exercised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { playRtsp } from '../src/rtsp/client.ts';
import { RtspAuthError } from '../src/rtsp/errors.ts';
import { headerValue } from '../src/rtsp/message-parser.ts';
import { parseChallenges } from '../src/rtsp/auth.ts';
import { waitFor } from '../../tests/helpers/poll.ts';
import { startRtspServer, startScriptedRtspServer, type RtspTestServer, type ScriptedReply } from './helpers/rtsp-server.ts';

const USER = 'viewer';
const PASSWORD = 'pa:ss w@rd';

let secure: RtspTestServer;
let open: RtspTestServer;
beforeAll(async () => {
  [secure, open] = await Promise.all([
    startRtspServer({ mounts: ['/secure'], user: USER, password: PASSWORD }),
    startRtspServer({ mounts: ['/h264aac'] }),
  ]);
}, 30_000);
afterAll(async () => {
  await Promise.all([secure?.stop(), open?.stop()]);
});

async function playAndCount(url: string, transport: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  let packets = 0;
  const playback = await playRtsp(url, { transport, requestTimeoutMs: 5000, onPacket: () => (packets += 1), onClose: () => {} });
  try {
    await waitFor(() => (packets >= 20 ? packets : undefined), { timeoutMs: 10_000, description: '20 packets' });
  } finally {
    await playback.teardown();
  }
  return packets;
}

describe('RTSP authentication', () => {
  it.each(['tcp', 'udp'] as const)('plays a Digest-protected stream with the right password from the URL, over %s', async (transport) => {
    expect(await playAndCount(secure.url('/secure', { user: USER, password: PASSWORD }), transport)).toBeGreaterThanOrEqual(20);
  }, 30_000);

  it('gives RtspAuthError, without the password, for a wrong password', async () => {
    const error = await playRtsp(secure.url('/secure', { user: USER, password: 'hunter2' }), { onPacket: () => {}, onClose: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RtspAuthError);
    const authError = error as RtspAuthError;
    expect(authError.failure).toBe('credentials-rejected');
    expect(authError.message).toMatch(new RegExp(`refused user name "${USER}"`));
    expect(`${authError.message} ${authError.url} ${authError.stack}`).not.toContain('hunter2');
  }, 30_000);

  it('gives RtspAuthError asking for credentials when the URL has none', async () => {
    const error = await playRtsp(secure.url('/secure'), { onPacket: () => {}, onClose: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RtspAuthError);
    expect((error as RtspAuthError).failure).toBe('credentials-missing');
    expect((error as Error).message).toMatch(/needs a user name and password/);
  }, 30_000);

  it('answers Basic, then follows the redirect to the stream', async () => {
    const authorizations: string[] = [];
    const gate = await startScriptedRtspServer((request): ScriptedReply => {
      const authorization = headerValue(request.headers, 'authorization');
      if (authorization === null) return { status: '401 Unauthorized', headers: { 'WWW-Authenticate': 'Basic realm="cam"' } };
      authorizations.push(authorization);
      if (authorization !== `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`) return { status: '401 Unauthorized', headers: { 'WWW-Authenticate': 'Basic realm="cam"' } };
      return { status: '302 Found', headers: { Location: open.url('/h264aac') } };
    });
    try {
      expect(await playAndCount(gate.url(`/cam`, USER, PASSWORD))).toBeGreaterThanOrEqual(20);
      expect(authorizations).toHaveLength(1);
      const wrong = await playRtsp(gate.url('/cam', USER, 'nope'), { onPacket: () => {}, onClose: () => {} }).catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(RtspAuthError);
    } finally {
      await gate.stop();
    }
  }, 30_000);

  it('answers Digest SHA-256 with qop=auth (RFC 7616), counting nc, then follows the redirect', async () => {
    const nonce = 'dcd98b7102dd2f0e8b11d0f600bfb0c093';
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const challenge = `Digest realm="cam@example", qop="auth", algorithm=SHA-256, nonce="${nonce}", opaque="xyz"`;
    const seen: Record<string, string>[] = [];
    const gate = await startScriptedRtspServer((request): ScriptedReply => {
      const authorization = headerValue(request.headers, 'authorization');
      if (authorization === null) return { status: '401 Unauthorized', headers: { 'WWW-Authenticate': [challenge, 'Basic realm="cam"'] } };
      const params = parseChallenges([authorization])[0]!.params;
      seen.push(params);
      const ha1 = sha256(`${USER}:cam@example:${PASSWORD}`);
      const ha2 = sha256(`${request.method}:${request.uri}`);
      const expected = sha256(`${ha1}:${nonce}:${params.nc}:${params.cnonce}:auth:${ha2}`);
      if (params.response !== expected || params.opaque !== 'xyz') return { status: '401 Unauthorized', headers: { 'WWW-Authenticate': challenge } };
      return request.method === 'OPTIONS' ? { status: '200 OK', headers: { Public: 'OPTIONS, DESCRIBE' } } : { status: '302 Found', headers: { Location: open.url('/h264aac') } };
    });
    try {
      expect(await playAndCount(gate.url('/cam', USER, PASSWORD))).toBeGreaterThanOrEqual(20);
      // OPTIONS retried with nc=1, then DESCRIBE with nc=2 on the same challenge.
      expect(seen.map((p) => [p.algorithm, p.qop, p.nc])).toEqual([['SHA-256', 'auth', '00000001'], ['SHA-256', 'auth', '00000002']]);
    } finally {
      await gate.stop();
    }
  }, 30_000);

  it('answers a new Digest nonce sent without stale=true (an expired nonce), and goes on', async () => {
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    const nonces = ['first-nonce', 'second-nonce'];
    let current = 0;
    const challenge = () => `Digest realm="cam", nonce="${nonces[current]}"`;
    const gate = await startScriptedRtspServer((request): ScriptedReply => {
      const authorization = headerValue(request.headers, 'authorization');
      if (authorization === null) return { status: '401 Unauthorized', headers: { 'WWW-Authenticate': challenge() } };
      const params = parseChallenges([authorization])[0]!.params;
      const expected = md5(`${md5(`${USER}:cam:${PASSWORD}`)}:${params.nonce}:${md5(`${request.method}:${request.uri}`)}`);
      if (params.nonce !== nonces[current] || params.response !== expected) return { status: '401 Unauthorized', headers: { 'WWW-Authenticate': challenge() } };
      if (request.method === 'OPTIONS') {
        current = 1; // The nonce expires: the next request gets a new one, with no stale flag.
        return { status: '200 OK', headers: { Public: 'OPTIONS, DESCRIBE' } };
      }
      return { status: '302 Found', headers: { Location: open.url('/h264aac') } };
    });
    try {
      expect(await playAndCount(gate.url('/cam', USER, PASSWORD))).toBeGreaterThanOrEqual(20);
      const sent = gate.requests.map((r) => [r.method, headerValue(r.headers, 'authorization')?.match(/nonce="([^"]*)"/)?.[1] ?? null]);
      expect(sent).toEqual([['OPTIONS', null], ['OPTIONS', 'first-nonce'], ['DESCRIBE', 'first-nonce'], ['DESCRIBE', 'second-nonce']]);
    } finally {
      await gate.stop();
    }
  }, 30_000);

  it('says which scheme it cannot answer when the camera offers only an unknown one', async () => {
    const gate = await startScriptedRtspServer((): ScriptedReply => ({ status: '401 Unauthorized', headers: { 'WWW-Authenticate': 'Bearer realm="cam"' } }));
    try {
      const error = await playRtsp(gate.url('/cam', USER, PASSWORD), { onPacket: () => {}, onClose: () => {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RtspAuthError);
      expect(error).toMatchObject({ failure: 'unsupported-scheme' });
      expect((error as Error).message).toMatch(/does not speak \(bearer\)/);
    } finally {
      await gate.stop();
    }
  });

  it('reconnects to retry with credentials when the camera closes the connection after its 401', async () => {
    const gate = await startScriptedRtspServer((request, socket): ScriptedReply => {
      if (headerValue(request.headers, 'authorization') === null) {
        setImmediate(() => socket.end());
        return { status: '401 Unauthorized', headers: { 'WWW-Authenticate': 'Basic realm="cam"', Connection: 'close' } };
      }
      return { status: '302 Found', headers: { Location: open.url('/h264aac') } };
    });
    try {
      expect(await playAndCount(gate.url('/cam', USER, PASSWORD))).toBeGreaterThanOrEqual(20);
      expect(gate.requests.map((r) => [r.method, headerValue(r.headers, 'authorization') !== null])).toEqual([['OPTIONS', false], ['OPTIONS', true]]);
    } finally {
      await gate.stop();
    }
  }, 30_000);
});
