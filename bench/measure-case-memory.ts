/**
 * Measures the memory ceiling of opening a big capture in the app: the
 * engine process (bundled as the app bundles it) opens the capture, analyzes
 * it and ingests it into a case, with the default ceiling (2 GiB, so DuckDB's
 * memory_limit is 256 MiB) unless TIDELINE_MEMORY_CEILING sets another.
 *
 *   npx tsx bench/measure-case-memory.ts [--size 10GiB] [--seed 1] [--variant mix]
 *                                        [--out docs/benchmarks-case.json] [--delete-capture]
 *
 * Every 200 ms it sums the resident memory (VmRSS) of the engine process and
 * its descendants from /proc; DuckDB runs inside the engine process, so its
 * buffers are part of that figure. At 10%, 50% and 90% of the analysis pass
 * and of the ingest pass it asks the engine for a page of flows and a
 * timeline and records how long each answer took. Linux only (/proc).
 */
import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { BENCH_CACHE_DIR, ensureCapture, formatSize, parseSize } from './generate-capture';
import type { CaptureVariant } from './generator/traffic-mix';
import { DEFAULT_MEMORY_CEILING_BYTES, getDatabaseMemoryBytes, readMemoryCeilingBytes } from '../src/main/engine/store/memory-ceiling';

const SAMPLE_MS = 200;
const QUERY_POINTS = [0.1, 0.5, 0.9] as const;

interface Options {
  sizeBytes: number;
  seed: number;
  variant: CaptureVariant;
  outPath: string;
  isDeletingCapture: boolean;
}

function parseOptions(args: string[]): Options {
  const value = (name: string): string | undefined => {
    const index = args.indexOf(name);
    return index < 0 ? undefined : args[index + 1];
  };
  return {
    sizeBytes: parseSize(value('--size') ?? '10GiB'),
    seed: Number(value('--seed') ?? '1'),
    variant: (value('--variant') ?? 'mix') as CaptureVariant,
    outPath: resolve(value('--out') ?? 'docs/benchmarks-case.json'),
    isDeletingCapture: args.includes('--delete-capture'),
  };
}

/** VmRSS in bytes of `pid` and every process below it; 0 for a process that is gone. */
function readTreeRssBytes(rootPid: number): { treeBytes: number; rootBytes: number } {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readTextOrNull(`/proc/${name}/stat`);
    if (stat === null) continue;
    // Field 4 (ppid) follows the command name in parentheses, which may contain spaces.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(parent) ?? [];
    list.push(Number(name));
    children.set(parent, list);
  }
  let treeBytes = 0;
  let rootBytes = 0;
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    const match = /VmRSS:\s+(\d+) kB/.exec(readTextOrNull(`/proc/${pid}/status`) ?? '');
    const bytes = match === null ? 0 : Number(match[1]) * 1024;
    treeBytes += bytes;
    if (pid === rootPid) rootBytes = bytes;
    pending.push(...(children.get(pid) ?? []));
  }
  return { treeBytes, rootBytes };
}

function readTextOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function folderBytes(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) total += folderBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

interface QueryTiming {
  phase: 'analysis' | 'ingest';
  atFraction: number;
  /** Progress of the phase when the queries were sent. */
  progress: number;
  flowsPageMs: number;
  flowsTotal: number;
  timelineMs: number;
  timelineBuckets: number;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const ceilingBytes = readMemoryCeilingBytes();
  const work = join(BENCH_CACHE_DIR, 'case-memory');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });

  const generationStarted = performance.now();
  const capture = ensureCapture({ seed: options.seed, sizeBytes: options.sizeBytes, variant: options.variant, format: 'pcap' });
  const generationSeconds = (performance.now() - generationStarted) / 1000;
  process.stderr.write(`capture ${capture.path} (${capture.isNew ? 'generated' : 'cached'}), ${capture.summary.packets} packets\n`);

  // The engine as `npm run build` bundles it (scripts/build-cli.mjs), so no TypeScript loader runs inside it.
  const enginePath = join(work, 'engine-process.mjs');
  await build({
    entryPoints: ['src/main/engine/host/engine-process.ts'], outfile: enginePath, bundle: true, platform: 'node',
    target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning',
  });

  const dataFolder = join(work, 'data');
  const engine = fork(enginePath, [], {
    // Plain Node, not this script's tsx loader.
    execArgv: [],
    env: { ...process.env, TIDELINE_DATA_DIR: dataFolder, TIDELINE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const enginePid = engine.pid as number;

  let peakTreeBytes = 0;
  let peakEngineBytes = 0;
  let peakAtPhase = 'analysis';
  let phase: 'analysis' | 'ingest' = 'analysis';
  const sampler = setInterval(() => {
    const { treeBytes, rootBytes } = readTreeRssBytes(enginePid);
    if (treeBytes > peakTreeBytes) {
      peakTreeBytes = treeBytes;
      peakAtPhase = phase;
    }
    peakEngineBytes = Math.max(peakEngineBytes, rootBytes);
  }, SAMPLE_MS);

  let nextId = 1;
  const waiting = new Map<number, (result: { ok: boolean; value?: unknown; error?: { message: string } }) => void>();
  const request = (name: string, argument: unknown): Promise<unknown> =>
    new Promise((resolveRequest, reject) => {
      const id = nextId++;
      waiting.set(id, (result) => (result.ok ? resolveRequest(result.value) : reject(new Error(`${name}: ${result.error?.message}`))));
      engine.send({ type: 'request', id, name, argument });
    });

  let captureId = '';
  const timings: QueryTiming[] = [];
  let isQuerying = false;
  const pointsDone = { analysis: 0, ingest: 0 };
  const askAt = async (which: 'analysis' | 'ingest', progress: number): Promise<void> => {
    const point = QUERY_POINTS[pointsDone[which]];
    if (point === undefined || progress < point || isQuerying || captureId === '') return;
    pointsDone[which]++;
    isQuerying = true;
    const pageStarted = performance.now();
    const page = (await request('flows.query', {
      captureId, offset: 0, limit: 200, sort: { column: 'startUs', direction: 'ascending' }, filter: {},
    })) as { total: number };
    const flowsPageMs = performance.now() - pageStarted;
    const timelineStarted = performance.now();
    const timeline = (await request('aggregates.timeline', { captureId, filter: {}, bucketCount: 300 })) as { buckets: unknown[] };
    const timelineMs = performance.now() - timelineStarted;
    timings.push({
      phase: which, atFraction: point, progress: Math.round(progress * 1000) / 1000,
      flowsPageMs: Math.round(flowsPageMs), flowsTotal: page.total, timelineMs: Math.round(timelineMs), timelineBuckets: timeline.buckets.length,
    });
    isQuerying = false;
  };

  const started = performance.now();
  let analysisSeconds = 0;
  let caseId = '';
  let lastMarker: { state: string; packets: number; flows: number; records: number; lastPacketNumber: number } | null = null;
  const finished = new Promise<void>((resolveDone, reject) => {
    engine.on('message', (raw) => {
      const message = raw as { type: string; id?: number; name?: string; payload?: Record<string, unknown>; result?: never };
      if (message.type === 'ready') {
        void request('capture.open', { path: capture.path }).then((value) => {
          captureId = (value as { captureId: string }).captureId;
        }, reject);
        return;
      }
      if (message.type === 'response' && message.id !== undefined) {
        waiting.get(message.id)?.(message.result as never);
        waiting.delete(message.id);
        return;
      }
      if (message.type !== 'event' || message.payload === undefined) return;
      if (message.name === 'capture.progress') {
        const { bytesRead, totalBytes } = message.payload as { bytesRead: number; totalBytes: number };
        if (phase === 'analysis' && totalBytes > 0) void askAt('analysis', bytesRead / totalBytes).catch(reject);
      } else if (message.name === 'capture.done') {
        analysisSeconds = (performance.now() - started) / 1000;
        phase = 'ingest';
      } else if (message.name === 'capture.failed') {
        reject(new Error(`capture failed: ${JSON.stringify(message.payload)}`));
      } else if (message.name === 'case.ingest') {
        const event = message.payload as { caseId: string; marker: NonNullable<typeof lastMarker> };
        caseId = event.caseId;
        lastMarker = event.marker;
        if (event.marker.state === 'ingesting') void askAt('ingest', event.marker.lastPacketNumber / capture.summary.packets).catch(reject);
        else resolveDone();
      }
    });
    engine.once('exit', (code, signal) => reject(new Error(`engine exited early (code ${code}, signal ${signal})`)));
  });
  await finished;
  const wallSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  engine.removeAllListeners('exit');
  engine.kill('SIGTERM');

  const caseFolder = join(dataFolder, 'cases', caseId);
  const marker = lastMarker as unknown as NonNullable<typeof lastMarker>;
  const result = {
    measuredAt: new Date().toISOString(),
    command: `npx tsx bench/measure-case-memory.ts --size ${formatSize(options.sizeBytes)} --seed ${options.seed} --variant ${options.variant}`,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 1024 ** 3), node: process.version },
    capture: { path: capture.path, bytes: capture.summary.fileBytes, packets: capture.summary.packets, generatedSeconds: capture.isNew ? Math.round(generationSeconds) : null },
    ceilingBytes,
    isDefaultCeiling: ceilingBytes === DEFAULT_MEMORY_CEILING_BYTES,
    duckdbMemoryLimitBytes: getDatabaseMemoryBytes(ceilingBytes),
    peakRssBytes: peakTreeBytes,
    peakEngineRssBytes: peakEngineBytes,
    peakDuring: peakAtPhase,
    isUnderCeiling: peakTreeBytes <= ceilingBytes,
    wallSeconds: Math.round(wallSeconds),
    analysisSeconds: Math.round(analysisSeconds),
    ingestSeconds: Math.round(wallSeconds - analysisSeconds),
    marker,
    caseBytes: folderBytes(caseFolder),
    queriesWhileLoading: timings,
  };
  writeFileSync(options.outPath, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  rmSync(work, { recursive: true, force: true });
  if (options.isDeletingCapture) {
    rmSync(capture.path, { force: true });
    rmSync(`${capture.path}.json`, { force: true });
  }
}

await main();
