/**
 * Renderer smoothness while a large capture streams into the page: the
 * longest main-thread task and the number of frames over 50 ms, under
 * `tideline serve` in Debian Chromium.
 *
 *   npx tsx bench/measure-renderer.ts [--size 1GiB] [--seed 1]
 *
 * Two independent readings of the same load, from the Enter in the path field
 * to the end of loading, with the Flows view on screen (as in
 * measure-first-flows.ts):
 * - a Chromium performance trace taken through Playwright: the longest
 *   top-level task (RunTask) on the renderer's main thread;
 * - in the page: a PerformanceObserver for 'longtask' entries (tasks over
 *   50 ms) and the gaps between requestAnimationFrame callbacks.
 * Results replace the "renderer" entry of docs/benchmarks-app.json.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
} from './app/app-session';
import { BENCH_CACHE_DIR, ensureCapture, parseSize } from './generate-capture';

const LONG_FRAME_MS = 50;
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
  args?: { name?: string };
}

/**
 * Reads the maximum top-level task length on any CrRendererMain thread, in milliseconds, and how many
 * exceed 50 ms. It counts only tasks that end after the page's 'bench-open-start' mark and start before 'bench-open-done'
 * (so the page's own start-up is left out).
 */
function readTrace(buffer: Buffer): {
  longestTaskMs: number;
  tasksOver50Ms: number;
  tasks: number;
  windowFound: boolean;
  longestTaskOutsideWindowMs: number;
} {
  const parsed = JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const mainThreads = new Set(
    events
      .filter((event) => event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain')
      .map((event) => `${event.pid}:${event.tid}`),
  );
  const markAt = (name: string): number | undefined => events.find((event) => event.name === name)?.ts;
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
  const durations = tasks.filter(isInWindow).map((event) => (event.dur ?? 0) / 1000);
  const outside = tasks.filter((event) => !isInWindow(event)).map((event) => (event.dur ?? 0) / 1000);
  return {
    windowFound: windowStart !== undefined && windowEnd !== undefined,
    longestTaskOutsideWindowMs: Math.round(Math.max(0, ...outside) * 10) / 10,
    longestTaskMs: Math.round(Math.max(0, ...durations) * 10) / 10,
    tasksOver50Ms: durations.filter((duration) => duration > LONG_FRAME_MS).length,
    tasks: durations.length,
  };
}

function readOption(args: string[], name: string, fallback: string): string {
  const index = args.indexOf(name);
  return index >= 0 && args[index + 1] !== undefined ? args[index + 1]! : fallback;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const size = readOption(args, '--size', '1GiB');
  const seed = Number(readOption(args, '--seed', '1'));
  const capture = ensureCapture({ seed, sizeBytes: parseSize(size), variant: 'mix', format: 'pcap' });
  const dataDirectory = mkdtempSync(join(tmpdir(), 'tideline-bench-app-'));
  const serve = await startServe(dataDirectory);
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await installOpenWatcher(page);
    await page.addInitScript({ content: SMOOTHNESS_SCRIPT });
    await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    await openCapture(page, serve.url, capture.path);
    const timings = await readOpenTimings(page, 15 * 60_000);
    const trace = readTrace(await browser.stopTracing());
    const recorded = (await page.evaluate(() => (window as unknown as { __benchSmooth: unknown }).__benchSmooth)) as {
      longTasks: Array<{ start: number; duration: number }>;
      frameGaps: Array<[number, number]>;
    };
    const start = await page.evaluate(
      () => (window as unknown as { __benchOpen: { start: number } }).__benchOpen.start,
    );
    const end = start + (timings.doneMs ?? 0);
    await context.close();

    const longTasks = recorded.longTasks.filter((task) => task.start + task.duration >= start && task.start <= end);
    const gaps = recorded.frameGaps.filter(([at]) => at >= start && at <= end).map(([, gap]) => gap);
    const result = {
      measuredAt: new Date().toISOString(),
      command: `npx tsx bench/measure-renderer.ts ${args.join(' ')}`.trim(),
      machine: describeMachine(),
      capture: { size, path: capture.path, bytes: statSync(capture.path).size, packets: capture.summary.packets },
      open: timings,
      trace: { categories: TRACE_CATEGORIES, ...trace },
      page: {
        longTasks: longTasks.length,
        longestLongTaskMs: Math.round(Math.max(0, ...longTasks.map((task) => task.duration)) * 10) / 10,
        frames: gaps.length,
        framesOver50Ms: gaps.filter((gap) => gap > LONG_FRAME_MS).length,
        longestFrameGapMs: Math.round(Math.max(0, ...gaps) * 10) / 10,
      },
    };
    mkdirSync(join(BENCH_CACHE_DIR, 'scratch'), { recursive: true });
    writeFileSync(join(BENCH_CACHE_DIR, 'scratch', 'renderer-long-tasks.json'), JSON.stringify(longTasks, null, 1));
    writeAppResult('renderer', result);
    process.stdout.write(`${JSON.stringify({ open: result.open, trace: result.trace, page: result.page }, null, 2)}\n`);
  } finally {
    await browser.close();
    await serve.stop();
    rmSync(dataDirectory, { recursive: true, force: true });
  }
}

await main();
