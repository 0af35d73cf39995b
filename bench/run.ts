/**
 * Benchmarks `tideline analyze` side by side with the tools analysts use
 * instead, on the same capture in one session, interleaved.
 *
 *   npx tsx bench/run.ts [CAPTURE] [--size 1GiB] [--runs 5] [--seed 1]
 *                        [--flow-heavy-size 256MiB] [--skip-flow-heavy] [--skip-memory]
 *                        [--out docs/benchmarks.json]
 *
 * Without CAPTURE it generates (or reuses from .bench/) the seeded mix of
 * --size. The flow-heavy variant is 256 MiB (about 130,000 flows), or
 * --flow-heavy-size, or --size when that is smaller. Each set of programs runs once as a warm-up, then --runs rounds,
 * each round running every program once in turn. Results go to the JSON
 * file and to the generated part of docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSubjects, type BundledSubjects } from './bundle-subjects';
import { buildFlowCeiling, CEILING_COMPILE_ARGUMENTS } from './ceiling/build-ceiling';
import { BENCH_CACHE_DIR, ensureCapture, formatSize, parseSize } from './generate-capture';
import { measureProcess, type ProcessMeasurement } from './measure-process';
import { collectMachineInfo, summarizeRuns, type BenchmarkResults, type MemoryPoint, type SubjectRuns } from './results';
import { writeReport } from './write-report';

const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MEMORY_SIZES_MIB = [128, 256, 512, 1024];

/** One program under test and how to read its packet count from what it prints. */
interface Subject {
  id: string;
  command: string;
  args: string[];
  isDiscardingStdout?: boolean;
  readPackets?(output: ProcessMeasurement): number;
  /** The capture the program reads: read once, untimed, before each run so that it comes from the page cache. */
  inputPath: string;
}

/**
 * Reads `path` to the end and discards it. Two 1 GiB captures and the
 * other sessions' memory can push a capture out of the page cache between
 * runs. A run that then waits on the disk measures the disk, not the program.
 */
function readIntoPageCache(path: string): void {
  const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
  const descriptor = openSync(path, 'r');
  try {
    while (readSync(descriptor, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(descriptor);
  }
}

const VALUE_OPTIONS = new Set(['--size', '--runs', '--seed', '--flow-heavy-size', '--out']);

function readOption(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index < 0 ? undefined : args[index + 1];
}

/** Returns the one argument that is neither an option nor an option's value, if any. */
function findCaptureArgument(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const argument = args[i]!;
    if (VALUE_OPTIONS.has(argument)) i++;
    else if (!argument.startsWith('--')) return argument;
  }
  return undefined;
}

/** Sums the Total Frames column of `tshark -z conv,ip` (IPv4 conversations only). */
function sumTsharkConversationFrames(output: string): number {
  let frames = 0;
  for (const line of output.split('\n')) {
    const tokens = line.trim().split(/\s+/);
    if (tokens[1] !== '<->' || tokens.length < 10) continue;
    frames += Number(tokens[9]);
  }
  return frames;
}

/** Flags of `tideline analyze` that add stages, read from its --help, so new analyzers join the "full" run. */
function detectFullEngineFlags(cliPath: string): string[] {
  const help = execFileSync('node', [cliPath, 'analyze', '--help'], { encoding: 'utf8' });
  const flags: string[] = [];
  if (help.includes('--analyzers')) flags.push('--analyzers', 'all');
  if (help.includes('--detectors')) flags.push('--detectors', 'all');
  return flags;
}

function createSubjects(capturePath: string, bundle: BundledSubjects, ceilingPath: string, fullFlags: string[], outputDirectory: string): Subject[] {
  const jsonPackets = (output: ProcessMeasurement): number => (JSON.parse(output.stdout.trim().split('\n').pop()!) as { packets: number }).packets;
  return [
    { id: 'tideline-flows', command: 'node', args: [bundle.flowsOnlyPath, capturePath], readPackets: jsonPackets, inputPath: capturePath },
    {
      id: 'tideline-full',
      command: 'node',
      args: [bundle.cliPath, 'analyze', capturePath, '--out', outputDirectory, ...fullFlags],
      readPackets: (output) => Number(/^packets: (\d+)/m.exec(output.stdout)?.[1] ?? Number.NaN),
      inputPath: capturePath,
    },
    {
      id: 'tideline-case',
      command: 'node',
      args: [bundle.openCasePath, capturePath],
      readPackets: jsonPackets,
      inputPath: capturePath,
    },
    { id: 'flow-ceiling', command: ceilingPath, args: [capturePath], readPackets: jsonPackets, inputPath: capturePath },
    { id: 'tshark-conv-ip', command: 'tshark', args: ['-q', '-z', 'conv,ip', '-r', capturePath], readPackets: (output) => sumTsharkConversationFrames(output.stdout), inputPath: capturePath },
    { id: 'tshark-dns-fields', command: 'tshark', args: ['-r', capturePath, '-T', 'fields', '-e', 'dns.qry.name', '-Y', 'dns'], isDiscardingStdout: true, inputPath: capturePath },
    { id: 'tcpdump-read', command: 'tcpdump', args: ['-r', capturePath, '-w', '/dev/null'], isDiscardingStdout: true, inputPath: capturePath },
  ];
}

/** Runs every subject once as a warm-up, then `runs` interleaved rounds; returns each subject's runs. */
async function runInterleaved(subjects: Subject[], runs: number, label: string): Promise<Map<string, { measurements: ProcessMeasurement[]; packets: number | null }>> {
  const scratchDirectory = join(BENCH_CACHE_DIR, 'scratch');
  mkdirSync(scratchDirectory, { recursive: true });
  const results = new Map<string, { measurements: ProcessMeasurement[]; packets: number | null }>();
  for (const subject of subjects) results.set(subject.id, { measurements: [], packets: null });

  for (let round = 0; round <= runs; round++) {
    for (const subject of subjects) {
      readIntoPageCache(subject.inputPath);
      const measurement = await measureProcess(subject.command, subject.args, { scratchDirectory, isDiscardingStdout: subject.isDiscardingStdout });
      const entry = results.get(subject.id)!;
      if (subject.readPackets !== undefined) entry.packets = subject.readPackets(measurement);
      const roundName = round === 0 ? 'warm-up' : `run ${round}/${runs}`;
      process.stderr.write(`[${label}] ${roundName} ${subject.id}: ${measurement.wallSeconds.toFixed(2)} s, ${(measurement.peakRssBytes / 2 ** 20).toFixed(0)} MiB\n`);
      if (round > 0) entry.measurements.push(measurement);
    }
  }
  return results;
}

function toSubjectRuns(results: Map<string, { measurements: ProcessMeasurement[]; packets: number | null }>, subjects: Subject[], fileBytes: number, packets: number): SubjectRuns[] {
  return subjects.map((subject) => {
    const entry = results.get(subject.id)!;
    return { id: subject.id, command: [subject.command, ...subject.args].map((part) => part.replace(REPOSITORY_ROOT + '/', '')).join(' '), reportedPackets: entry.packets, ...summarizeRuns(entry.measurements, fileBytes, packets) };
  });
}

/** Benchmarks one capture; also its pcapng form when `pcapngPath` is given. */
async function benchmarkCapture(capturePath: string, pcapngPath: string | null, runs: number, bundle: BundledSubjects, ceilingPath: string, fullFlags: string[], label: string) {
  const outputDirectory = join(BENCH_CACHE_DIR, 'analyze-output', label);
  const subjects = createSubjects(capturePath, bundle, ceilingPath, fullFlags, outputDirectory);
  if (pcapngPath !== null) {
    subjects.push({ id: 'tideline-flows-pcapng', command: 'node', args: [bundle.flowsOnlyPath, pcapngPath], readPackets: (output) => (JSON.parse(output.stdout) as { packets: number }).packets, inputPath: pcapngPath });
    subjects.push({ id: 'flow-ceiling-pcapng', command: ceilingPath, args: [pcapngPath], readPackets: (output) => (JSON.parse(output.stdout) as { packets: number }).packets, inputPath: pcapngPath });
  }
  const ceilingOutput = JSON.parse(execFileSync(ceilingPath, [capturePath], { encoding: 'utf8' })) as { packets: number; ipv4Packets: number; flows: number };
  const results = await runInterleaved(subjects, runs, label);
  return {
    path: capturePath.replace(REPOSITORY_ROOT + '/', ''),
    fileBytes: statSync(capturePath).size,
    pcapngFileBytes: pcapngPath === null ? null : statSync(pcapngPath).size,
    packets: ceilingOutput.packets,
    ipv4Packets: ceilingOutput.ipv4Packets,
    fiveTupleFlows: ceilingOutput.flows,
    subjects: toSubjectRuns(results, subjects, statSync(capturePath).size, ceilingOutput.packets),
  };
}

/** Peak RSS of `tideline analyze` and of the flows-only path on growing files of the same mix. */
async function measureMemoryScaling(maxBytes: number, seed: number, bundle: BundledSubjects, fullFlags: string[]): Promise<MemoryPoint[]> {
  const scratchDirectory = join(BENCH_CACHE_DIR, 'scratch');
  const points: MemoryPoint[] = [];
  for (const sizeMib of MEMORY_SIZES_MIB) {
    const sizeBytes = sizeMib * 2 ** 20;
    if (sizeBytes > maxBytes) break;
    const capture = ensureCapture({ seed, sizeBytes, variant: 'mix', format: 'pcap' });
    const flowsOnly = await measureProcess('node', [bundle.flowsOnlyPath, capture.path], { scratchDirectory });
    const full = await measureProcess('node', [bundle.cliPath, 'analyze', capture.path, '--out', join(BENCH_CACHE_DIR, 'analyze-output', 'memory'), ...fullFlags], { scratchDirectory });
    const flows = (JSON.parse(flowsOnly.stdout) as { flows: number }).flows;
    points.push({ sizeBytes, packets: capture.summary.packets, flows, flowsOnlyPeakRssBytes: flowsOnly.peakRssBytes, fullPeakRssBytes: full.peakRssBytes });
    process.stderr.write(`[memory] ${sizeMib} MiB: flows-only ${(flowsOnly.peakRssBytes / 2 ** 20).toFixed(0)} MiB, full ${(full.peakRssBytes / 2 ** 20).toFixed(0)} MiB\n`);
  }
  return points;
}

/** Heap bytes per active flow: the flows-only path holding every flow of a flow-heavy capture. */
async function measurePerFlowMemory(sizeBytes: number, seed: number, bundle: BundledSubjects) {
  const capture = ensureCapture({ seed, sizeBytes, variant: 'flow-heavy', format: 'pcap' });
  const measurement = await measureProcess('node', ['--expose-gc', bundle.flowsOnlyPath, capture.path, '--hold-flows'], { scratchDirectory: join(BENCH_CACHE_DIR, 'scratch') });
  const output = JSON.parse(measurement.stdout) as { flows: number; maxActiveFlowsSampled: number; heapBytesPerActiveFlow: number | null };
  return { capture: basename(capture.path), sizeBytes, flows: output.flows, maxActiveFlowsSampled: output.maxActiveFlowsSampled, heapBytesPerActiveFlow: output.heapBytesPerActiveFlow, peakRssBytes: measurement.peakRssBytes };
}

async function main(args: string[]): Promise<void> {
  const runs = Number(readOption(args, '--runs') ?? '5');
  const seed = Number(readOption(args, '--seed') ?? '1');
  const sizeBytes = parseSize(readOption(args, '--size') ?? '1GiB');
  const flowHeavyBytes = parseSize(readOption(args, '--flow-heavy-size') ?? formatSize(Math.min(sizeBytes, 256 * 2 ** 20)));
  const jsonPath = resolve(readOption(args, '--out') ?? join(REPOSITORY_ROOT, 'docs', 'benchmarks.json'));
  const givenCapture = findCaptureArgument(args);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`Invalid --runs "${readOption(args, '--runs')}": expected a whole number of at least 1.`);

  const ceilingPath = buildFlowCeiling();
  const bundle = await bundleSubjects();
  const fullFlags = detectFullEngineFlags(bundle.cliPath);

  // The main capture: the given file (converted to pcapng by editcap for the format comparison) or the generated mix in both formats.
  let capturePath: string;
  let pcapngPath: string | null;
  if (givenCapture !== undefined) {
    capturePath = resolve(givenCapture);
    pcapngPath = join(BENCH_CACHE_DIR, `${basename(capturePath)}.pcapng`);
    execFileSync('editcap', ['-F', 'pcapng', capturePath, pcapngPath]);
  } else {
    capturePath = ensureCapture({ seed, sizeBytes, variant: 'mix', format: 'pcap' }).path;
    pcapngPath = ensureCapture({ seed, sizeBytes, variant: 'mix', format: 'pcapng' }).path;
  }
  const mix = await benchmarkCapture(capturePath, pcapngPath, runs, bundle, ceilingPath, fullFlags, givenCapture === undefined ? 'mix' : 'capture');

  let flowHeavy = null;
  if (!args.includes('--skip-flow-heavy')) {
    const flowHeavyPath = ensureCapture({ seed, sizeBytes: flowHeavyBytes, variant: 'flow-heavy', format: 'pcap' }).path;
    flowHeavy = await benchmarkCapture(flowHeavyPath, null, runs, bundle, ceilingPath, fullFlags, 'flow-heavy');
  }

  const memoryScaling = args.includes('--skip-memory') ? [] : await measureMemoryScaling(sizeBytes, seed, bundle, fullFlags);
  const perFlowMemory = args.includes('--skip-memory') ? null : await measurePerFlowMemory(Math.min(flowHeavyBytes, 256 * 2 ** 20), seed, bundle);

  const results: BenchmarkResults = {
    generatedAt: new Date().toISOString(),
    command: `npx tsx bench/run.ts ${args.join(' ')}`.trim(),
    machine: collectMachineInfo(),
    ceilingCompileCommand: `cc ${CEILING_COMPILE_ARGUMENTS.join(' ').replaceAll(REPOSITORY_ROOT + '/', '')}`,
    fullEngineFlags: fullFlags,
    runs,
    seed,
    mix,
    flowHeavy,
    memoryScaling,
    perFlowMemory,
  };
  writeReport(results, jsonPath, join(dirname(jsonPath), 'benchmarks.md'));
  process.stderr.write(`wrote ${jsonPath}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
