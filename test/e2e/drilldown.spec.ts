/**
 * The forensic journey in Chromium against `tideline serve` on the sample:
 * display filter, a flow's packets, one packet's tree and bytes, follow
 * stream, and the pcapng of an alert's evidence. Expected values come from
 * the fixture and from tshark reading the sample, never from the page.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect, test, type Page, type TestInfo } from '@playwright/test';

import { readSampleExpected, repositoryRoot, samplePath } from './sample-facts';

/** The sample's first HTTP exchange: alice's GET /index.html of www.example.com. */
const firstHttpRequest = readSampleExpected().firstHttpRequest;
const httpPort = firstHttpRequest.clientPort;

function tsharkLines(path: string, filter: string, field: string): string[] {
  return execFileSync('tshark', ['-r', path, '-Y', filter, '-T', 'fields', '-e', field], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '');
}

async function saveScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
  if (process.env.TIDELINE_UPDATE_SCREENSHOTS !== '1') return;
  const folder = join(repositoryRoot, 'docs', 'screenshots');
  mkdirSync(folder, { recursive: true });
  copyFileSync(path, join(folder, `${name}.png`));
}

async function setQuickFilter(page: Page, text: string): Promise<void> {
  const box = page.getByRole('searchbox', { name: 'Quick filter' });
  await box.fill(text);
  await box.press('Enter');
}

test('filter, packets, follow stream and evidence export', async ({ page }, testInfo) => {
  const url = process.env.TIDELINE_E2E_URL;
  if (!url) throw new Error('TIDELINE_E2E_URL is not set: global-setup did not start tideline serve.');
  const expected = readSampleExpected() as ReturnType<typeof readSampleExpected> & {
    connectionStates: { states: Record<string, number> };
  };
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
  await expect(page.locator('.status-bar')).toContainText('Loaded', { timeout: 30_000 });
  await page.keyboard.press('4');

  await test.step('a display filter selects the REJ flows', async () => {
    await setQuickFilter(page, 'conn_state == "REJ"');
    await expect(page.getByTestId('filter-mode')).toBeVisible();
    await expect(page.getByTestId('flow-count')).toHaveAttribute('data-total', String(expected.connectionStates.states.REJ));
  });

  await test.step('a filter with a syntax error points at its column', async () => {
    await setQuickFilter(page, 'tcp.port == == 80');
    await expect(page.getByTestId('filter-error')).toHaveAttribute('data-column', '13');
    // Visible, not clipped by the bar: the point at the middle of the message shows the error itself.
    const isOnTop = await page.getByTestId('filter-error').evaluate((element) => {
      const rect = element.getBoundingClientRect();
      const hit = document.elementFromPoint(rect.left + rect.width / 2, rect.bottom - 4);
      return hit !== null && element.contains(hit);
    });
    expect(isOnTop).toBe(true);
    await expect(page.getByTestId('filter-error')).toContainText('Column 13:');
    await expect(page.getByTestId('flow-count')).toHaveCount(0);
    await expect(page.getByTestId('flow-count-invalid')).toContainText('column 13');
  });

  await test.step('a field name with a lone "=" is a filter with an error, as in the CLI', async () => {
    await setQuickFilter(page, 'tcp.port = 80');
    await expect(page.getByTestId('filter-error')).toHaveAttribute('data-column', '10');
    await expect(page.getByTestId('filter-error')).toContainText('Unexpected character "="');
    await expect(page.getByTestId('filter-mode')).toHaveCount(0);
  });

  await test.step('field names complete', async () => {
    await page.getByRole('searchbox', { name: 'Quick filter' }).fill('conn_st');
    await expect(page.getByRole('option', { name: /conn_state/ })).toBeVisible();
  });

  const packetNumbers = tsharkLines(samplePath, `tcp.port == ${httpPort}`, 'frame.number').map(Number);
  const getNumber = packetNumbers[tsharkLines(samplePath, `tcp.port == ${httpPort}`, 'http.request.method').findIndex((method) => method === 'GET')] ?? NaN;

  await test.step('a flow opens its packets, numbered as in the file', async () => {
    await setQuickFilter(page, `tcp.port == ${httpPort}`);
    await expect(page.getByTestId('flow-count')).toHaveAttribute('data-total', '1');
    await page.locator('.flow-table-row').first().click();
    await page.getByTestId('open-packets').click();
    const rows = page.getByTestId('packet-row');
    await expect(rows).toHaveCount(packetNumbers.length);
    expect(await rows.evaluateAll((elements) => elements.map((element) => Number(element.getAttribute('data-packet-number'))))).toEqual(
      packetNumbers,
    );
  });

  await test.step('a packet shows its tree and the field bytes highlighted', async () => {
    await page.locator(`[data-testid="packet-row"][data-packet-number="${getNumber}"]`).click();
    const port = page.locator('[data-testid="packet-tree"] [data-field="tcp.dstport"]');
    await expect(port).toContainText('80');
    await port.click();
    const highlighted = page.locator('[data-testid="packet-bytes"] .hex .hl');
    await expect(highlighted).toHaveText(['00', '50']);
    await saveScreenshot(page, testInfo, 'packet');
  });

  await test.step('follow stream shows the HTTP exchange', async () => {
    await page.getByTestId('packet-view').getByRole('button', { name: 'Follow stream' }).click();
    const body = page.getByTestId('stream-body');
    await expect(body.locator('pre.originator').first()).toContainText('GET /index.html HTTP/1.1');
    await expect(body.locator('pre.responder').first()).toContainText('HTTP/1.1 200');
    await saveScreenshot(page, testInfo, 'follow-stream');
    await page.getByRole('button', { name: 'Close follow stream' }).click();
    await page.getByRole('button', { name: 'Close packets' }).click();
  });

  await test.step("an alert's evidence downloads as pcapng", async () => {
    await setQuickFilter(page, '');
    // Leave the filter box, so the view shortcut is not typed into it.
    await page.getByRole('searchbox', { name: 'Quick filter' }).blur();
    await page.keyboard.press('5');
    const scanAlert = page.getByTestId('alert-row').filter({ hasText: expected.scan.scanner }).first();
    await scanAlert.click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-evidence').click()]);
    const path = await download.path();
    const bytes = readFileSync(path);
    expect(bytes.readUInt32LE(0)).toBe(0x0a0d0d0a);
    const noted = Number((await page.getByTestId('export-evidence-note').innerText()).replace(/[^\d]/g, ''));
    const frames = tsharkLines(path, 'frame', 'frame.number');
    expect(frames).toHaveLength(noted);
    // Every evidence packet is between the scanner and its target in the source.
    const pairs = new Set(tsharkLines(path, 'frame', 'ip.addr'));
    expect([...pairs].every((pair) => pair.includes(expected.scan.scanner) && pair.includes(expected.scan.target))).toBe(true);
  });

  expect(pageErrors).toEqual([]);
});
