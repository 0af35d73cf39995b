/**
 * Renderer smoothness while a large capture streams into the page: the
 * longest main-thread task and the number of frames over 50 ms, under
 * `tideline serve` in Debian Chromium.
 *
 *   npx tsx bench/measure-renderer.ts [--size 1GiB] [--seed 1] [--driver bare|playwright]
 *                                     [--keep-trace] [--extra-categories a,b]
 *
 * Two independent readings of the same load, from the Enter in the path field
 * to the end of loading, with the Flows view on screen (as in
 * measure-first-flows.ts):
 * - a Chromium performance trace taken through Playwright: the longest
 *   top-level task (RunTask) on the renderer's main thread;
 * - in the page: a PerformanceObserver for 'longtask' entries (tasks over
 *   50 ms) and the gaps between requestAnimationFrame callbacks.
 * Results replace the "renderer" entry of docs/benchmarks-app.json.
 *
 * `--driver bare` (the default) drives Chromium over a bare DevTools
 * connection (bench/app/bare-cdp.ts). `--driver playwright` uses Playwright,
 * which enables DevTools' Network domain, so the inspector's own work for
 * each WebSocket frame runs on the page's main thread too. Tasks are counted once
 * (the outermost of nested RunTask events), by the clock and by thread time;
 * `--keep-trace` keeps the trace in .bench/scratch/, and each task over 50 ms
 * is printed with the longest events inside it.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { launchBareChromium } from './app/bare-cdp';
import {
  describeMachine,
  installOpenWatcher,
  launchChromium,
  OPEN_WATCHER_SCRIPT,
  openCapture,
  type OpenTimings,
  readOpenTimings,
  startServe,
  writeAppResult,
} from './app/app-session';
import { BENCH_CACHE_DIR, ensureCapture, parseSize } from './generate-capture';

const LONG_FRAME_MS = 50;
const VIEWPORT = { width: 1440, height: 900 };
const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'toplevel',
  'blink.user_timing',
];

// A string, not a function: tsx compiles functions with esbuild's keepNames, whose __name helper the page lacks.
const SMOOTHNESS_SCRIPT = `
(() => {
  const record = { longTasks: [], frameGaps: [], lastFrame: null };
  window.__benchSmooth = record;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) record.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  const onFrame = (now) => {
    if (record.lastFrame !== null) record.frameGaps.push([record.lastFrame, now - record.lastFrame]);
    record.lastFrame = now;
    requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);
})();
`;

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of a complete event, in microseconds. */
  tdur?: number;
  args?: { name?: string; data?: { url?: string; functionName?: string; type?: string; frame?: string } };
}

/** One task over 50 ms with the longest events nested in it, to tell which work made it long. */
interface LongTaskDetail {
  startMs: number;
  durationMs: number;
  threadMs: number;
  inside: Array<{ name: string; ms: number; source: string }>;
}

/**
 * Reads the maximum top-level task length on the page's CrRendererMain thread, in milliseconds, and how many
 * exceed 50 ms. It counts only tasks that end after the page's 'bench-open-start' mark and start before 'bench-open-done'
 * (so the page's own start-up is left out).
 */
function readTrace(buffer: Buffer): {
  longestTaskMs: number;
  tasksOver50Ms: number;
  tasks: number;
  longestTaskThreadMs: number;
  tasksOver50MsThreadTime: number;
  windowFound: boolean;
  longestTaskOutsideWindowMs: number;
  longTaskDetails: LongTaskDetail[];
} {
  const parsed = JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const markAt = (name: string): number | undefined => events.find((event) => event.name === name)?.ts;
  // Only the renderer that made the marks: the browser may run others (a blank tab, its own pages).
  const pagePid = events.find((event) => event.name === 'bench-open-start')?.pid;
  const mainThreads = new Set(
    events
      .filter(
        (event) =>
          event.ph === 'M' &&
          event.name === 'thread_name' &&
          event.args?.name === 'CrRendererMain' &&
          (pagePid === undefined || event.pid === pagePid),
      )
      .map((event) => `${event.pid}:${event.tid}`),
  );
  const windowStart = markAt('bench-open-start');
  const windowEnd = markAt('bench-open-done');
  const tasks = events.filter(
    (event) =>
      event.ph === 'X' &&
      (event.name === 'RunTask' || event.name === 'ThreadControllerImpl::RunTask') &&
      mainThreads.has(`${event.pid}:${event.tid}`),
  );
  const isInWindow = (event: TraceEvent): boolean =>
    windowStart !== undefined &&
    windowEnd !== undefined &&
    event.ts + (event.dur ?? 0) >= windowStart &&
    event.ts <= windowEnd;
  // A RunTask may nest a ThreadControllerImpl::RunTask (and the reverse): count only the outermost one.
  const sorted = tasks.filter(isInWindow).sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const outermost: TraceEvent[] = [];
  let coveredUntil = Number.NEGATIVE_INFINITY;
  for (const event of sorted) {
    if (event.ts + (event.dur ?? 0) <= coveredUntil) continue;
    outermost.push(event);
    coveredUntil = event.ts + (event.dur ?? 0);
  }
  const durations = outermost.map((event) => (event.dur ?? 0) / 1000);
  // Thread time leaves out the time the thread waited for a CPU: on a shared machine a task can take
  // longer by the clock than the work it did.
  const threadDurations = outermost.map((event) => (event.tdur ?? 0) / 1000);
  const threadEvents = events.filter(
    (event) => event.ph === 'X' && (event.dur ?? 0) >= 1000 && mainThreads.has(`${event.pid}:${event.tid}`),
  );
  const longTaskDetails = outermost
    .filter((event) => (event.dur ?? 0) / 1000 > LONG_FRAME_MS)
    .map((task) => {
      const end = task.ts + (task.dur ?? 0);
      const inside = threadEvents
        .filter(
          (event) =>
            event !== task &&
            event.tid === task.tid &&
            event.pid === task.pid &&
            event.ts >= task.ts &&
            event.ts + (event.dur ?? 0) <= end,
        )
        .sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0))
        .slice(0, 12)
        .map((event) => ({
          name: event.name,
          ms: Math.round((event.dur ?? 0) / 100) / 10,
          source: event.args?.data?.functionName ?? event.args?.data?.url ?? event.args?.data?.type ?? '',
        }));
      return {
        startMs: Math.round((task.ts - (windowStart ?? 0)) / 1000),
        durationMs: Math.round((task.dur ?? 0) / 100) / 10,
        threadMs: Math.round((task.tdur ?? 0) / 100) / 10,
        inside,
      };
    });
  const outside = tasks.filter((event) => !isInWindow(event)).map((event) => (event.dur ?? 0) / 1000);
  return {
    windowFound: windowStart !== undefined && windowEnd !== undefined,
    longestTaskOutsideWindowMs: Math.round(Math.max(0, ...outside) * 10) / 10,
    longestTaskMs: Math.round(Math.max(0, ...durations) * 10) / 10,
    tasksOver50Ms: durations.filter((duration) => duration > LONG_FRAME_MS).length,
    tasks: durations.length,
    longestTaskThreadMs: Math.round(Math.max(0, ...threadDurations) * 10) / 10,
    tasksOver50MsThreadTime: threadDurations.filter((duration) => duration > LONG_FRAME_MS).length,
    longTaskDetails,
  };
}

function readOption(args: string[], name: string, fallback: string): string {
  const index = args.indexOf(name);
  return index >= 0 && args[index + 1] !== undefined ? args[index + 1]! : fallback;
}

interface LoadReading {
  timings: OpenTimings;
  traceBuffer: Buffer;
  recorded: { longTasks: Array<{ start: number; duration: number }>; frameGaps: Array<[number, number]> };
  start: number;
}

/** Loads the capture in a Playwright page (which always enables DevTools' Network domain). */
async function loadWithPlaywright(url: string, capturePath: string, categories: string[]): Promise<LoadReading> {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: VIEWPORT.width, height: VIEWPORT.height } });
    const page = await context.newPage();
    await installOpenWatcher(page);
    await page.addInitScript({ content: SMOOTHNESS_SCRIPT });
    await browser.startTracing(page, { categories });
    await openCapture(page, url, capturePath);
    const timings = await readOpenTimings(page, 15 * 60_000);
    const traceBuffer = await browser.stopTracing();
    const recorded = (await page.evaluate(
      () => (window as unknown as { __benchSmooth: unknown }).__benchSmooth,
    )) as LoadReading['recorded'];
    const start = await page.evaluate(
      () => (window as unknown as { __benchOpen: { start: number } }).__benchOpen.start,
    );
    await context.close();
    return { timings, traceBuffer, recorded, start };
  } finally {
    await browser.close();
  }
}

/**
 * Loads the capture through a bare DevTools connection that enables only Page, Runtime and Tracing, and types
 * the path with Input events, as a user would.
 */
async function loadWithBareDriver(url: string, capturePath: string, categories: string[]): Promise<LoadReading> {
  const browser = await launchBareChromium();
  const evaluate = (session: string, expression: string) => browser.evaluate(session, expression);
  const waitFor = async (session: string, expression: string, timeoutMs: number): Promise<void> => {
    const until = Date.now() + timeoutMs;
    while (!(await evaluate(session, expression))) {
      if (Date.now() > until) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${expression}`);
      await new Promise((done) => setTimeout(done, 250));
    }
  };
  try {
    const session = await browser.openPage(VIEWPORT.width, VIEWPORT.height);
    await browser.send('Page.enable', {}, session);
    for (const source of [OPEN_WATCHER_SCRIPT, SMOOTHNESS_SCRIPT]) {
      await browser.send('Page.addScriptToEvaluateOnNewDocument', { source }, session);
    }
    await browser.startTracing(categories);
    await browser.send('Page.navigate', { url }, session);
    await waitFor(session, `document.querySelector('.status-bar') !== null`, 30_000);
    // The served sample loads first and moves the app to its overview; open the capture after that.
    await waitFor(session, `document.querySelector('.phase-done') !== null`, 30_000);
    await evaluate(
      session,
      `Array.from(document.querySelectorAll('nav button')).find((b) => /Open capture/.test(b.textContent)).click()`,
    );
    await waitFor(session, `document.querySelector('#capture-path') !== null`, 30_000);
    await waitFor(
      session,
      `(document.querySelector('#capture-path')?.focus(), document.activeElement?.id === 'capture-path')`,
      30_000,
    );
    await browser.send('Input.insertText', { text: capturePath }, session);
    const enter = { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, text: '\r' };
    await browser.send('Input.dispatchKeyEvent', { type: 'keyDown', ...enter }, session);
    await browser.send('Input.dispatchKeyEvent', { type: 'keyUp', ...enter }, session);
    await waitFor(session, `window.__benchOpen.done !== null`, 15 * 60_000);
    const traceBuffer = await browser.stopTracing();
    const state = (await evaluate(session, 'window.__benchOpen')) as {
      start: number;
      overview: number | null;
      firstRow: number | null;
      wasLoading: boolean | null;
      done: number | null;
    };
    const since = (stamp: number | null): number | null =>
      stamp === null ? null : Math.round((stamp - state.start) * 10) / 10;
    const timings: OpenTimings = {
      overviewMs: since(state.overview),
      firstRowMs: since(state.firstRow),
      wasLoadingAtFirstRow: state.wasLoading,
      doneMs: since(state.done),
    };
    const recorded = (await evaluate(session, 'window.__benchSmooth')) as LoadReading['recorded'];
    return { timings, traceBuffer, recorded, start: state.start };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const size = readOption(args, '--size', '1GiB');
  const seed = Number(readOption(args, '--seed', '1'));
  const driver = readOption(args, '--driver', 'bare');
  if (driver !== 'bare' && driver !== 'playwright')
    throw new Error(`--driver must be bare or playwright, not ${driver}`);
  const capture = ensureCapture({ seed, sizeBytes: parseSize(size), variant: 'mix', format: 'pcap' });
  const dataDirectory = mkdtempSync(join(tmpdir(), 'tideline-bench-app-'));
  const serve = await startServe(dataDirectory);
  try {
    const extraCategories = readOption(args, '--extra-categories', '').split(',').filter(Boolean);
    const categories = [...TRACE_CATEGORIES, ...extraCategories];
    const load = driver === 'bare' ? loadWithBareDriver : loadWithPlaywright;
    const { timings, traceBuffer, recorded, start } = await load(serve.url, capture.path, categories);
    if (args.includes('--keep-trace')) {
      mkdirSync(join(BENCH_CACHE_DIR, 'scratch'), { recursive: true });
      writeFileSync(join(BENCH_CACHE_DIR, 'scratch', 'renderer-trace.json'), traceBuffer);
    }
    const { longTaskDetails, ...trace } = readTrace(traceBuffer);
    const end = start + (timings.doneMs ?? 0);

    const longTasks = recorded.longTasks.filter((task) => task.start + task.duration >= start && task.start <= end);
    const gaps = recorded.frameGaps.filter(([at]) => at >= start && at <= end).map(([, gap]) => gap);
    const result = {
      measuredAt: new Date().toISOString(),
      command: `npx tsx bench/measure-renderer.ts ${args.join(' ')}`.trim(),
      machine: describeMachine(),
      capture: { size, path: capture.path, bytes: statSync(capture.path).size, packets: capture.summary.packets },
      open: timings,
      driver,
      trace: { categories, ...trace },
      page: {
        longTasks: longTasks.length,
        longestLongTaskMs: Math.round(Math.max(0, ...longTasks.map((task) => task.duration)) * 10) / 10,
        frames: gaps.length,
        framesOver50Ms: gaps.filter((gap) => gap > LONG_FRAME_MS).length,
        longestFrameGapMs: Math.round(Math.max(0, ...gaps) * 10) / 10,
      },
    };
    mkdirSync(join(BENCH_CACHE_DIR, 'scratch'), { recursive: true });
    writeFileSync(
      join(BENCH_CACHE_DIR, 'scratch', 'renderer-long-tasks.json'),
      JSON.stringify({ page: longTasks, trace: longTaskDetails }, null, 1),
    );
    writeAppResult('renderer', result);
    process.stdout.write(`${JSON.stringify({ open: result.open, trace: result.trace, page: result.page }, null, 2)}\n`);
    for (const detail of longTaskDetails) {
      process.stdout.write(`task at ${detail.startMs} ms, ${detail.durationMs} ms (thread ${detail.threadMs} ms):\n`);
      for (const inner of detail.inside) process.stdout.write(`  ${inner.ms} ms ${inner.name} ${inner.source}\n`);
    }
  } finally {
    await serve.stop();
    rmSync(dataDirectory, { recursive: true, force: true });
  }
}

await main();
