/**
 * Formats seconds as `m:ss` or `h:mm:ss`, e.g. 83.4 → `1:23`.
 * Negative or non-finite input shows as `0:00`.
 */
export function formatDuration(durationSec: number): string {
  const total = Number.isFinite(durationSec) && durationSec > 0 ? Math.floor(durationSec) : 0;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** Formats a size in bytes with binary multiples as people read them, e.g. `12.3 MB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Formats a wall-clock time (ms since the Unix epoch) as a local date and time. */
export function formatDateTime(timeMs: number): string {
  return new Date(timeMs).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
