/**
 * Formats a planned run time (ms since the Unix epoch) in the browser's local time with the
 * weekday, e.g. `Fri, 21 Nov 2026, 05:45`; seconds are shown only when not zero.
 */
export function formatRunTime(timeMs: number): string {
  const withSeconds = new Date(timeMs).getSeconds() !== 0;
  return new Date(timeMs).toLocaleString(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(withSeconds ? { second: '2-digit' } : {}),
  });
}

/** Machine-readable form of an instant for `<time datetime>`. */
export function isoTime(timeMs: number): string {
  return new Date(timeMs).toISOString();
}
