/**
 * Long fuzz run of reader -> decoder -> flow table, on demand:
 *
 *   npm run fuzz -- --iterations 1000000 --seed 7
 *   npm run fuzz -- --minutes 10
 *   npm run fuzz -- --replay .fuzz-failures/7-1234-crash.bin
 *
 * Options: --iterations N (default 100000), --seed S (default 1),
 * --minutes M (stop after M minutes), --max-seed-bytes B (largest seed file,
 * default 262144), --no-public (skip the public captures), --hang-seconds H
 * (an input running longer counts as a hang, default 30).
 * Each failing input is saved under .fuzz-failures/ with a .json describing it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { repositoryRoot } from '../../test/conformance/public-captures';
import { loadFuzzCorpus } from '../../test/fuzz/fuzz-corpus';
import { runPipeline } from '../../test/fuzz/fuzz-pipeline';
import { buildFuzzInput } from '../../test/fuzz/fuzz-runner';
import type { FuzzWorkerData, FuzzWorkerMessage } from './fuzz-worker';

interface Options {
  iterations: number;
  seed: number;
  minutes: number;
  maxSeedBytes: number;
  isPublicIncluded: boolean;
  hangSeconds: number;
  replayPath: string | null;
}

const failureFolder = path.join(repositoryRoot, '.fuzz-failures');

function parseOptions(argv: string[]): Options {
  const options: Options = {
    iterations: 100_000,
    seed: 1,
    minutes: Infinity,
    maxSeedBytes: 262_144,
    isPublicIncluded: true,
    hangSeconds: 30,
    replayPath: null,
  };
  const readNumber = (name: string, value: string | undefined): number => {
    const number = Number(value);
    if (value === undefined || !Number.isFinite(number) || number < 0)
      throw new Error(`${name} expects a non-negative number, found "${String(value)}"`);
    return number;
  };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--iterations') options.iterations = Math.floor(readNumber(argument, argv[++i]));
    else if (argument === '--seed') options.seed = Math.floor(readNumber(argument, argv[++i]));
    else if (argument === '--minutes') options.minutes = readNumber(argument, argv[++i]);
    else if (argument === '--max-seed-bytes') options.maxSeedBytes = readNumber(argument, argv[++i]);
    else if (argument === '--hang-seconds') options.hangSeconds = readNumber(argument, argv[++i]);
    else if (argument === '--no-public') options.isPublicIncluded = false;
    else if (argument === '--replay') options.replayPath = argv[++i] ?? null;
    else throw new Error(`unknown option "${String(argument)}"; see the header of scripts/fuzz/run-fuzz.ts`);
  }
  return options;
}

function saveFailure(options: Options, failure: Omit<Extract<FuzzWorkerMessage, { type: 'failure' }>, 'type'>): string {
  mkdirSync(failureFolder, { recursive: true });
  const base = path.join(failureFolder, `${options.seed}-${failure.iteration}-${failure.kind}`);
  writeFileSync(`${base}.bin`, failure.bytes);
  const { bytes, ...description } = failure;
  writeFileSync(
    `${base}.json`,
    `${JSON.stringify({ ...description, seed: options.seed, inputBytes: bytes.length }, null, 2)}\n`,
  );
  return `${base}.bin`;
}

/**
 * Starts scripts/fuzz/fuzz-worker.ts. Node 20 loads a worker's entry before
 * any --import hook, so a plain JavaScript bootstrap registers tsx first.
 */
function startWorker(workerData: FuzzWorkerData): Worker {
  const entry = new URL('./fuzz-worker.ts', import.meta.url).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** Runs one saved input through the pipeline in this thread and prints what happened. */
function replay(file: string): void {
  const bytes = new Uint8Array(readFileSync(file));
  const started = performance.now();
  const outcome = runPipeline(bytes, 4096);
  process.stdout.write(
    `${file}: ${bytes.length} bytes, ${JSON.stringify(outcome)}, ${(performance.now() - started).toFixed(0)} ms\n`,
  );
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`run-fuzz: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
    return;
  }
  if (options.replayPath !== null) {
    replay(options.replayPath);
    return;
  }

  const runStartedEpochMs = Date.now();
  const deadlineEpochMs =
    options.minutes === Infinity ? Number.MAX_SAFE_INTEGER : runStartedEpochMs + options.minutes * 60_000;
  const corpusOptions = { isPublicIncluded: options.isPublicIncluded, maxSeedBytes: options.maxSeedBytes };
  const seeds = loadFuzzCorpus(corpusOptions);
  process.stdout.write(
    `fuzz: seed ${options.seed}, ${seeds.length} seed captures, up to ${options.iterations} iterations${options.minutes === Infinity ? '' : ` or ${options.minutes} minutes`}\n`,
  );

  let done = 0;
  let packets = 0;
  let rejected = 0;
  let failures = 0;
  let next = 0;
  while (next < options.iterations && Date.now() < deadlineEpochMs) {
    const watchdog = new SharedArrayBuffer(8);
    const workerData: FuzzWorkerData = {
      seed: options.seed,
      firstIteration: next,
      iterations: options.iterations - next,
      deadlineEpochMs,
      ...corpusOptions,
      watchdog,
      runStartedEpochMs,
    };
    const worker = startWorker(workerData);
    const view = new Int32Array(watchdog);
    Atomics.store(view, 0, next);
    Atomics.store(view, 1, Math.floor((Date.now() - runStartedEpochMs) / 1000));

    // Wait for the worker to finish, or kill it when one input runs past the hang limit.
    const hungIteration = await new Promise<number | null>((resolve, reject) => {
      const timer = setInterval(() => {
        const inputStartedSeconds = Atomics.load(view, 1);
        const runningSeconds = (Date.now() - runStartedEpochMs) / 1000 - inputStartedSeconds;
        if (runningSeconds > options.hangSeconds) {
          clearInterval(timer);
          const iteration = Atomics.load(view, 0);
          void worker.terminate().then(() => resolve(iteration));
        }
      }, 1000);
      worker.on('message', (message: FuzzWorkerMessage) => {
        if (message.type === 'progress') {
          done += message.iterations;
          packets += message.packets;
          rejected += message.rejectedInputs;
          next = message.nextIteration;
          const seconds = (Date.now() - runStartedEpochMs) / 1000;
          if (done % 20_000 < message.iterations)
            process.stdout.write(`  ${done} iterations, ${(done / seconds).toFixed(0)}/s, ${failures} failures\n`);
        } else if (message.type === 'failure') {
          failures++;
          const saved = saveFailure(options, message);
          process.stdout.write(
            `FAIL ${message.kind} iteration ${message.iteration} (${message.seedName}; ${message.mutations.join(' | ')}): ${message.message.split('\n')[0] ?? ''}\n  saved ${saved}\n`,
          );
        } else {
          clearInterval(timer);
          resolve(null);
        }
      });
      worker.on('error', (error) => {
        clearInterval(timer);
        reject(error);
      });
    });

    if (hungIteration === null) break;
    const input = buildFuzzInput(seeds, options.seed, hungIteration);
    failures++;
    const saved = saveFailure(options, {
      kind: 'hang',
      iteration: hungIteration,
      seedName: input.seedName,
      mutations: input.mutations,
      chunkSize: input.chunkSize,
      message: `still running after ${options.hangSeconds} s`,
      bytes: input.bytes,
    });
    process.stdout.write(
      `FAIL hang iteration ${hungIteration} (${input.seedName}; ${input.mutations.join(' | ')})\n  saved ${saved}\n`,
    );
    done += 1;
    next = hungIteration + 1;
  }

  const seconds = (Date.now() - runStartedEpochMs) / 1000;
  process.stdout.write(
    `fuzz: ${done} iterations in ${seconds.toFixed(1)} s (${(done / seconds).toFixed(0)} iterations/s), ${packets} packets decoded, ${rejected} inputs rejected as not a capture, ${failures} failures${failures > 0 ? ` saved in ${failureFolder}` : ''}\n`,
  );
  process.exitCode = failures > 0 ? 1 : 0;
}

await main();
