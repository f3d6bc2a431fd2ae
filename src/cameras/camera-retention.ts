/**
 * Retention of camera recordings, per camera and by whole days: keep the last N days, or the
 * newest days that fit in N bytes. The oldest days go first; the day being recorded (today)
 * and any recording still in progress are never deleted. Deletions go into the same retention
 * log as the storage panel's rules (src/storage/retention-keeper.ts), with the same reasons,
 * and are made under the same Web Lock, so two tabs never delete the same day twice.
 */

import type { RecordingStore } from '../storage/recording-store.ts';
import type { RetentionLogEntry, RetentionReason } from '../storage/retention.ts';
import type { SettingsStore } from '../storage/settings-store.ts';
import type { Recording } from '../storage/types.ts';
import type { Camera } from './camera-store.ts';
import { dayKeyOf } from './local-day.ts';

/** One deletion planned: a recording of one of a camera's days. */
export interface CameraRetentionDeletion {
  recordingId: string;
  dayKey: string;
  reason: RetentionReason;
}

/** The fields of a recording that planning reads. */
export type PlannedCameraRecording = Pick<Recording, 'id' | 'cameraId' | 'dayKey' | 'bytes' | 'status' | 'startedAtMs'>;

/** The local day `days - 1` days before `todayKey`'s day, as `YYYY-MM-DD`: the oldest day `days` keeps. */
function oldestKeptDayKey(nowMs: number, days: number): string {
  const d = new Date(nowMs);
  return dayKeyOf(new Date(d.getFullYear(), d.getMonth(), d.getDate() - (days - 1)).getTime());
}

/**
 * Decides which of a camera's recordings its retention deletes. Pure.
 *
 * Days are the recordings' `dayKey`s. With `retention.days` = N, every day older than the last N
 * local days (today counted) goes. With `retention.bytes`, while the camera's recordings take
 * more than that together, its oldest day goes. Today's recordings and recordings in status
 * `recording` are never deleted (their bytes count all the same), so a camera whose today alone
 * is over the limit keeps today and nothing else.
 *
 * @param recordings - any recordings; those of other cameras are ignored.
 * @param nowMs - wall clock, in ms since the Unix epoch: "today" is its local day.
 * @returns deletions, oldest day first; empty when the camera has no retention limit.
 */
export function planCameraRetention(recordings: readonly PlannedCameraRecording[], camera: Pick<Camera, 'id' | 'name' | 'streamUrl' | 'retention'>, nowMs: number): CameraRetentionDeletion[] {
  const { days, bytes } = camera.retention;
  if (days === undefined && bytes === undefined) return [];
  const todayKey = dayKeyOf(nowMs);
  const own = recordings.filter((r) => r.cameraId === camera.id && r.dayKey !== undefined);
  const byDay = new Map<string, PlannedCameraRecording[]>();
  for (const r of own) byDay.set(r.dayKey!, [...(byDay.get(r.dayKey!) ?? []), r]);
  const dayKeys = [...byDay.keys()].sort();
  const deletable = (dayKey: string) => dayKey < todayKey && byDay.get(dayKey)!.every((r) => r.status !== 'recording');
  const scope = { sourceUrl: camera.streamUrl, sourceName: camera.name };
  const deleted = new Map<string, RetentionReason>();
  if (days !== undefined) {
    const oldestKept = oldestKeptDayKey(nowMs, days);
    for (const dayKey of dayKeys) if (dayKey < oldestKept && deletable(dayKey)) deleted.set(dayKey, { kind: 'max-age', maxAgeDays: days, ...scope });
  }
  if (bytes !== undefined) {
    let total = own.filter((r) => !deleted.has(r.dayKey!)).reduce((sum, r) => sum + r.bytes, 0);
    for (const dayKey of dayKeys) {
      if (total <= bytes) break;
      if (deleted.has(dayKey) || !deletable(dayKey)) continue;
      deleted.set(dayKey, { kind: 'max-bytes', maxBytes: bytes, ...scope });
      total -= byDay.get(dayKey)!.reduce((sum, r) => sum + r.bytes, 0);
    }
  }
  return dayKeys.flatMap((dayKey) => {
    const reason = deleted.get(dayKey);
    if (!reason) return [];
    return byDay
      .get(dayKey)!
      .sort((a, b) => a.startedAtMs - b.startedAtMs)
      .map((r) => ({ recordingId: r.id, dayKey, reason }));
  });
}

/** Options of {@link applyCameraRetention}. */
export interface ApplyCameraRetentionOptions {
  /** Entries the retention log keeps (config `storage.retentionLogMaxEntries`). */
  logMaxEntries: number;
  /** Wall clock, in ms since the Unix epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * Applies every camera's retention now: deletes what {@link planCameraRetention} plans and
 * appends each deletion to the retention log. Runs under the retention Web Lock of the
 * database (`tapedeck-retention:<db name>`), as RetentionKeeper does.
 * @returns what was deleted, oldest day first.
 * @throws DOMException on storage errors; deletions already made stay made and logged.
 */
export async function applyCameraRetention(cameras: readonly Camera[], recordings: RecordingStore, settings: SettingsStore, options: ApplyCameraRetentionOptions): Promise<RetentionLogEntry[]> {
  const now = options.now ?? (() => Date.now());
  return navigator.locks.request(`tapedeck-retention:${settings.dbName}`, async () => {
    const all = await recordings.list();
    const byId = new Map(all.map((r) => [r.id, r]));
    const deleted: RetentionLogEntry[] = [];
    try {
      for (const camera of cameras) {
        for (const { recordingId, reason } of planCameraRetention(all, camera, now())) {
          const recording = byId.get(recordingId)!;
          await recordings.delete(recordingId);
          deleted.push({ atMs: now(), recordingId, title: recording.title, startedAtMs: recording.startedAtMs, bytes: recording.bytes, reason });
        }
      }
    } finally {
      if (deleted.length > 0) await settings.update('retentionLog', (log = []) => [...log, ...deleted].slice(-options.logMaxEntries));
    }
    return deleted;
  });
}
