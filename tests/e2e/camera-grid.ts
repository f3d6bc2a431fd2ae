import { expect, type Locator, type Page } from '@playwright/test';
import type { RelayProcess } from '../helpers/relay-process.ts';

/** What the camera e2e specs share: the Cameras region, its grid tiles, the relay settings and the Add camera form. */

/** The Cameras region of the app. */
export function camerasRegion(page: Page): Locator {
  return page.getByRole('region', { name: 'Cameras' });
}

/** The grid tile of the camera named `name`. */
export function tile(page: Page, name: string): Locator {
  return camerasRegion(page).getByRole('list', { name: 'Camera grid' }).getByRole('listitem', { name });
}

/** The page's local calendar day, `YYYY-MM-DD` (the day key of a camera's day recording). */
export function localDayKey(page: Page): Promise<string> {
  return page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  });
}

/** Enters the relay's URL and token under Relay settings, saves, and waits for "Connected to the relay". */
export async function connectRelay(page: Page, relay: RelayProcess): Promise<void> {
  const region = camerasRegion(page);
  await region.getByRole('button', { name: 'Relay settings' }).click();
  const settings = region.getByRole('form', { name: 'Relay settings' });
  await settings.getByLabel('Relay URL').fill(relay.url);
  await settings.getByLabel('Access token').fill(relay.token);
  await settings.getByRole('button', { name: 'Save relay' }).click();
  await expect(region.getByRole('status').filter({ hasText: 'Connected to the relay' })).toBeVisible();
}

/** Adds a relay camera through the Add camera form, recording continuously, and waits for the form to close. */
export async function addRelayCamera(page: Page, name: string, rtspUrl: string): Promise<void> {
  const region = camerasRegion(page);
  await region.getByRole('button', { name: 'Add camera' }).first().click();
  const form = region.getByRole('form', { name: 'Add camera' });
  await form.getByLabel('Camera name').fill(name);
  await form.getByLabel('Relay camera (RTSP)').check();
  await form.getByLabel('RTSP URL').fill(rtspUrl);
  await form.getByLabel('Record continuously').check();
  await form.getByRole('button', { name: 'Add camera' }).click();
  await expect(form).toBeHidden();
}
