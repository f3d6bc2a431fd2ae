import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { notificationPermission, requestNotificationPermission } from '../../platform/notifications.ts';
import type { ScheduleStore } from '../../schedule/schedule-store.ts';
import type { SchedulerHost } from '../../schedule/scheduler-host.ts';
import type { Schedule, ScheduleRun } from '../../schedule/types.ts';
import type { RecordingStore } from '../../storage/recording-store.ts';
import type { Recording } from '../../storage/types.ts';
import { coalesced } from '../shared/coalesced.ts';
import { sharedStyles } from '../shared/styles.ts';
import { NowController } from './now-controller.ts';
import './run-history.ts';
import './schedule-form.ts';
import './schedule-item.ts';

/** How far back Recent runs reaches, in ms. */
const RECENT_RUNS_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * `<td-schedules>`: the Schedules region: what schedules can and cannot do in a browser,
 * whether this tab runs them, notifications, the New/Edit schedule form, the saved
 * schedules, and Upcoming and Recent runs. Reloads when either store reports a change (in
 * this tab or another) and refreshes the times shown every 30 s.
 */
export class SchedulesView extends LitElement {
  static override properties = {
    scheduleStore: { attribute: false },
    recordingStore: { attribute: false },
    host: { attribute: false },
    schedules: { state: true },
    runs: { state: true },
    recordings: { state: true },
    isLeader: { state: true },
    captureCount: { state: true },
    permission: { state: true },
    editingId: { state: true },
  };

  declare scheduleStore: ScheduleStore;
  declare recordingStore: RecordingStore;
  declare host: SchedulerHost;
  declare schedules: Schedule[] | null;
  declare runs: ScheduleRun[];
  declare recordings: Map<string, Recording>;
  declare isLeader: boolean;
  declare captureCount: number;
  declare permission: ReturnType<typeof notificationPermission>;
  /** The schedule in the form, or null when the form makes a new one. */
  declare editingId: string | null;
  private readonly now = new NowController(this);
  private teardowns: (() => void)[] = [];

  constructor() {
    super();
    this.schedules = null;
    this.runs = [];
    this.recordings = new Map();
    this.isLeader = false;
    this.captureCount = 0;
    this.permission = notificationPermission();
    this.editingId = null;
  }

  static override styles = [
    sharedStyles,
    css`
      h2 {
        margin: 0 0 0.5rem;
      }
      p {
        margin: 0 0 0.75rem;
      }
      .notice {
        padding: 0.75rem;
        border-left: 4px solid var(--td-accent, #b3261e);
        background: var(--td-notice, #fdf3f2);
        border-radius: 4px;
      }
      .notifications {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        margin: 0 0 1rem;
      }
      .notifications p {
        margin: 0;
      }
      td-schedule-form {
        margin-bottom: 1rem;
        padding: 0.75rem;
        border: 1px solid var(--td-border, #d0d4da);
        border-radius: 8px;
      }
      ul.schedules {
        list-style: none;
        margin: 0;
        padding: 0;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.isLeader = this.host.isLeader;
    this.teardowns.push(
      this.scheduleStore.on('change', () => void this.reload()),
      // A camera or a manual recording stores a segment every few seconds: only the recordings
      // of the runs listed (or a change naming none) are worth a reread.
      this.recordingStore.on('change', ({ recordingId }) => {
        if (recordingId === null || this.runs.some((run) => run.recordingId === recordingId)) void this.reload();
      }),
      this.host.on('leader', ({ isLeader }) => (this.isLeader = isLeader)),
      this.host.on('captures', ({ count }) => (this.captureCount = count)),
    );
    void this.watchPermission();
    void this.reload();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const teardown of this.teardowns.splice(0)) teardown();
  }

  /** Reloads schedules, runs and their recordings; calls during a reload coalesce into one more. */
  private readonly reload = coalesced(async () => {
    this.now.refresh();
    const [schedules, runs] = await Promise.all([this.scheduleStore.list(), this.scheduleStore.recentRuns(this.now.nowMs - RECENT_RUNS_MS)]);
    const ids = [...new Set(runs.slice(0, 50).flatMap((run) => (run.recordingId ? [run.recordingId] : [])))];
    const found = await Promise.all(ids.map((id) => this.recordingStore.get(id)));
    this.recordings = new Map(found.flatMap((recording) => (recording ? [[recording.id, recording] as const] : [])));
    this.schedules = schedules;
    this.runs = runs;
    if (this.editingId && !schedules.some((schedule) => schedule.id === this.editingId)) this.editingId = null;
  });

  override render() {
    const editing = this.schedules?.find((schedule) => schedule.id === this.editingId) ?? null;
    return html`<section aria-labelledby="schedules-heading">
      <h2 id="schedules-heading">Schedules</h2>
      <p class="notice">
        Schedules run only while Tapedeck is open in a browser tab (it may be in the background). Browsers give web apps no reliable way to wake up on
        their own, so a closed tab records nothing; missed runs are listed below.
      </p>
      <p role="status" class="leader">
        ${this.isLeader ? 'This tab runs the schedules.' : 'Another Tapedeck tab is running the schedules; this one takes over if that tab closes.'}
      </p>
      ${this.isLeader && this.captureCount > 0
        ? html`<p>${this.captureCount === 1 ? 'One scheduled capture is' : `${this.captureCount} scheduled captures are`} running in this tab.</p>`
        : nothing}
      ${this.renderNotifications()}
      <td-schedule-form
        .scheduleStore=${this.scheduleStore}
        .host=${this.host}
        .schedule=${editing}
        @td-schedule-saved=${this.closeEditor}
        @td-schedule-cancel=${this.closeEditor}
      ></td-schedule-form>
      ${this.schedules === null
        ? html`<p>Loading…</p>`
        : this.schedules.length === 0
          ? html`<p>No schedules yet.</p>`
          : html`<ul class="schedules" aria-label="Saved schedules">
              ${repeat(
                this.schedules,
                (schedule) => schedule.id,
                (schedule) =>
                  html`<li>
                    <td-schedule-item
                      .schedule=${schedule}
                      .scheduleStore=${this.scheduleStore}
                      .host=${this.host}
                      .nowMs=${this.now.nowMs}
                      ?editing=${schedule.id === this.editingId}
                      @td-edit-schedule=${() => (this.editingId = schedule.id)}
                    ></td-schedule-item>
                  </li>`,
              )}
            </ul>`}
      <td-run-history .schedules=${this.schedules ?? []} .runs=${this.runs} .recordings=${this.recordings} .nowMs=${this.now.nowMs}></td-run-history>
    </section>`;
  }

  private renderNotifications() {
    if (this.permission === 'default') {
      return html`<div class="notifications">
        <p>Tapedeck can tell you when a scheduled recording starts, ends or fails.</p>
        <button type="button" @click=${this.askNotifications}>Enable notifications</button>
      </div>`;
    }
    if (this.permission === 'denied') return html`<p>Notifications are blocked in the browser settings.</p>`;
    if (this.permission === 'unsupported') return html`<p>This browser cannot show notifications.</p>`;
    return nothing;
  }

  private askNotifications = async () => {
    this.permission = await requestNotificationPermission();
  };

  /** Follows changes made in the browser's site settings, where the Permissions API allows. */
  private async watchPermission(): Promise<void> {
    try {
      const status = await navigator.permissions.query({ name: 'notifications' });
      const onChange = () => (this.permission = notificationPermission());
      status.addEventListener('change', onChange);
      this.teardowns.push(() => status.removeEventListener('change', onChange));
    } catch {
      // No Permissions API for notifications: the state is read again after each request.
    }
  }

  /** Leaves edit mode after Save or Cancel and gives the focus back to that schedule's Edit. */
  private closeEditor = async (event: CustomEvent<{ scheduleId: string | null }>) => {
    const id = this.editingId;
    if (!id) return;
    this.editingId = null;
    if (event.type === 'td-schedule-saved') await this.reload();
    await this.updateComplete;
    const item = [...this.renderRoot.querySelectorAll('td-schedule-item')].find((element) => element.schedule.id === id);
    item?.focusEdit();
  };
}

customElements.define('td-schedules', SchedulesView);

declare global {
  interface HTMLElementTagNameMap {
    'td-schedules': SchedulesView;
  }
}
