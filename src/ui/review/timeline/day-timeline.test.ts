import { afterEach, describe, expect, test } from 'vitest';
import { userEvent } from 'vitest/browser';
import { buildDayTimeline, type TimedSegment } from '../../../cameras/day-index.ts';
import { dayBoundsMs } from '../../../cameras/local-day.ts';
import { axeViolations } from '../axe-check.ts';
import './day-timeline.ts';
import type { DayTimelineView } from './day-timeline.ts';

const DAY = '2026-11-21';
const { startMs: DAY_START_MS } = dayBoundsMs(DAY);
const HOUR_MS = 3_600_000;

function dated(fromMsn: number, count: number, startMs: number): TimedSegment[] {
  return Array.from({ length: count }, (_, index) => ({ msn: fromMsn + index, durationSec: 2, discontinuity: false, programDateTimeMs: startMs + index * 2000, storedAtMs: startMs + (index + 1) * 2000 }));
}

/** 06:00-09:00 recorded, 3 segments (6 s) slid out at 09:00, then recorded until 11:30:06. */
function sampleTimeline() {
  const morning = dated(0, 5400, DAY_START_MS + 6 * HOUR_MS);
  const rest = dated(5403, 4500, DAY_START_MS + 9 * HOUR_MS + 6000);
  return buildDayTimeline(DAY, [{ recording: { id: 'r1', gaps: [{ fromMsn: 5400, count: 3, durationSec: 6, reason: 'slid-out', detectedAtMs: 0 }] }, segments: [...morning, ...rest] }]);
}

async function mount(): Promise<DayTimelineView> {
  const view = document.createElement('td-day-timeline');
  view.timeline = sampleTimeline();
  const main = document.createElement('main');
  main.style.width = '800px';
  main.append(view);
  document.body.append(main);
  await view.updateComplete;
  return view;
}

afterEach(() => {
  document.body.replaceChildren();
});

describe('td-day-timeline', () => {
  test('draws spans and the gap at their share of the day, and lists them in words', async () => {
    const view = await mount();
    const track = view.shadowRoot!.querySelector<HTMLElement>('[role="slider"]')!;
    const box = track.getBoundingClientRect();
    const [first, second] = [...view.shadowRoot!.querySelectorAll<HTMLElement>('.span')].map((span) => span.getBoundingClientRect());
    // 06:00 is a quarter into the day, 09:00 three eighths.
    expect((first!.left - box.left) / box.width).toBeCloseTo(0.25, 2);
    expect((first!.right - box.left) / box.width).toBeCloseTo(0.375, 2);
    // 11:30:06 is 11.5/24 of the day.
    expect((second!.right - box.left) / box.width).toBeCloseTo(11.5 / 24, 2);
    const gap = view.shadowRoot!.querySelector<HTMLElement>('.gap')!;
    expect(gap.dataset.kind).toBe('missed-segments');
    const items = [...view.shadowRoot!.querySelectorAll('li')].map((item) => item.textContent!.trim());
    expect(items).toEqual([
      'Recorded 06:00:00–09:00:00 (3 h)',
      'Gap 09:00:00–09:00:06 (6 s): segments missed (they left the live window before they could be fetched)',
      'Recorded 09:00:06–11:30:06 (2 h 30 min)',
    ]);
    const ticks = [...view.shadowRoot!.querySelectorAll('.ticks span')].map((tick) => tick.textContent);
    expect(ticks[0]).toBe('00:00');
    expect(ticks.at(-1)).toBe('24:00');
  });

  test('a tap plays from that moment; Fit recordings zooms to them; keys move the slider and Enter plays', async () => {
    const view = await mount();
    const seeks: number[] = [];
    view.addEventListener('td-timeline-seek', (event) => seeks.push(event.detail.timeMs));
    const track = view.shadowRoot!.querySelector<HTMLElement>('[role="slider"]')!;
    const box = track.getBoundingClientRect();
    await userEvent.click(track, { position: { x: box.width * 0.3, y: box.height / 2 } });
    expect(seeks).toHaveLength(1);
    // 30 % of the day is 07:12; one pixel is 108 s.
    expect(Math.abs(seeks[0]! - (DAY_START_MS + 7.2 * HOUR_MS))).toBeLessThan(200_000);
    await userEvent.click(view.shadowRoot!.querySelector('button')!);
    await view.updateComplete;
    expect(Number(track.dataset.viewStartMs)).toBeGreaterThan(DAY_START_MS + 5 * HOUR_MS);
    track.focus();
    await userEvent.keyboard('{Home}{ArrowRight}{Enter}');
    expect(seeks).toHaveLength(2);
    const view0 = Number(track.dataset.viewStartMs);
    const viewLength = Number(track.dataset.viewEndMs) - view0;
    expect(seeks[1]).toBe(view0 + Math.round(viewLength / 100));
    expect(track.getAttribute('aria-valuetext')).toMatch(/^\d\d:\d\d:\d\d, (recorded|no recording)$/);
  });

  test('with Select range pressed, a drag selects a range instead of playing', async () => {
    const view = await mount();
    const ranges: { startMs: number; endMs: number }[] = [];
    const seeks: number[] = [];
    view.addEventListener('td-range-selected', (event) => ranges.push(event.detail));
    view.addEventListener('td-timeline-seek', (event) => seeks.push(event.detail.timeMs));
    const [, selectRange] = view.shadowRoot!.querySelectorAll('button');
    await userEvent.click(selectRange!);
    const track = view.shadowRoot!.querySelector<HTMLElement>('[role="slider"]')!;
    const box = track.getBoundingClientRect();
    const at = (fraction: number) => ({ clientX: box.left + box.width * fraction, clientY: box.top + 10, pointerId: 1, bubbles: true });
    track.dispatchEvent(new PointerEvent('pointerdown', at(0.5)));
    track.dispatchEvent(new PointerEvent('pointermove', at(0.4)));
    track.dispatchEvent(new PointerEvent('pointerup', at(0.4)));
    expect(seeks).toEqual([]);
    expect(ranges).toHaveLength(1);
    expect(ranges[0]!.startMs).toBeLessThan(ranges[0]!.endMs);
    expect((ranges[0]!.endMs - ranges[0]!.startMs) / HOUR_MS).toBeCloseTo(2.4, 1);
  });

  test('passes axe-core', async () => {
    const view = await mount();
    view.positionMs = DAY_START_MS + 7 * HOUR_MS;
    await view.updateComplete;
    expect(await axeViolations(view)).toEqual([]);
  });
});
