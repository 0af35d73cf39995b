/**
 * Runs one program under GNU time (`/usr/bin/time -f '%e %M'`, Debian package
 * `time`) and returns its wall time and peak resident set size. Wall time is
 * taken with performance.now() around the whole spawn, because time's %e has
 * only 10 ms resolution; %M gives the peak RSS of the measured process.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const GNU_TIME_PATH = '/usr/bin/time';

export interface ProcessMeasurement {
  wallSeconds: number;
  peakRssBytes: number;
  exitCode: number;
  /** Standard output, or '' when it went to /dev/null. */
  stdout: string;
  stderr: string;
}

export interface MeasureOptions {
  /** Folder for the temporary files of this measurement. */
  scratchDirectory: string;
  /** Discard standard output (for tools whose output is the work, not a result to check). */
  isDiscardingStdout?: boolean;
}

/** Runs `command args` to completion; throws when GNU time is missing or the program exits non-zero. */
export async function measureProcess(command: string, args: string[], options: MeasureOptions): Promise<ProcessMeasurement> {
  if (!existsSync(GNU_TIME_PATH)) throw new Error(`${GNU_TIME_PATH} is missing: install the Debian package "time" (apt-get install time).`);
  const timePath = join(options.scratchDirectory, 'time.txt');
  const stdoutPath = join(options.scratchDirectory, 'stdout.txt');
  const stdoutFd = openSync(options.isDiscardingStdout === true ? '/dev/null' : stdoutPath, 'w');

  const started = performance.now();
  const child = spawn(GNU_TIME_PATH, ['-f', '%e %M', '-o', timePath, command, ...args], { stdio: ['ignore', stdoutFd, 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    if (stderr.length < 64 * 1024) stderr += text;
  });
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
  });
  const wallSeconds = (performance.now() - started) / 1000;
  closeSync(stdoutFd);

  const timeFields = readFileSync(timePath, 'utf8').trim().split('\n').pop()!.split(' ');
  const stdout = options.isDiscardingStdout === true ? '' : readFileSync(stdoutPath, 'utf8');
  rmSync(timePath, { force: true });
  if (options.isDiscardingStdout !== true) rmSync(stdoutPath, { force: true });
  if (exitCode !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with status ${exitCode}: ${stderr.trim().slice(-2000)}`);
  }
  return { wallSeconds, peakRssBytes: Number(timeFields[1]) * 1024, exitCode, stdout, stderr };
}
