import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { RtpPacket } from '../../rtsp/types.ts';
import { AacDepacketizer } from './depacketizer.ts';
import { AudioSpecificConfigError, parseAudioSpecificConfigHex } from './audio-specific-config.ts';
import { aacCases } from './cases.ts';
import { packetizeAacHbr } from './packetize.ts';

const HBR = { mode: 'AAC-hbr', sizelength: '13', indexlength: '3', indexdeltalength: '3' };

function depacketize(packets: RtpPacket[], depacketizer = new AacDepacketizer(HBR)) {
  const before = packets.map((p) => p.payload.slice());
  const frames = packets.flatMap((p) => depacketizer.push(p));
  packets.forEach((p, i) => expect(p.payload).toEqual(before[i]));
  return { frames, depacketizer };
}

describe('AacDepacketizer', () => {
  for (const testCase of aacCases) {
    it(testCase.name, () => {
      const { frames, depacketizer } = depacketize(testCase.packets, new AacDepacketizer(testCase.fmtp));
      expect(frames.map((f) => ({ data: [...f.data], rtpTimestamp: f.rtpTimestamp }))).toEqual(testCase.frames);
      expect(depacketizer.stats).toEqual({ accessUnits: testCase.frames.length, droppedUnits: testCase.droppedUnits, malformedPackets: testCase.malformedPackets });
    });
  }

  it('round-trips any frames packetized several per packet or fragmented, at any MTU', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 1500 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 5, max: 1500 }), fc.integer({ min: 0, max: 0xffffffff }), (frames, maxPayloadBytes, firstRtpTimestamp) => {
        const packets = packetizeAacHbr(frames, { maxPayloadBytes, firstRtpTimestamp, firstSequenceNumber: 65000 });
        expect(packets.every((p) => p.payload.length <= maxPayloadBytes)).toBe(true);
        const { frames: out, depacketizer } = depacketize(packets);
        expect(out.map((f) => f.data)).toEqual(frames);
        expect(out.map((f) => f.rtpTimestamp)).toEqual(frames.map((_, i) => (firstRtpTimestamp + 1024 * i) >>> 0));
        expect(depacketizer.stats.droppedUnits + depacketizer.stats.malformedPackets).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('drops and counts a fragmented frame when one of its fragments is lost', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 300, maxLength: 3000 }), fc.integer({ min: 20, max: 200 }), fc.nat(), (big, maxPayloadBytes, pick) => {
        const small = Uint8Array.of(1, 2, 3);
        const packets = packetizeAacHbr([small, big, small], { maxPayloadBytes: Math.max(maxPayloadBytes, 7) });
        const fragments = packets.length - 2;
        const lost = 1 + (pick % fragments);
        const { frames, depacketizer } = depacketize(packets.filter((_, i) => i !== lost));
        expect(frames.map((f) => f.data)).toEqual([small, small]);
        expect(depacketizer.stats.droppedUnits).toBe(1);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws, never hangs and never modifies random or mutated packets', () => {
    const seeds = aacCases.flatMap((c) => c.packets);
    const packet = fc.oneof(
      fc.record({ payloadType: fc.constant(97), sequenceNumber: fc.integer({ min: 0, max: 0xffff }), timestamp: fc.integer({ min: 0, max: 0xffffffff }), ssrc: fc.constant(1), marker: fc.boolean(), payload: fc.uint8Array({ maxLength: 64 }) }),
      fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([seed, at, value]) => {
        const payload = seed.payload.slice();
        if (payload.length > 0) payload[at % payload.length] = value;
        return { ...seed, payload };
      }),
    );
    const layouts = fc.record({ sizelength: fc.constantFrom('0', '6', '13', '16'), indexlength: fc.constantFrom('0', '3'), indexdeltalength: fc.constantFrom('0', '3'), ctsdeltalength: fc.constantFrom('0', '2'), randomaccessindication: fc.constantFrom('0', '1'), auxiliarydatasizelength: fc.constantFrom('0', '8') });
    fc.assert(fc.property(fc.array(packet, { maxLength: 40 }), layouts, (packets, fmtp) => void depacketize(packets, new AacDepacketizer(fmtp))), { numRuns: 500 });
  });
});

describe('parseAudioSpecificConfigHex', () => {
  it('reads AAC LC 48 kHz stereo, 44.1 kHz mono and 22.05 kHz with 960-sample frames', () => {
    expect(parseAudioSpecificConfigHex('1190')).toMatchObject({ audioObjectType: 2, sampleRateHz: 48000, channels: 2, samplesPerFrame: 1024 });
    expect(parseAudioSpecificConfigHex('1208')).toMatchObject({ audioObjectType: 2, sampleRateHz: 44100, channels: 1 });
    expect(parseAudioSpecificConfigHex('1394')).toMatchObject({ sampleRateHz: 22050, channels: 2, samplesPerFrame: 960 });
  });

  it('refuses text that is not an AudioSpecificConfig, naming it', () => {
    expect(() => parseAudioSpecificConfigHex('zz')).toThrow(new AudioSpecificConfigError('AAC config "zz" is not an AudioSpecificConfig in hexadecimal'));
    expect(() => parseAudioSpecificConfigHex('17')).toThrow(AudioSpecificConfigError);
    expect(() => parseAudioSpecificConfigHex('16a0')).toThrow(/reserved sampling frequency index 13/);
  });
});
