import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { RetentionKeeper } from '../../storage/retention-keeper.ts';
import { RetentionRuleError, type RetentionLogEntry, type RetentionRule } from '../../storage/retention.ts';
import { sharedStyles } from '../shared/styles.ts';
import { ALL_SOURCES_NAME, BYTES_PER_GB } from './storage-words.ts';

/** A source the form offers: a stream URL recordings were made from, and its short name. */
export interface RetentionSource {
  sourceUrl: string;
  sourceName: string;
}

/** Detail of `td-retention-saved`: the rule saved and what applying the rules deleted. */
export interface RetentionSavedDetail {
  rule: RetentionRule;
  deleted: RetentionLogEntry[];
}

/** Value of the Source select that stands for all sources (the total cap). */
const ALL_SOURCES_VALUE = '';

/**
 * `<td-retention-form>`: the form for a retention rule: Source (each source seen, then All
 * sources; the first source until the user picks one), Keep newest (GB), Keep newest (days),
 * Save rule. Saving goes through the
 * {@link RetentionKeeper}, which stores the rule and applies the rules at once; a rule
 * without a usable limit is refused with a message. Fires `td-retention-saved`
 * ({@link RetentionSavedDetail}) after a save.
 */
export class RetentionForm extends LitElement {
  static override properties = {
    keeper: { attribute: false },
    sources: { attribute: false },
    message: { state: true },
    saving: { state: true },
    chosenSource: { state: true },
  };

  declare keeper: RetentionKeeper;
  declare sources: RetentionSource[];
  declare message: string;
  declare saving: boolean;
  /** The Source value the user picked, or null until they pick one (the first source is shown then). */
  declare chosenSource: string | null;

  constructor() {
    super();
    this.sources = [];
    this.message = '';
    this.saving = false;
    this.chosenSource = null;
  }

  static override styles = [
    sharedStyles,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
      }
      label {
        display: grid;
        gap: 0.25rem;
      }
      label.source {
        flex: 1 1 16rem;
        min-width: 0;
      }
      label.source select {
        width: 100%;
      }
      input {
        width: 9rem;
      }
      p {
        margin: 0.5rem 0 0;
      }
    `,
  ];

  override render() {
    const known = this.chosenSource !== null && (this.chosenSource === ALL_SOURCES_VALUE || this.sources.some((s) => s.sourceUrl === this.chosenSource));
    const chosen = known ? this.chosenSource : (this.sources[0]?.sourceUrl ?? ALL_SOURCES_VALUE);
    return html`<form aria-label="Retention rule" novalidate @submit=${this.save}>
        <label class="source"
          >Source
          <select name="source" @change=${(e: Event) => (this.chosenSource = (e.target as HTMLSelectElement).value)}>
            ${repeat(
              this.sources,
              (source) => source.sourceUrl,
              (source) => html`<option value=${source.sourceUrl} .selected=${source.sourceUrl === chosen}>${source.sourceName} (${source.sourceUrl})</option>`,
            )}
            <option value=${ALL_SOURCES_VALUE} .selected=${chosen === ALL_SOURCES_VALUE}>${ALL_SOURCES_NAME}</option>
          </select></label
        >
        <label>Keep newest (GB) <input name="gb" type="number" min="0" step="any" inputmode="decimal" /></label>
        <label>Keep newest (days) <input name="days" type="number" min="0" step="any" inputmode="decimal" /></label>
        <button type="submit" ?disabled=${this.saving}>Save rule</button>
      </form>
      <p role="alert" class="error">${this.message || nothing}</p>`;
  }

  private save = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const sourceUrl = String(data.get('source') ?? ALL_SOURCES_VALUE) || null;
    const rule: RetentionRule = {
      sourceUrl,
      sourceName: sourceUrl === null ? ALL_SOURCES_NAME : (this.sources.find((s) => s.sourceUrl === sourceUrl)?.sourceName ?? sourceUrl),
      maxBytes: readNumber(form, 'gb', (gb) => Math.round(gb * BYTES_PER_GB)),
      maxAgeDays: readNumber(form, 'days', (days) => days),
    };
    this.message = '';
    this.saving = true;
    try {
      const deleted = await this.keeper.saveRule(rule);
      for (const name of ['gb', 'days']) form.querySelector<HTMLInputElement>(`input[name=${name}]`)!.value = '';
      this.dispatchEvent(new CustomEvent<RetentionSavedDetail>('td-retention-saved', { detail: { rule, deleted }, bubbles: true, composed: true }));
    } catch (error) {
      this.message = error instanceof RetentionRuleError ? error.message : `The rule could not be saved: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.saving = false;
    }
  };
}

/**
 * The number in input `name`, converted; null when the field is empty. A field with text that
 * is not a number gives NaN, which the rule's validation refuses with a message.
 */
function readNumber(form: HTMLFormElement, name: string, convert: (value: number) => number): number | null {
  const input = form.querySelector<HTMLInputElement>(`input[name=${name}]`)!;
  if (input.value === '' && !input.validity.badInput) return null;
  return convert(input.valueAsNumber);
}

customElements.define('td-retention-form', RetentionForm);

declare global {
  interface HTMLElementTagNameMap {
    'td-retention-form': RetentionForm;
  }
  interface HTMLElementEventMap {
    'td-retention-saved': CustomEvent<RetentionSavedDetail>;
  }
}
