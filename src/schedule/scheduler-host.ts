import type { TapedeckConfig } from '../config.ts';
import { TypedEventTarget } from '../events.ts';
import { notify } from '../platform/notifications.ts';
import { ScreenWakeLock } from '../platform/wake-lock.ts';
import type { RecordingStore } from '../storage/recording-store.ts';
import { electLeader } from './leader.ts';
import type { ScheduleStore } from './schedule-store.ts';
import { Scheduler } from './scheduler.ts';
import { startWallClock } from './wall-clock.ts';

/** Events of {@link SchedulerHost}. */
export interface SchedulerHostEvents {
  /** Whether this tab runs the schedules (the others wait to take over). */
  leader: { isLeader: boolean };
  /** Captures running in this tab's scheduler. */
  captures: { count: number };
}

/**
 * Runs the {@link Scheduler} in whichever open tab is elected leader, ticks it from a
 * worker clock, shows notifications for starts, ends and failures, and keeps the screen
 * awake while a scheduled capture runs.
 */
export class SchedulerHost extends TypedEventTarget<SchedulerHostEvents> {
  private readonly scheduler: Scheduler;
  private readonly wakeLock = new ScreenWakeLock();
  private teardowns: (() => void)[] = [];
  private leader = false;
  private readonly intervalMs: number;

  constructor(schedules: ScheduleStore, recordings: RecordingStore, config: TapedeckConfig, now?: () => number) {
    super();
    this.scheduler = new Scheduler(schedules, recordings, config.capture, config.schedule, now);
    this.scheduler.on('run-started', ({ recording, shared }) => notify('Scheduled recording started', shared ? `${recording.title} (shared with another schedule)` : recording.title, recording.id));
    this.scheduler.on('run-ended', ({ recording, schedule }) => notify('Scheduled recording finished', recording?.title ?? schedule.programme, recording?.id));
    this.scheduler.on('run-retrying', ({ schedule, message, first }) => {
      if (first) notify(`Scheduled recording interrupted: ${schedule.programme || schedule.stationName}`, message);
    });
    this.scheduler.on('run-failed', ({ schedule, message }) => notify(`Scheduled recording failed: ${schedule.programme || schedule.stationName}`, message));
    this.scheduler.on('captures', ({ count }) => {
      void this.wakeLock.hold(count > 0);
      this.emit('captures', { count });
    });
    this.intervalMs = config.schedule.tickIntervalMs;
  }

  /** Whether this tab runs the schedules. */
  get isLeader(): boolean {
    return this.leader;
  }

  /** Joins the election; once leader, recovers abandoned runs and starts ticking. */
  start(): void {
    this.teardowns.push(
      electLeader(() => {
        this.leader = true;
        this.emit('leader', { isLeader: true });
        void this.scheduler.recoverAbandonedRuns().then(() => this.scheduler.tick());
        this.teardowns.push(startWallClock(() => void this.scheduler.tick(), this.intervalMs));
      }),
    );
  }

  /** Runs the scheduler once now (after a schedule was saved), when this tab is leader. */
  poke(): void {
    if (this.leader) void this.scheduler.tick();
  }

  /** Stops ticking, ends running captures and gives up leadership. */
  async stop(): Promise<void> {
    for (const teardown of this.teardowns.splice(0)) teardown();
    await this.scheduler.stopAll();
    await this.wakeLock.dispose();
    this.leader = false;
  }
}
