/** Masking camera passwords for the API and restoring them from the mask. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasMaskedPassword, hasPassword, maskRtspUrl, restoreMaskedPassword, rtspUrlProblem } from './rtsp-url.ts';

describe('rtsp-url', () => {
  it('masks and restores a password as written, percent-encoding kept', () => {
    const stored = 'rtsp://admin:p%40ss%3Aword@192.168.1.50:554/Streaming/Channels/101?transportmode=unicast';
    const masked = maskRtspUrl(stored);
    expect(masked).toBe('rtsp://admin:***@192.168.1.50:554/Streaming/Channels/101?transportmode=unicast');
    expect(hasPassword(stored)).toBe(true);
    expect(hasMaskedPassword(masked)).toBe(true);
    expect(restoreMaskedPassword(masked, stored)).toBe(stored);
    expect(restoreMaskedPassword('rtsp://admin:***@10.0.0.2/other', stored)).toBe('rtsp://admin:p%40ss%3Aword@10.0.0.2/other');
  });

  it('has nothing to restore without a stored password', () => {
    expect(restoreMaskedPassword('rtsp://admin:***@cam/x', 'rtsp://admin@cam/x')).toBeNull();
    expect(restoreMaskedPassword('rtsp://admin:***@cam/x', undefined)).toBeNull();
    expect(hasPassword('rtsp://admin@cam/x')).toBe(false);
    expect(hasPassword('rtsp://cam/x')).toBe(false);
  });

  it('round-trips any password through mask and restore', () => {
    const password = fc.stringMatching(/^[A-Za-z0-9!$&'()*+;=%._~-]{1,24}$/).filter((p) => p !== '***');
    fc.assert(
      fc.property(password, fc.stringMatching(/^[a-z]{1,8}$/), (secret, user) => {
        const stored = `rtsp://${user}:${secret}@cam.lan:554/live`;
        const masked = maskRtspUrl(stored);
        expect(masked).toBe(`rtsp://${user}:***@cam.lan:554/live`);
        expect(restoreMaskedPassword(masked, stored)).toBe(stored);
      }),
    );
  });

  it('says what is wrong with a URL that is not rtsp', () => {
    expect(rtspUrlProblem('rtsp://cam/live')).toBeNull();
    expect(rtspUrlProblem('rtsps://cam/live')).toBeNull();
    expect(rtspUrlProblem('http://cam/live')).toContain('must start with rtsp://');
    expect(rtspUrlProblem('cam/live')).toContain('not a URL');
    expect(rtspUrlProblem('rtsp://user:secret@')).not.toContain('secret');
  });
});
