import { Workbox } from 'workbox-window';
import { TypedEventTarget } from '../events.ts';
import { whenNoRecordingAnywhere } from '../storage/recording-lock.ts';

/** Where an update stands. */
export type UpdateState = 'none' | 'available' | 'waiting-for-recording' | 'applying';

/** Events of {@link AppUpdater}. */
export interface AppUpdaterEvents {
  state: { state: UpdateState };
}

/** How often an open app asks the server for a new version, in ms. */
const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Registers the service worker (through workbox-window) and manages updates: a new version
 * is announced (`available`) but never installed over the running page until the user agrees;
 * if any tab of the app is recording then, the reload waits until the last recording ends
 * (`waiting-for-recording`), so an update never breaks a recording in progress: the new
 * version takes over every tab, and a tab still running the old one could no longer load its
 * workers.
 */
export class AppUpdater extends TypedEventTarget<AppUpdaterEvents> {
  private workbox: Workbox | null = null;
  private registration: ServiceWorkerRegistration | null = null;
  private state: UpdateState = 'none';

  /** The current update state. */
  get current(): UpdateState {
    return this.state;
  }

  /**
   * Registers `/sw.js` when the browser has service workers; does nothing otherwise.
   * @returns the registration, or null.
   */
  async register(scriptUrl = '/sw.js'): Promise<ServiceWorkerRegistration | null> {
    if (!('serviceWorker' in navigator)) return null;
    const workbox = new Workbox(scriptUrl, { type: 'classic' });
    this.workbox = workbox;
    workbox.addEventListener('waiting', () => this.setState('available'));
    // Listened for from the start: when several tabs agreed to update, whichever activates the
    // new version first takes over every tab, maybe before the others have sent their own
    // message, so each reloads on the takeover rather than on its own message.
    workbox.addEventListener('controlling', () => {
      if (this.state === 'applying' || this.state === 'waiting-for-recording') window.location.reload();
    });
    const registration = (await workbox.register()) ?? null;
    this.registration = registration;
    setInterval(() => void workbox.update(), UPDATE_CHECK_INTERVAL_MS);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void workbox.update();
    });
    return registration;
  }

  /** Asks the server for a new version now. */
  async checkForUpdate(): Promise<void> {
    await this.workbox?.update();
  }

  /**
   * The user agreed to update: the waiting version takes over and the page reloads, at once
   * or, while any tab records, as soon as the last recording ends.
   */
  apply(): void {
    if (this.state !== 'available' || !this.workbox) return;
    this.setState('applying');
    void whenNoRecordingAnywhere(() => this.setState('waiting-for-recording')).then(() => this.activate());
  }

  private activate(): void {
    this.setState('applying');
    // Another tab already activated the new version (this one then runs the old code under it):
    // nothing is waiting any more, and only a reload brings the new version.
    if (!this.registration?.waiting) {
      window.location.reload();
      return;
    }
    this.workbox!.messageSkipWaiting();
  }

  private setState(state: UpdateState): void {
    this.state = state;
    this.emit('state', { state });
  }
}
