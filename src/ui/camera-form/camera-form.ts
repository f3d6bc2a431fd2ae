import { LitElement, css, html, nothing } from 'lit';
import { CameraValidationError, type Camera, type CameraStore } from '../../cameras/camera-store.ts';
import { SPLIT_HOURS } from '../../cameras/local-day.ts';
import { RelayError } from '../../relay-client/relay-client.ts';
import { relayClientFromSettings } from '../../relay-client/relay-settings.ts';
import type { SettingsStore } from '../../storage/settings-store.ts';
import type { CameraRecordMode, CameraSourceKind } from '../../storage/types.ts';
import { sharedStyles } from '../shared/styles.ts';

/** Bytes in one GB as the form counts them (10^9, as disks and the storage panel do). */
const BYTES_PER_GB = 1e9;

/** Detail of `td-camera-saved`. */
export interface CameraSavedDetail {
  camera: Camera;
}

/**
 * `<td-camera-form>`: adds a camera, or edits `camera`. A camera is either an HLS stream URL
 * (any HLS camera or stream the page can read) or a relay camera: an RTSP URL and transport,
 * which the form adds to (or changes on) the relay through its API and then records by the
 * relay's `stream_url`. Also: record continuously, split (every 24 hours = at local midnight,
 * or every N hours) and retention (days or GB). Failures (relay unreachable, wrong token, the
 * relay's validation errors, a bad URL) show as one clear message; nothing is stored then.
 * Remove camera (when editing) takes it out of the app; its recordings stay in the library.
 * Fires `td-camera-saved` ({@link CameraSavedDetail}) and `td-camera-form-closed`.
 */
export class CameraForm extends LitElement {
  static override properties = {
    cameras: { attribute: false },
    settings: { attribute: false },
    camera: { attribute: false },
    relayTimeoutMs: { attribute: false },
    source: { state: true },
    message: { state: true },
    saving: { state: true },
    relayTransport: { state: true },
  };

  declare cameras: CameraStore;
  declare settings: SettingsStore;
  /** The camera being edited, or null to add one. */
  declare camera: Camera | null;
  declare relayTimeoutMs: number;
  declare source: CameraSourceKind;
  declare message: string;
  declare saving: boolean;
  /** The edited relay camera's RTSP transport on the relay; null until read (or if it cannot be). */
  declare relayTransport: 'tcp' | 'udp' | null;

  constructor() {
    super();
    this.camera = null;
    this.relayTimeoutMs = 8000;
    this.source = 'hls';
    this.message = '';
    this.saving = false;
    this.relayTransport = null;
  }

  static override styles = [
    sharedStyles,
    css`
      form {
        display: grid;
        gap: 0.75rem;
      }
      fieldset {
        border: 1px solid var(--td-border, #8a8f98);
        border-radius: 8px;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
      }
      label {
        display: grid;
        gap: 0.25rem;
      }
      label.wide {
        flex: 1 1 18rem;
      }
      label.wide input {
        width: 100%;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
    `,
  ];

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('camera')) {
      this.source = this.camera?.source ?? 'hls';
      this.message = '';
      this.relayTransport = null;
      const relayCameraId = this.camera?.relayCameraId;
      if (relayCameraId) void this.readRelayTransport(relayCameraId);
    }
  }

  /** Shows the edited camera's transport as the relay has it; the form saves without it meanwhile. */
  private async readRelayTransport(relayCameraId: string): Promise<void> {
    try {
      const remote = await (await relayClientFromSettings(this.settings, this.relayTimeoutMs)).getCamera(relayCameraId);
      if (this.camera?.relayCameraId === relayCameraId) this.relayTransport = remote.transport;
    } catch {
      // Unreachable relay: saving says so; until then the transport is left as the relay has it.
    }
  }

  override render() {
    const camera = this.camera;
    const title = camera ? `Edit camera ${camera.name}` : 'Add camera';
    return html`
      <form aria-label=${title} @submit=${this.save}>
        <label class="wide">Camera name <input name="name" required .value=${camera?.name ?? ''} autocomplete="off" /></label>
        <fieldset>
          <legend>Source</legend>
          <label class="check"><input type="radio" name="source" value="hls" .checked=${this.source === 'hls'} ?disabled=${Boolean(camera)} @change=${() => (this.source = 'hls')} /> HLS camera</label>
          <label class="check"><input type="radio" name="source" value="relay" .checked=${this.source === 'relay'} ?disabled=${Boolean(camera)} @change=${() => (this.source = 'relay')} /> Relay camera (RTSP)</label>
        </fieldset>
        ${this.source === 'hls'
          ? html`<label class="wide">HLS stream URL <input name="streamUrl" type="url" required .value=${camera?.streamUrl ?? ''} placeholder="https://camera.example/live.m3u8" /></label>`
          : html`<fieldset>
              <legend>On the relay</legend>
              <label class="wide">RTSP URL <input name="rtspUrl" ?required=${!camera} placeholder="rtsp://user:password@192.168.1.20/stream1" /></label>
              <label>Transport
                <select name="transport">
                  ${camera && this.relayTransport === null ? html`<option value="" selected>As on the relay</option>` : nothing}
                  <option value="tcp" ?selected=${this.relayTransport === 'tcp'}>TCP (interleaved)</option>
                  <option value="udp" ?selected=${this.relayTransport === 'udp'}>UDP</option>
                </select>
              </label>
            </fieldset>`}
        <fieldset>
          <legend>Recording</legend>
          <label class="check"><input type="checkbox" name="continuous" .checked=${(camera?.recordMode ?? 'off') === 'continuous'} /> Record continuously</label>
          <label>Split recordings
            <select name="splitEveryHours">
              ${[...SPLIT_HOURS].reverse().map((h) => html`<option value=${h} ?selected=${(camera?.splitEveryHours ?? 24) === h}>${h === 24 ? 'At midnight (one per day)' : `Every ${h} hours`}</option>`)}
            </select>
          </label>
          <label>Keep (days) <input name="keepDays" type="number" min="1" step="1" inputmode="numeric" .value=${String(camera?.retention.days ?? '')} /></label>
          <label>Keep (GB) <input name="keepGb" type="number" min="0" step="any" inputmode="decimal" .value=${camera?.retention.bytes ? String(camera.retention.bytes / BYTES_PER_GB) : ''} /></label>
        </fieldset>
        <div class="buttons">
          <button type="submit" class="primary" ?disabled=${this.saving}>${camera ? 'Save camera' : 'Add camera'}</button>
          <button type="button" @click=${this.close}>Cancel</button>
          ${camera ? html`<button type="button" @click=${this.removeCamera}>Remove camera</button>` : nothing}
        </div>
        <p role="alert" class="error">${this.message || nothing}</p>
      </form>
    `;
  }

  private close = () => {
    this.dispatchEvent(new CustomEvent('td-camera-form-closed', { bubbles: true, composed: true }));
  };

  /** Removes the camera from the app (its recordings stay in the library; a relay keeps its camera). */
  private removeCamera = async () => {
    if (!this.camera) return;
    try {
      await this.cameras.remove(this.camera.id);
      this.close();
    } catch (error) {
      this.message = `The camera could not be removed: ${error instanceof Error ? error.message : String(error)}`;
    }
  };

  private save = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const name = text('name');
    const recordMode: CameraRecordMode = data.get('continuous') ? 'continuous' : 'off';
    const splitEveryHours = Number(text('splitEveryHours') || 24);
    const retention: Camera['retention'] = {};
    if (text('keepDays')) retention.days = Number(text('keepDays'));
    if (text('keepGb')) retention.bytes = Math.round(Number(text('keepGb')) * BYTES_PER_GB);
    this.saving = true;
    this.message = '';
    try {
      let saved: Camera;
      if (this.source === 'relay') {
        const transport = text('transport');
        saved = await this.saveRelayCamera(name, text('rtspUrl'), transport === 'udp' || transport === 'tcp' ? transport : null, { recordMode, splitEveryHours, retention });
      } else if (this.camera) {
        saved = await this.cameras.update(this.camera.id, { name, streamUrl: text('streamUrl'), recordMode, splitEveryHours, retention });
      } else {
        saved = await this.cameras.add({ name, streamUrl: text('streamUrl'), source: 'hls', recordMode, splitEveryHours, retention });
      }
      this.dispatchEvent(new CustomEvent<CameraSavedDetail>('td-camera-saved', { detail: { camera: saved }, bubbles: true, composed: true }));
    } catch (error) {
      this.message = error instanceof RelayError || error instanceof CameraValidationError ? error.message : `The camera could not be saved: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.saving = false;
    }
  };

  /**
   * Adds the camera to the relay (or changes it there), then stores it in the app with the
   * relay's stream URL. An empty RTSP URL or a null transport while editing keeps the relay's.
   */
  private async saveRelayCamera(name: string, rtspUrl: string, transport: 'tcp' | 'udp' | null, local: Pick<Camera, 'recordMode' | 'splitEveryHours' | 'retention'>): Promise<Camera> {
    if (!name) throw new CameraValidationError('Give the camera a name.');
    const client = await relayClientFromSettings(this.settings, this.relayTimeoutMs);
    if (this.camera?.relayCameraId) {
      const remote = await client.updateCamera(this.camera.relayCameraId, { name, ...(transport ? { transport } : {}), ...(rtspUrl ? { rtspUrl } : {}) });
      return this.cameras.update(this.camera.id, { name, streamUrl: remote.streamUrl, ...local });
    }
    if (!rtspUrl) throw new CameraValidationError('Enter the camera’s RTSP URL, e.g. rtsp://user:password@192.168.1.20/stream1.');
    const remote = await client.addCamera({ name, rtspUrl, transport: transport ?? 'tcp' });
    return this.cameras.add({ name, streamUrl: remote.streamUrl, source: 'relay', relayCameraId: remote.id, ...local });
  }
}

customElements.define('td-camera-form', CameraForm);

declare global {
  interface HTMLElementTagNameMap {
    'td-camera-form': CameraForm;
  }
}
