import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isRtpPacketProblem, parseRtpPacket, serializeRtpPacket, type RtpPacketFields } from './packet.ts';

/** One table drives the round trip and seeds the mutation property. */
const cases: { name: string; fields: RtpPacketFields }[] = [
  { name: 'plain', fields: { payloadType: 96, sequenceNumber: 1, timestamp: 90000, ssrc: 0x11223344, marker: false, payload: Uint8Array.of(1, 2, 3) } },
  { name: 'marker, max values', fields: { payloadType: 127, sequenceNumber: 0xffff, timestamp: 0xffffffff, ssrc: 0xffffffff, marker: true, payload: new Uint8Array(0) } },
  {
    name: 'CSRCs, extension and padding',
    fields: {
      payloadType: 97, sequenceNumber: 4660, timestamp: 1234, ssrc: 7, marker: true, payload: Uint8Array.of(9, 8, 7, 6, 5),
      csrcs: [1, 2, 0xdeadbeef], extension: { profile: 0xbede, data: Uint8Array.of(0x10, 0xaa, 0, 0) }, paddingBytes: 3,
    },
  },
];

describe('parseRtpPacket (RFC 3550 section 5.1)', () => {
  it.each(cases)('reads back what serializeRtpPacket wrote: $name', ({ fields }) => {
    const bytes = serializeRtpPacket(fields);
    const copy = bytes.slice();
    const parsed = parseRtpPacket(bytes);
    expect(isRtpPacketProblem(parsed)).toBe(false);
    if (isRtpPacketProblem(parsed)) return;
    expect(parsed).toMatchObject({
      payloadType: fields.payloadType, sequenceNumber: fields.sequenceNumber, timestamp: fields.timestamp,
      ssrc: fields.ssrc, marker: fields.marker, csrcs: fields.csrcs ?? [], paddingBytes: fields.paddingBytes ?? 0,
    });
    expect(Array.from(parsed.payload)).toEqual(Array.from(fields.payload));
    expect(parsed.extension?.profile ?? null).toBe(fields.extension?.profile ?? null);
    expect(bytes).toEqual(copy); // the input is not changed
  });

  it('names what is wrong with bytes that are not RTP', () => {
    const good = serializeRtpPacket(cases[2]!.fields);
    expect(parseRtpPacket(good.subarray(0, 11))).toMatchObject({ problem: 'too-short' });
    const v1 = good.slice();
    v1[0] = (v1[0]! & 0x3f) | 0x40;
    expect(parseRtpPacket(v1)).toMatchObject({ problem: 'bad-version' });
    expect(parseRtpPacket(good.subarray(0, 20))).toMatchObject({ problem: 'bad-csrc' });
    expect(parseRtpPacket(good.subarray(0, 26))).toMatchObject({ problem: 'bad-extension' });
    const zeroPad = good.slice();
    zeroPad[zeroPad.length - 1] = 0;
    expect(parseRtpPacket(zeroPad)).toMatchObject({ problem: 'bad-padding' });
    const hugePad = good.slice();
    hugePad[hugePad.length - 1] = 200;
    expect(parseRtpPacket(hugePad)).toMatchObject({ problem: 'bad-padding' });
  });

  it('never throws on random or mutated bytes, and a packet it returns fits inside them', () => {
    const seeds = cases.map((c) => serializeRtpPacket(c.fields));
    const mutated = fc
      .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat())
      .map(([seed, edits, cut]) => {
        const bytes = seed.slice(0, Math.max(0, seed.length - (cut % 4)));
        for (const [at, value] of edits) if (bytes.length > 0) bytes[at % bytes.length] = value;
        return bytes;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), mutated), (bytes) => {
        const result = parseRtpPacket(bytes);
        if (isRtpPacketProblem(result)) return;
        expect(result.payload.length + 12 + result.csrcs.length * 4 + result.paddingBytes).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips any packet fast-check makes', () => {
    const fields = fc.record({
      payloadType: fc.integer({ min: 0, max: 127 }),
      sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
      timestamp: fc.nat({ max: 0xffffffff }),
      ssrc: fc.nat({ max: 0xffffffff }),
      marker: fc.boolean(),
      payload: fc.uint8Array({ maxLength: 40 }),
      csrcs: fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 15 }),
      paddingBytes: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(fields, (f) => {
        const parsed = parseRtpPacket(serializeRtpPacket(f));
        expect(isRtpPacketProblem(parsed)).toBe(false);
        if (isRtpPacketProblem(parsed)) return;
        expect(parsed.sequenceNumber).toBe(f.sequenceNumber);
        expect(parsed.timestamp).toBe(f.timestamp);
        expect(parsed.csrcs).toEqual(f.csrcs);
        expect(Array.from(parsed.payload)).toEqual(Array.from(f.payload));
      }),
      { numRuns: 500 },
    );
  });
});
