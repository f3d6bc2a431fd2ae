import { LitElement, css, html, nothing } from 'lit';
import type { Camera, CameraStore } from '../../cameras/camera-store.ts';
import { RelayError } from '../../relay-client/relay-client.ts';
import type { RelayCamera } from '../../relay-client/relay-schemas.ts';
import { loadRelayConnection, relayClientFromSettings, saveRelayConnection } from '../../relay-client/relay-settings.ts';
import type { SettingsStore } from '../../storage/settings-store.ts';
import { sharedStyles } from '../shared/styles.ts';

/** Words for a relay camera's state. */
const RELAY_STATE_WORDS: Record<RelayCamera['status']['state'], string> = {
  idle: 'Idle',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  disabled: 'Disabled',
};

/**
 * `<td-relay-settings>`: where the Tapedeck relay is (URL) and its access token, saved in the
 * settings store; Save checks the connection at once by listing the relay's cameras, each with
 * its state, and **Add to grid** for those the app does not show yet. Every failure (relay
 * unreachable, wrong token, an answer that is not a relay's) is one clear message.
 */
export class RelaySettings extends LitElement {
  static override properties = {
    settings: { attribute: false },
    cameras: { attribute: false },
    timeoutMs: { attribute: false },
    url: { state: true },
    token: { state: true },
    relayCameras: { state: true },
    known: { state: true },
    message: { state: true },
    info: { state: true },
    busy: { state: true },
  };

  declare settings: SettingsStore;
  declare cameras: CameraStore;
  declare timeoutMs: number;
  declare url: string;
  declare token: string;
  declare relayCameras: RelayCamera[] | null;
  /** The app's cameras, to tell which relay cameras are shown already. */
  declare known: Camera[];
  declare message: string;
  declare info: string;
  declare busy: boolean;

  constructor() {
    super();
    this.timeoutMs = 8000;
    this.url = '';
    this.token = '';
    this.relayCameras = null;
    this.known = [];
    this.message = '';
    this.info = '';
    this.busy = false;
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
        flex: 1 1 14rem;
      }
      input {
        width: 100%;
      }
      ul {
        list-style: none;
        padding: 0;
        margin: 0.5rem 0 0;
        display: grid;
        gap: 0.25rem;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      p {
        margin: 0.5rem 0 0;
      }
    `,
  ];

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    const saved = await loadRelayConnection(this.settings);
    if (saved) {
      this.url = saved.url;
      this.token = saved.token;
    }
  }

  override render() {
    return html`
      <form aria-label="Relay settings" @submit=${this.save}>
        <label>Relay URL <input name="relayUrl" type="url" .value=${this.url} placeholder="http://192.168.1.10:8787" @input=${(e: Event) => (this.url = (e.target as HTMLInputElement).value)} /></label>
        <label>Access token <input name="relayToken" type="password" autocomplete="off" .value=${this.token} @input=${(e: Event) => (this.token = (e.target as HTMLInputElement).value)} /></label>
        <button type="submit" class="primary" ?disabled=${this.busy}>Save relay</button>
      </form>
      <p role="alert" class="error">${this.message || nothing}</p>
      ${this.info ? html`<p role="status">${this.info}</p>` : nothing}
      ${this.relayCameras ? this.renderRelayCameras(this.relayCameras) : nothing}
    `;
  }

  private renderRelayCameras(list: RelayCamera[]) {
    if (list.length === 0) return html`<p>The relay has no cameras yet: add one with Add camera, source Relay camera.</p>`;
    const shown = new Set(this.known.map((c) => c.relayCameraId).filter(Boolean));
    return html`<ul aria-label="Relay cameras">
      ${list.map(
        (camera) => html`<li>
          <strong>${camera.name}</strong> <span data-relay-state=${camera.status.state}>${RELAY_STATE_WORDS[camera.status.state]}</span>
          ${camera.status.lastError ? html`<span class="error">${camera.status.lastError}</span>` : nothing}
          ${shown.has(camera.id) ? html`<span>In the grid</span>` : html`<button type="button" aria-label=${`Add ${camera.name} to the grid`} @click=${() => this.addToGrid(camera)}>Add to grid</button>`}
        </li>`,
      )}
    </ul>`;
  }

  private save = async (event: Event) => {
    event.preventDefault();
    this.busy = true;
    this.message = '';
    this.info = '';
    this.relayCameras = null;
    try {
      await saveRelayConnection(this.settings, { url: this.url, token: this.token }, this.timeoutMs);
      if (!this.url.trim()) {
        this.info = 'Relay removed.';
        return;
      }
      await this.refresh();
      this.info = `Connected to the relay: ${this.relayCameras!.length} camera${this.relayCameras!.length === 1 ? '' : 's'}.`;
    } catch (error) {
      this.message = describe(error);
    } finally {
      this.busy = false;
    }
  };

  /** Lists the relay's cameras again. @throws RelayError. */
  async refresh(): Promise<void> {
    const client = await relayClientFromSettings(this.settings, this.timeoutMs);
    const [list, known] = await Promise.all([client.listCameras(), this.cameras.list()]);
    this.known = known;
    this.relayCameras = list;
  }

  private async addToGrid(remote: RelayCamera): Promise<void> {
    this.message = '';
    try {
      await this.cameras.add({ name: remote.name, streamUrl: remote.streamUrl, source: 'relay', relayCameraId: remote.id });
      this.known = await this.cameras.list();
    } catch (error) {
      this.message = describe(error);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof RelayError ? error.message : `The relay could not be used: ${error instanceof Error ? error.message : String(error)}`;
}

customElements.define('td-relay-settings', RelaySettings);

declare global {
  interface HTMLElementTagNameMap {
    'td-relay-settings': RelaySettings;
  }
}
