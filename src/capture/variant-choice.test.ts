import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VariantStream } from './playlist.ts';
import { chooseVariant, describeVariant } from './variant-choice.ts';

function variant(bandwidthBps: number, height: number | null, name = `v${bandwidthBps}`): VariantStream {
  return { uri: `https://example.com/${name}.m3u8`, bandwidthBps, codecs: ['avc1.64001f', 'mp4a.40.2'], resolution: height ? { width: Math.round((height * 16) / 9), height } : null };
}

const ladder = [variant(2_500_000, 720), variant(800_000, 360), variant(5_000_000, 1080), variant(1_400_000, 540)];

const arbVariants = fc.array(
  fc.record({ bandwidthBps: fc.integer({ min: 1, max: 50_000_000 }), height: fc.option(fc.integer({ min: 90, max: 2160 }), { nil: null }) }),
  { minLength: 1, maxLength: 12 },
).map((list) => list.map((v, i) => variant(v.bandwidthBps, v.height, `v${i}`)));

describe('chooseVariant', () => {
  it('takes the highest, the lowest, the best under a cap, a resolution, or a listed URI', () => {
    expect(chooseVariant(ladder, { kind: 'highest' }).bandwidthBps).toBe(5_000_000);
    expect(chooseVariant(ladder, { kind: 'lowest' }).bandwidthBps).toBe(800_000);
    expect(chooseVariant(ladder, { kind: 'max-bandwidth', maxBandwidthBps: 2_000_000 }).bandwidthBps).toBe(1_400_000);
    expect(chooseVariant(ladder, { kind: 'max-bandwidth', maxBandwidthBps: 2_500_000 }).bandwidthBps).toBe(2_500_000);
    expect(chooseVariant(ladder, { kind: 'max-bandwidth', maxBandwidthBps: 100_000 }).bandwidthBps).toBe(800_000);
    expect(chooseVariant(ladder, { kind: 'resolution', height: 540 }).resolution?.height).toBe(540);
    expect(chooseVariant(ladder, { kind: 'resolution', height: 600 }).resolution?.height).toBe(540);
    expect(chooseVariant(ladder, { kind: 'resolution', height: 240 }).resolution?.height).toBe(360);
    expect(chooseVariant(ladder, { kind: 'uri', uri: ladder[3]!.uri })).toBe(ladder[3]);
  });

  it('refuses an empty list, a cap of 0, and a URI the master does not list', () => {
    expect(() => chooseVariant([], { kind: 'highest' })).toThrow(RangeError);
    expect(() => chooseVariant(ladder, { kind: 'max-bandwidth', maxBandwidthBps: 0 })).toThrow(/above 0 bit\/s, not 0/);
    expect(() => chooseVariant(ladder, { kind: 'uri', uri: 'https://example.com/gone.m3u8' })).toThrow(/no longer lists the variant/);
  });

  it('on equal bandwidth takes the first listed, as hls.js and the old rule did', () => {
    const twins = [variant(1000, 360, 'a'), variant(1000, 360, 'b')];
    expect(chooseVariant(twins, { kind: 'highest' }).uri).toMatch(/a\.m3u8$/);
    expect(chooseVariant(twins, { kind: 'lowest' }).uri).toMatch(/a\.m3u8$/);
    expect(chooseVariant(twins, { kind: 'max-bandwidth', maxBandwidthBps: 5000 }).uri).toMatch(/a\.m3u8$/);
  });

  it('property: a cap is never exceeded when some variant is under it, and no variant under it has more bandwidth', () => {
    fc.assert(
      fc.property(arbVariants, fc.integer({ min: 1, max: 60_000_000 }), (variants, maxBandwidthBps) => {
        const chosen = chooseVariant(variants, { kind: 'max-bandwidth', maxBandwidthBps });
        const under = variants.filter((v) => v.bandwidthBps <= maxBandwidthBps);
        if (under.length > 0) {
          expect(chosen.bandwidthBps).toBeLessThanOrEqual(maxBandwidthBps);
          expect(chosen.bandwidthBps).toBe(Math.max(...under.map((v) => v.bandwidthBps)));
        } else {
          expect(chosen.bandwidthBps).toBe(Math.min(...variants.map((v) => v.bandwidthBps)));
        }
      }),
    );
  });

  it('property: highest and lowest bound every variant; a resolution choice is never taller than asked when a variant fits', () => {
    fc.assert(
      fc.property(arbVariants, fc.integer({ min: 90, max: 2160 }), (variants, height) => {
        for (const v of variants) {
          expect(chooseVariant(variants, { kind: 'highest' }).bandwidthBps).toBeGreaterThanOrEqual(v.bandwidthBps);
          expect(chooseVariant(variants, { kind: 'lowest' }).bandwidthBps).toBeLessThanOrEqual(v.bandwidthBps);
        }
        const chosen = chooseVariant(variants, { kind: 'resolution', height });
        if (variants.some((v) => v.resolution && v.resolution.height <= height)) expect(chosen.resolution!.height).toBeLessThanOrEqual(height);
      }),
    );
  });

  it('describes a variant in words for the source form', () => {
    expect(describeVariant(ladder[0]!)).toBe('1280×720 · 2.5 Mb/s · avc1.64001f, mp4a.40.2');
    expect(describeVariant({ ...variant(96_000, null), codecs: [] })).toBe('96 kb/s');
  });
});
