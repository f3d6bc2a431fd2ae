import { afterEach, describe, expect, test } from 'vitest';
import { userEvent } from 'vitest/browser';
import { axeViolations } from '../axe-check.ts';
import './review-calendar.ts';
import type { ReviewCalendar } from './review-calendar.ts';

async function mount(options: { days: string[]; today: string; selected?: string }): Promise<ReviewCalendar> {
  const calendar = document.createElement('td-review-calendar');
  calendar.daysWithRecordings = new Set(options.days);
  calendar.todayKey = options.today;
  calendar.showDay(options.today);
  calendar.selectedDayKey = options.selected ?? null;
  const main = document.createElement('main');
  main.append(calendar);
  document.body.append(main);
  await calendar.updateComplete;
  return calendar;
}

const day = (calendar: ReviewCalendar, dayKey: string) => calendar.shadowRoot!.querySelector<HTMLButtonElement>(`button[data-day-key="${dayKey}"]`);

afterEach(() => {
  document.body.replaceChildren();
});

describe('td-review-calendar', () => {
  test('marks the days with recordings and today, by name and attribute, in a Monday-first month grid', async () => {
    const calendar = await mount({ days: ['2026-11-03', '2026-11-21'], today: '2026-11-21' });
    expect(calendar.shadowRoot!.querySelector('h3')!.textContent).toBe('November 2026');
    const marked = [...calendar.shadowRoot!.querySelectorAll('button[data-has-recordings]')].map((button) => button.getAttribute('data-day-key'));
    expect(marked).toEqual(['2026-11-03', '2026-11-21']);
    expect(day(calendar, '2026-11-21')!.getAttribute('aria-label')).toBe('Saturday, 21 November 2026, today, recordings');
    expect(day(calendar, '2026-11-21')!.getAttribute('aria-current')).toBe('date');
    expect(day(calendar, '2026-11-04')!.getAttribute('aria-label')).toBe('Wednesday, 4 November 2026, no recordings');
    // 1 November 2026 is a Sunday: six empty cells before it.
    const firstRow = calendar.shadowRoot!.querySelector('tbody tr')!;
    expect([...firstRow.querySelectorAll('td')].map((cell) => cell.textContent!.trim())).toEqual(['', '', '', '', '', '', '1']);
  });

  test('arrow keys, Home/End and Page Up/Down move the focus, across months; Enter chooses the day', async () => {
    const calendar = await mount({ days: ['2026-12-01'], today: '2026-11-30' });
    const chosen: string[] = [];
    calendar.addEventListener('td-day-selected', (event) => chosen.push(event.detail.dayKey));
    day(calendar, '2026-11-30')!.focus();
    await userEvent.keyboard('{ArrowRight}');
    await calendar.updateComplete;
    expect(calendar.shadowRoot!.querySelector('h3')!.textContent).toBe('December 2026');
    expect(calendar.shadowRoot!.activeElement?.getAttribute('data-day-key')).toBe('2026-12-01');
    await userEvent.keyboard('{ArrowDown}{End}');
    await calendar.updateComplete;
    expect(calendar.shadowRoot!.activeElement?.getAttribute('data-day-key')).toBe('2026-12-13');
    await userEvent.keyboard('{PageUp}{Home}{ArrowLeft}{ArrowUp}');
    await calendar.updateComplete;
    expect(calendar.shadowRoot!.activeElement?.getAttribute('data-day-key')).toBe('2026-11-01');
    await userEvent.keyboard('{Enter}');
    expect(chosen).toEqual(['2026-11-01']);
    // Only one day is in the tab order.
    expect(calendar.shadowRoot!.querySelectorAll('button[data-day-key][tabindex="0"]')).toHaveLength(1);
  });

  test('passes axe-core', async () => {
    const calendar = await mount({ days: ['2026-11-21'], today: '2026-11-21', selected: '2026-11-21' });
    expect(await axeViolations(calendar)).toEqual([]);
  });
});
