import { LitElement, css, html, nothing } from 'lit';
import type { AppUpdater, UpdateState } from '../../pwa/register.ts';
import { sharedStyles } from '../shared/styles.ts';

/**
 * `<td-update-prompt>`: says when a new version of Tapedeck is ready and reloads into it
 * when the user agrees; while this tab records, the reload waits for the recording to end.
 */
export class UpdatePrompt extends LitElement {
  static override properties = {
    updater: { attribute: false },
    state: { state: true },
  };

  declare updater: AppUpdater | null;
  declare state: UpdateState;
  private unsubscribe: (() => void) | null = null;

  constructor() {
    super();
    this.updater = null;
    this.state = 'none';
  }

  static override styles = [
    sharedStyles,
    css`
      .bar {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: center;
        padding: 0.75rem 1rem;
        margin-bottom: 1rem;
        border-radius: 12px;
        background: #fff4d6;
        border: 1px solid #e0b84f;
      }
      p {
        margin: 0;
      }
    `,
  ];

  override updated(changed: Map<string, unknown>): void {
    if (!changed.has('updater')) return;
    this.unsubscribe?.();
    this.unsubscribe = this.updater?.on('state', ({ state }) => (this.state = state)) ?? null;
    this.state = this.updater?.current ?? 'none';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  override render() {
    if (this.state === 'none') return nothing;
    const text = {
      available: 'A new version of Tapedeck is ready.',
      'waiting-for-recording': 'The update will be applied when the recording stops; recording goes on meanwhile.',
      applying: 'Updating…',
    }[this.state];
    return html`<div class="bar" role="status">
      <p>${text}</p>
      ${this.state === 'available' ? html`<button type="button" class="primary" @click=${() => this.updater?.apply()}>Reload to update</button>` : nothing}
    </div>`;
  }
}

customElements.define('td-update-prompt', UpdatePrompt);

declare global {
  interface HTMLElementTagNameMap {
    'td-update-prompt': UpdatePrompt;
  }
}
