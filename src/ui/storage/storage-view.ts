import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { StorageConfig } from '../../config.ts';
import type { RecordingStore } from '../../storage/recording-store.ts';
import { RetentionKeeper } from '../../storage/retention-keeper.ts';
import type { RetentionLogEntry, RetentionRule } from '../../storage/retention.ts';
import { SettingsStore } from '../../storage/settings-store.ts';
import {
  askPersistenceOnFirstStart,
  readPersistence,
  readStorageEstimate,
  requestPersistence,
  type PersistenceState,
  type StorageEstimateBytes,
} from '../../storage/storage-estimate.ts';
import { formatDateTime } from '../shared/format.ts';
import { sharedStyles } from '../shared/styles.ts';
import './retention-form.ts';
import type { RetentionSource } from './retention-form.ts';
import { describeDeletion, describePersistence, describeRule, describeUsage } from './storage-words.ts';

/**
 * `<td-storage>`: the Storage region. Says whether storage is persistent (asking for it once
 * on the app's first start, and again with Keep recordings safe), shows usage and quota
 * (refreshed when the recording store changes, at most once per
 * `config.estimateRefreshMinIntervalMs`), and holds the retention rules: the form, the saved
 * rules with Remove, and the retention log of what the rules deleted and why. It opens the
 * settings store and runs this tab's {@link RetentionKeeper} while connected.
 */
export class StorageView extends LitElement {
  static override properties = {
    store: { attribute: false },
    config: { attribute: false },
    keeper: { state: true },
    persistence: { state: true },
    refused: { state: true },
    estimate: { state: true },
    sources: { state: true },
    rules: { state: true },
    log: { state: true },
    message: { state: true },
  };

  declare store: RecordingStore;
  declare config: StorageConfig;
  declare keeper: RetentionKeeper | null;
  declare persistence: PersistenceState | null;
  /** The browser said no to the last Keep recordings safe. */
  declare refused: boolean;
  declare estimate: StorageEstimateBytes | null;
  /** Sources of the recordings in the library, oldest first seen first. */
  declare sources: RetentionSource[];
  declare rules: RetentionRule[];
  declare log: RetentionLogEntry[];
  declare message: string;
  private settings: SettingsStore | null = null;
  private teardowns: (() => void)[] = [];
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private lastRefreshMs = 0;
  /** Bumped on disconnect, so a start still opening the database gives up. */
  private generation = 0;

  constructor() {
    super();
    this.keeper = null;
    this.persistence = null;
    this.refused = false;
    this.estimate = null;
    this.sources = [];
    this.rules = [];
    this.log = [];
    this.message = '';
  }

  static override styles = [
    sharedStyles,
    css`
      h2 {
        margin: 0 0 0.5rem;
      }
      h3 {
        margin: 1rem 0 0.5rem;
        font-size: 1.05rem;
      }
      p {
        margin: 0 0 0.5rem;
      }
      .persistence {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        margin: 0 0 0.75rem;
      }
      .persistence p {
        margin: 0;
      }
      meter {
        width: 100%;
        height: 1rem;
      }
      ul.rules {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      ul.rules li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        justify-content: space-between;
        padding: 0.25rem 0;
        border-bottom: 1px solid var(--td-border, #d0d4da);
      }
      [role='log'] ol {
        margin: 0;
        padding-left: 1.25rem;
        max-height: 12rem;
        overflow-y: auto;
      }
      .muted {
        color: var(--td-muted, #4a4f57);
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.open(++this.generation);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.generation += 1;
    for (const teardown of this.teardowns.splice(0)) teardown();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.keeper?.stop();
    this.keeper = null;
    this.settings?.close();
    this.settings = null;
  }

  private async open(generation: number): Promise<void> {
    try {
      const settings = await SettingsStore.open();
      if (generation !== this.generation) return settings.close();
      this.settings = settings;
      const keeper = new RetentionKeeper(this.store, settings, { logMaxEntries: this.config.retentionLogMaxEntries });
      this.teardowns.push(
        this.store.on('change', () => this.scheduleRefresh()),
        settings.on('change', ({ key }) => {
          if (key === 'retentionRules' || key === 'retentionLog') void this.loadRetention();
        }),
        keeper.on('problem', ({ message }) => (this.message = message)),
      );
      this.keeper = keeper;
      await Promise.all([this.loadRetention(), this.refresh()]);
      this.persistence = (await askPersistenceOnFirstStart(settings)).state;
      await keeper.start();
    } catch (error) {
      this.message = `Storage settings are unavailable: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  private async loadRetention(): Promise<void> {
    if (!this.keeper) return;
    [this.rules, this.log] = await Promise.all([this.keeper.rules(), this.keeper.log()]);
  }

  /** Refreshes usage, quota and sources now, or as soon as the minimum interval allows. */
  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    const waitMs = Math.max(0, this.lastRefreshMs + this.config.estimateRefreshMinIntervalMs - Date.now());
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh();
    }, waitMs);
  }

  private async refresh(): Promise<void> {
    this.lastRefreshMs = Date.now();
    try {
      const [estimate, persistence, recordings] = await Promise.all([readStorageEstimate(), readPersistence(), this.store.list()]);
      this.estimate = estimate;
      this.persistence = persistence;
      const seen = new Map<string, RetentionSource>();
      // Renditions (alternate audio, subtitles) go with their main recording: not sources of their own.
      for (const r of [...recordings].reverse()) if (!r.parentRecordingId) seen.set(r.sourceUrl, { sourceUrl: r.sourceUrl, sourceName: r.sourceName });
      this.sources = [...seen.values()];
    } catch (error) {
      this.message = `Could not read storage usage: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  override render() {
    return html`<section aria-labelledby="storage-heading">
      <h2 id="storage-heading">Storage</h2>
      ${this.renderPersistence()}
      ${this.estimate
        ? html`<p class="usage">${describeUsage(this.estimate)}</p>
            <meter aria-label="Storage used" min="0" max=${this.estimate.quotaBytes} .value=${this.estimate.usageBytes}></meter>`
        : html`<p class="usage">This browser does not tell how much storage is used.</p>`}
      <p role="alert" class="error">${this.message || nothing}</p>
      <h3 id="retention-heading">Retention rules</h3>
      <p class="muted">Rules delete the oldest finished recordings first, when saved, whenever a recording finishes and when Tapedeck starts. A recording in progress is never deleted, nor, for a size limit, the newest one.</p>
      ${this.keeper ? html`<td-retention-form .keeper=${this.keeper} .sources=${mergeSources(this.sources, this.rules)}></td-retention-form>` : nothing}
      ${this.rules.length === 0
        ? html`<p>No rules: Tapedeck never deletes recordings on its own.</p>`
        : html`<ul class="rules" aria-label="Saved retention rules">
            ${repeat(
              this.rules,
              (rule) => rule.sourceUrl ?? '',
              (rule) => html`<li><span>${describeRule(rule)}</span><button type="button" @click=${() => this.removeRule(rule)}>Remove</button></li>`,
            )}
          </ul>`}
      <h3 id="retention-log-heading">Retention log</h3>
      <div role="log" aria-label="Retention log">
        ${this.log.length === 0
          ? html`<p class="muted">Nothing has been deleted by a rule.</p>`
          : html`<ol>
              ${this.log.map((entry) => html`<li><time datetime=${new Date(entry.atMs).toISOString()}>${formatDateTime(entry.atMs)}</time>: ${describeDeletion(entry)}</li>`)}
            </ol>`}
      </div>
    </section>`;
  }

  private renderPersistence() {
    if (this.persistence === null) return html`<p>Checking whether storage is persistent…</p>`;
    return html`<div class="persistence">
      <p>${describePersistence(this.persistence)}</p>
      ${this.persistence === 'best-effort'
        ? html`<button type="button" aria-describedby="persist-hint" @click=${this.askPersistence}>Keep recordings safe</button>
            <p id="persist-hint" class="muted">
              ${this.refused
                ? 'The browser said no. Browsers allow it for sites used often, installed or bookmarked; ask again later.'
                : 'Asks the browser for persistent storage.'}
            </p>`
        : nothing}
    </div>`;
  }

  private askPersistence = async () => {
    this.persistence = await requestPersistence();
    this.refused = this.persistence !== 'persistent';
  };

  private removeRule = async (rule: RetentionRule) => {
    try {
      await this.keeper?.removeRule(rule.sourceUrl);
    } catch (error) {
      this.message = `The rule could not be removed: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
}

/** The sources to offer: those seen in the library, plus those with a rule but no recording left. */
function mergeSources(seen: RetentionSource[], rules: RetentionRule[]): RetentionSource[] {
  const merged = new Map(seen.map((s) => [s.sourceUrl, s]));
  for (const rule of rules) {
    if (rule.sourceUrl !== null && !merged.has(rule.sourceUrl)) merged.set(rule.sourceUrl, { sourceUrl: rule.sourceUrl, sourceName: rule.sourceName });
  }
  return [...merged.values()];
}

customElements.define('td-storage', StorageView);

declare global {
  interface HTMLElementTagNameMap {
    'td-storage': StorageView;
  }
}
