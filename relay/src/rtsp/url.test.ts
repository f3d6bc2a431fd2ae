import { describe, expect, it } from 'vitest';
import { RtspProtocolError, RtspStatusError, RtspAuthError, redactUrl } from './errors.ts';
import { describeBaseUrl, parseRtspUrl, resolveControlUrl } from './url.ts';

describe('RTSP URLs', () => {
  it('takes credentials out of the URL, decoded, and defaults the port to 554', () => {
    expect(parseRtspUrl('rtsp://us%40er:p%3Ass@cam.local/live?x=1')).toEqual({
      url: 'rtsp://cam.local/live?x=1', host: 'cam.local', port: 554, user: 'us@er', password: 'p:ss',
    });
    expect(parseRtspUrl('rtsp://[::1]:8554/a')).toMatchObject({ host: '::1', port: 8554, user: null, password: null });
    expect(() => parseRtspUrl('http://cam/')).toThrow(RtspProtocolError);
    expect(() => parseRtspUrl('rtsp://u:hunter2@')).toThrow(/Not a URL: rtsp:\/\/$/);
  });

  it('resolves control URLs as RFC 2326 C.1.1 says', () => {
    expect(resolveControlUrl('rtsp://h/a/', 'stream=0')).toBe('rtsp://h/a/stream=0');
    expect(resolveControlUrl('rtsp://h/live', 'trackID=1')).toBe('rtsp://h/live/trackID=1');
    expect(resolveControlUrl('rtsp://h/a/', '*')).toBe('rtsp://h/a/');
    expect(resolveControlUrl('rtsp://h/a/', undefined)).toBe('rtsp://h/a/');
    expect(resolveControlUrl('rtsp://h/a/', 'rtsp://other:8554/x/track1')).toBe('rtsp://other:8554/x/track1');
    expect(resolveControlUrl('rtsp://u:p@h/a/', 'rtsp://u:p@h/a/t')).toBe('rtsp://h/a/t');
    // A base with a query keeps it (Dahua, Amcrest, Lorex: ffmpeg, live555 and gortsplib agree).
    expect(resolveControlUrl('rtsp://h/cam/realmonitor?channel=1&subtype=0/', 'trackID=0')).toBe('rtsp://h/cam/realmonitor?channel=1&subtype=0/trackID=0');
    expect(resolveControlUrl('rtsp://h/cam/realmonitor?channel=1&subtype=0', 'trackID=1')).toBe('rtsp://h/cam/realmonitor?channel=1&subtype=0/trackID=1');
    expect(resolveControlUrl('rtsp://h/live?token=a', '?ctype=video')).toBe('rtsp://h/live?token=a?ctype=video');
    expect(resolveControlUrl('rtsp://h/live?token=a', '/other/track1')).toBe('rtsp://h/other/track1');
    expect(describeBaseUrl('rtsp://h/a', 'rtsp://h/base/', 'rtsp://h/loc/')).toBe('rtsp://h/base/');
    expect(describeBaseUrl('rtsp://h/a', null, 'loc/')).toBe('rtsp://h/loc/');
    expect(describeBaseUrl('rtsp://h/a', null, null)).toBe('rtsp://h/a');
  });

  it('keeps passwords out of every error', () => {
    const url = 'rtsp://admin:hunter2@cam/live';
    expect(redactUrl(url)).toBe('rtsp://admin@cam/live');
    for (const error of [
      new RtspStatusError(404, 'Not Found', 'DESCRIBE', url),
      new RtspAuthError('credentials-rejected', url, 'admin'),
      new RtspAuthError('credentials-missing', url, null),
      new RtspProtocolError('x', url),
    ]) {
      expect(`${error.message} ${error.url}`).not.toContain('hunter2');
    }
  });
});
