import { CaptureError } from './errors.ts';
import type { VariantStream } from './playlist.ts';

/**
 * Which variant stream of a master playlist (RFC 8216 section 4.3.4.2) to record:
 * - `highest`: the highest BANDWIDTH (the default);
 * - `lowest`: the lowest BANDWIDTH;
 * - `max-bandwidth`: the highest BANDWIDTH at or under `maxBandwidthBps` (bits per second), or
 *   the lowest of all when every variant is above it;
 * - `resolution`: the variant `height` pixels high (the highest BANDWIDTH of those), else the
 *   tallest below it, else the shortest; variants without RESOLUTION are taken last;
 * - `uri`: exactly the variant whose absolute URI is `uri` (chosen from the list shown).
 */
export type VariantChoice =
  | { kind: 'highest' }
  | { kind: 'lowest' }
  | { kind: 'max-bandwidth'; maxBandwidthBps: number }
  | { kind: 'resolution'; height: number }
  | { kind: 'uri'; uri: string };

/** BANDWIDTH order, the first listed first on a tie. */
function byBandwidth(variants: readonly VariantStream[]): VariantStream[] {
  return variants
    .map((variant, index) => ({ variant, index }))
    .sort((a, b) => a.variant.bandwidthBps - b.variant.bandwidthBps || b.index - a.index)
    .map(({ variant }) => variant);
}

/**
 * The variant `choice` picks from `variants`.
 * @throws RangeError for an empty list, or a cap or height that is not a positive number;
 *   CaptureError `bad-request` when a `uri` choice names no listed variant.
 */
export function chooseVariant(variants: readonly VariantStream[], choice: VariantChoice): VariantStream {
  if (variants.length === 0) throw new RangeError('No variant to choose from.');
  // Ascending bandwidth; on equal bandwidth the first listed comes last, so `.at(-1)` prefers it.
  const ascending = byBandwidth(variants);
  const highest = ascending.at(-1)!;
  switch (choice.kind) {
    case 'highest':
      return highest;
    case 'lowest':
      return variants.reduce((best, variant) => (variant.bandwidthBps < best.bandwidthBps ? variant : best));
    case 'max-bandwidth': {
      if (!(choice.maxBandwidthBps > 0)) throw new RangeError(`A bandwidth cap must be above 0 bit/s, not ${choice.maxBandwidthBps}.`);
      const under = ascending.filter((variant) => variant.bandwidthBps <= choice.maxBandwidthBps);
      return under.at(-1) ?? chooseVariant(variants, { kind: 'lowest' });
    }
    case 'resolution': {
      if (!(choice.height > 0)) throw new RangeError(`A resolution must be above 0 pixels high, not ${choice.height}.`);
      const sized = ascending.filter((variant) => variant.resolution);
      const heightOf = (variant: VariantStream) => variant.resolution!.height;
      const exact = sized.filter((variant) => heightOf(variant) === choice.height);
      if (exact.length) return exact.at(-1)!;
      const below = sized.filter((variant) => heightOf(variant) < choice.height);
      if (below.length) {
        const tallest = Math.max(...below.map(heightOf));
        return below.filter((variant) => heightOf(variant) === tallest).at(-1)!;
      }
      if (sized.length) {
        const shortest = Math.min(...sized.map(heightOf));
        return sized.filter((variant) => heightOf(variant) === shortest).at(-1)!;
      }
      return highest;
    }
    case 'uri': {
      const found = variants.find((variant) => variant.uri === choice.uri);
      if (!found) throw new CaptureError('bad-request', `The master playlist no longer lists the variant ${choice.uri}.`, false);
      return found;
    }
  }
}

/**
 * A variant in words for the source form, e.g. `1280×720 · 2.5 Mb/s · avc1.64001f, mp4a.40.2`.
 */
export function describeVariant(variant: VariantStream): string {
  const parts: string[] = [];
  if (variant.resolution) parts.push(`${variant.resolution.width}×${variant.resolution.height}`);
  const mbps = variant.bandwidthBps / 1_000_000;
  parts.push(mbps >= 1 ? `${mbps.toFixed(1)} Mb/s` : `${Math.round(variant.bandwidthBps / 1000)} kb/s`);
  if (variant.codecs.length) parts.push(variant.codecs.join(', '));
  return parts.join(' · ');
}
