import { LitElement, html, nothing } from 'lit';
import { describeRule } from '../../schedule/describe.ts';
import { upcomingWindows, validateSchedule } from '../../schedule/occurrences.ts';
import type { ScheduleStore } from '../../schedule/schedule-store.ts';
import type { SchedulerHost } from '../../schedule/scheduler-host.ts';
import { renderTitle, TITLE_PLACEHOLDERS } from '../../schedule/title-template.ts';
import { ScheduleError, type Schedule } from '../../schedule/types.ts';
import { sharedStyles } from '../shared/styles.ts';
import { formatRunTime, isoTime } from './format.ts';
import { NowController } from './now-controller.ts';
import { draftFromSchedule, draftPreviewSchedule, draftToInput, emptyDraft, missingField, type RepeatKind, type ScheduleDraft } from './schedule-draft.ts';
import { scheduleFormStyles } from './schedule-form-styles.ts';

/** Detail of `td-schedule-saved` and `td-schedule-cancel`: the schedule concerned. */
export interface ScheduleFormDetail {
  scheduleId: string | null;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
type StringField = { [K in keyof ScheduleDraft]: ScheduleDraft[K] extends string ? K : never }[keyof ScheduleDraft];

/**
 * `<td-schedule-form>`: the New schedule form, or Edit schedule when `schedule` is set.
 * Shows, as the rule is typed, its plain-language reading, its next three starts and an
 * example title. Saves through the store, then pokes the scheduler host; a ScheduleError is
 * shown in the form and focuses the field at fault. Fires `td-schedule-saved` and, when
 * editing, `td-schedule-cancel` ({@link ScheduleFormDetail}).
 */
export class ScheduleForm extends LitElement {
  static override properties = {
    scheduleStore: { attribute: false },
    host: { attribute: false },
    schedule: { attribute: false },
    draft: { state: true },
    error: { state: true },
    errorField: { state: true },
    status: { state: true },
    saving: { state: true },
  };

  declare scheduleStore: ScheduleStore;
  declare host: SchedulerHost;
  /** The schedule being edited, or null for a new one. */
  declare schedule: Schedule | null;
  declare draft: ScheduleDraft;
  declare error: string;
  declare errorField: ScheduleError['field'] | null;
  declare status: string;
  declare saving: boolean;
  private readonly now = new NowController(this);
  /** Id of the schedule the draft was loaded from, so a refreshed copy does not wipe edits. */
  private loadedId: string | null | undefined = undefined;
  private focusOnLoad = false;

  constructor() {
    super();
    this.schedule = null;
    this.draft = emptyDraft();
    this.error = '';
    this.errorField = null;
    this.status = '';
    this.saving = false;
  }

  static override styles = [sharedStyles, scheduleFormStyles];

  override willUpdate(): void {
    const id = this.schedule?.id ?? null;
    if (id === this.loadedId) return;
    this.loadedId = id;
    this.focusOnLoad = id !== null;
    this.draft = this.schedule ? draftFromSchedule(this.schedule) : emptyDraft();
    this.error = '';
    this.errorField = null;
  }

  override updated(): void {
    if (this.focusOnLoad) {
      this.focusOnLoad = false;
      const field = this.renderRoot.querySelector<HTMLInputElement>('input[name=sourceUrl]');
      field?.focus();
      field?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    }
  }

  override render() {
    const d = this.draft;
    const editing = this.schedule !== null;
    const label = editing ? 'Edit schedule' : 'New schedule';
    return html`<form aria-label=${label} novalidate @submit=${this.submit}>
      <h3>${label}</h3>
      <div class="row">
        <label class="field wide">
          <span>Stream URL</span>
          ${this.input('sourceUrl', 'sourceUrl', { type: 'url', required: true, placeholder: 'https://example.com/live.m3u8' })}
        </label>
      </div>
      <div class="row">
        <label class="field"><span>Station</span>${this.input('stationName', null, {})}</label>
        <label class="field"><span>Programme</span>${this.input('programme', null, {})}</label>
      </div>
      <div class="row">
        <div class="field narrow">
          <label for="repeat">Repeat</label>
          <select id="repeat" name="repeat" .value=${d.repeat} @change=${(e: Event) => this.patch({ repeat: (e.target as HTMLSelectElement).value as RepeatKind })}>
            <option value="cron" ?selected=${d.repeat === 'cron'}>Cron expression</option>
            <option value="once" ?selected=${d.repeat === 'once'}>Once</option>
            <option value="weekly" ?selected=${d.repeat === 'weekly'}>Weekly</option>
          </select>
        </div>
        <div class="rule">${this.renderRuleFields()} ${this.renderPreview()}</div>
      </div>
      <div class="row">
        <div class="field narrow">
          <label for="length-kind">Length</label>
          <select id="length-kind" name="lengthKind" .value=${d.lengthKind} @change=${(e: Event) => this.patch({ lengthKind: (e.target as HTMLSelectElement).value as ScheduleDraft['lengthKind'] })}>
            <option value="duration" ?selected=${d.lengthKind === 'duration'}>Duration</option>
            <option value="until" ?selected=${d.lengthKind === 'until'}>Until a time</option>
          </select>
        </div>
        ${d.lengthKind === 'duration'
          ? html`<label class="field"><span>Duration (minutes)</span>${this.input('durationMin', 'length', { type: 'number', step: 'any', min: '0.01', inputmode: 'decimal' })}</label>`
          : html`<label class="field"><span>Until</span>${this.input('until', 'length', { type: 'time' })}</label>`}
      </div>
      <label class="field wide">
        <span>Title template</span>
        ${this.input('titleTemplate', 'titleTemplate', { describedby: 'title-hint title-example' })}
      </label>
      <p id="title-hint" class="hint">Placeholders: ${TITLE_PLACEHOLDERS.join(', ')} (date as YYYY-MM-DD, time as HH:MM).</p>
      <p id="title-example" class="hint">Example: ${this.exampleTitle()}</p>
      <fieldset>
        <legend>Tags</legend>
        <div class="row">
          <label class="field"><span>Artist</span>${this.input('artist', null, { placeholder: d.stationName.trim() || 'The station' })}</label>
          <label class="field"><span>Album</span>${this.input('album', null, { placeholder: d.programme.trim() || 'The programme' })}</label>
          <label class="field"><span>Genre</span>${this.input('genre', null, {})}</label>
        </div>
      </fieldset>
      <p id="form-error" role="alert" class="error" tabindex="-1">${this.error || nothing}</p>
      <div class="buttons">
        <button type="submit" class="primary" ?disabled=${this.saving}>Save schedule</button>
        ${editing ? html`<button type="button" @click=${this.cancel}>Cancel</button>` : nothing}
      </div>
      <p role="status" class="hint">${this.status}</p>
    </form>`;
  }

  private renderRuleFields() {
    const d = this.draft;
    if (d.repeat === 'cron') {
      return html`<label class="field">
        <span>Cron expression</span>
        ${this.input('cronExpression', 'rule', { placeholder: '*/2 * * * *', describedby: 'cron-hint rule-reading', spellcheck: false })}
      </label>`;
    }
    if (d.repeat === 'once') {
      return html`<label class="field"><span>Date and time</span>${this.input('onceAt', 'rule', { type: 'datetime-local', step: '1' })}</label>`;
    }
    return html`<fieldset class="days ${this.errorField === 'rule' && d.days.length === 0 ? 'invalid' : ''}">
        <legend>Days</legend>
        ${WEEKDAYS.map(
          (name, day) =>
            html`<label class="check"
              ><input type="checkbox" name="day" .checked=${d.days.includes(day)} @change=${(e: Event) => this.toggleDay(day, (e.target as HTMLInputElement).checked)} />
              ${name}</label
            >`,
        )}
      </fieldset>
      <label class="field narrow"><span>Time</span>${this.input('time', 'rule', { type: 'time' })}</label>`;
  }

  /** The rule's reading and next three starts, right under the rule's fields. */
  private renderPreview() {
    const d = this.draft;
    const cron = d.repeat === 'cron';
    const cronHint = html`<p id="cron-hint" class="hint">
      Five fields: minute, hour, day of month, month, day of week. Lists (1,3), ranges (1-5) and steps (*/2) work; <code>45 5 * * 5</code> is
      Fridays at 05:45.
    </p>`;
    if (cron && !d.cronExpression.trim()) return cronHint;
    if (d.repeat === 'once' && !d.onceAt) return nothing;
    if (d.repeat === 'weekly' && (!d.time || d.days.length === 0)) return html`<p class="hint">Choose the days and the time (24-hour).</p>`;
    const preview = draftPreviewSchedule(d, this.schedule);
    const reading = describeRule(preview.rule, preview.timeZone);
    let starts: number[] | null = null;
    let problem = '';
    try {
      starts = upcomingWindows(preview, this.now.nowMs, 3).map((w) => w.startAtMs);
    } catch (error) {
      problem = cron ? 'Not a valid cron expression' : error instanceof Error ? error.message : String(error);
    }
    return html`<div class="preview">
      ${reading !== problem ? html`<p id="rule-reading" class="reading">${reading}</p>` : nothing}
      ${starts === null
        ? html`<p class="error">${problem}</p>`
        : html`<p id="next-runs-label" class="hint">Next runs</p>
            <ul aria-labelledby="next-runs-label" class="next-runs">
              ${starts.length === 0 ? html`<li>No more runs</li>` : starts.map((ms) => html`<li><time datetime=${isoTime(ms)}>${formatRunTime(ms)}</time></li>`)}
            </ul>`}
      ${cron ? cronHint : nothing}
    </div>`;
  }

  private exampleTitle(): string {
    const preview = draftPreviewSchedule(this.draft, this.schedule);
    let atMs = this.now.nowMs;
    try {
      atMs = upcomingWindows(preview, atMs, 1)[0]?.startAtMs ?? atMs;
    } catch {
      // An invalid rule has no next start; the example uses the current time.
    }
    return renderTitle(preview, atMs);
  }

  /** An input bound to a string field of the draft, marked invalid when `fault` is the error's field. */
  private input(key: StringField, fault: ScheduleError['field'] | null, o: { type?: string; required?: boolean; placeholder?: string; step?: string; min?: string; inputmode?: string; describedby?: string; spellcheck?: boolean }) {
    const invalid = fault !== null && this.errorField === fault;
    const describedBy = [o.describedby, invalid ? 'form-error' : ''].filter(Boolean).join(' ');
    return html`<input
      name=${key}
      type=${o.type ?? 'text'}
      .value=${this.draft[key]}
      ?required=${o.required ?? false}
      placeholder=${o.placeholder ?? nothing}
      step=${o.step ?? nothing}
      min=${o.min ?? nothing}
      inputmode=${o.inputmode ?? nothing}
      spellcheck=${o.spellcheck === false ? 'false' : nothing}
      autocomplete="off"
      aria-invalid=${invalid ? 'true' : 'false'}
      aria-describedby=${describedBy || nothing}
      @input=${(e: Event) => this.patch({ [key]: (e.target as HTMLInputElement).value })}
    />`;
  }

  private patch(change: Partial<ScheduleDraft>): void {
    this.draft = { ...this.draft, ...change };
    this.status = '';
    this.errorField = null;
  }

  private toggleDay(day: number, checked: boolean): void {
    const days = this.draft.days.filter((d) => d !== day);
    this.patch({ days: checked ? [...days, day] : days });
  }

  private submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (this.saving) return;
    this.error = '';
    this.errorField = null;
    this.status = '';
    this.saving = true;
    const editing = this.schedule;
    try {
      const input = draftToInput(this.draft, editing);
      try {
        validateSchedule(input);
      } catch (error) {
        // An empty rule or length field gets a plain message; the URL is checked first, as it comes first.
        throw (error instanceof ScheduleError && (error.field === 'rule' || error.field === 'length') && missingField(this.draft)) || error;
      }
      const saved = editing ? await this.scheduleStore.update(editing.id, input) : await this.scheduleStore.create(input);
      this.host.poke();
      const name = saved.programme || saved.stationName || saved.sourceUrl;
      this.status = editing ? `Saved the changes to “${name}”.` : `Saved “${name}”.`;
      if (!editing) this.draft = emptyDraft();
      this.dispatchEvent(new CustomEvent<ScheduleFormDetail>('td-schedule-saved', { detail: { scheduleId: saved.id }, bubbles: true, composed: true }));
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      this.errorField = error instanceof ScheduleError ? error.field : null;
      await this.updateComplete;
      this.focusFault();
    } finally {
      this.saving = false;
    }
  };

  private focusFault(): void {
    const d = this.draft;
    const selectors: Record<ScheduleError['field'], string> = {
      sourceUrl: 'input[name=sourceUrl]',
      titleTemplate: 'input[name=titleTemplate]',
      length: d.lengthKind === 'duration' ? 'input[name=durationMin]' : 'input[name=until]',
      rule: d.repeat === 'cron' ? 'input[name=cronExpression]' : d.repeat === 'once' ? 'input[name=onceAt]' : d.days.length === 0 ? 'input[name=day]' : 'input[name=time]',
      timeZone: '#form-error',
    };
    this.renderRoot.querySelector<HTMLElement>(this.errorField ? selectors[this.errorField] : '#form-error')?.focus();
  }

  private cancel = () => {
    this.dispatchEvent(new CustomEvent<ScheduleFormDetail>('td-schedule-cancel', { detail: { scheduleId: this.schedule?.id ?? null }, bubbles: true, composed: true }));
  };
}

customElements.define('td-schedule-form', ScheduleForm);

declare global {
  interface HTMLElementTagNameMap {
    'td-schedule-form': ScheduleForm;
  }
  interface HTMLElementEventMap {
    'td-schedule-saved': CustomEvent<ScheduleFormDetail>;
    'td-schedule-cancel': CustomEvent<ScheduleFormDetail>;
  }
}
