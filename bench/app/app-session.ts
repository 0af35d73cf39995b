/**
 * Shared plumbing for the in-app measurements: starts `tideline serve`,
 * launches Debian Chromium through Playwright, opens a capture from the
 * page's path field, and merges results into docs/benchmarks-app.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium, type Browser, type Page } from '@playwright/test';

export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const APP_RESULTS_PATH = join(REPOSITORY_ROOT, 'docs', 'benchmarks-app.json');
const LAUNCHER = join(REPOSITORY_ROOT, 'bin', 'tideline.mjs');
const SAMPLE_PATH = join(REPOSITORY_ROOT, 'assets', 'sample.pcapng');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface ServeHandle {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Starts `tideline serve` on the bundled sample and resolves with the URL it prints. */
export function startServe(dataDirectory: string): Promise<ServeHandle> {
  if (!existsSync(join(REPOSITORY_ROOT, 'out', 'renderer', 'index.html'))) {
    throw new Error('out/renderer/index.html is missing: run "npm run build" first.');
  }
  const child = spawn(process.execPath, [LAUNCHER, 'serve', SAMPLE_PATH, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TIDELINE_DATA_DIR: dataDirectory },
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((done, fail) => {
    let output = '';
    const timer = setTimeout(() => {
      void stop();
      fail(new Error(`tideline serve printed no URL within 30 s:\n${output}`));
    }, 30_000);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /https?:\/\/\S+\?token=\S+/.exec(output);
      if (match) {
        clearTimeout(timer);
        done({ child, url: match[0], stop });
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`tideline serve exited with code ${code} before printing a URL:\n${output}`));
    });
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface OpenTimings {
  /** Milliseconds from the Enter in the path field to the overview becoming the current view. */
  overviewMs: number | null;
  /** Milliseconds from the Enter to the first `.flow-table-row[data-uid]` in the document. */
  firstRowMs: number | null;
  /** Whether the status bar still showed loading when the first row appeared. */
  wasLoadingAtFirstRow: boolean | null;
  /** Milliseconds from the Enter to `.phase-done`. */
  doneMs: number | null;
}

/**
 * Installs a watcher that runs before the page's own scripts. Its clock starts
 * on the Enter key in #capture-path. It clicks the Flows view as soon as the
 * app shows the overview, as a user would, and stamps the first flow row and
 * the end of loading with performance.now() inside the page.
 */
export async function installOpenWatcher(page: Page): Promise<void> {
  // A string, not a function: tsx compiles functions with esbuild's keepNames, whose __name helper the page lacks.
  await page.addInitScript({ content: OPEN_WATCHER_SCRIPT });
}

export const OPEN_WATCHER_SCRIPT = `
(() => {
  const state = { start: null, overview: null, firstRow: null, wasLoading: null, done: null };
  window.__benchOpen = state;
  document.addEventListener('keydown', (event) => {
    const target = event.target;
    if (event.key === 'Enter' && target && target.id === 'capture-path' && state.start === null) {
      state.start = performance.now();
      performance.mark('bench-open-start');
    }
  }, true);
  const check = () => {
    if (state.start !== null) {
      const now = performance.now();
      const nav = document.querySelector('nav[aria-label="Views"]');
      const buttons = nav === null ? [] : Array.from(nav.querySelectorAll('button'));
      const overview = buttons.find((button) => /Overview/.test(button.textContent || ''));
      const flows = buttons.find((button) => /Flows/.test(button.textContent || ''));
      if (state.overview === null && overview && overview.getAttribute('aria-current') === 'page') {
        state.overview = now;
        if (flows) flows.click();
      }
      if (state.firstRow === null && document.querySelector('.flow-table-row[data-uid]') !== null) {
        state.firstRow = now;
        state.wasLoading = document.querySelector('.phase-loading') !== null;
      }
      if (state.done === null && state.firstRow !== null && document.querySelector('.phase-done') !== null) {
        state.done = now;
        performance.mark('bench-open-done');
      }
    }
  };
  const onFrame = () => { check(); if (state.done === null) requestAnimationFrame(onFrame); };
  requestAnimationFrame(onFrame);
  // rAF alone can miss a row that shows during a long task; the observer stamps it when that task ends.
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
})();
`;

/** Opens `capturePath` from the page's path field, as a user would. */
export async function openCapture(page: Page, url: string, capturePath: string): Promise<void> {
  await page.goto(url);
  await page.locator('.status-bar').waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Open capture' }).click();
  await page.locator('#capture-path').fill(capturePath);
  await page.locator('#capture-path').press('Enter');
}

/** Waits for the watcher to see the end of loading and returns its stamps relative to the Enter. */
export async function readOpenTimings(page: Page, timeoutMs: number): Promise<OpenTimings> {
  // Page-side callbacks hold no named functions: tsx would wrap those in __name, which the page lacks.
  await page.waitForFunction(
    () => (window as unknown as { __benchOpen: { done: number | null } }).__benchOpen.done !== null,
    undefined,
    { timeout: timeoutMs, polling: 250 },
  );
  const state = (await page.evaluate(() => (window as unknown as { __benchOpen: unknown }).__benchOpen)) as {
    start: number;
    overview: number | null;
    firstRow: number | null;
    wasLoading: boolean | null;
    done: number | null;
  };
  const since = (stamp: number | null): number | null =>
    stamp === null ? null : Math.round((stamp - state.start) * 10) / 10;
  return {
    overviewMs: since(state.overview),
    firstRowMs: since(state.firstRow),
    wasLoadingAtFirstRow: state.wasLoading,
    doneMs: since(state.done),
  };
}

function firstLine(command: string, args: string[]): string {
  try {
    // spawnSync, not execFileSync: tcpreplay prints its version on stderr.
    const result = spawnSync(command, args, { encoding: 'utf8' });
    return `${result.stdout}${result.stderr}`.split('\n')[0]!.trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): Record<string, string | number> {
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    logicalCpus: cpus().length,
    memoryBytes: totalmem(),
    kernel: firstLine('uname', ['-sr']),
    node: process.version,
    chromium: firstLine(CHROMIUM_PATH, ['--version']),
    tcpreplay: firstLine('tcpreplay', ['--version']),
    commit: firstLine('git', ['-C', REPOSITORY_ROOT, 'rev-parse', '--short', 'HEAD']),
  };
}

/** Replaces the `key` entry of docs/benchmarks-app.json, keeping the others. */
export function writeAppResult(key: string, value: unknown): void {
  const current = existsSync(APP_RESULTS_PATH)
    ? (JSON.parse(readFileSync(APP_RESULTS_PATH, 'utf8')) as Record<string, unknown>)
    : {};
  current[key] = value;
  writeFileSync(APP_RESULTS_PATH, `${JSON.stringify(current, null, 2)}\n`);
}
