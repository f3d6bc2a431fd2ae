/** Whether the page may show notifications: the Notification API's permission, or `unsupported`. */
export function notificationPermission(): NotificationPermission | 'unsupported' {
  return 'Notification' in globalThis ? Notification.permission : 'unsupported';
}

/**
 * Asks the user for permission to show notifications (call from a click).
 * @returns the answer; `denied` also when the browser has no Notification API.
 */
export async function requestNotificationPermission(): Promise<NotificationPermission> {
  if (!('Notification' in globalThis)) return 'denied';
  return Notification.requestPermission();
}

/** Shows a notification when permission was granted; does nothing otherwise. */
export function notify(title: string, body: string, tag?: string): void {
  if (notificationPermission() !== 'granted') return;
  try {
    new Notification(title, { body, tag, icon: '/favicon.svg' });
  } catch {
    // Some browsers only allow notifications from a service worker; nothing to do here then.
  }
}
