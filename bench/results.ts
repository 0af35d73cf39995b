/** Result types of bench/run.ts, the statistics over runs and the machine description. */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import type { ProcessMeasurement } from './measure-process';

export interface RunStatistics {
  wallSeconds: { median: number; min: number; max: number; all: number[] };
  /** File bytes per second (10^6) at the median, minimum and maximum wall time. */
  megabytesPerSecond: { median: number; min: number; max: number };
  packetsPerSecond: { median: number; min: number; max: number };
  peakRssBytes: { median: number; min: number; max: number };
}

export interface SubjectRuns extends RunStatistics {
  id: string;
  command: string;
  /** Packets the program itself reported, or null when it prints no count. */
  reportedPackets: number | null;
}

export interface CaptureBenchmark {
  path: string;
  fileBytes: number;
  pcapngFileBytes: number | null;
  packets: number;
  ipv4Packets: number;
  fiveTupleFlows: number;
  subjects: SubjectRuns[];
}

export interface MemoryPoint {
  sizeBytes: number;
  packets: number;
  flows: number;
  flowsOnlyPeakRssBytes: number;
  fullPeakRssBytes: number;
}

export interface PerFlowMemory {
  capture: string;
  sizeBytes: number;
  flows: number;
  maxActiveFlowsSampled: number;
  heapBytesPerActiveFlow: number | null;
  peakRssBytes: number;
}

export interface MachineInfo {
  cpuModel: string;
  logicalCpus: number;
  memoryBytes: number;
  kernel: string;
  node: string;
  tshark: string;
  tcpdump: string;
  libpcap: string;
  compiler: string;
}

export interface BenchmarkResults {
  generatedAt: string;
  command: string;
  machine: MachineInfo;
  ceilingCompileCommand: string;
  fullEngineFlags: string[];
  runs: number;
  seed: number;
  mix: CaptureBenchmark;
  flowHeavy: CaptureBenchmark | null;
  memoryScaling: MemoryPoint[];
  perFlowMemory: PerFlowMemory | null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median, minimum and maximum of the runs; throughputs are derived from the wall times. */
export function summarizeRuns(measurements: ProcessMeasurement[], fileBytes: number, packets: number): RunStatistics {
  const walls = measurements.map((measurement) => measurement.wallSeconds);
  const rss = measurements.map((measurement) => measurement.peakRssBytes);
  const wall = { median: median(walls), min: Math.min(...walls), max: Math.max(...walls) };
  return {
    wallSeconds: { ...wall, all: walls },
    megabytesPerSecond: { median: fileBytes / 1e6 / wall.median, min: fileBytes / 1e6 / wall.max, max: fileBytes / 1e6 / wall.min },
    packetsPerSecond: { median: packets / wall.median, min: packets / wall.max, max: packets / wall.min },
    peakRssBytes: { median: median(rss), min: Math.min(...rss), max: Math.max(...rss) },
  };
}

function firstLineOf(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.trim();
  } catch {
    return 'unknown';
  }
}

export function collectMachineInfo(): MachineInfo {
  const tcpdumpLines = execFileSync('tcpdump', ['--version'], { encoding: 'utf8' }).split('\n');
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    logicalCpus: cpus().length,
    memoryBytes: totalmem(),
    kernel: firstLineOf('uname', ['-sr']),
    node: process.version,
    tshark: firstLineOf('tshark', ['--version']),
    tcpdump: tcpdumpLines[0]?.trim() ?? 'unknown',
    libpcap: tcpdumpLines.find((line) => line.startsWith('libpcap'))?.trim() ?? 'unknown',
    compiler: firstLineOf('cc', ['--version']),
  };
}
