/**
 * The fuzz loop shared by the bounded test and the long run: mutate a seed,
 * run it through the pipeline, record crashes, broken invariants and slow
 * inputs. Iteration i draws from its own generator, seeded by (seed, i), so
 * any one iteration can be replayed without the ones before it.
 */
import { mutate, MUTATION_KINDS, type FuzzSeed } from './mutators';
import { Prng } from './prng';
import { runPipeline } from './fuzz-pipeline';

export interface FuzzOptions {
  seeds: readonly FuzzSeed[];
  /** Seed of the whole run. */
  seed: number;
  firstIteration?: number;
  iterations: number;
  /** Stop early when this wall-clock time (performance.now()) has passed. */
  deadlineMs?: number;
  /** An input that takes longer than this plus `slowMillisPerKilobyte` per KB counts as a hang. */
  slowMillis: number;
  slowMillisPerKilobyte: number;
  /** Called before each input runs, so a watchdog can save it if the run never returns. */
  onInput?(input: FuzzInput): void;
}

export interface FuzzInput {
  iteration: number;
  seedName: string;
  mutations: string[];
  chunkSize: number;
  bytes: Uint8Array;
}

export interface FuzzFailure extends FuzzInput {
  kind: 'crash' | 'invariant' | 'slow';
  message: string;
}

export interface FuzzReport {
  iterations: number;
  elapsedMs: number;
  packets: number;
  rejectedInputs: number;
  failures: FuzzFailure[];
}

/** Mixes the run seed and the iteration number into one generator seed. */
function iterationSeed(seed: number, iteration: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ iteration;
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
  return (h ^ (h >>> 13)) >>> 0;
}

/** Builds the mutated input of one iteration. */
export function buildFuzzInput(seeds: readonly FuzzSeed[], seed: number, iteration: number): FuzzInput {
  const prng = new Prng(iterationSeed(seed, iteration));
  const base = prng.pick(seeds);
  let bytes = base.bytes;
  const mutations: string[] = [];
  const count = prng.between(1, 3);
  for (let i = 0; i < count; i++) {
    const mutation = mutate(prng.pick(MUTATION_KINDS), bytes, base, prng.pick(seeds), prng);
    bytes = mutation.bytes;
    mutations.push(mutation.description);
  }
  // Chunk sizes from one byte (only for small inputs) to the whole input, so records cross chunk ends.
  const chunkChoices = bytes.length <= 4096 ? [1, 7, 64, 4096, bytes.length || 1] : [64, 4096, 65536, bytes.length];
  return { iteration, seedName: base.name, mutations, chunkSize: prng.pick(chunkChoices), bytes };
}

export function runFuzz(options: FuzzOptions): FuzzReport {
  const started = performance.now();
  const first = options.firstIteration ?? 0;
  const report: FuzzReport = { iterations: 0, elapsedMs: 0, packets: 0, rejectedInputs: 0, failures: [] };

  for (let iteration = first; iteration < first + options.iterations; iteration++) {
    if (options.deadlineMs !== undefined && performance.now() > options.deadlineMs) break;
    const input = buildFuzzInput(options.seeds, options.seed, iteration);
    options.onInput?.(input);

    const inputStarted = performance.now();
    try {
      const outcome = runPipeline(input.bytes, input.chunkSize);
      report.packets += outcome.packets;
      if (outcome.isRejected) report.rejectedInputs++;
      if (outcome.violations.length > 0)
        report.failures.push({ ...input, kind: 'invariant', message: outcome.violations.slice(0, 5).join('; ') });
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
      report.failures.push({ ...input, kind: 'crash', message });
    }
    const inputMs = performance.now() - inputStarted;
    const limitMs = options.slowMillis + (input.bytes.length / 1024) * options.slowMillisPerKilobyte;
    if (inputMs > limitMs) {
      report.failures.push({
        ...input,
        kind: 'slow',
        message: `took ${inputMs.toFixed(0)} ms for ${input.bytes.length} bytes, limit ${limitMs.toFixed(0)} ms`,
      });
    }
    report.iterations++;
  }
  report.elapsedMs = performance.now() - started;
  return report;
}
