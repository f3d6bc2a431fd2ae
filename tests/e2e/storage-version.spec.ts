import { expect, test } from '@playwright/test';

/**
 * Two tabs on different versions of the storage schema, as an update makes them: the tab on
 * the newer version says it waits for the older one and goes on by itself once that lets go;
 * a tab whose storage another tab has moved to a newer version lets go of it at once, and says
 * to reload. The "other tab" is a page of the same origin using IndexedDB directly.
 */

const SCHEMA_VERSION = 4; // DB_VERSION in src/storage/db.ts

test('a tab waiting for an older tab says so and goes on when it lets go; a tab made out of date says to reload', async ({ context, page }) => {
  const other = await context.newPage();
  await other.goto('/favicon.svg');
  // An older Tapedeck holding its first schema open, with no versionchange handler.
  await other.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.open('tapedeck', 1);
        request.onupgradeneeded = () => {
          request.result.createObjectStore('recordings', { keyPath: 'id' }).createIndex('byStartedAt', 'startedAtMs');
          request.result.createObjectStore('segments', { keyPath: ['recordingId', 'msn'] });
        };
        request.onsuccess = () => {
          (window as unknown as { held: IDBDatabase }).held = request.result;
          resolve();
        };
        request.onerror = () => reject(request.error);
      }),
  );

  await page.goto('/');
  await expect(page.getByRole('status').filter({ hasText: 'Waiting for another Tapedeck tab' })).toHaveText(
    'Waiting for another Tapedeck tab: it runs an older version and holds the storage open. Close or reload that tab, and this one goes on by itself.',
  );
  await expect(page.getByRole('region', { name: 'Record a stream' })).toHaveCount(0);

  await other.evaluate(() => (window as unknown as { held: IDBDatabase }).held.close());
  await expect(page.getByRole('region', { name: 'Record a stream' })).toBeVisible();
  await expect(page.getByText('Waiting for another Tapedeck tab')).toHaveCount(0);

  // Now the other tab is the newer version: this one lets go at once, and says to reload.
  const newerOpened = other.evaluate(
    (version) =>
      new Promise<number>((resolve, reject) => {
        const request = indexedDB.open('tapedeck', version);
        request.onsuccess = () => {
          const version = request.result.version;
          request.result.close();
          resolve(version);
        };
        request.onerror = () => reject(request.error);
      }),
    SCHEMA_VERSION + 1,
  );
  expect(await newerOpened).toBe(SCHEMA_VERSION + 1);
  const alert = page.getByRole('alert').filter({ hasText: 'updated in another tab' });
  await expect(alert).toContainText('Tapedeck was updated in another tab, and this tab can no longer use the storage. Reload it to go on: nothing stored is lost.');
  await expect(alert.getByRole('button', { name: 'Reload' })).toBeVisible();

  // Reloaded without a newer build to load, it says why it cannot open the storage.
  await page.reload();
  await expect(page.getByRole('alert')).toHaveText('A newer version of Tapedeck has used this storage since this tab loaded. Reload to get the new version: nothing stored is lost.');
});
