import { LitElement, css, html, nothing } from 'lit';
import { describeLength } from '../../schedule/describe.ts';
import { upcomingWindows } from '../../schedule/occurrences.ts';
import { renderTitle } from '../../schedule/title-template.ts';
import type { Schedule, ScheduleRun, ScheduleRunStatus } from '../../schedule/types.ts';
import type { Recording } from '../../storage/types.ts';
import { formatDuration } from '../shared/format.ts';
import { sharedStyles } from '../shared/styles.ts';
import { formatRunTime, isoTime } from './format.ts';

/** How many upcoming starts are listed, across all schedules. */
const UPCOMING_COUNT = 10;
/** How many recent runs are listed; older ones are counted. */
const RECENT_LIMIT = 50;

const STATUS_WORDS: Record<ScheduleRunStatus, string> = {
  running: 'Recording…',
  retrying: 'Trying again…',
  complete: 'Recorded',
  missed: 'Missed',
  failed: 'Failed',
};

/**
 * `<td-run-history>`: the next starts of the enabled schedules (Upcoming) and what became of
 * the runs of the last days (Recent runs: recording, recorded, missed or failed, and why).
 */
export class RunHistory extends LitElement {
  static override properties = {
    schedules: { attribute: false },
    runs: { attribute: false },
    recordings: { attribute: false },
    nowMs: { attribute: false },
  };

  declare schedules: Schedule[];
  /** Recent runs, newest first. */
  declare runs: ScheduleRun[];
  /** The recordings the runs made, by id (for their current titles and lengths). */
  declare recordings: Map<string, Recording>;
  declare nowMs: number;

  constructor() {
    super();
    this.schedules = [];
    this.runs = [];
    this.recordings = new Map();
    this.nowMs = Date.now();
  }

  static override styles = [
    sharedStyles,
    css`
      h3 {
        margin: 1rem 0 0.5rem;
        font-size: 1.05rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        padding: 0.5rem 0;
        border-bottom: 1px solid var(--td-border, #d0d4da);
        overflow-wrap: anywhere;
      }
      li:last-child {
        border-bottom: 0;
      }
      .title {
        font-weight: 600;
      }
      .when,
      .message {
        color: var(--td-muted, #4a4f57);
        font-variant-numeric: tabular-nums;
      }
      .message {
        display: block;
        font-size: 0.9rem;
      }
      .status {
        font-weight: 600;
      }
      .status.running {
        color: var(--td-accent, #b3261e);
      }
      .status.failed,
      .status.retrying,
      .status.missed {
        color: var(--td-error, #b3261e);
      }
      p {
        margin: 0;
      }
    `,
  ];

  override render() {
    return html`
      <h3 id="upcoming-heading">Upcoming</h3>
      ${this.renderUpcoming()}
      <h3 id="recent-heading">Recent runs</h3>
      ${this.renderRecent()}
    `;
  }

  private renderUpcoming() {
    const upcoming = this.schedules
      .filter((schedule) => schedule.enabled)
      .flatMap((schedule) => {
        try {
          return upcomingWindows(schedule, this.nowMs, UPCOMING_COUNT).map((window) => ({ schedule, ...window }));
        } catch {
          return [];
        }
      })
      .sort((a, b) => a.startAtMs - b.startAtMs)
      .slice(0, UPCOMING_COUNT);
    if (upcoming.length === 0) return html`<p>Nothing planned.</p>`;
    return html`<ul aria-labelledby="upcoming-heading">
      ${upcoming.map(
        ({ schedule, startAtMs }) => html`<li>
          <time class="when" datetime=${isoTime(startAtMs)}>${formatRunTime(startAtMs)}</time>:
          <span class="title">${renderTitle(schedule, startAtMs)}</span>, ${describeLength(schedule.length)}
        </li>`,
      )}
    </ul>`;
  }

  private renderRecent() {
    if (this.runs.length === 0) return html`<p>No runs in the last 7 days.</p>`;
    const byId = new Map(this.schedules.map((schedule) => [schedule.id, schedule]));
    const shown = this.runs.slice(0, RECENT_LIMIT);
    const hidden = this.runs.length - shown.length;
    return html`<ul aria-labelledby="recent-heading">
        ${shown.map((run) => {
          const schedule = byId.get(run.scheduleId);
          const recording = run.recordingId ? this.recordings.get(run.recordingId) : undefined;
          const title = recording?.title ?? (schedule ? renderTitle(schedule, run.startAtMs) : 'A deleted schedule');
          const length = recording && run.status !== 'missed' ? ` · ${formatDuration(recording.durationSec)} stored` : '';
          return html`<li>
            <span class="title">${title}</span><br />
            <span class="when">Planned <time datetime=${isoTime(run.startAtMs)}>${formatRunTime(run.startAtMs)}</time></span> ·
            <span class="status ${run.status}">${STATUS_WORDS[run.status]}</span><span class="when">${length}</span>
            ${run.message ? html`<span class="message">${run.message}</span>` : nothing}
          </li>`;
        })}
      </ul>
      ${hidden > 0 ? html`<p>${hidden} older runs of the last 7 days are not shown.</p>` : nothing}`;
  }
}

customElements.define('td-run-history', RunHistory);

declare global {
  interface HTMLElementTagNameMap {
    'td-run-history': RunHistory;
  }
}
