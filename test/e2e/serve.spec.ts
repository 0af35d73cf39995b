import { expect, test } from '@playwright/test';

import { generateCapture } from '../../bench/generator/traffic-mix';
import { runJourney } from './journey';

declare global {
  interface Window {
    cspViolations?: string[];
  }
}

test('journey on the sample in tideline serve', async ({ page }, testInfo) => {
  const url = process.env.TIDELINE_E2E_URL;
  if (!url) throw new Error('TIDELINE_E2E_URL is not set: global-setup did not start tideline serve.');
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  // Record what the page's Content-Security-Policy blocks: the journey must need nothing outside it.
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.cspViolations?.push(`${event.effectiveDirective} blocked ${event.blockedURI || '(inline)'}`);
    });
  });

  await page.goto(url);
  // Tracked screenshots change only on request, so a test run leaves the work tree clean.
  await runJourney(page, testInfo, {
    isUpdatingDocs: process.env.TIDELINE_UPDATE_SCREENSHOTS === '1',
    isCheckingDownloads: true,
  });
  expect(pageErrors).toEqual([]);
  expect(await page.evaluate(() => window.cspViolations)).toEqual([]);
});

test('rejects a page URL without the token', async ({ page }) => {
  const url = process.env.TIDELINE_E2E_URL;
  if (!url) throw new Error('TIDELINE_E2E_URL is not set: global-setup did not start tideline serve.');
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await page.goto(url.replace(/\?token=.*$/, ''));
  await expect.poll(() => pageErrors.join('\n')).toContain('its URL has no ?token=');
  await page.goto(url.replace(/token=[^&]+/, 'token=wrong'));
  await expect(page.getByRole('alert')).toContainText('The connection to tideline serve closed');
});

test('shows flow rows while a large capture loads', async ({ page }, testInfo) => {
  const url = process.env.TIDELINE_E2E_URL;
  if (!url) throw new Error('TIDELINE_E2E_URL is not set: global-setup did not start tideline serve.');
  // 128 MiB of generated traffic takes several seconds to load, so rows can appear before it is done.
  const capturePath = testInfo.outputPath('mix-128MiB.pcap');
  generateCapture({ path: capturePath, seed: 5, sizeBytes: 128 * 1024 * 1024, variant: 'mix', format: 'pcap' });

  await page.goto(url);
  await page.getByRole('button', { name: 'Open capture' }).click();
  await page.locator('#capture-path').fill(capturePath);
  await page.locator('#capture-path').press('Enter');
  // The app shows the overview once the capture started; go to the flows only then.
  const views = page.getByRole('navigation', { name: 'Views' });
  await expect(views.getByRole('button', { name: /Overview/ })).toHaveAttribute('aria-current', 'page');
  await views.getByRole('button', { name: /Flows/ }).click();
  await expect(views.getByRole('button', { name: /Flows/ })).toHaveAttribute('aria-current', 'page');
  // Read both facts in one page turn: the first row on screen, and whether loading was still under way.
  const firstRow = await page.waitForFunction(
    () => {
      const row = document.querySelector('.flow-table-row[data-uid]');
      if (row === null) return null;
      return {
        isLoading: document.querySelector('.phase-loading') !== null,
        isProvisional: row.classList.contains('provisional'),
      };
    },
    undefined,
    { timeout: 30_000, polling: 50 },
  );
  const state = (await firstRow.jsonValue()) as { isLoading: boolean; isProvisional: boolean };
  expect(state.isLoading).toBe(true);
  await expect(page.locator('.phase-done')).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('.flow-table-row.provisional')).toHaveCount(0);
});
