/**
 * A list of records with string ids, kept in memory and persisted to one JSON file
 * (`{ "version": 1, "<key>": [...] }`) on every change, atomically. The camera list and the
 * proxy sources are both kept this way.
 */
import { z } from 'zod';
import { readJsonFile, writeJsonFileAtomic } from './json-file.ts';

/** A change failed to reach the disk; the list in memory was left as it was before. */
export class PersistError extends Error {
  override name = 'PersistError';
}

/** Options for {@link PersistentList.open}. */
export interface PersistentListOptions<T> {
  /** Absolute path of the JSON file. */
  path: string;
  /** Property of the file's top object holding the array, e.g. `cameras`. */
  key: string;
  /** Schema of one record as stored. */
  itemSchema: z.ZodType<T>;
  /** What the file holds, in words, for messages ("camera list"). */
  what: string;
  /** File permissions when the file is made. Default 0o600 (it may hold passwords or cookies). */
  mode?: number;
}

/**
 * Records of type `T` by id, in insertion order, persisted on each change. Changes are
 * serialised: each one is written before the next starts, and a failed write leaves the
 * previous list both in memory and on disk.
 */
export class PersistentList<T extends { id: string }> {
  #items: T[];
  #queue: Promise<void> = Promise.resolve();
  readonly #options: PersistentListOptions<T>;
  readonly #listeners = new Set<(items: readonly T[]) => void>();

  private constructor(options: PersistentListOptions<T>, items: T[]) {
    this.#options = options;
    this.#items = items;
  }

  /**
   * Loads the list from its file; a missing file is an empty list (the file is made on the
   * first change).
   * @throws StoredFileError when the file is corrupt or has duplicate ids; it is not touched.
   */
  static async open<T extends { id: string }>(options: PersistentListOptions<T>): Promise<PersistentList<T>> {
    const fileSchema = z.object({ version: z.literal(1), [options.key]: z.array(options.itemSchema) }).superRefine((file, ctx) => {
      const ids = new Set<string>();
      for (const item of file[options.key] as T[]) {
        if (ids.has(item.id)) ctx.addIssue({ code: 'custom', message: `duplicate id ${JSON.stringify(item.id)}`, path: [options.key] });
        ids.add(item.id);
      }
    });
    const file = await readJsonFile(options.path, fileSchema, options.what);
    return new PersistentList(options, file === null ? [] : [...(file[options.key] as T[])]);
  }

  /** The records now, in insertion order. */
  list(): readonly T[] {
    return this.#items;
  }

  /** The record with this id, or undefined. */
  get(id: string): T | undefined {
    return this.#items.find((item) => item.id === id);
  }

  /** Calls `listener` with the new list after every persisted change. @returns An unsubscribe function. */
  onChange(listener: (items: readonly T[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Applies `change` to a copy of the list and persists it; the copy becomes the list once
   * written. `change` runs after earlier changes are written, so it sees their result.
   * @returns What `change` returned.
   * @throws Whatever `change` throws (nothing is written); PersistError when writing fails.
   */
  mutate<R>(change: (items: T[]) => R): Promise<R> {
    const run = this.#queue.then(async () => {
      const next = [...this.#items];
      const result = change(next);
      try {
        await writeJsonFileAtomic(this.#options.path, { version: 1, [this.#options.key]: next }, this.#options.mode ?? 0o600);
      } catch (error) {
        throw new PersistError(`Could not save the ${this.#options.what} ${this.#options.path}: ${(error as Error).message}`);
      }
      this.#items = next;
      for (const listener of this.#listeners) listener(next);
      return result;
    });
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
