import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { AppPage } from './app-page.ts';

/**
 * Layout and accessibility from a 360 px phone to a desktop: no horizontal scrolling, touch
 * targets of at least 44 px, no axe-core violations in each view, screenshots in the test
 * output, and the recorder usable from the keyboard.
 */

const DEVICES = [
  { name: 'phone', viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true },
  { name: 'tablet', viewport: { width: 768, height: 1024 }, isMobile: true, hasTouch: true },
  { name: 'desktop', viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false },
] as const;

/** Sizes of every visible control, in CSS px, looking inside the components' shadow roots. */
function controlSizes(page: Page) {
  return page.evaluate(() => {
    const found: { name: string; widthPx: number; heightPx: number }[] = [];
    const visit = (root: Document | ShadowRoot) => {
      for (const element of root.querySelectorAll<HTMLElement>('*')) {
        if (element.shadowRoot) visit(element.shadowRoot);
        if (!element.matches('button, select, input:not([type=checkbox]):not([type=radio]), label.check')) continue;
        const box = element.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue; // not rendered
        const name = element.getAttribute('aria-label') ?? element.textContent?.trim() ?? element.tagName;
        found.push({ name: `${element.tagName.toLowerCase()} ${name}`.slice(0, 60), widthPx: box.width, heightPx: box.height });
      }
    };
    visit(document);
    return found;
  });
}

async function checkView(page: Page, testInfo: TestInfo, device: string, view: string): Promise<void> {
  const overflowPx = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflowPx, `${device}/${view}: horizontal overflow`).toBeLessThanOrEqual(0);
  const controls = await controlSizes(page);
  // The walk must reach the controls inside the components, or the check below proves nothing.
  expect(controls.length, `${device}/${view}: controls found`).toBeGreaterThan(15);
  const small = controls.filter((control) => control.widthPx < 44 || control.heightPx < 44);
  expect(small, `${device}/${view}: touch targets under 44 px`).toEqual([]);
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  // axe must have looked inside the shadow roots: the named buttons are all in components.
  expect(axe.passes.find((rule) => rule.id === 'button-name')?.nodes.length ?? 0, `${device}/${view}: axe reached the buttons`).toBeGreaterThan(5);
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), `${device}/${view}: axe-core`).toEqual([]);
  await testInfo.attach(`${device}-${view}.png`, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
}

for (const device of DEVICES) {
  test(`${device.name}: every view fits, has 44 px targets and passes axe-core`, async ({ browser }, testInfo) => {
    const context = await browser.newContext({ viewport: device.viewport, isMobile: device.isMobile, hasTouch: device.hasTouch, baseURL: String(testInfo.project.use.baseURL) });
    const page = await context.newPage();
    const app = new AppPage(page);
    try {
      await page.goto('/');
      await expect(app.library).toContainText('No recordings yet');
      await checkView(page, testInfo, device.name, 'empty');
      if (device.name === 'phone') {
        // One hand: the bar at the bottom of the screen brings each panel into view.
        const bar = page.getByRole('navigation', { name: 'Go to' });
        const barBox = (await bar.boundingBox())!;
        expect(barBox.y + barBox.height).toBeGreaterThan(device.viewport.height - 2);
        await bar.getByRole('button', { name: 'Schedules' }).click();
        await expect(page.getByRole('heading', { name: 'Schedules', exact: true })).toBeInViewport();
        await bar.getByRole('button', { name: 'Recorder' }).click();
        await expect(app.live.getByRole('button', { name: 'Record' })).toBeInViewport();
      } else {
        await expect(page.getByRole('navigation', { name: 'Go to' })).toBeHidden();
      }

      await app.live.getByRole('button', { name: 'Record' }).click();
      await expect.poll(async () => (await app.storedRecordings())[0]?.segmentCount ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
      await checkView(page, testInfo, device.name, 'recording');
      await app.stopRecording();

      const [stored] = await app.storedRecordings();
      await app.item(stored!.title).getByRole('button', { name: 'Play' }).click();
      await expect(page.getByLabel('Recording playback')).toBeVisible();
      await checkView(page, testInfo, device.name, 'player');

      const form = page.getByRole('form', { name: 'New schedule' });
      await form.getByLabel('Repeat').selectOption('weekly');
      await checkView(page, testInfo, device.name, 'schedule-weekly');
      await form.getByLabel('Repeat').selectOption('cron');
      await form.getByLabel('Cron expression').fill('*/2 * * * *');
      await checkView(page, testInfo, device.name, 'schedule-cron');
    } finally {
      await context.close();
    }
  });
}

test('desktop: the recorder works from the keyboard alone', async ({ page }) => {
  const app = new AppPage(page);
  await page.goto('/');
  await app.live.getByLabel('Stream URL').focus();
  // From the URL field, Tab reaches Play, then Record.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(app.live.getByRole('status')).toContainText('Recording');
  await expect.poll(async () => (await app.storedRecordings())[0]?.segmentCount ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
  // Record is disabled while recording, so Tab goes on to Pause, then Stop.
  await app.live.getByRole('button', { name: 'Play' }).focus();
  await page.keyboard.press('Tab');
  await expect(app.live.getByRole('button', { name: 'Pause' })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(app.live.getByRole('status')).toContainText('Recorded');
});
