import { LitElement, css, html, nothing } from 'lit';
import type { DayTimeline } from '../../../cameras/day-index.ts';
import { sharedStyles } from '../../shared/styles.ts';
import type { WallClockRange } from '../range-export.ts';
import { describeGap, formatClock, formatSpan } from '../review-format.ts';

/** Tick spacings offered, in ms: the first that gives at most {@link MAX_TICKS} ticks is used. */
const TICK_STEPS_MS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600].map((sec) => sec * 1000);
const MAX_TICKS = 8;
/** Margin around the recordings when zoomed to fit them, as a share of their extent (at least 30 s). */
const FIT_MARGIN_RATIO = 0.05;
const FIT_MARGIN_MIN_MS = 30_000;

/**
 * `<td-day-timeline>`: one local day, 00:00 to 24:00 (23 or 25 hours on DST days), with the
 * recorded spans and the gaps between them drawn at their wall-clock positions and listed in
 * words. The track is a slider: a tap, or a drag released, fires `td-timeline-seek` with
 * `{ timeMs }`; arrow keys move by 1/100 of the view, Page Up/Down by 1/10, Home/End to its
 * ends, and Enter plays from there. With **Select range** pressed, a drag fires
 * `td-range-selected` with `{ startMs, endMs }` instead. **Fit recordings** zooms to the
 * recorded part; **Whole day** zooms back. All times in ms since the Unix epoch.
 */
export class DayTimelineView extends LitElement {
  static override properties = {
    timeline: { attribute: false },
    positionMs: { attribute: false },
    range: { attribute: false },
    fitted: { state: true },
    selectingRange: { state: true },
    cursorMs: { state: true },
  };

  declare timeline: DayTimeline | null;
  /** Wall clock of the picture playing, or null. */
  declare positionMs: number | null;
  /** The range chosen for export, or null. */
  declare range: WallClockRange | null;
  /** Zoomed to the recorded part of the day. */
  declare fitted: boolean;
  /** Drags select a range rather than seek. */
  declare selectingRange: boolean;
  /** Where the slider points (keyboard, or a drag in progress); null follows the playback. */
  declare cursorMs: number | null;
  private dragAnchorMs: number | null = null;

  constructor() {
    super();
    this.timeline = null;
    this.positionMs = null;
    this.range = null;
    this.fitted = false;
    this.selectingRange = false;
    this.cursorMs = null;
  }

  static override styles = [
    sharedStyles,
    css`
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin-bottom: 0.5rem;
      }
      button[aria-pressed='true'] {
        background: #e8eefc;
        border-color: var(--td-focus, #1a73e8);
      }
      .track {
        position: relative;
        height: 56px;
        background: #eceef1;
        border: 1px solid var(--td-border, #8a8f98);
        border-radius: 6px;
        touch-action: none;
        cursor: pointer;
        overflow: hidden;
      }
      .track:focus-visible {
        outline: 3px solid var(--td-focus, #1a73e8);
        outline-offset: 2px;
      }
      .span,
      .gap,
      .range {
        position: absolute;
        top: 0;
        bottom: 0;
      }
      .span {
        background: #2e7d32;
        min-width: 2px;
      }
      .gap {
        background: repeating-linear-gradient(135deg, #b3261e 0 4px, #f6d5d2 4px 8px);
        min-width: 2px;
        top: 30%;
        bottom: 30%;
      }
      .range {
        background: rgb(26 115 232 / 0.3);
        border-left: 2px solid #1a73e8;
        border-right: 2px solid #1a73e8;
      }
      .playhead,
      .cursor {
        position: absolute;
        top: 0;
        bottom: 0;
        width: 2px;
        background: #000;
      }
      .cursor {
        background: #1a73e8;
      }
      .ticks {
        position: relative;
        height: 1.4rem;
        font-size: 0.8rem;
        font-variant-numeric: tabular-nums;
      }
      .ticks span {
        position: absolute;
        transform: translateX(-50%);
        white-space: nowrap;
      }
      .ticks span.first {
        transform: none;
      }
      .ticks span.last {
        transform: translateX(-100%);
      }
      ul {
        margin: 0.5rem 0 0;
        padding-left: 1.25rem;
        font-variant-numeric: tabular-nums;
      }
      li.gap-item {
        color: var(--td-error, #b3261e);
      }
    `,
  ];

  /** The shown stretch of time, in ms since the Unix epoch. */
  get view(): { startMs: number; endMs: number } | null {
    const timeline = this.timeline;
    if (!timeline) return null;
    if (!this.fitted || timeline.spans.length === 0) return { startMs: timeline.startMs, endMs: timeline.endMs };
    const firstMs = Math.min(...timeline.spans.map((span) => span.startMs));
    const lastMs = Math.max(...timeline.spans.map((span) => span.endMs));
    const marginMs = Math.max(FIT_MARGIN_MIN_MS, (lastMs - firstMs) * FIT_MARGIN_RATIO);
    return { startMs: Math.max(timeline.startMs, firstMs - marginMs), endMs: Math.min(timeline.endMs, lastMs + marginMs) };
  }

  override render() {
    const timeline = this.timeline;
    const view = this.view;
    if (!timeline || !view) return nothing;
    const lengthMs = view.endMs - view.startMs;
    const percent = (timeMs: number) => `${(((Math.min(Math.max(timeMs, view.startMs), view.endMs) - view.startMs) / lengthMs) * 100).toFixed(4)}%`;
    const width = (fromMs: number, toMs: number) => `${(((Math.min(toMs, view.endMs) - Math.max(fromMs, view.startMs)) / lengthMs) * 100).toFixed(4)}%`;
    const visible = <T extends { startMs: number; endMs: number }>(items: readonly T[]) => items.filter((item) => item.endMs > view.startMs && item.startMs < view.endMs);
    const sliderMs = this.sliderMs(view);
    const inSpan = timeline.spans.some((span) => span.startMs <= sliderMs && sliderMs < span.endMs);
    const dayHours = Math.round((timeline.endMs - timeline.startMs) / 3_600_000);
    return html`<div class="toolbar">
        <button type="button" aria-pressed=${this.fitted ? 'true' : 'false'} ?disabled=${timeline.spans.length === 0} @click=${() => (this.fitted = !this.fitted)}>Fit recordings</button>
        <button type="button" aria-pressed=${this.selectingRange ? 'true' : 'false'} @click=${() => (this.selectingRange = !this.selectingRange)}>Select range</button>
      </div>
      <div
        class="track"
        role="slider"
        tabindex="0"
        aria-label="Time of day"
        aria-valuemin=${Math.round((view.startMs - timeline.startMs) / 1000)}
        aria-valuemax=${Math.round((view.endMs - timeline.startMs) / 1000)}
        aria-valuenow=${Math.round((sliderMs - timeline.startMs) / 1000)}
        aria-valuetext=${`${formatClock(sliderMs)}, ${inSpan ? 'recorded' : 'no recording'}`}
        data-view-start-ms=${view.startMs}
        data-view-end-ms=${view.endMs}
        data-day-hours=${dayHours}
        @pointerdown=${this.onPointerDown}
        @pointermove=${this.onPointerMove}
        @pointerup=${this.onPointerUp}
        @pointercancel=${() => (this.dragAnchorMs = null)}
        @keydown=${this.onKeyDown}
      >
        ${visible(timeline.spans).map((span) => html`<div class="span" data-start-ms=${span.startMs} data-end-ms=${span.endMs} style="left:${percent(span.startMs)};width:${width(span.startMs, span.endMs)}"></div>`)}
        ${visible(timeline.gaps).map((gap) => html`<div class="gap" data-kind=${gap.kind} data-start-ms=${gap.startMs} data-end-ms=${gap.endMs} title=${describeGap(gap)} style="left:${percent(gap.startMs)};width:${width(gap.startMs, gap.endMs)}"></div>`)}
        ${this.range ? html`<div class="range" style="left:${percent(this.range.startMs)};width:${width(this.range.startMs, this.range.endMs)}"></div>` : nothing}
        ${this.positionMs !== null ? html`<div class="playhead" style="left:${percent(this.positionMs)}"></div>` : nothing}
        ${this.cursorMs !== null ? html`<div class="cursor" style="left:${percent(this.cursorMs)}"></div>` : nothing}
      </div>
      <div class="ticks" aria-hidden="true">${this.renderTicks(view, timeline)}</div>
      ${timeline.spans.length === 0
        ? html`<p>No recordings on this day.</p>`
        : html`<ul aria-label="Recorded spans and gaps">
            ${this.listItems(timeline)}
          </ul>`}`;
  }

  private listItems(timeline: DayTimeline) {
    const items = [
      ...timeline.spans.map((span) => ({ startMs: span.startMs, text: `Recorded ${formatClock(span.startMs)}–${formatClock(span.endMs)} (${formatSpan(span.endMs - span.startMs)})`, gap: false })),
      ...timeline.gaps.map((gap) => ({ startMs: gap.startMs, text: describeGap(gap), gap: true })),
    ].sort((a, b) => a.startMs - b.startMs || Number(a.gap) - Number(b.gap));
    return items.map((item) => html`<li class=${item.gap ? 'gap-item' : 'span-item'}>${item.text}</li>`);
  }

  private renderTicks(view: { startMs: number; endMs: number }, timeline: DayTimeline) {
    const lengthMs = view.endMs - view.startMs;
    const stepMs = TICK_STEPS_MS.find((step) => lengthMs / step <= MAX_TICKS) ?? TICK_STEPS_MS.at(-1)!;
    const seconds = stepMs < 60_000;
    const label = (timeMs: number) => (timeMs === timeline.endMs ? '24:00' : formatClock(timeMs).slice(0, seconds ? 8 : 5));
    const ticks: number[] = [];
    for (let timeMs = timeline.startMs + Math.ceil((view.startMs - timeline.startMs) / stepMs) * stepMs; timeMs <= view.endMs; timeMs += stepMs) ticks.push(timeMs);
    return ticks.map((timeMs, index) => {
      const edge = index === 0 && timeMs === view.startMs ? 'first' : index === ticks.length - 1 && timeMs === view.endMs ? 'last' : '';
      return html`<span class=${edge} style="left:${(((timeMs - view.startMs) / lengthMs) * 100).toFixed(4)}%">${label(timeMs)}</span>`;
    });
  }

  /** Where the slider points: the cursor, else the playback, else the first recording, else the view's start. */
  private sliderMs(view: { startMs: number; endMs: number }): number {
    const timeMs = this.cursorMs ?? this.positionMs ?? this.timeline?.spans[0]?.startMs ?? view.startMs;
    return Math.min(Math.max(timeMs, view.startMs), view.endMs);
  }

  private timeAtPointer(event: PointerEvent): number | null {
    const view = this.view;
    if (!view) return null;
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    const fraction = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
    return Math.round(view.startMs + fraction * (view.endMs - view.startMs));
  }

  private onPointerDown = (event: PointerEvent) => {
    const timeMs = this.timeAtPointer(event);
    if (timeMs === null) return;
    (event.currentTarget as HTMLElement).setPointerCapture?.(event.pointerId);
    this.dragAnchorMs = timeMs;
    this.cursorMs = timeMs;
  };

  private onPointerMove = (event: PointerEvent) => {
    if (this.dragAnchorMs === null) return;
    const timeMs = this.timeAtPointer(event);
    if (timeMs === null) return;
    this.cursorMs = timeMs;
    if (this.selectingRange) this.range = { startMs: Math.min(this.dragAnchorMs, timeMs), endMs: Math.max(this.dragAnchorMs, timeMs) };
  };

  private onPointerUp = (event: PointerEvent) => {
    const anchorMs = this.dragAnchorMs;
    this.dragAnchorMs = null;
    const timeMs = this.timeAtPointer(event);
    if (anchorMs === null || timeMs === null) return;
    if (this.selectingRange) {
      this.cursorMs = null;
      this.fire('td-range-selected', { startMs: Math.min(anchorMs, timeMs), endMs: Math.max(anchorMs, timeMs) });
    } else {
      this.cursorMs = null;
      this.fire('td-timeline-seek', { timeMs });
    }
  };

  private onKeyDown = (event: KeyboardEvent) => {
    const view = this.view;
    if (!view) return;
    const lengthMs = view.endMs - view.startMs;
    const fromMs = this.sliderMs(view);
    const steps: Record<string, number> = { ArrowLeft: -lengthMs / 100, ArrowDown: -lengthMs / 100, ArrowRight: lengthMs / 100, ArrowUp: lengthMs / 100, PageDown: -lengthMs / 10, PageUp: lengthMs / 10 };
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      this.cursorMs = null;
      this.fire('td-timeline-seek', { timeMs: fromMs });
      return;
    }
    let toMs: number | null = null;
    if (event.key in steps) toMs = fromMs + Math.sign(steps[event.key]!) * Math.max(1000, Math.abs(steps[event.key]!));
    else if (event.key === 'Home') toMs = view.startMs;
    else if (event.key === 'End') toMs = view.endMs;
    if (toMs === null) return;
    event.preventDefault();
    this.cursorMs = Math.round(Math.min(Math.max(toMs, view.startMs), view.endMs));
  };

  private fire<K extends 'td-timeline-seek' | 'td-range-selected'>(type: K, detail: HTMLElementEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

customElements.define('td-day-timeline', DayTimelineView);

declare global {
  interface HTMLElementTagNameMap {
    'td-day-timeline': DayTimelineView;
  }
  interface HTMLElementEventMap {
    'td-timeline-seek': CustomEvent<{ timeMs: number }>;
    'td-range-selected': CustomEvent<WallClockRange>;
  }
}
