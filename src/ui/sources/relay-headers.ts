import { LitElement, css, html, nothing } from 'lit';
import { relayClientFromSettings } from '../../relay-client/relay-settings.ts';
import { SettingsStore } from '../../storage/settings-store.ts';
import { sharedStyles } from '../shared/styles.ts';

/** Time limit of the relay requests made here, in ms (as config `cameras.relayRequestTimeoutMs`). */
const RELAY_TIMEOUT_MS = 8000;

/** The headers the form offers, by field name, as sent upstream. */
const HEADER_FIELDS = [
  ['referer', 'Referer'],
  ['userAgent', 'User-Agent'],
  ['cookie', 'Cookie'],
] as const;

/**
 * `<td-relay-headers>`: "Through the relay" for streams a page cannot fetch itself: ones that
 * need a Referer, a User-Agent or a Cookie, or that send no CORS headers. When ticked,
 * {@link RelayHeaders.streamUrlFor} makes a header source on the relay (`POST /api/sources`)
 * for the stream's origin with the headers given, and returns the relay's proxy URL of the
 * stream, which the app then plays or records like any HLS URL. Without a relay set up it
 * refuses with a clear message.
 */
export class RelayHeaders extends LitElement {
  static override properties = {
    disabled: { type: Boolean },
    enabled: { state: true },
  };

  declare disabled: boolean;
  /** Whether "Through the relay" is ticked. */
  declare enabled: boolean;
  private settings: Promise<SettingsStore> | null = null;

  constructor() {
    super();
    this.disabled = false;
    this.enabled = false;
  }

  static override styles = [
    sharedStyles,
    css`
      .fields {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
      label.field {
        display: grid;
        gap: 0.25rem;
        flex: 1 1 12rem;
      }
      label.field input {
        width: 100%;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    void this.settings?.then((s) => s.close());
    this.settings = null;
  }

  override render() {
    return html`
      <label class="check"><input type="checkbox" name="viaRelay" .checked=${this.enabled} ?disabled=${this.disabled} @change=${(e: Event) => (this.enabled = (e.target as HTMLInputElement).checked)} /> Through the relay</label>
      ${this.enabled
        ? html`<div class="fields">
            ${HEADER_FIELDS.map(([name, label]) => html`<label class="field">${label} <input name=${name} autocomplete="off" ?disabled=${this.disabled} /></label>`)}
          </div>`
        : nothing}
    `;
  }

  /** The headers filled in, by their HTTP names; empty fields are left out. */
  headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, label] of HEADER_FIELDS) {
      const value = this.renderRoot.querySelector<HTMLInputElement>(`input[name=${name}]`)?.value.trim();
      if (value) headers[label] = value;
    }
    return headers;
  }

  /**
   * The URL to play or record `streamUrl` by: itself when "Through the relay" is not ticked,
   * else the relay's proxy URL through the header source for its origin with these headers
   * (reused when the relay has it, so the same stream keeps one proxy URL).
   * @throws RelayError: no relay set up, relay unreachable, wrong token, or headers it refuses.
   */
  async streamUrlFor(streamUrl: string): Promise<string> {
    if (!this.enabled) return streamUrl;
    this.settings ??= SettingsStore.open();
    const client = await relayClientFromSettings(await this.settings, RELAY_TIMEOUT_MS);
    const url = new URL(streamUrl);
    const source = await client.sourceFor({ name: url.host, urlPrefix: `${url.origin}/`, headers: this.headers() });
    return client.proxyUrl(url.href, source.id);
  }
}

customElements.define('td-relay-headers', RelayHeaders);

declare global {
  interface HTMLElementTagNameMap {
    'td-relay-headers': RelayHeaders;
  }
}
