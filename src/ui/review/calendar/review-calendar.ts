import { LitElement, css, html } from 'lit';
import { addDays, dayKeyOf, parseDayKey } from '../../../cameras/local-day.ts';
import { sharedStyles } from '../../shared/styles.ts';

/** Monday first, as in ISO 8601 weeks. */
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** Day of the week of a day key, 0 = Monday. */
function weekdayIndex(dayKey: string): number {
  const { year, month, day } = parseDayKey(dayKey);
  return (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
}

/** `YYYY-MM-01` of the month holding `dayKey`. */
function firstOfMonth(dayKey: string): string {
  return `${dayKey.slice(0, 7)}-01`;
}

/** Number of days in the month holding `dayKey`. */
function daysInMonth(dayKey: string): number {
  const { year, month } = parseDayKey(dayKey);
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `November 2026`. */
function monthTitle(dayKey: string): string {
  const { year, month } = parseDayKey(dayKey);
  return new Date(Date.UTC(year, month - 1, 1)).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** `Saturday, 21 November 2026`. */
function dayLabel(dayKey: string): string {
  const { year, month, day } = parseDayKey(dayKey);
  return new Date(Date.UTC(year, month - 1, day)).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** The same day of the month `months` months on, clamped to that month's length. */
function addMonths(dayKey: string, months: number): string {
  const { year, month, day } = parseDayKey(dayKey);
  const first = new Date(Date.UTC(year, month - 1 + months, 1)).toISOString().slice(0, 10);
  return `${first.slice(0, 8)}${String(Math.min(day, daysInMonth(first))).padStart(2, '0')}`;
}

/**
 * `<td-review-calendar>`: a month of days as a grid (WAI-ARIA grid pattern), days with
 * recordings marked (`data-has-recordings`, and "recordings" in their accessible name), today
 * marked `aria-current="date"`, the chosen day `aria-selected`. Arrow keys move by a day or a
 * week, Home/End to the week's ends, Page Up/Down by a month; Enter or Space (or a tap) chooses
 * the day and fires `td-day-selected` with `{ dayKey }`.
 */
export class ReviewCalendar extends LitElement {
  static override properties = {
    daysWithRecordings: { attribute: false },
    selectedDayKey: { attribute: false },
    todayKey: { attribute: false },
    focusDayKey: { state: true },
  };

  /** Local days (`YYYY-MM-DD`) that have recordings. */
  declare daysWithRecordings: ReadonlySet<string>;
  /** The chosen day, or null. */
  declare selectedDayKey: string | null;
  /** Today, `YYYY-MM-DD`, local. */
  declare todayKey: string;
  /** The day that has the keyboard focus; its month is the month shown. */
  declare focusDayKey: string;
  private moveFocus = false;

  constructor() {
    super();
    this.daysWithRecordings = new Set();
    this.selectedDayKey = null;
    this.todayKey = dayKeyOf(Date.now());
    this.focusDayKey = this.todayKey;
  }

  static override styles = [
    sharedStyles,
    css`
      .month {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem;
        margin-bottom: 0.5rem;
      }
      h3 {
        margin: 0;
        font-size: 1rem;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        max-width: 28rem;
        table-layout: fixed;
      }
      th {
        font-size: 0.8rem;
        font-weight: 600;
        padding: 0.25rem 0;
      }
      td {
        padding: 1px;
        text-align: center;
      }
      td button {
        width: 100%;
        padding: 0;
        /* Seven across fit a 360 px phone (about 42 px each there), 44 px tall. */
        min-width: 0;
        border-color: transparent;
        background: transparent;
        font-variant-numeric: tabular-nums;
      }
      td button.recorded {
        background: #d7ecd9;
        border-color: #1e6b2c;
        font-weight: 700;
      }
      td button[aria-current='date'] {
        text-decoration: underline;
        text-underline-offset: 3px;
      }
      td[aria-selected='true'] button {
        outline: 2px solid var(--td-accent, #b3261e);
      }
    `,
  ];

  /** Shows the month of `dayKey` with that day focusable (not focused). */
  showDay(dayKey: string): void {
    this.focusDayKey = dayKey;
  }

  override render() {
    const first = firstOfMonth(this.focusDayKey);
    const lead = weekdayIndex(first);
    const count = daysInMonth(first);
    const cells: (string | null)[] = [...Array<null>(lead).fill(null), ...Array.from({ length: count }, (_, index) => addDays(first, index))];
    while (cells.length % 7 !== 0) cells.push(null);
    const weeks = Array.from({ length: cells.length / 7 }, (_, week) => cells.slice(week * 7, week * 7 + 7));
    const title = monthTitle(first);
    return html`<div class="month">
        <button type="button" aria-label="Previous month" @click=${() => (this.focusDayKey = addMonths(this.focusDayKey, -1))}>‹</button>
        <h3 id="month-title" aria-live="polite">${title}</h3>
        <button type="button" aria-label="Next month" @click=${() => (this.focusDayKey = addMonths(this.focusDayKey, 1))}>›</button>
      </div>
      <table role="grid" aria-labelledby="month-title" @keydown=${this.onKeyDown}>
        <thead>
          <tr>
            ${WEEKDAYS.map((name) => html`<th scope="col" abbr=${name}>${name.slice(0, 2)}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${weeks.map(
            (week) => html`<tr>
              ${week.map((dayKey) => (dayKey ? this.renderDay(dayKey) : html`<td></td>`))}
            </tr>`,
          )}
        </tbody>
      </table>`;
  }

  private renderDay(dayKey: string) {
    const recorded = this.daysWithRecordings.has(dayKey);
    const label = `${dayLabel(dayKey)}${dayKey === this.todayKey ? ', today' : ''}${recorded ? ', recordings' : ', no recordings'}`;
    return html`<td aria-selected=${dayKey === this.selectedDayKey ? 'true' : 'false'}>
      <button
        type="button"
        class=${recorded ? 'recorded' : ''}
        data-day-key=${dayKey}
        ?data-has-recordings=${recorded}
        tabindex=${dayKey === this.focusDayKey ? 0 : -1}
        aria-current=${dayKey === this.todayKey ? 'date' : 'false'}
        aria-label=${label}
        @click=${() => this.choose(dayKey)}
      >
        ${Number(dayKey.slice(8))}
      </button>
    </td>`;
  }

  private choose(dayKey: string): void {
    this.focusDayKey = dayKey;
    this.dispatchEvent(new CustomEvent('td-day-selected', { detail: { dayKey }, bubbles: true, composed: true }));
  }

  private onKeyDown = (event: KeyboardEvent) => {
    const key = this.focusDayKey;
    const weekday = weekdayIndex(key);
    const moves: Record<string, () => string> = {
      ArrowLeft: () => addDays(key, -1),
      ArrowRight: () => addDays(key, 1),
      ArrowUp: () => addDays(key, -7),
      ArrowDown: () => addDays(key, 7),
      Home: () => addDays(key, -weekday),
      End: () => addDays(key, 6 - weekday),
      PageUp: () => addMonths(key, -1),
      PageDown: () => addMonths(key, 1),
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    this.focusDayKey = move();
    this.moveFocus = true;
  };

  override updated(): void {
    if (!this.moveFocus) return;
    this.moveFocus = false;
    this.renderRoot.querySelector<HTMLButtonElement>(`button[data-day-key="${this.focusDayKey}"]`)?.focus();
  }
}

customElements.define('td-review-calendar', ReviewCalendar);

declare global {
  interface HTMLElementTagNameMap {
    'td-review-calendar': ReviewCalendar;
  }
  interface HTMLElementEventMap {
    'td-day-selected': CustomEvent<{ dayKey: string }>;
  }
}
