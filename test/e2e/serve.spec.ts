import { test } from '@playwright/test';

import { runJourney } from './journey';

test('journey on the sample in tideline serve', async ({ page }, testInfo) => {
  const url = process.env.TIDELINE_E2E_URL;
  if (!url) throw new Error('TIDELINE_E2E_URL is not set: global-setup did not start tideline serve.');
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await page.goto(url);
  // Tracked screenshots change only on request, so a test run leaves the work tree clean.
  await runJourney(page, testInfo, { isUpdatingDocs: process.env.TIDELINE_UPDATE_SCREENSHOTS === '1' });
  test.expect(pageErrors).toEqual([]);
});
