/**
 * Time from opening a capture in the page to the first flow row on screen,
 * under `tideline serve` in Debian Chromium, for the seeded mix at each size.
 *
 *   npx tsx bench/measure-first-flows.ts [--sizes 16MiB,128MiB,1GiB] [--seed 1]
 *
 * Each size opens once in a fresh page. The clock runs in the page
 * (performance.now()) from the Enter in the path field to the first
 * `.flow-table-row[data-uid]`. The script clicks the Flows view as soon as
 * the app shows the overview, so the time includes that view switch.
 * Results replace the "firstFlows" entry of docs/benchmarks-app.json.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  describeMachine,
  installOpenWatcher,
  launchChromium,
  openCapture,
  readOpenTimings,
  startServe,
  writeAppResult,
  type OpenTimings,
} from './app/app-session';
import { ensureCapture, parseSize } from './generate-capture';

function readOption(args: string[], name: string, fallback: string): string {
  const index = args.indexOf(name);
  return index >= 0 && args[index + 1] !== undefined ? args[index + 1]! : fallback;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sizes = readOption(args, '--sizes', '16MiB,128MiB,1GiB').split(',');
  const seed = Number(readOption(args, '--seed', '1'));
  const results: Array<{ size: string; path: string; bytes: number; packets: number } & OpenTimings> = [];
  for (const size of sizes) {
    const capture = ensureCapture({ seed, sizeBytes: parseSize(size), variant: 'mix', format: 'pcap' });
    // NOTE: a third open in one server and browser once never reached the end of loading (cause not found),
    // so each size gets a fresh server and browser.
    const dataDirectory = mkdtempSync(join(tmpdir(), 'tideline-bench-app-'));
    const serve = await startServe(dataDirectory);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await installOpenWatcher(page);
      await openCapture(page, serve.url, capture.path);
      const timings = await readOpenTimings(page, 10 * 60_000);
      const entry = {
        size,
        path: capture.path,
        bytes: statSync(capture.path).size,
        packets: capture.summary.packets,
        ...timings,
      };
      results.push(entry);
      process.stdout.write(
        `${size}: overview ${timings.overviewMs} ms, first flow row ${timings.firstRowMs} ms ` +
          `(still loading: ${timings.wasLoadingAtFirstRow}), loaded ${timings.doneMs} ms\n`,
      );
    } finally {
      await browser.close();
      await serve.stop();
      rmSync(dataDirectory, { recursive: true, force: true });
    }
  }
  writeAppResult('firstFlows', {
    measuredAt: new Date().toISOString(),
    command: `npx tsx bench/measure-first-flows.ts ${args.join(' ')}`.trim(),
    machine: describeMachine(),
    results,
  });
}

await main();
