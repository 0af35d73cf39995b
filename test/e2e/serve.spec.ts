import { expect, test } from '@playwright/test';

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
