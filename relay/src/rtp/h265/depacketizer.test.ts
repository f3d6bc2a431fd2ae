import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { RtpPacket } from '../../rtsp/types.ts';
import { H265Depacketizer } from './depacketizer.ts';
import { h265Cases } from './cases.ts';
import { packetizeH265 } from './packetize.ts';

function depacketize(packets: RtpPacket[], depacketizer = new H265Depacketizer()) {
  const before = packets.map((p) => p.payload.slice());
  const accessUnits = packets.flatMap((p) => depacketizer.push(p));
  packets.forEach((p, i) => expect(p.payload).toEqual(before[i]));
  return { accessUnits, depacketizer };
}

/** An H.265 NAL unit: F = 0, type 0..40, layer 0, TID 1, then 1..3000 bytes. */
const nalUnit = fc
  .tuple(fc.integer({ min: 0, max: 40 }), fc.uint8Array({ minLength: 1, maxLength: 3000 }))
  .map(([type, body]) => Uint8Array.of(type << 1, 0x01, ...body));

describe('H265Depacketizer', () => {
  for (const testCase of h265Cases) {
    it(testCase.name, () => {
      const { accessUnits: out, depacketizer } = depacketize(testCase.packets);
      expect(out.map((au) => ({ nalUnits: au.nalUnits.map((n) => [...n]), rtpTimestamp: au.rtpTimestamp, keyframe: au.keyframe }))).toEqual(testCase.accessUnits);
      expect(depacketizer.stats).toEqual({ accessUnits: testCase.accessUnits.length, droppedUnits: testCase.droppedUnits, malformedPackets: testCase.malformedPackets });
    });
  }

  it('takes VPS, SPS and PPS from sprop-vps/sps/pps', () => {
    const depacketizer = new H265Depacketizer({ 'sprop-vps': 'QAEMAQ==', 'sprop-sps': 'QgEBAQ==', 'sprop-pps': 'RAHBcg==' });
    expect([...depacketizer.parameterSets.vps!]).toEqual([0x40, 0x01, 0x0c, 0x01]);
    expect([...depacketizer.parameterSets.sps!]).toEqual([0x42, 0x01, 0x01, 0x01]);
    expect([...depacketizer.parameterSets.pps!]).toEqual([0x44, 0x01, 0xc1, 0x72]);
  });

  it('skips DONL and DOND when sprop-max-don-diff is above 0', () => {
    const depacketizer = new H265Depacketizer({ 'sprop-max-don-diff': '2' });
    const ap = Uint8Array.of(0x60, 0x01, 0, 0, 0, 3, 0x02, 0x01, 7, 1, 0, 3, 0x02, 0x01, 8);
    const fuStart = Uint8Array.of(0x62, 0x01, 0x81, 0, 1, 9);
    const fuEnd = Uint8Array.of(0x62, 0x01, 0x41, 10);
    const out = [ap, fuStart, fuEnd].flatMap((payload, i) => depacketizer.push({ payloadType: 96, sequenceNumber: i, timestamp: 1, ssrc: 1, marker: i === 2, payload }));
    expect(out[0]!.nalUnits.map((n) => [...n])).toEqual([[0x02, 0x01, 7], [0x02, 0x01, 8], [0x02, 0x01, 9, 10]]);
  });

  it('round-trips any access units packetized with APs and FUs at any MTU', () => {
    fc.assert(
      fc.property(fc.array(fc.array(nalUnit, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 4, max: 1500 }), fc.boolean(), (units, maxPayloadBytes, aggregate) => {
        const sent = units.map((nalUnits, i) => ({ nalUnits, rtpTimestamp: i * 3000 }));
        const packets = packetizeH265(sent, { maxPayloadBytes, aggregate, firstSequenceNumber: 65530 });
        expect(packets.every((p) => p.payload.length <= maxPayloadBytes)).toBe(true);
        const { accessUnits: out, depacketizer } = depacketize(packets);
        expect(out.map((au) => au.nalUnits)).toEqual(sent.map((au) => au.nalUnits));
        expect(out.map((au) => au.keyframe)).toEqual(sent.map((au) => au.nalUnits.some((n) => (n[0]! >> 1) >= 16 && (n[0]! >> 1) <= 23)));
        expect(depacketizer.stats.droppedUnits + depacketizer.stats.malformedPackets).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('drops and counts a NAL unit when any one of its fragments is lost, keeping the rest', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 200, maxLength: 3000 }), fc.integer({ min: 20, max: 150 }), fc.nat(), (body, maxPayloadBytes, pick) => {
        const big = Uint8Array.of(0x26, 0x01, ...body);
        const small = Uint8Array.of(0x02, 0x01, 5);
        const packets = packetizeH265([{ nalUnits: [small], rtpTimestamp: 0 }, { nalUnits: [big], rtpTimestamp: 3000 }, { nalUnits: [small], rtpTimestamp: 6000 }], { maxPayloadBytes });
        const lost = 1 + (pick % (packets.length - 2));
        const { accessUnits: out, depacketizer } = depacketize(packets.filter((_, i) => i !== lost));
        expect(out.flatMap((au) => au.nalUnits)).toEqual([small, small]);
        expect(depacketizer.stats.droppedUnits).toBe(1);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws, never hangs and never modifies random or mutated packets', () => {
    const seeds = h265Cases.flatMap((c) => c.packets);
    const packet = fc.oneof(
      fc.record({ payloadType: fc.constant(96), sequenceNumber: fc.integer({ min: 0, max: 0xffff }), timestamp: fc.integer({ min: 0, max: 0xffffffff }), ssrc: fc.constant(1), marker: fc.boolean(), payload: fc.uint8Array({ maxLength: 64 }) }),
      fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([seed, at, value]) => {
        const payload = seed.payload.slice();
        if (payload.length > 0) payload[at % payload.length] = value;
        return { ...seed, payload };
      }),
    );
    fc.assert(fc.property(fc.array(packet, { maxLength: 40 }), (packets) => void depacketize(packets)), { numRuns: 500 });
    fc.assert(fc.property(fc.array(packet, { maxLength: 40 }), (packets) => void depacketize(packets, new H265Depacketizer({ 'sprop-max-don-diff': '1' }))), { numRuns: 200 });
  });
});
