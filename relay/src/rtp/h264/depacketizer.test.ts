import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { RtpPacket } from '../../rtsp/types.ts';
import { H264Depacketizer, parseSpropParameterSets } from './depacketizer.ts';
import { h264Cases } from './cases.ts';
import { packetizeH264 } from './packetize.ts';

/** Runs packets through a fresh depacketizer; checks no packet was modified. */
function depacketize(packets: RtpPacket[], depacketizer = new H264Depacketizer()) {
  const before = packets.map((p) => p.payload.slice());
  const accessUnits = packets.flatMap((p) => depacketizer.push(p));
  packets.forEach((p, i) => expect(p.payload).toEqual(before[i]));
  return { accessUnits, depacketizer };
}

/** An H.264 NAL unit: a header with F = 0 and type 1..23, then 0..3000 bytes. */
const nalUnit = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 23 }), fc.uint8Array({ minLength: 0, maxLength: 3000 }))
  .map(([nri, type, body]) => Uint8Array.of((nri << 5) | type, ...body));
const accessUnits = fc.array(fc.array(nalUnit, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 });

describe('H264Depacketizer', () => {
  for (const testCase of h264Cases) {
    it(testCase.name, () => {
      const { accessUnits: out, depacketizer } = depacketize(testCase.packets);
      expect(out.map((au) => ({ nalUnits: au.nalUnits.map((n) => [...n]), rtpTimestamp: au.rtpTimestamp, keyframe: au.keyframe }))).toEqual(testCase.accessUnits);
      expect(depacketizer.stats).toEqual({ accessUnits: testCase.accessUnits.length, droppedUnits: testCase.droppedUnits, malformedPackets: testCase.malformedPackets });
    });
  }

  it('takes SPS and PPS from sprop-parameter-sets and replaces them with in-band ones', () => {
    const depacketizer = new H264Depacketizer({ 'sprop-parameter-sets': 'Z0LAHg==,aM48gA==' });
    expect([...depacketizer.parameterSets.sps!]).toEqual([0x67, 0x42, 0xc0, 0x1e]);
    expect([...depacketizer.parameterSets.pps!]).toEqual([0x68, 0xce, 0x3c, 0x80]);
    depacketizer.push({ payloadType: 96, sequenceNumber: 1, timestamp: 0, ssrc: 1, marker: true, payload: Uint8Array.of(0x67, 0x64, 0, 0x28) });
    expect([...depacketizer.parameterSets.sps!]).toEqual([0x67, 0x64, 0, 0x28]);
    expect(parseSpropParameterSets('not base64!,,Z0LAHg==')).toHaveLength(1);
  });

  it('round-trips any access units packetized with STAP-A and FU-A at any MTU', () => {
    fc.assert(
      fc.property(accessUnits, fc.integer({ min: 3, max: 1500 }), fc.boolean(), fc.integer({ min: 0, max: 0xffff }), (units, maxPayloadBytes, aggregate, firstSequenceNumber) => {
        const sent = units.map((nalUnits, i) => ({ nalUnits, rtpTimestamp: (0xffff_f000 + i * 3000) >>> 0 }));
        const packets = packetizeH264(sent, { maxPayloadBytes, aggregate, firstSequenceNumber });
        expect(packets.every((p) => p.payload.length <= maxPayloadBytes)).toBe(true);
        const { accessUnits: out, depacketizer } = depacketize(packets);
        expect(out.map((au) => au.nalUnits)).toEqual(sent.map((au) => au.nalUnits));
        expect(out.map((au) => au.rtpTimestamp)).toEqual(sent.map((au) => au.rtpTimestamp));
        expect(out.map((au) => au.keyframe)).toEqual(sent.map((au) => au.nalUnits.some((n) => (n[0]! & 0x1f) === 5)));
        expect(depacketizer.stats.droppedUnits + depacketizer.stats.malformedPackets).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('drops and counts a NAL unit when any one of its FU-A fragments is lost, keeping the rest', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 200, maxLength: 3000 }), fc.integer({ min: 20, max: 150 }), fc.nat(), (body, maxPayloadBytes, pick) => {
        const big = Uint8Array.of(0x65, ...body);
        const small = Uint8Array.of(0x41, 1, 2);
        const packets = packetizeH264([{ nalUnits: [small], rtpTimestamp: 0 }, { nalUnits: [big], rtpTimestamp: 3000 }, { nalUnits: [small], rtpTimestamp: 6000 }], { maxPayloadBytes });
        const lost = 1 + (pick % (packets.length - 2));
        const { accessUnits: out, depacketizer } = depacketize(packets.filter((_, i) => i !== lost));
        expect(out.map((au) => au.rtpTimestamp)).toEqual([0, 6000]);
        expect(out.flatMap((au) => au.nalUnits)).toEqual([small, small]);
        expect(depacketizer.stats.droppedUnits).toBe(1);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws, never hangs and never modifies random or mutated packets', () => {
    const seeds = h264Cases.flatMap((c) => c.packets);
    const packet = fc.oneof(
      fc.record({
        payloadType: fc.constant(96),
        sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
        timestamp: fc.integer({ min: 0, max: 0xffffffff }),
        ssrc: fc.constant(1),
        marker: fc.boolean(),
        payload: fc.uint8Array({ maxLength: 64 }),
      }),
      fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([seed, at, value]) => {
        const payload = seed.payload.slice();
        if (payload.length > 0) payload[at % payload.length] = value;
        return { ...seed, payload };
      }),
    );
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 40 }), (packets) => {
        const { accessUnits: out } = depacketize(packets);
        for (const au of out) expect(au.nalUnits.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});
