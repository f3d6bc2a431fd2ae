import { describe, expect, it } from 'vitest';
import { parsePublicHeader, parseSessionHeader, parseTransportReply, transportRequestHeader } from './headers.ts';

describe('RTSP headers (RFC 2326 sections 12.28, 12.37, 12.39)', () => {
  it('writes Transport for TCP interleaved and UDP', () => {
    expect(transportRequestHeader({ kind: 'tcp', rtpChannel: 2 })).toBe('RTP/AVP/TCP;unicast;interleaved=2-3');
    expect(transportRequestHeader({ kind: 'udp', rtpPort: 5000 })).toBe('RTP/AVP;unicast;client_port=5000-5001');
  });

  it('reads the Transport answer', () => {
    expect(parseTransportReply('RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=DEADBEEF;mode="PLAY"')).toEqual({ interleaved: [0, 1], serverPorts: null, source: null, ssrc: 0xdeadbeef, tcp: true });
    expect(parseTransportReply('RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971;source=10.0.0.2')).toMatchObject({ serverPorts: [6970, 6971], source: '10.0.0.2', tcp: false });
    expect(parseTransportReply('RTP/AVP;unicast;server_port=70000-70001;interleaved=x')).toMatchObject({ serverPorts: null, interleaved: null });
  });

  it('reads the Session id and timeout (default 60 s) and Public', () => {
    expect(parseSessionHeader('12345678;timeout=5')).toEqual({ id: '12345678', timeoutSec: 5 });
    expect(parseSessionHeader('abc')).toEqual({ id: 'abc', timeoutSec: 60 });
    expect(parseSessionHeader(' ;timeout=5')).toBeNull();
    expect([...parsePublicHeader('OPTIONS, describe,GET_PARAMETER')]).toEqual(['OPTIONS', 'DESCRIBE', 'GET_PARAMETER']);
  });
});
