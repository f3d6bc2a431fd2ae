import { LitElement, css, html, nothing } from 'lit';
import { resolveConfig, type TapedeckConfig } from '../../config.ts';
import { removeStaleExports } from '../../export/exporter.ts';
import { AppUpdater } from '../../pwa/register.ts';
import { ScheduleStore } from '../../schedule/schedule-store.ts';
import { SchedulerHost } from '../../schedule/scheduler-host.ts';
import { databaseEvents, DB_NAME } from '../../storage/db.ts';
import { isRecordingLockHeld } from '../../storage/recording-lock.ts';
import { RecordingStore } from '../../storage/recording-store.ts';
import type { Recording } from '../../storage/types.ts';
import '../cameras/cameras-view.ts';
import '../library/library-view.ts';
import '../live-view/live-view.ts';
import '../recording-player/recording-player.ts';
import '../review/review-view.ts';
import '../schedules/schedules-view.ts';
import '../storage/storage-view.ts';
import { sharedStyles } from '../shared/styles.ts';
import '../update-prompt/update-prompt.ts';

/**
 * `<td-app>`: the whole app. Opens the recording and schedule stores, turns recordings left
 * `recording` by a closed or crashed tab into `interrupted` ones, starts the scheduler host
 * (which runs the schedules if this tab is elected), and lays out the live view, the player,
 * the library, the storage panel and the schedules.
 */
export class TapedeckApp extends LitElement {
  static override properties = {
    store: { state: true },
    scheduleStore: { state: true },
    host: { state: true },
    playing: { state: true },
    fatalMessage: { state: true },
    storageNotice: { state: true },
  };

  declare store: RecordingStore | null;
  declare scheduleStore: ScheduleStore | null;
  declare host: SchedulerHost | null;
  declare playing: Recording | null;
  declare fatalMessage: string;
  /** What another tab's version of the storage does to this one: it waits for it, or must reload. */
  declare storageNotice: { kind: 'blocked' | 'outdated'; message: string } | null;
  private readonly config: TapedeckConfig = resolveConfig();

  constructor() {
    super();
    this.store = null;
    this.scheduleStore = null;
    this.host = null;
    this.playing = null;
    this.fatalMessage = '';
    this.storageNotice = null;
  }

  static override styles = [
    sharedStyles,
    css`
      :host {
        max-width: 60rem;
        margin: 0 auto;
        padding: 1rem;
      }
      footer .version {
        color: var(--td-muted, #4a4f57);
        font-size: 0.85rem;
        margin: 1.5rem 0 0;
      }
      header h1 {
        margin: 0 0 1rem;
        font-size: 1.5rem;
      }
      main {
        display: grid;
        /* Never wider than the screen, whatever a panel's widest control would like. */
        grid-template-columns: minmax(0, 1fr);
        gap: 1.5rem;
      }
      section.panel {
        scroll-margin-top: 0.5rem;
      }
      .thumb-bar {
        display: none;
      }
      @media (max-width: 640px) {
        :host {
          padding-bottom: 8.5rem;
        }
        /* Six panels: two rows of three, so each name fits at full size on a 320 px screen. */
        .thumb-bar {
          display: grid;
          grid-template-columns: repeat(3, minmax(0, 1fr));
          gap: 0.25rem;
          position: fixed;
          inset: auto 0 0 0;
          padding: 0.5rem max(0.5rem, env(safe-area-inset-right)) max(0.5rem, env(safe-area-inset-bottom)) max(0.5rem, env(safe-area-inset-left));
          background: var(--td-surface, #fff);
          box-shadow: 0 -1px 4px rgb(0 0 0 / 0.15);
          z-index: 10;
        }
        .thumb-bar button {
          padding: 0 0.25rem;
          min-width: 0;
          font-size: 0.9rem;
        }
      }
      section.panel {
        background: var(--td-surface, #fff);
        border-radius: 12px;
        padding: 1rem;
        box-shadow: 0 1px 3px rgb(0 0 0 / 0.15);
      }
      h2 {
        margin: 0 0 0.75rem;
        font-size: 1.2rem;
      }
    `,
  ];

  /** The service worker and its updates (production builds only: dev has no service worker). */
  private readonly updater = new AppUpdater();

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    if (import.meta.env.PROD) void this.updater.register().catch(() => undefined);
    // Yesterday's 3 GB export should not wait for the next export to give its space back.
    void removeStaleExports().catch(() => undefined);
    this.watchStorageVersions();
    try {
      const [store, scheduleStore] = await Promise.all([RecordingStore.open(), ScheduleStore.open()]);
      if (this.storageNotice?.kind === 'blocked') this.storageNotice = null;
      await store.recoverInterrupted(isRecordingLockHeld);
      this.store = store;
      this.scheduleStore = scheduleStore;
      this.host = new SchedulerHost(scheduleStore, store, this.config);
      this.host.start();
    } catch (error) {
      this.fatalMessage =
        error instanceof DOMException && error.name === 'VersionError'
          ? 'A newer version of Tapedeck has used this storage since this tab loaded. Reload to get the new version: nothing stored is lost.'
          : `Tapedeck cannot open its storage (IndexedDB): ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  private stopWatchingStorage: (() => void)[] = [];

  /** Tells the user when another tab's version of Tapedeck holds up this one, or this one is out of date. */
  private watchStorageVersions(): void {
    this.stopWatchingStorage.push(
      databaseEvents.on('blocked', ({ name }) => {
        if (name !== DB_NAME || this.storageNotice) return;
        this.storageNotice = {
          kind: 'blocked',
          message: 'Waiting for another Tapedeck tab: it runs an older version and holds the storage open. Close or reload that tab, and this one goes on by itself.',
        };
      }),
      databaseEvents.on('outdated', ({ name }) => {
        if (name !== DB_NAME) return;
        this.storageNotice = {
          kind: 'outdated',
          message: 'Tapedeck was updated in another tab, and this tab can no longer use the storage. Reload it to go on: nothing stored is lost.',
        };
      }),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const stop of this.stopWatchingStorage.splice(0)) stop();
    const { store, scheduleStore, host } = this;
    // Scheduled captures write their last segments and runs before the stores close.
    void (host?.stop() ?? Promise.resolve()).finally(() => {
      store?.close();
      scheduleStore?.close();
    });
  }

  override render() {
    return html`
      <header><h1>Tapedeck</h1></header>
      <td-update-prompt .updater=${this.updater}></td-update-prompt>
      ${this.fatalMessage ? html`<p role="alert" class="error">${this.fatalMessage}</p>` : nothing}
      ${this.storageNotice
        ? html`<p role=${this.storageNotice.kind === 'outdated' ? 'alert' : 'status'} class=${this.storageNotice.kind === 'outdated' ? 'error' : ''} data-storage-notice=${this.storageNotice.kind}>
            ${this.storageNotice.message}
            ${this.storageNotice.kind === 'outdated' ? html`<button type="button" class="primary" @click=${() => location.reload()}>Reload</button>` : nothing}
          </p>`
        : nothing}
      ${this.store
        ? html`<main @td-play-recording=${this.onPlay} @td-close-player=${() => (this.playing = null)}>
            <section class="panel" id="recorder-panel" aria-labelledby="live-heading">
              <h2 id="live-heading">Record a stream</h2>
              <td-live-view .store=${this.store} .captureConfig=${this.config.capture}></td-live-view>
            </section>
            ${this.playing
              ? html`<section class="panel"><td-recording-player .store=${this.store} .recording=${this.playing}></td-recording-player></section>`
              : nothing}
            <section class="panel" id="library-panel"><td-library .store=${this.store}></td-library></section>
            <section class="panel" id="cameras-panel" aria-label="Cameras"><td-cameras .store=${this.store} .config=${this.config}></td-cameras></section>
            <section class="panel" id="review-panel" aria-label="Review"><td-review .store=${this.store} .config=${this.config.review}></td-review></section>
            <section class="panel" id="storage-panel"><td-storage .store=${this.store} .config=${this.config.storage}></td-storage></section>
            ${this.scheduleStore && this.host
              ? html`<section class="panel" id="schedules-panel">
                  <td-schedules .scheduleStore=${this.scheduleStore} .recordingStore=${this.store} .host=${this.host}></td-schedules>
                </section>`
              : nothing}
          </main>`
        : nothing}
      <footer><p class="version">Tapedeck ${__TAPEDECK_BUILD_ID__}</p></footer>
      ${this.store ? this.renderThumbBar() : nothing}
    `;
  }

  /** Phones only: the panels within thumb reach at the bottom of the screen. */
  private renderThumbBar() {
    const jump = (id: string) => () => this.renderRoot.querySelector(`#${id}`)?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    return html`<nav class="thumb-bar" aria-label="Go to">
      <button type="button" @click=${jump('recorder-panel')}>Recorder</button>
      <button type="button" @click=${jump('library-panel')}>Library</button>
      <button type="button" @click=${jump('cameras-panel')}>Cameras</button>
      <button type="button" @click=${jump('review-panel')}>Review</button>
      <button type="button" @click=${jump('schedules-panel')}>Schedules</button>
      <button type="button" @click=${jump('storage-panel')}>Storage</button>
    </nav>`;
  }

  private onPlay = async (event: CustomEvent<{ recordingId: string }>) => {
    this.playing = (await this.store?.get(event.detail.recordingId)) ?? null;
  };
}

customElements.define('td-app', TapedeckApp);

declare global {
  interface HTMLElementTagNameMap {
    'td-app': TapedeckApp;
  }
}
