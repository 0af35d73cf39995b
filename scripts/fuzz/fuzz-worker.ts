/**
 * Worker side of `npm run fuzz`: runs fuzz iterations in batches and posts
 * progress and failures to the main thread. Before each input it stores the
 * iteration number and start time in shared memory, so the main thread can
 * tell a hang from slow progress and kill the worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadFuzzCorpus } from '../../test/fuzz/fuzz-corpus';
import { runFuzz } from '../../test/fuzz/fuzz-runner';

export interface FuzzWorkerData {
  seed: number;
  firstIteration: number;
  iterations: number;
  deadlineEpochMs: number;
  isPublicIncluded: boolean;
  maxSeedBytes: number;
  /** Int32Array over it: [0] current iteration, [1] seconds since the run began when that input started. */
  watchdog: SharedArrayBuffer;
  runStartedEpochMs: number;
}

export type FuzzWorkerMessage =
  | { type: 'progress'; iterations: number; packets: number; rejectedInputs: number; nextIteration: number }
  | {
      type: 'failure';
      kind: string;
      iteration: number;
      seedName: string;
      mutations: string[];
      chunkSize: number;
      message: string;
      bytes: Uint8Array;
    }
  | { type: 'done' };

const BATCH = 500;
const data = workerData as FuzzWorkerData;
const watchdog = new Int32Array(data.watchdog);
const seeds = loadFuzzCorpus({ isPublicIncluded: data.isPublicIncluded, maxSeedBytes: data.maxSeedBytes });
const post = (message: FuzzWorkerMessage): void => parentPort?.postMessage(message);

let next = data.firstIteration;
const end = data.firstIteration + data.iterations;
while (next < end && Date.now() < data.deadlineEpochMs) {
  const count = Math.min(BATCH, end - next);
  const report = runFuzz({
    seeds,
    seed: data.seed,
    firstIteration: next,
    iterations: count,
    slowMillis: 2000,
    slowMillisPerKilobyte: 2,
    onInput: (input) => {
      Atomics.store(watchdog, 0, input.iteration);
      Atomics.store(watchdog, 1, Math.floor((Date.now() - data.runStartedEpochMs) / 1000));
    },
  });
  for (const failure of report.failures) {
    post({
      type: 'failure',
      kind: failure.kind,
      iteration: failure.iteration,
      seedName: failure.seedName,
      mutations: failure.mutations,
      chunkSize: failure.chunkSize,
      message: failure.message,
      bytes: failure.bytes,
    });
  }
  next += report.iterations;
  post({
    type: 'progress',
    iterations: report.iterations,
    packets: report.packets,
    rejectedInputs: report.rejectedInputs,
    nextIteration: next,
  });
}
post({ type: 'done' });
