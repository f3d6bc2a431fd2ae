import { LitElement, css, html, nothing } from 'lit';
import { describeLength, describeRule } from '../../schedule/describe.ts';
import { upcomingWindows } from '../../schedule/occurrences.ts';
import type { ScheduleStore } from '../../schedule/schedule-store.ts';
import type { SchedulerHost } from '../../schedule/scheduler-host.ts';
import type { Schedule } from '../../schedule/types.ts';
import { listItemStyles } from '../shared/list-item-styles.ts';
import { sharedStyles } from '../shared/styles.ts';
import { formatRunTime, isoTime } from './format.ts';

/** Detail of `td-edit-schedule`: the schedule to edit. */
export interface EditScheduleDetail {
  scheduleId: string;
}

/**
 * `<td-schedule-item>`: one saved schedule: its programme, station and URL, when and how
 * long it records, its next run, an Enabled switch, Edit and Delete (confirmed inline).
 * Fires `td-edit-schedule` ({@link EditScheduleDetail}) when Edit is pressed.
 */
export class ScheduleItem extends LitElement {
  static override properties = {
    schedule: { attribute: false },
    scheduleStore: { attribute: false },
    host: { attribute: false },
    nowMs: { attribute: false },
    editing: { type: Boolean },
    confirmingDelete: { state: true },
    message: { state: true },
  };

  declare schedule: Schedule;
  declare scheduleStore: ScheduleStore;
  declare host: SchedulerHost;
  /** The wall clock the next run is counted from, in ms since the Unix epoch. */
  declare nowMs: number;
  /** Whether the form above is editing this schedule. */
  declare editing: boolean;
  declare confirmingDelete: boolean;
  declare message: string;

  constructor() {
    super();
    this.nowMs = Date.now();
    this.editing = false;
    this.confirmingDelete = false;
    this.message = '';
  }

  static override styles = [
    sharedStyles,
    listItemStyles,
    css`
      p {
        margin: 0 0 0.25rem;
        overflow-wrap: anywhere;
      }
      .facts {
        color: var(--td-muted, #4a4f57);
      }
      .next {
        font-variant-numeric: tabular-nums;
      }
      .off {
        color: var(--td-muted, #4a4f57);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 0.75rem;
        align-items: center;
        margin-top: 0.25rem;
      }
      p[role='alert']:empty {
        display: none;
      }
    `,
  ];

  override render() {
    const s = this.schedule;
    const name = s.programme || s.stationName || 'Untitled schedule';
    return html`
      <h3>${name}</h3>
      ${this.editing ? html`<p class="off">Being edited in the form above.</p>` : nothing}
      <p class="facts">${s.programme && s.stationName ? html`${s.stationName} · ` : nothing}<span class="url">${s.sourceUrl}</span></p>
      <p class="rule">${describeRule(s.rule, s.timeZone)}, ${describeLength(s.length)}</p>
      <p class="next">${this.renderNextRun()}</p>
      <div class="actions">
        <label class="check"><input type="checkbox" .checked=${s.enabled} @change=${this.toggleEnabled} /> Enabled</label>
        <button type="button" class="edit" @click=${this.edit}>Edit</button>
        ${this.confirmingDelete
          ? html`<button type="button" class="primary" @click=${this.delete}>Delete for good</button>
              <button type="button" class="keep" @click=${this.keep}>Keep</button>`
          : html`<button type="button" class="delete" @click=${this.askDelete}>Delete</button>`}
      </div>
      <p role="alert" class="error">${this.message || nothing}</p>
    `;
  }

  private renderNextRun() {
    if (!this.schedule.enabled) return html`<span class="off">No more runs while turned off.</span>`;
    let next: number | undefined;
    try {
      next = upcomingWindows(this.schedule, this.nowMs, 1)[0]?.startAtMs;
    } catch (error) {
      return html`<span class="error">${error instanceof Error ? error.message : String(error)}</span>`;
    }
    return next === undefined ? 'No more runs' : html`Next run: <time datetime=${isoTime(next)}>${formatRunTime(next)}</time>`;
  }

  /** Puts the keyboard focus on Edit (after the form is closed). */
  focusEdit(): void {
    this.renderRoot.querySelector<HTMLButtonElement>('button.edit')?.focus();
  }

  private toggleEnabled = async (event: Event) => {
    const checkbox = event.target as HTMLInputElement;
    this.message = '';
    try {
      await this.scheduleStore.setEnabled(this.schedule.id, checkbox.checked);
      this.host.poke();
    } catch (error) {
      checkbox.checked = this.schedule.enabled;
      this.message = `Could not change it: ${error instanceof Error ? error.message : String(error)}`;
    }
  };

  private edit = () => {
    this.dispatchEvent(new CustomEvent<EditScheduleDetail>('td-edit-schedule', { detail: { scheduleId: this.schedule.id }, bubbles: true, composed: true }));
  };

  private askDelete = async () => {
    this.confirmingDelete = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('button.keep')?.focus();
  };

  private keep = async () => {
    this.confirmingDelete = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('button.delete')?.focus();
  };

  private delete = async () => {
    try {
      await this.scheduleStore.delete(this.schedule.id);
    } catch (error) {
      this.message = `Could not delete: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
}

customElements.define('td-schedule-item', ScheduleItem);

declare global {
  interface HTMLElementTagNameMap {
    'td-schedule-item': ScheduleItem;
  }
  interface HTMLElementEventMap {
    'td-edit-schedule': CustomEvent<EditScheduleDetail>;
  }
}
