import { ALL_FORMATS, BlobSource, Input, MP4 } from 'mediabunny';
import { afterEach, describe, expect, test } from 'vitest';
import { waitFor } from '../../../tests/helpers/poll.ts';
import { RecordingStore } from '../../storage/recording-store.ts';
import { storeDemoRecording } from '../../storage/test-fixtures.ts';
import type { Recording } from '../../storage/types.ts';
import { etaText, parseFormatChoice, type ExportPanel } from './export-panel.ts';

describe('parseFormatChoice', () => {
  test('splits MP3 choices into format and bitrate, keeps the others', () => {
    expect(parseFormatChoice('mp3-128')).toEqual({ format: 'mp3', bitrateKbps: 128, transcode: null });
    expect(parseFormatChoice('mp3-320')).toEqual({ format: 'mp3', bitrateKbps: 320, transcode: null });
    expect(parseFormatChoice('mkv')).toMatchObject({ format: 'mkv', transcode: null });
    expect(parseFormatChoice('ts')).toMatchObject({ format: 'ts', transcode: null });
  });

  test('re-encoded choices carry their settings', () => {
    expect(parseFormatChoice('m4a-aac-96')).toMatchObject({ format: 'm4a', transcode: { audio: { codec: 'aac', bitrateKbps: 96, loudnorm: false }, video: null } });
    expect(parseFormatChoice('m4a-loudnorm')).toMatchObject({ format: 'm4a', transcode: { audio: { codec: 'aac', loudnorm: true }, video: null } });
    expect(parseFormatChoice('ogg-opus-64')).toMatchObject({ format: 'ogg', transcode: { audio: { codec: 'opus', bitrateKbps: 64 } } });
    expect(parseFormatChoice('mp4-small')).toMatchObject({ format: 'mp4', transcode: { video: { crf: 30, maxHeight: 360 }, burnWallClock: false } });
    expect(parseFormatChoice('mp4-medium')).toMatchObject({ format: 'mp4', transcode: { video: { crf: 26, maxHeight: 720 } } });
  });
});

describe('etaText', () => {
  test('says the time left from the elapsed time and the share done', () => {
    expect(etaText(4_000, 0.25)).toBe('about 12 s left');
    expect(etaText(60_000, 0.5)).toBe('about 1 min left');
    expect(etaText(120_000, 0.4)).toBe('about 3 min left');
  });

  test('says nothing too early to tell, or when done', () => {
    expect(etaText(100, 0.5)).toBe('');
    expect(etaText(5_000, 0.01)).toBe('');
    expect(etaText(5_000, 1)).toBe('');
  });
});

describe('the Format select', () => {
  const added: HTMLElement[] = [];
  afterEach(() => {
    for (const element of added.splice(0)) element.remove();
  });

  test('shows M4A once a recording whose kind was unknown turns out to be audio', async () => {
    const recording = { id: 'r1', title: 'Radio', kind: null, segmentCount: 2, durationSec: 4, codecs: [], status: 'recording' } as unknown as Recording;
    const panel = document.createElement('td-export-panel') as ExportPanel;
    panel.recording = recording;
    document.body.append(panel);
    added.push(panel);
    await panel.updateComplete;
    const select = panel.shadowRoot!.querySelector('select')!;
    expect(select.value).toBe('mp4');

    // The first segment was probed: audio only. The video choices go, M4A is the default.
    panel.recording = { ...recording, kind: 'audio', codecs: ['mp4a.40.2'] };
    await panel.updateComplete;
    expect([...select.options].some((option) => option.value === 'mp4')).toBe(false);
    expect(select.value).toBe('m4a');
    expect(select.selectedOptions[0]?.textContent).toBe('M4A (audio)');
  });
});

describe('Save as…', () => {
  const cleanUps: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanUp of cleanUps.splice(0).reverse()) await cleanUp();
  });

  /**
   * The app's own database with the demo recording's first two segments, a panel showing it,
   * and the save dialog standing in with an Origin Private File System file (the native dialog
   * cannot be driven here). `asked` holds each call's options, and whether it came while the
   * click was being dispatched: Chromium opens a file picker only within the user's gesture.
   */
  async function panelWithPicker(extension: string) {
    const store = await RecordingStore.open();
    cleanUps.push(() => store.close());
    const recording = await storeDemoRecording(store, [0, 1]);
    cleanUps.push(() => store.delete(recording.id));
    const root = await navigator.storage.getDirectory();
    const fileName = `save-as-${crypto.randomUUID()}.${extension}`;
    const handle = await root.getFileHandle(fileName, { create: true });
    cleanUps.push(() => root.removeEntry(fileName));
    const asked: { options: unknown; duringClick: boolean }[] = [];
    let clicking = false;
    const own = Object.getOwnPropertyDescriptor(window, 'showSaveFilePicker');
    Object.defineProperty(window, 'showSaveFilePicker', { configurable: true, writable: true, value: (options: unknown) => (asked.push({ options, duringClick: clicking }), Promise.resolve(handle)) });
    cleanUps.push(() => {
      if (own) Object.defineProperty(window, 'showSaveFilePicker', own);
      else delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
    });
    const panel = document.createElement('td-export-panel') as ExportPanel;
    panel.recording = recording;
    document.body.append(panel);
    cleanUps.push(() => panel.remove());
    await panel.updateComplete;
    const clickSaveAs = () => {
      const saveAs = [...panel.shadowRoot!.querySelectorAll('button')].find((button) => button.textContent === 'Save as…')!;
      clicking = true;
      saveAs.click();
      clicking = false;
    };
    const notice = () => waitFor(() => panel.shadowRoot!.querySelector('p[role="status"]')?.textContent || undefined, { timeoutMs: 50_000, description: 'the notice after Save as…' });
    return { recording, panel, handle, fileName, asked, clickSaveAs, notice };
  }

  test('writes the export into the file the save dialog gave, suggests the recording\'s name, and says where it went', { timeout: 60_000 }, async () => {
    const { recording, panel, handle, fileName, asked, clickSaveAs, notice } = await panelWithPicker('mp4');
    clickSaveAs();

    expect(await notice()).toBe(`Saved as ${fileName}.`);
    expect(panel.shadowRoot!.querySelector('p[role="alert"]')!.textContent).toBe('');
    expect(asked).toEqual([{ options: { suggestedName: 'Demo stream.mp4', types: [{ description: expect.any(String), accept: { 'video/mp4': ['.mp4'] } }] }, duringClick: true }]);
    const input = new Input({ source: new BlobSource(await handle.getFile()), formats: ALL_FORMATS });
    expect(await input.getFormat()).toBe(MP4);
    expect(await input.computeDuration()).toBeGreaterThan(recording.durationSec - 1);
  });

  test('opens the dialog within the click for the original segments too, whose file type is read once that choice is made', { timeout: 60_000 }, async () => {
    const { panel, handle, fileName, asked, clickSaveAs, notice } = await panelWithPicker('ts');
    const select = panel.shadowRoot!.querySelector('select')!;
    select.value = 'ts';
    select.dispatchEvent(new Event('change'));
    // The choice names the container once its first segment has been read.
    await waitFor(() => (select.selectedOptions[0]?.textContent === 'Original segments as one file (.ts)' ? true : undefined), { timeoutMs: 10_000, description: 'the .ts label' });
    clickSaveAs();

    expect(await notice()).toBe(`Saved as ${fileName}.`);
    expect(asked).toEqual([{ options: { suggestedName: 'Demo stream.ts', types: [{ description: 'MPEG transport stream', accept: { 'video/mp2t': ['.ts'] } }] }, duringClick: true }]);
    const bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
    expect(bytes.length).toBeGreaterThan(188 * 100);
    // Transport packets from the first byte on (ISO/IEC 13818-1 2.4.3.2).
    for (let offset = 0; offset < bytes.length; offset += 188 * 97) expect(bytes[offset]).toBe(0x47);
  });
});
