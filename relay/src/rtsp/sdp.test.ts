import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RtspProtocolError } from './errors.ts';
import { aggregateControlUrl, tracksFromSdp } from './sdp.ts';

const camera = [
  'v=0', 'o=- 1 1 IN IP4 10.0.0.2', 's=Camera', 't=0 0', 'a=control:*',
  'm=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000',
  'a=fmtp:96 packetization-mode=1;profile-level-id=42e01f;sprop-parameter-sets=Z0LAH9oBQBbsBEAAAAMAQAAADwPGDKg=,aM48gA==',
  'a=control:trackID=1',
  'm=audio 0 RTP/AVP 0', 'a=control:rtsp://10.0.0.2/live/trackID=2',
  'm=audio 0 RTP/AVP 97', 'a=rtpmap:97 MPEG4-GENERIC/16000/2', 'a=fmtp:97 streamtype=5; mode=AAC-hbr; config=1410; SizeLength=13',
  'm=application 0 RTP/AVP 107', 'a=rtpmap:107 vnd.onvif.metadata/90000',
  '',
].join('\r\n');

describe('tracksFromSdp', () => {
  it('names each track with sdp-transform and resolves its control URL', () => {
    const tracks = tracksFromSdp(camera, 'rtsp://10.0.0.2/live');
    expect(tracks).toEqual([
      {
        mediaType: 'video', encodingName: 'H264', clockRateHz: 90000, channels: null, payloadType: 96,
        fmtp: { 'packetization-mode': '1', 'profile-level-id': '42e01f', 'sprop-parameter-sets': 'Z0LAH9oBQBbsBEAAAAMAQAAADwPGDKg=,aM48gA==' },
        controlUrl: 'rtsp://10.0.0.2/live/trackID=1',
      },
      // A static payload type with no rtpmap (RFC 3551).
      { mediaType: 'audio', encodingName: 'PCMU', clockRateHz: 8000, channels: 1, payloadType: 0, fmtp: {}, controlUrl: 'rtsp://10.0.0.2/live/trackID=2' },
      {
        mediaType: 'audio', encodingName: 'MPEG4-GENERIC', clockRateHz: 16000, channels: 2, payloadType: 97,
        fmtp: { streamtype: '5', mode: 'AAC-hbr', config: '1410', sizelength: '13' }, controlUrl: 'rtsp://10.0.0.2/live',
      },
      { mediaType: 'application', encodingName: 'VND.ONVIF.METADATA', clockRateHz: 90000, channels: null, payloadType: 107, fmtp: {}, controlUrl: 'rtsp://10.0.0.2/live' },
    ]);
    expect(aggregateControlUrl(camera, 'rtsp://10.0.0.2/live/')).toBe('rtsp://10.0.0.2/live/');
  });

  it('says so when nothing in the SDP can be used', () => {
    expect(() => tracksFromSdp('v=0\r\ns=x\r\n', 'rtsp://h/')).toThrow(RtspProtocolError);
    expect(() => tracksFromSdp('<html>not sdp</html>', 'rtsp://h/')).toThrow(/no usable m= line/);
  });
});

describe('tracksFromSdp on random and mutated SDP (fast-check)', () => {
  /** What a camera's SDP is made of, shuffled, dropped, duplicated and garbled below. */
  const lines = camera.split('\r\n').filter((line) => line !== '');
  const line = fc.oneof(
    fc.constantFrom(...lines),
    fc.string(),
    fc.constantFrom(...lines).chain((known) => fc.nat(known.length).map((cut) => known.slice(0, cut))),
    fc.tuple(fc.constantFrom('m=', 'a=rtpmap:', 'a=fmtp:', 'a=control:', 'c='), fc.string()).map(([tag, rest]) => tag + rest),
  );

  it('returns well-formed tracks or throws RtspProtocolError, never anything else', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.constantFrom('\r\n', '\n'), (parts, eol) => {
        let tracks;
        try {
          tracks = tracksFromSdp(parts.join(eol), 'rtsp://10.0.0.2/live');
        } catch (error) {
          expect(error).toBeInstanceOf(RtspProtocolError);
          return;
        }
        expect(tracks.length).toBeGreaterThan(0);
        for (const track of tracks) {
          expect(Number.isInteger(track.payloadType) && track.payloadType >= 0 && track.payloadType <= 127).toBe(true);
          expect(track.clockRateHz).toBeGreaterThan(0);
          expect(track.controlUrl.startsWith('rtsp://')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
