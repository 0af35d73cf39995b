/**
 * The highest packet rate on loopback that `tideline capture` keeps up with
 * without kernel drops.
 *
 *   npx tsx bench/measure-live-rate.ts [--rates 20000,30000,40000,50000,100000,200000,400000]
 *                                      [--seconds 3] [--size 128MiB] [--seed 1]
 *
 * For each rate it starts `tideline capture -i lo` with a filter that matches
 * only the generated frames (every one of them carries the generator's router
 * MAC), replays the seeded mix onto `lo` with
 * `tcpreplay --intf1=lo --pps=RATE --limit=RATE*SECONDS` (a bounded count,
 * loopback only), stops the capture with SIGINT and reads libpcap's counters
 * from what it prints. Needs root for both tools; skips with a message
 * otherwise. Results replace the "liveRate" entry of docs/benchmarks-app.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describeMachine, REPOSITORY_ROOT, writeAppResult } from './app/app-session';
import { ensureCapture, parseSize } from './generate-capture';

const LAUNCHER = join(REPOSITORY_ROOT, 'bin', 'tideline.mjs');
/** Source or destination MAC of every frame the generator writes (bench/generator/host-directory.ts). */
const GENERATED_FILTER = 'ether host 02:00:00:00:00:01';

interface RateResult {
  requestedPps: number;
  sent: number;
  /** The rate tcpreplay reports it achieved. */
  replayedPps: number | null;
  /**
   * libpcap's ps_recv. On lo it reads about 2 x sent, so `analysed` is what gets compared with `sent`.
   */
  received: number | null;
  droppedByKernel: number | null;
  droppedByInterface: number | null;
  /** Packets the engine counted, from "packets received: N": compared with `sent`. */
  analysed: number | null;
}

function readOption(args: string[], name: string, fallback: string): string {
  const index = args.indexOf(name);
  return index >= 0 && args[index + 1] !== undefined ? args[index + 1]! : fallback;
}

function readNumber(text: string, pattern: RegExp): number | null {
  const match = pattern.exec(text);
  return match === null ? null : Number(match[1]);
}

/** Runs one capture around one bounded replay, killing both if they overrun. */
async function measureRate(replayPath: string, rate: number, seconds: number, folder: string): Promise<RateResult> {
  const limit = Math.round(rate * seconds);

  const capture = spawn(
    process.execPath,
    [LAUNCHER, 'capture', '-i', 'lo', '-f', GENERATED_FILTER, '--out', folder, '--duration', String(seconds * 4 + 20)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  capture.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<void>((done) => capture.once('exit', () => done()));
  const killTimer = setTimeout(() => capture.kill('SIGKILL'), (seconds * 4 + 40) * 1000);
  await new Promise<void>((done, fail) => {
    const startTimer = setTimeout(
      () => fail(new Error(`tideline capture did not start within 20 s:\n${stderr}`)),
      20_000,
    );
    capture.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('capturing on')) {
        clearTimeout(startTimer);
        done();
      }
    });
    capture.once('exit', (code) => {
      clearTimeout(startTimer);
      fail(new Error(`tideline capture exited with code ${code} before starting:\n${stderr}`));
    });
  });

  const replay = spawnSync('tcpreplay', ['--intf1=lo', `--pps=${rate}`, `--limit=${limit}`, '--loop=0', replayPath], {
    encoding: 'utf8',
    timeout: (seconds * 4 + 20) * 1000,
  });
  // Let the last packets reach the engine before stopping it.
  await new Promise((done) => setTimeout(done, 1500));
  capture.kill('SIGINT');
  await exited;
  clearTimeout(killTimer);

  const replayOutput = `${replay.stdout}${replay.stderr}`;
  if (replay.status !== 0)
    throw new Error(`tcpreplay at ${rate} pps failed with status ${replay.status}:\n${replayOutput}`);
  return {
    requestedPps: rate,
    sent: readNumber(replayOutput, /Successful packets:\s+(\d+)/) ?? limit,
    replayedPps: readNumber(replayOutput, /Rated:.*?([\d.]+) pps/),
    received: readNumber(stdout, /libpcap: received (\d+)/),
    droppedByKernel: readNumber(stdout, /dropped by kernel (\d+)/),
    droppedByInterface: readNumber(stdout, /dropped by interface (\d+)/),
    analysed: readNumber(stdout, /packets received: (\d+)/),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (process.getuid?.() !== 0) {
    process.stdout.write('measure-live-rate: skipped: live capture and tcpreplay on lo need root.\n');
    return;
  }
  const rates = readOption(args, '--rates', '20000,30000,40000,50000,100000,200000,400000').split(',').map(Number);
  const seconds = Number(readOption(args, '--seconds', '3'));
  const size = readOption(args, '--size', '128MiB');
  const replay = ensureCapture({
    seed: Number(readOption(args, '--seed', '1')),
    sizeBytes: parseSize(size),
    variant: 'mix',
    format: 'pcap',
  });

  const results: RateResult[] = [];
  for (const rate of rates) {
    const folder = mkdtempSync(join(tmpdir(), 'tideline-bench-live-'));
    try {
      const result = await measureRate(replay.path, rate, seconds, folder);
      results.push(result);
      process.stdout.write(
        `${rate} pps asked, ${result.replayedPps} pps replayed, ${result.sent} sent: received ${result.received}, ` +
          `kernel drops ${result.droppedByKernel}, interface drops ${result.droppedByInterface}, engine counted ${result.analysed}\n`,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  const clean = results.filter(
    (result) => result.droppedByKernel === 0 && result.analysed !== null && result.analysed >= result.sent,
  );
  const highest =
    clean.length === 0 ? null : Math.max(...clean.map((result) => result.replayedPps ?? result.requestedPps));
  process.stdout.write(
    `highest replayed rate with zero kernel drops and every packet received: ${highest ?? 'none'} pps\n`,
  );
  writeAppResult('liveRate', {
    measuredAt: new Date().toISOString(),
    command: `npx tsx bench/measure-live-rate.ts ${args.join(' ')}`.trim(),
    machine: describeMachine(),
    replayCapture: { size, path: replay.path, packets: replay.summary.packets },
    filter: GENERATED_FILTER,
    secondsPerRate: seconds,
    results,
    highestCleanPps: highest,
  });
}

await main();
