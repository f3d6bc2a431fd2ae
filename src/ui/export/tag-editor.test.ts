import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { exportTags } from '../../export/tags.ts';
import { newRecording, openTestStore, type TestStore } from '../../storage/test-fixtures.ts';
import type { Recording } from '../../storage/types.ts';
import './tag-editor.ts';
import type { TagEditor } from './tag-editor.ts';

let t: TestStore;
const added: HTMLElement[] = [];

beforeEach(async () => {
  t = await openTestStore();
});

afterEach(async () => {
  for (const element of added.splice(0)) element.remove();
  await t.dispose();
});

/** A tag editor for `recording` on a real store, in the page; resolves once rendered. */
async function editorFor(recording: Recording): Promise<{ editor: TagEditor; input: (name: string) => HTMLInputElement; closed: Promise<void> }> {
  const editor = document.createElement('td-tag-editor');
  editor.recording = recording;
  editor.store = t.store;
  const closed = new Promise<void>((resolve) => editor.addEventListener('td-tags-closed', () => resolve(), { once: true }));
  document.body.append(editor);
  added.push(editor);
  await editor.updateComplete;
  const input = (name: string) => editor.shadowRoot!.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
  return { editor, input, closed };
}

describe('<td-tag-editor>', () => {
  test('a defaulted tag emptied and saved stays empty; unchanged defaults are not stored and edits are', async () => {
    const recording = await t.store.create(newRecording({ title: 'Night shift', sourceName: 'Radio X', sourceUrl: 'https://radio.example/live.m3u8' }));
    const { editor, input, closed } = await editorFor(recording);
    expect(input('comment').value).toBe('https://radio.example/live.m3u8');
    expect(input('artist').value).toBe('Radio X');

    input('comment').value = '';
    input('genre').value = ' Jazz ';
    editor.shadowRoot!.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await closed;

    const saved = (await t.store.get(recording.id))!;
    expect(saved.tags).toEqual({ comment: '', genre: 'Jazz' });
    expect(exportTags(saved)).toMatchObject({ title: 'Night shift', artist: 'Radio X', genre: 'Jazz', comment: '' });
    // Opened again, the emptied field shows empty, not the URL.
    const again = await editorFor(saved);
    expect(again.input('comment').value).toBe('');
  });
});
