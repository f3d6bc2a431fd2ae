import type { ScheduleInput } from '../../schedule/schedule-store.ts';
import { DEFAULT_TITLE_TEMPLATE } from '../../schedule/title-template.ts';
import { ScheduleError, type Schedule, type ScheduleLength, type ScheduleRule } from '../../schedule/types.ts';

/** How a schedule repeats, as the form's Repeat select offers it. */
export type RepeatKind = ScheduleRule['kind'];

/** The New/Edit schedule form's fields, as typed (strings as the inputs give them). */
export interface ScheduleDraft {
  sourceUrl: string;
  stationName: string;
  programme: string;
  repeat: RepeatKind;
  cronExpression: string;
  /** `datetime-local` value, read in the browser's time zone. */
  onceAt: string;
  /** 0 = Sunday … 6 = Saturday. */
  days: number[];
  /** `HH:MM`. */
  time: string;
  lengthKind: ScheduleLength['kind'];
  /** Minutes, as typed; 0.5 is 30 s. */
  durationMin: string;
  /** `HH:MM`. */
  until: string;
  titleTemplate: string;
  artist: string;
  album: string;
  genre: string;
}

/** The browser's IANA time zone, e.g. `Europe/London`. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The fields of a new schedule. */
export function emptyDraft(): ScheduleDraft {
  return {
    sourceUrl: '',
    stationName: '',
    programme: '',
    repeat: 'cron',
    cronExpression: '',
    onceAt: '',
    days: [],
    time: '',
    lengthKind: 'duration',
    durationMin: '60',
    until: '',
    titleTemplate: DEFAULT_TITLE_TEMPLATE,
    artist: '',
    album: '',
    genre: '',
  };
}

/** A `datetime-local` value (local time, with seconds) for an instant. */
export function toDateTimeLocal(timeMs: number): string {
  const d = new Date(timeMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The form's fields for editing a saved schedule. */
export function draftFromSchedule(schedule: Schedule): ScheduleDraft {
  const { rule, length, tags } = schedule;
  return {
    ...emptyDraft(),
    sourceUrl: schedule.sourceUrl,
    stationName: schedule.stationName,
    programme: schedule.programme,
    repeat: rule.kind,
    cronExpression: rule.kind === 'cron' ? rule.expression : '',
    onceAt: rule.kind === 'once' ? toDateTimeLocal(rule.startAtMs) : '',
    days: rule.kind === 'weekly' ? [...rule.days] : [],
    time: rule.kind === 'weekly' ? rule.time : '',
    lengthKind: length.kind,
    durationMin: length.kind === 'duration' ? String(Math.round((length.durationSec / 60) * 1000) / 1000) : '60',
    until: length.kind === 'until' ? length.endTime : '',
    titleTemplate: schedule.titleTemplate,
    artist: tags.artist ?? '',
    album: tags.album ?? '',
    genre: tags.genre ?? '',
  };
}

/** The rule the draft describes (it may be invalid; the store checks). */
export function draftRule(draft: ScheduleDraft): ScheduleRule {
  switch (draft.repeat) {
    case 'cron':
      return { kind: 'cron', expression: draft.cronExpression.trim() };
    case 'once':
      return { kind: 'once', startAtMs: new Date(draft.onceAt).getTime() };
    case 'weekly':
      return { kind: 'weekly', days: [...draft.days].sort((a, b) => a - b), time: draft.time };
  }
}

/** The length the draft describes. */
export function draftLength(draft: ScheduleDraft): ScheduleLength {
  return draft.lengthKind === 'duration' ? { kind: 'duration', durationSec: Number(draft.durationMin) * 60 } : { kind: 'until', endTime: draft.until };
}

/**
 * What to save for the draft. `base` is the schedule being edited: its time zone, enabled
 * state and tags the form does not show are kept.
 */
export function draftToInput(draft: ScheduleDraft, base: Schedule | null): ScheduleInput {
  const tag = (value: string) => value.trim() || undefined;
  return {
    sourceUrl: draft.sourceUrl.trim(),
    stationName: draft.stationName.trim(),
    programme: draft.programme.trim(),
    rule: draftRule(draft),
    length: draftLength(draft),
    titleTemplate: draft.titleTemplate,
    tags: { ...base?.tags, artist: tag(draft.artist), album: tag(draft.album), genre: tag(draft.genre) },
    enabled: base?.enabled ?? true,
    timeZone: base?.timeZone ?? browserTimeZone(),
  };
}

/**
 * A plain message for a field left empty, which the store would report in terms of the
 * value it got (`""`); null when nothing is missing. The store checks everything else.
 */
export function missingField(draft: ScheduleDraft): ScheduleError | null {
  if (draft.repeat === 'cron' && !draft.cronExpression.trim()) return new ScheduleError('Enter a cron expression, e.g. */2 * * * * for every 2 minutes.', 'rule');
  if (draft.repeat === 'weekly' && draft.days.length === 0) return new ScheduleError('Choose at least one day of the week.', 'rule');
  if (draft.repeat === 'weekly' && !draft.time) return new ScheduleError('Choose a time.', 'rule');
  if (draft.lengthKind === 'until' && !draft.until) return new ScheduleError('Choose the time to record until.', 'length');
  return null;
}

/** A schedule made of the draft, unsaved, for previews (next runs, example title). */
export function draftPreviewSchedule(draft: ScheduleDraft, base: Schedule | null): Schedule {
  const input = draftToInput(draft, base);
  return { ...input, id: '', createdAtMs: 0, updatedAtMs: 0, evaluatedUntilMs: 0, length: { kind: 'duration', durationSec: 1 } };
}
