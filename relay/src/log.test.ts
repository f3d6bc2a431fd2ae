/** The logger never writes a URL's password, wherever the URL sits in a log call. */
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrlPasswords } from './log.ts';

function capture() {
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), text: () => text };
}

describe('redactUrlPasswords', () => {
  it('masks the password of rtsp, rtsps and http URLs inside any text', () => {
    expect(redactUrlPasswords('rtsp://admin:secret@10.0.0.5:554/live')).toBe('rtsp://admin:***@10.0.0.5:554/live');
    expect(redactUrlPasswords('DESCRIBE rtsps://u:p%40ss@cam/x failed; retry rtsp://v:w@cam2')).toBe('DESCRIBE rtsps://u:***@cam/x failed; retry rtsp://v:***@cam2');
    expect(redactUrlPasswords('http://a:b@host/')).toBe('http://a:***@host/');
    expect(redactUrlPasswords('rtsp://:only-password@cam/')).toBe('rtsp://:***@cam/');
  });

  it('leaves URLs without a password alone', () => {
    for (const text of ['rtsp://cam/live', 'rtsp://user@cam/live', 'see https://example.com/a:b@c', 'time 12:30 @ home']) {
      expect(redactUrlPasswords(text)).toBe(text);
    }
  });

  it('never lets any password through', () => {
    const password = fc.stringMatching(/^[A-Za-z0-9!$&'()*+;=%._~-]{4,20}$/).filter((p) => !/^\*+$/.test(p));
    fc.assert(
      fc.property(fc.constantFrom('rtsp', 'rtsps', 'http'), fc.stringMatching(/^[a-z0-9]{0,8}$/), password, fc.string({ maxLength: 10 }), (scheme, user, secret, tail) => {
        const text = `error at ${scheme}://${user}:${secret}@cam.local:554/path ${tail}`;
        expect(redactUrlPasswords(text)).not.toContain(`:${secret}@`);
      }),
    );
  });
});

describe('createLogger', () => {
  it('redacts the message, fields at any depth, child bindings and errors', () => {
    const { logger, text } = capture();
    const url = 'rtsp://admin:hunter2@cam/live';
    logger.info(`connecting to ${url}`);
    logger.info({ camera: { rtspUrl: url, tries: [url] } }, 'camera');
    logger.child({ url }).warn('lost');
    logger.child({ camera: 'a' }).child({ nested: { url } }).info('grandchild');
    logger.error(new Error(`401 from ${url}`));
    logger.error({ err: new Error(`timeout ${url}`) }, 'failed');
    const out = text();
    expect(out).not.toContain('hunter2');
    expect(out.match(/rtsp:\/\/admin:\*\*\*@cam\/live/g)).toHaveLength(10);
    const lines = out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(6);
    expect(lines[4]?.err).toMatchObject({ type: 'Error', message: '401 from rtsp://admin:***@cam/live' });
    expect(lines[5]?.err).toMatchObject({ type: 'Error', message: 'timeout rtsp://admin:***@cam/live' });
  });
});
