/**
 * Renders the app icons in public/icons from the cassette drawn below, with Debian's
 * Chromium: `npx tsx scripts/make-icons.ts`. Run once after changing the drawing; the PNGs
 * are committed (a few KB each). Maskable icons keep the drawing inside the central 80 %
 * circle, the safe zone of the W3C manifest spec's "maskable" purpose.
 */
import { mkdir } from 'node:fs/promises';
import { chromium } from 'playwright';
import { chromiumArgs, chromiumExecutablePath } from '../tests/helpers/chromium.ts';

const ACCENT = '#b3261e';

/** The cassette on a rounded (`any`) or full-bleed (`maskable`) square, `contentScale` of the side. */
function iconSvg(kind: 'any' | 'maskable'): string {
  const contentScale = kind === 'maskable' ? 0.62 : 1;
  const offset = (64 - 64 * contentScale) / 2;
  const background = kind === 'maskable' ? `<rect width="64" height="64" fill="${ACCENT}"/>` : `<rect width="64" height="64" rx="14" fill="${ACCENT}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">${background}
    <g transform="translate(${offset} ${offset}) scale(${contentScale})">
      <rect x="10" y="18" width="44" height="28" rx="5" fill="#fff"/>
      <circle cx="23" cy="32" r="6" fill="${ACCENT}"/><circle cx="41" cy="32" r="6" fill="${ACCENT}"/>
      <rect x="23" y="29" width="18" height="6" fill="${ACCENT}"/>
    </g></svg>`;
}

const outputs: { file: string; sizePx: number; kind: 'any' | 'maskable' }[] = [
  { file: 'icon-192.png', sizePx: 192, kind: 'any' },
  { file: 'icon-512.png', sizePx: 512, kind: 'any' },
  { file: 'maskable-192.png', sizePx: 192, kind: 'maskable' },
  { file: 'maskable-512.png', sizePx: 512, kind: 'maskable' },
  { file: 'apple-touch-icon-180.png', sizePx: 180, kind: 'maskable' },
];

const outDir = new URL('../public/icons/', import.meta.url).pathname;
await mkdir(outDir, { recursive: true });
const browser = await chromium.launch({ executablePath: chromiumExecutablePath(), args: chromiumArgs });
const page = await browser.newPage();
for (const { file, sizePx, kind } of outputs) {
  await page.setViewportSize({ width: sizePx, height: sizePx });
  await page.setContent(`<html><body style="margin:0;background:transparent">${iconSvg(kind).replace('<svg ', `<svg width="${sizePx}" height="${sizePx}" `)}</body></html>`);
  await page.screenshot({ path: `${outDir}${file}`, omitBackground: true, clip: { x: 0, y: 0, width: sizePx, height: sizePx } });
  console.log(`public/icons/${file}`);
}
await browser.close();
