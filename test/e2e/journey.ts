/**
 * The analyst's journey on the bundled sample, shared by the browser test
 * against `tideline serve` and the Electron test: overview counts, a known
 * host in the graph, brushing the timeline, clicking a host, and an alert
 * with its evidence. Each expected count comes from the fixture or from the
 * conn.log that `tideline analyze` wrote, never from the page.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect, test, type Locator, type Page, type TestInfo } from '@playwright/test';

import {
  countFlowsInRange,
  countFlowsWithHost,
  parseConnJson,
  readSampleExpected,
  repositoryRoot,
  type ConnFlow,
} from './sample-facts';

export interface JourneyOptions {
  /** Copy one screenshot per view into docs/screenshots (set TIDELINE_UPDATE_SCREENSHOTS=1 to do so). */
  isUpdatingDocs: boolean;
  /** Check CSV and PNG exports through the browser's downloads (Electron would show a save dialog instead). */
  isCheckingDownloads: boolean;
}

function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

function readConnFlows(): ConnFlow[] {
  const path = process.env.TIDELINE_E2E_CONN_LOG;
  if (!path) throw new Error('TIDELINE_E2E_CONN_LOG is not set: global-setup did not run.');
  return parseConnJson(readFileSync(path, 'utf8'));
}

async function saveScreenshot(page: Page, testInfo: TestInfo, name: string, options: JourneyOptions): Promise<void> {
  // Move off charts and rows so no tooltip (hidden after ECharts' 100 ms delay) or hover shows in the picture.
  await page.mouse.move(0, 0);
  await page.waitForTimeout(400);
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
  if (!options.isUpdatingDocs) return;
  const folder = join(repositoryRoot, 'docs', 'screenshots');
  mkdirSync(folder, { recursive: true });
  copyFileSync(path, join(folder, `${name}.png`));
}

/** Clicks `button` and returns the bytes of the download it starts. */
async function downloadFrom(page: Page, button: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: readFileSync(path) };
}

async function flowCountIs(page: Page, expected: number): Promise<void> {
  await page.keyboard.press('4');
  await expect(page.getByTestId('flow-count')).toHaveAttribute('data-total', String(expected));
}

/** Drags across the bytes grid of the timeline from `fromFraction` to `toFraction` of its plot width. */
async function brushTimeline(page: Page, fromFraction: number, toFraction: number): Promise<void> {
  const box = await page.locator('.timeline-chart').boundingBox();
  if (!box) throw new Error('The timeline chart has no bounding box: it did not render.');
  // The plot spans from 64 px left to 16 px right of the chart; the bytes grid sits at 6-30 % of its height.
  const plotLeft = box.x + 64;
  const plotWidth = box.width - 80;
  const y = box.y + box.height * 0.18;
  await page.mouse.move(plotLeft + plotWidth * fromFraction, y);
  await page.mouse.down();
  await page.mouse.move(plotLeft + plotWidth * toFraction, y, { steps: 12 });
  await page.mouse.up();
}

export async function runJourney(page: Page, testInfo: TestInfo, options: JourneyOptions): Promise<void> {
  const expected = readSampleExpected();
  const flows = readConnFlows();
  const scanner = expected.scan.scanner;
  const target = expected.scan.target;

  await test.step('overview shows packet and flow counts', async () => {
    await expect(page.locator('.status-bar')).toContainText('Loaded', { timeout: 30_000 });
    await page.keyboard.press('1');
    await expect(page.getByTestId('overview-packets')).toHaveText(formatCount(expected.packets));
    await expect(page.getByTestId('overview-flows')).toHaveText(formatCount(expected.flows.total));
    expect(flows).toHaveLength(expected.flows.total);
    await expect(page.getByTestId('overview-sha256')).toHaveText(/^[0-9a-f]{64}$/);
    await saveScreenshot(page, testInfo, 'overview', options);
  });

  await test.step('host graph lists a known host', async () => {
    await page.keyboard.press('3');
    await expect(page.locator('.host-graph-chart canvas')).toBeVisible();
    for (const address of [scanner, target]) {
      await expect(page.locator(`[data-testid="graph-host"][data-address="${address}"]`)).toBeVisible();
    }
    // The canvas takes no focus, so each host node has a focusable target, and Enter on it selects the host.
    const targetNode = page.locator(`[data-testid="graph-node"][data-address="${target}"]`);
    await targetNode.focus();
    await page.keyboard.press('Enter');
    await expect(targetNode).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByTestId('host-chip')).toHaveText(new RegExp(target.replaceAll('.', '\\.')));
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('host-chip')).toHaveCount(0);
    await saveScreenshot(page, testInfo, 'host-graph', options);
  });

  await test.step('brushing the timeline narrows the flow table', async () => {
    await page.keyboard.press('2');
    await expect(page.locator('.timeline-chart canvas')).toBeVisible();
    await brushTimeline(page, 0.3, 0.6);
    const chip = page.getByTestId('time-range-chip');
    await expect(chip).toBeVisible();
    const startUs = Number(await chip.getAttribute('data-start-us'));
    const endUs = Number(await chip.getAttribute('data-end-us'));
    const inRange = countFlowsInRange(flows, startUs, endUs);
    expect(inRange).toBeGreaterThan(0);
    expect(inRange).toBeLessThan(expected.flows.total);
    await expect(page.getByTestId('timeline-range-flows')).toHaveText(formatCount(inRange));
    await saveScreenshot(page, testInfo, 'timeline', options);
    await flowCountIs(page, inRange);

    if (options.isCheckingDownloads) {
      // The CSV contains every flow of the selection, fetched from the engine, not only the rows on screen.
      const csv = await downloadFrom(page, page.getByRole('button', { name: 'CSV' }).first());
      const lines = csv.bytes.toString('utf8').trimEnd().split('\r\n');
      expect(csv.name).toBe('sample-conn.csv');
      expect(lines[0]?.startsWith('ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto')).toBe(true);
      expect(lines).toHaveLength(inRange + 1);

      await page.keyboard.press('2');
      const png = await downloadFrom(page, page.getByRole('button', { name: 'PNG' }));
      expect(png.name).toBe('sample-timeline.png');
      expect(png.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    }
  });

  await test.step('clicking a host filters the flow table', async () => {
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('time-range-chip')).toHaveCount(0);
    await page.keyboard.press('3');
    // Click the node on the canvas at the position of the focusable target drawn over it.
    const nodeBox = await page.locator(`[data-testid="graph-node"][data-address="${scanner}"]`).boundingBox();
    if (!nodeBox) throw new Error(`The host graph has no node for ${scanner}.`);
    await page.mouse.click(nodeBox.x + nodeBox.width / 2, nodeBox.y + nodeBox.height / 2);
    await expect(page.getByTestId('host-chip')).toHaveText(new RegExp(scanner.replaceAll('.', '\\.')));
    await flowCountIs(page, countFlowsWithHost(flows, scanner));
    const firstRow = page.locator('.flow-table-row').first();
    await expect(firstRow).toContainText(scanner);

    // A row opens the flow's detail panel.
    const uid = await firstRow.getAttribute('data-uid');
    await firstRow.click();
    const detail = page.getByRole('complementary', { name: 'Flow detail' });
    await expect(detail).toContainText(uid ?? '(row without uid)');
    await expect(detail).toContainText(scanner);
    await saveScreenshot(page, testInfo, 'flows', options);
    await page.keyboard.press('Escape');
  });

  await test.step('an alert is listed with its evidence', async () => {
    await page.keyboard.press('5');
    const scanAlert = page.getByTestId('alert-row').filter({ hasText: scanner }).first();
    await expect(scanAlert).toBeVisible();
    await scanAlert.click();
    const detail = page.getByTestId('alert-detail');
    await expect(detail).toContainText(scanner);
    const evidenceRows = page.getByTestId('evidence-flow');
    await expect(evidenceRows.first()).toBeVisible();
    const rowCount = await evidenceRows.count();
    for (let index = 0; index < rowCount; index += 1) {
      await expect(evidenceRows.nth(index)).toContainText(scanner);
      await expect(evidenceRows.nth(index)).toContainText(target);
    }
    await saveScreenshot(page, testInfo, 'alerts', options);

    // Selecting the evidence shows exactly those flows in the table.
    const evidenceText = await page.getByTestId('alert-evidence-count').innerText();
    const evidenceFlows = Number(/([\d,]+) flows/.exec(evidenceText)?.[1]?.replaceAll(',', ''));
    expect(evidenceFlows).toBeGreaterThan(0);
    await detail.getByRole('button', { name: 'Select these flows' }).click();
    await expect(page.getByTestId('flow-count')).toHaveAttribute('data-total', String(evidenceFlows));
  });

  await test.step('the record tables list DNS and TLS names', async () => {
    const expected = readSampleExpected();
    // Escape clears the selection the evidence step left, so the tables show the whole capture.
    await page.keyboard.press('Escape');
    await page.keyboard.press('6');
    await page.getByTestId('record-tab-dns').click();
    const dnsRows = page.getByTestId('record-row');
    await expect(dnsRows.first()).toBeVisible();
    const dnsText = await page.locator('.records-table tbody').innerText();
    for (const named of expected.namedHosts) if (named.source === 'dns') expect(dnsText).toContain(named.name);

    await page.getByTestId('record-tab-tls').click();
    await expect(page.getByTestId('record-row').first()).toBeVisible();
    await expect(page.locator('.records-table')).toContainText(expected.tlsServerNames[0] ?? '(no SNI)');
    const tlsText = await page.locator('.records-table tbody').innerText();
    for (const name of expected.tlsServerNames) expect(tlsText).toContain(name);
    await page.getByTestId('record-tab-dns').click();
    await expect(page.getByTestId('record-row').first()).toBeVisible();
    await saveScreenshot(page, testInfo, 'records', options);
  });

  await test.step('a beacon alert shows its sub-scores and series', async () => {
    // The lab's beacon capture (45 connections) has one beacon alert with a known id; the sample's beacon raises two
    // (by name and by address), checked in test/engine/host/sample-capture.test.ts.
    const beacon = readBeaconScenario();
    await page.getByRole('button', { name: 'Open capture' }).click();
    await page.locator('#capture-path').fill(beacon.path);
    await page.locator('#capture-path').press('Enter');
    // The app switches to the overview once the capture started; only then go to the alerts.
    await expect(page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Overview/ })).toHaveAttribute(
      'aria-current',
      'page',
    );
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Alerts/ }).click();
    const row = page.locator(`[data-alert-id="${beacon.alert.id}"]`);
    await expect(row).toBeVisible();
    await row.click();
    const detail = page.getByTestId('alert-detail');
    await expect(detail.getByTestId('alert-reason')).toContainText(String(beacon.connections));
    await expect(detail.getByTestId('alert-mitre')).toContainText('T1071');
    await expect(detail.getByTestId('alert-subscore').first()).toBeVisible();
    expect(await detail.getByTestId('alert-subscore').count()).toBeGreaterThanOrEqual(3);
    const chart = detail.getByTestId('alert-series-chart');
    await expect(chart).toBeVisible();
    await expect(chart.locator('canvas')).toHaveCount(1);
    await expect(page.getByTestId('alert-evidence-count')).toContainText(`${beacon.evidenceFlows} flows`);
    await expect(page.getByTestId('evidence-flow').first()).toContainText(beacon.alert.hosts[1] ?? '(no destination)');
    await saveScreenshot(page, testInfo, 'alert-detail', options);
  });
}

interface BeaconScenario {
  path: string;
  alert: { id: string; hosts: string[] };
  connections: number;
  evidenceFlows: number;
}

/** The lab's beacon capture and its expected alert (test/fixtures/scenarios). */
function readBeaconScenario(): BeaconScenario {
  const folder = join(repositoryRoot, 'test', 'fixtures', 'scenarios');
  const expected = JSON.parse(readFileSync(join(folder, 'beacon.expected.json'), 'utf8')) as {
    alerts: {
      id: string;
      detector: string;
      hosts: string[];
      measurements: { name: string; value: number }[];
      evidenceFlows: number;
    }[];
  };
  const alert = expected.alerts.find((candidate) => candidate.detector === 'beaconing');
  if (!alert) throw new Error('beacon.expected.json lists no beaconing alert');
  const connections = alert.measurements.find((measurement) => measurement.name === 'connections')?.value ?? 0;
  return { path: join(folder, 'beacon.pcap'), alert, connections, evidenceFlows: alert.evidenceFlows };
}
