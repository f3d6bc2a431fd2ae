import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { CameraRecordingHost } from '../../cameras/camera-recording-host.ts';
import { CameraStore, type Camera } from '../../cameras/camera-store.ts';
import type { CameraCaptureStatus } from '../../cameras/continuous-recorder.ts';
import type { TapedeckConfig } from '../../config.ts';
import { RelayError } from '../../relay-client/relay-client.ts';
import type { RelayCameraStatus } from '../../relay-client/relay-schemas.ts';
import { relayClientFromSettings } from '../../relay-client/relay-settings.ts';
import type { RecordingStore } from '../../storage/recording-store.ts';
import { SettingsStore } from '../../storage/settings-store.ts';
import '../camera-form/camera-form.ts';
import { sharedStyles } from '../shared/styles.ts';
import '../sources/relay-settings.ts';
import './camera-tile.ts';

/** Tiles per page the grid offers. */
const TILE_COUNTS = [1, 4, 9] as const;

/**
 * `<td-cameras>`: the live camera grid. 1, 4 or 9 tiles a page, with Previous/Next page:
 * only the page shown has tiles (and so hls.js players), and a tile plays only while on
 * screen. Each tile shows its camera's name, playback state and recording state; tapping
 * Full screen shows that camera alone until Back to grid. Record all / Record none set every
 * camera's continuous recording; a tile's Record sets one. Add camera and Edit open the camera
 * form; Relay settings sets up the relay.
 *
 * It opens the camera and settings stores and runs the {@link CameraRecordingHost}, so
 * continuous recording runs in one tab while any tab of the app is open.
 */
export class CamerasView extends LitElement {
  static override properties = {
    store: { attribute: false },
    config: { attribute: false },
    cameras: { state: true },
    tilesPerPage: { state: true },
    page: { state: true },
    fullscreenId: { state: true },
    editing: { state: true },
    showRelay: { state: true },
    captures: { state: true },
    isLeader: { state: true },
    message: { state: true },
    relayStatuses: { state: true },
    relayMessage: { state: true },
  };

  declare store: RecordingStore;
  declare config: TapedeckConfig;
  declare cameras: Camera[];
  declare tilesPerPage: number;
  declare page: number;
  /** The camera shown full screen, or null for the grid. */
  declare fullscreenId: string | null;
  /** The camera form: null closed, 'new' to add, else the camera edited. */
  declare editing: Camera | 'new' | null;
  declare showRelay: boolean;
  /** This tab's capture statuses, by camera id. */
  declare captures: Map<string, CameraCaptureStatus>;
  declare isLeader: boolean;
  declare message: string;
  /** The relay's status of its cameras, by relay camera id (refreshed every `relayStatusIntervalMs`). */
  declare relayStatuses: Map<string, RelayCameraStatus>;
  /** Why the relay's status could not be had ('' when it could, or no camera needs it). */
  declare relayMessage: string;

  private cameraStore: CameraStore | null = null;
  private settings: SettingsStore | null = null;
  private host: CameraRecordingHost | null = null;
  private teardowns: (() => void)[] = [];
  private relayTimer: ReturnType<typeof setInterval> | null = null;

  constructor() {
    super();
    this.cameras = [];
    this.tilesPerPage = 4;
    this.page = 0;
    this.fullscreenId = null;
    this.editing = null;
    this.showRelay = false;
    this.captures = new Map();
    this.isLeader = false;
    this.message = '';
    this.relayStatuses = new Map();
    this.relayMessage = '';
  }

  static override styles = [
    sharedStyles,
    css`
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
        margin-bottom: 0.75rem;
      }
      label {
        display: grid;
        gap: 0.25rem;
      }
      ul.grid {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.5rem;
        grid-template-columns: repeat(var(--columns, 2), minmax(0, 1fr));
      }
      @media (max-width: 640px) {
        ul.grid {
          grid-template-columns: minmax(0, 1fr);
        }
      }
      .pager {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        margin-top: 0.5rem;
      }
      .sub {
        margin: 0.75rem 0;
      }
      p.note {
        margin: 0.25rem 0;
        color: var(--td-muted, #4a4f57);
      }
    `,
  ];

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    this.tilesPerPage = this.config.cameras.gridTileCount;
    try {
      const [cameraStore, settings] = await Promise.all([CameraStore.open(), SettingsStore.open()]);
      this.cameraStore = cameraStore;
      this.settings = settings;
      this.host = new CameraRecordingHost(cameraStore, this.store, settings, {
        capture: this.config.capture,
        cameras: this.config.cameras,
        retentionLogMaxEntries: this.config.storage.retentionLogMaxEntries,
      });
      this.teardowns.push(
        cameraStore.on('change', () => void this.reload()),
        this.host.on('status', (status) => (this.captures = new Map(this.captures).set(status.cameraId, status))),
        this.host.on('leader', ({ isLeader }) => (this.isLeader = isLeader)),
        this.host.on('problem', ({ message }) => (this.message = message)),
      );
      this.host.start();
      await this.reload();
      this.relayTimer = setInterval(() => void this.refreshRelayStatus(), this.config.cameras.relayStatusIntervalMs);
    } catch (error) {
      this.message = `The cameras cannot be opened: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const teardown of this.teardowns.splice(0)) teardown();
    if (this.relayTimer) clearInterval(this.relayTimer);
    this.relayTimer = null;
    const { host, cameraStore, settings } = this;
    void (host?.stop() ?? Promise.resolve()).finally(() => {
      cameraStore?.close();
      settings?.close();
    });
  }

  private async reload(): Promise<void> {
    if (!this.cameraStore) return;
    this.cameras = await this.cameraStore.list();
    const pages = Math.max(1, Math.ceil(this.cameras.length / this.tilesPerPage));
    if (this.page >= pages) this.page = pages - 1;
    if (this.fullscreenId && !this.cameras.some((c) => c.id === this.fullscreenId)) this.fullscreenId = null;
    await this.refreshRelayStatus();
  }

  /** Asks the relay for its cameras' status, when the grid shows relay cameras. */
  private async refreshRelayStatus(): Promise<void> {
    if (!this.settings || !this.cameras.some((c) => c.source === 'relay')) {
      this.relayMessage = '';
      return;
    }
    try {
      const client = await relayClientFromSettings(this.settings, this.config.cameras.relayRequestTimeoutMs);
      const list = await client.listCameras();
      this.relayStatuses = new Map(list.map((c) => [c.id, c.status]));
      this.relayMessage = '';
    } catch (error) {
      this.relayMessage = `Relay cameras: ${error instanceof RelayError ? error.message : String(error)}`;
    }
  }

  override render() {
    return html`
      <h2 id="cameras-heading">Cameras</h2>
      <div class="toolbar">
        <button type="button" class="primary" @click=${() => (this.editing = 'new')}>Add camera</button>
        <button type="button" ?disabled=${this.cameras.length === 0} @click=${() => this.setAll('continuous')}>Record all</button>
        <button type="button" ?disabled=${this.cameras.length === 0} @click=${() => this.setAll('off')}>Record none</button>
        <label>Tiles per page
          <select @change=${this.onTileCount}>
            ${TILE_COUNTS.map((n) => html`<option value=${n} ?selected=${n === this.tilesPerPage}>${n}</option>`)}
          </select>
        </label>
        <button type="button" aria-expanded=${this.showRelay ? 'true' : 'false'} @click=${() => (this.showRelay = !this.showRelay)}>Relay settings</button>
      </div>
      <p role="alert" class="error">${this.message || nothing}</p>
      ${this.relayMessage ? html`<p class="error" data-relay-problem>${this.relayMessage}</p>` : nothing}
      ${this.showRelay && this.settings && this.cameraStore
        ? html`<div class="sub"><td-relay-settings .settings=${this.settings} .cameras=${this.cameraStore} .timeoutMs=${this.config.cameras.relayRequestTimeoutMs}></td-relay-settings></div>`
        : nothing}
      ${this.editing && this.settings && this.cameraStore
        ? html`<div class="sub">
            <td-camera-form
              .cameras=${this.cameraStore}
              .settings=${this.settings}
              .camera=${this.editing === 'new' ? null : this.editing}
              .relayTimeoutMs=${this.config.cameras.relayRequestTimeoutMs}
              @td-camera-saved=${() => (this.editing = null)}
              @td-camera-form-closed=${() => (this.editing = null)}
            ></td-camera-form>
          </div>`
        : nothing}
      ${this.renderLeaderNote()} ${this.fullscreenId ? this.renderFullscreen(this.fullscreenId) : this.renderGrid()}
    `;
  }

  private renderLeaderNote() {
    if (this.isLeader || !this.cameras.some((c) => c.recordMode === 'continuous')) return nothing;
    return html`<p class="note">Another Tapedeck tab records the cameras; this one takes over if that tab closes.</p>`;
  }

  private renderGrid() {
    if (this.cameras.length === 0) return html`<p class="note">No cameras yet. Add an HLS camera, or a relay camera (RTSP).</p>`;
    const pages = Math.ceil(this.cameras.length / this.tilesPerPage);
    const shown = this.cameras.slice(this.page * this.tilesPerPage, (this.page + 1) * this.tilesPerPage);
    const columns = this.tilesPerPage === 1 ? 1 : this.tilesPerPage === 4 ? 2 : 3;
    return html`
      <ul class="grid" aria-label="Camera grid" style=${`--columns: ${columns}`} @td-camera-fullscreen=${this.onFullscreen} @td-camera-record=${this.onRecord} @td-camera-edit=${this.onEdit}>
        ${repeat(shown, (camera) => camera.id, (camera) => html`<li aria-label=${camera.name}>${this.renderTile(camera, false)}</li>`)}
      </ul>
      ${pages > 1
        ? html`<nav class="pager" aria-label="Camera pages">
            <button type="button" ?disabled=${this.page === 0} @click=${() => (this.page -= 1)}>Previous page</button>
            <span>Page ${this.page + 1} of ${pages}</span>
            <button type="button" ?disabled=${this.page >= pages - 1} @click=${() => (this.page += 1)}>Next page</button>
          </nav>`
        : nothing}
    `;
  }

  private renderFullscreen(cameraId: string) {
    const camera = this.cameras.find((c) => c.id === cameraId);
    if (!camera) return nothing;
    return html`<div role="group" aria-label=${`${camera.name}, full screen`} @td-camera-fullscreen=${() => (this.fullscreenId = null)} @td-camera-record=${this.onRecord} @td-camera-edit=${this.onEdit}>
      ${this.renderTile(camera, true)}
    </div>`;
  }

  private renderTile(camera: Camera, fullscreen: boolean) {
    const on = camera.recordMode === 'continuous';
    const capture = this.isLeader ? (this.captures.get(camera.id) ?? null) : null;
    return html`<td-camera-tile
      .camera=${camera}
      .recording=${{ on, capture: on ? capture : null }}
      .relayStatus=${camera.relayCameraId ? (this.relayStatuses.get(camera.relayCameraId) ?? null) : null}
      .liveSyncSegmentCount=${this.config.cameras.tileLiveSyncSegmentCount}
      .retryDelayMs=${this.config.cameras.restartDelayMs}
      .stallRestartMs=${this.config.cameras.tileStallRestartMs}
      ?fullscreen=${fullscreen}
    ></td-camera-tile>`;
  }

  private onTileCount = (event: Event) => {
    this.tilesPerPage = Number((event.target as HTMLSelectElement).value);
    this.page = 0;
  };

  private onFullscreen = (event: CustomEvent<{ cameraId: string }>) => {
    this.fullscreenId = event.detail.cameraId;
  };

  private onEdit = (event: CustomEvent<{ cameraId: string }>) => {
    this.editing = this.cameras.find((c) => c.id === event.detail.cameraId) ?? null;
  };

  private onRecord = async (event: CustomEvent<{ cameraId: string; on: boolean }>) => {
    await this.setMode([event.detail.cameraId], event.detail.on ? 'continuous' : 'off');
  };

  private async setAll(mode: Camera['recordMode']): Promise<void> {
    await this.setMode(
      this.cameras.map((c) => c.id),
      mode,
    );
  }

  private async setMode(ids: string[], recordMode: Camera['recordMode']): Promise<void> {
    if (!this.cameraStore) return;
    this.message = '';
    try {
      for (const id of ids) await this.cameraStore.update(id, { recordMode });
    } catch (error) {
      this.message = `Recording could not be changed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}

customElements.define('td-cameras', CamerasView);

declare global {
  interface HTMLElementTagNameMap {
    'td-cameras': CamerasView;
  }
}
