import { afterEach, describe, expect, test } from 'vitest';
import { waitFor } from '../../../tests/helpers/poll.ts';
import { dayKeyOf } from '../../cameras/local-day.ts';
import { openTapedeckDb } from '../../storage/db.ts';
import type { RecordingStore } from '../../storage/recording-store.ts';
import { demoSegment, DEMO_SEGMENT_SEC, newRecording, openTestStore, type TestStore } from '../../storage/test-fixtures.ts';
import { axeViolations } from './axe-check.ts';
import './review-view.ts';
import type { ReviewView } from './review-view.ts';

/** Local 01:00 today: the camera's recording starts then. */
const T0_MS = new Date(new Date().getFullYear(), new Date().getMonth(), new Date().getDate(), 1).getTime();

/**
 * A camera recording the way the cameras feature stores one: msn 0-4 dated from 01:00:00, msn
 * 5-7 missed (slid out), msn 8-9 dated from 01:00:16; real H.264+AAC demo segments, whose
 * timestamps run on across the missed ones as a stream's do.
 */
async function storeCameraDay(store: RecordingStore, dbName: string): Promise<void> {
  const recording = await store.create({ ...newRecording({ title: 'Yard', startedAtMs: T0_MS }), cameraId: 'cam-1', dayKey: dayKeyOf(T0_MS) } as Parameters<RecordingStore['create']>[0]);
  const put = async (msn: number, index: number, programDateTimeMs: number) =>
    store.appendSegment({ recordingId: recording.id, msn, durationSec: DEMO_SEGMENT_SEC, discontinuity: false, programDateTimeMs, data: await demoSegment(index) }, programDateTimeMs + 2500);
  for (let msn = 0; msn < 5; msn += 1) await put(msn, msn, T0_MS + msn * 2000);
  await store.addGap(recording.id, { fromMsn: 5, count: 3, durationSec: 6, reason: 'slid-out', detectedAtMs: T0_MS + 20_000 });
  for (let msn = 8; msn < 10; msn += 1) await put(msn, msn, T0_MS + msn * 2000);
  await store.update(recording.id, { status: 'complete', endedAtMs: T0_MS + 20_000 });
  // A stored camera with no recordings yet is listed too, by its name.
  const db = await openTapedeckDb(dbName);
  await db.put('cameras', { id: 'cam-2', name: 'Yard camera', streamUrl: 'http://127.0.0.1/yard.m3u8' });
  db.close();
}

const inShadow = <E extends Element>(host: Element, selector: string) => host.shadowRoot!.querySelector<E>(selector);

let scope: TestStore | undefined;
afterEach(async () => {
  document.body.replaceChildren();
  await scope?.dispose();
  scope = undefined;
});

async function mountReview(widthPx?: number): Promise<ReviewView> {
  scope = await openTestStore();
  await storeCameraDay(scope.store, scope.dbName);
  const review = document.createElement('td-review');
  review.store = scope.store;
  review.dbName = scope.dbName;
  const main = document.createElement('main');
  if (widthPx) main.style.width = `${widthPx}px`;
  main.append(review);
  document.body.append(main);
  const calendar = await waitFor(() => inShadow(review, 'td-review-calendar') ?? undefined, { timeoutMs: 5000, description: 'the calendar' });
  const day = await waitFor(() => inShadow<HTMLButtonElement>(calendar, `button[data-day-key="${dayKeyOf(T0_MS)}"][data-has-recordings]`) ?? undefined, { timeoutMs: 5000, description: 'the recorded day' });
  day.click();
  await waitFor(() => inShadow(review, 'td-day-timeline')?.shadowRoot?.querySelector('li') ?? undefined, { timeoutMs: 5000, description: 'the timeline' });
  return review;
}

describe('td-review', () => {
  test('lists cameras from the cameras store and from recordings; the day shows the spans and the missed segments', async () => {
    const review = await mountReview();
    const options = [...review.shadowRoot!.querySelectorAll('option')].map((option) => [option.value, option.textContent]);
    expect(options).toEqual([
      ['cam-1', 'cam-1'],
      ['cam-2', 'Yard camera'],
    ]);
    const timeline = inShadow(review, 'td-day-timeline')!;
    const items = [...timeline.shadowRoot!.querySelectorAll('li')].map((item) => item.textContent!.trim());
    expect(items).toEqual(['Recorded 01:00:00–01:00:10 (10 s)', 'Gap 01:00:10–01:00:16 (6 s): segments missed (they left the live window before they could be fetched)', 'Recorded 01:00:16–01:00:20 (4 s)']);
  });

  test('a moment in the gap plays from the next recorded moment, with its wall clock over the picture; after the last, it says nothing was recorded', async () => {
    const review = await mountReview();
    const timeline = inShadow(review, 'td-day-timeline')!;
    timeline.dispatchEvent(new CustomEvent('td-timeline-seek', { detail: { timeMs: T0_MS + 12_000 }, bubbles: true, composed: true }));
    await waitFor(() => (review.status.includes('playing from 01:00:16') ? true : undefined), { timeoutMs: 5000, description: 'the status' });
    expect(review.status).toBe('Nothing was recorded at 01:00:12; playing from 01:00:16, the next recorded moment.');
    const player = inShadow(review, 'td-review-player')!;
    const video = await waitFor(() => inShadow<HTMLVideoElement>(player, 'video') ?? undefined, { timeoutMs: 5000, description: 'the video' });
    // The player's timeline keeps the missed 6 s, as a hole.
    await waitFor(() => (!video.seeking && video.currentTime >= 16.2 ? true : undefined), { timeoutMs: 20_000, description: 'playback past the gap' });
    const clock = await waitFor(() => inShadow<HTMLElement>(player, '.clock') ?? undefined, { timeoutMs: 5000, description: 'the clock' });
    expect(Math.abs(Number(clock.dataset.wallClockMs) - (T0_MS + video.currentTime * 1000))).toBeLessThan(1000);
    expect(clock.textContent).toMatch(/^\d{4}-\d\d-\d\d 01:00:1\d$/);

    timeline.dispatchEvent(new CustomEvent('td-timeline-seek', { detail: { timeMs: T0_MS + 3_600_000 }, bubbles: true, composed: true }));
    await waitFor(() => (review.message ? true : undefined), { timeoutMs: 5000, description: 'the message' });
    expect(review.message).toBe('Nothing was recorded at or after 02:00:00 on this day.');
  });

  test('after the day is picked again, a moment of the same recording plays again', async () => {
    const review = await mountReview();
    const seek = (timeMs: number) => inShadow(review, 'td-day-timeline')!.dispatchEvent(new CustomEvent('td-timeline-seek', { detail: { timeMs }, bubbles: true, composed: true }));
    const player = inShadow(review, 'td-review-player')!;
    const playing = async (fromSec: number, description: string) => {
      const video = await waitFor(() => inShadow<HTMLVideoElement>(player, 'video') ?? undefined, { timeoutMs: 5000, description: 'the video' });
      await waitFor(() => (!video.seeking && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.currentTime >= fromSec ? true : undefined), { timeoutMs: 6000, description });
    };
    seek(T0_MS + 2000);
    await playing(2, 'the first moment playing');
    // Picking the day again clears the player; the same recording is then asked for anew.
    const calendar = inShadow(review, 'td-review-calendar')!;
    inShadow<HTMLButtonElement>(calendar, `button[data-day-key="${dayKeyOf(T0_MS)}"]`)!.click();
    await waitFor(() => (review.playRequest === null && !inShadow(player, 'video') ? true : undefined), { timeoutMs: 5000, description: 'the player cleared' });
    await waitFor(() => inShadow(review, 'td-day-timeline')?.shadowRoot?.querySelector('li') ?? undefined, { timeoutMs: 5000, description: 'the timeline again' });
    seek(T0_MS + 6000);
    await playing(6, 'the second moment playing');
  });

  test('a reversed range is refused with a message, and nothing is exported', async () => {
    const review = await mountReview();
    const [from, to] = review.shadowRoot!.querySelectorAll<HTMLInputElement>('input[type="time"]');
    from!.value = '01:00:08';
    from!.dispatchEvent(new Event('change'));
    to!.value = '01:00:02';
    to!.dispatchEvent(new Event('change'));
    await review.updateComplete;
    const exportButton = [...review.shadowRoot!.querySelectorAll('button')].find((button) => button.textContent === 'Export range')!;
    exportButton.click();
    await review.updateComplete;
    expect(review.message).toBe('The range must end after it starts (from 01:00:08 to 01:00:02).');
    expect(review.exportFraction).toBeNull();
  });

  test('fits the width a 360 px phone leaves inside a panel (296 px): no control sticks out', async () => {
    const review = await mountReview(296);
    const right = review.getBoundingClientRect().right;
    const sticking: string[] = [];
    const visit = (root: ShadowRoot) => {
      for (const element of root.querySelectorAll<HTMLElement>('*')) {
        if (element.shadowRoot) visit(element.shadowRoot);
        if (element.getBoundingClientRect().right > right + 0.5) sticking.push(`${element.localName}.${element.className}`);
      }
    };
    visit(review.shadowRoot!);
    expect(sticking).toEqual([]);
  });

  test('passes axe-core with a day open', async () => {
    const review = await mountReview();
    expect(await axeViolations(review)).toEqual([]);
  });
});
