/**
 * `tideline analyze` on every public capture, in a child process as a user
 * runs it: it exits 0, or exits 1 with a message naming the file only for
 * captures tshark cannot read at all. A crash, a signal or a stack trace fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPublicCaptures, readCaptureTruth, repositoryRoot, sharedRoot } from './public-captures';

const publicCaptures = findPublicCaptures();
const cliEntry = path.join(repositoryRoot, 'out', 'cli', 'tideline.mjs');
const timeoutMs = 60_000;

interface CliRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  isTimedOut: boolean;
}

/** Runs the bundled CLI; stdout (the flow log) is read and dropped, stderr is kept. */
function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliEntry, ...args], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let isTimedOut = false;
    const timer = setTimeout(() => {
      isTimedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.resume();
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < 64 * 1024) stderr += text;
    });
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stderr, isTimedOut });
    });
  });
}

if (publicCaptures === null) {
  console.warn(`cli-analyze: skipped, the public captures are not at ${sharedRoot}/pcaps/public.`);
}

describe.skipIf(publicCaptures === null)('tideline analyze on public captures', () => {
  // Logs go to a temporary folder, not to <capture>.tideline in the repository.
  const outputRoot = mkdtempSync(path.join(tmpdir(), 'tideline-cli-analyze-'));
  afterAll(() => rmSync(outputRoot, { recursive: true, force: true }));

  beforeAll(() => {
    const build = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: repositoryRoot, encoding: 'utf8' });
    if (build.status !== 0 || !existsSync(cliEntry)) {
      throw new Error(
        `npm run build:cli failed (exit ${String(build.status)}), so ${cliEntry} cannot run:\n${build.stderr}`,
      );
    }
  });

  const captures = publicCaptures?.captures ?? [];
  it.concurrent.each(captures.map((capture) => [capture.relativePath, capture] as const))(
    '%s',
    async (_name, capture) => {
      if (publicCaptures === null) return;
      const truth = readCaptureTruth(publicCaptures, capture.relativePath);
      const outputDirectory = path.join(outputRoot, path.basename(capture.relativePath));
      const run = await runCli(['analyze', capture.absolutePath, '--out', outputDirectory]);

      expect(run.isTimedOut, `still running after ${timeoutMs} ms`).toBe(false);
      expect(run.signal).toBeNull();
      // A stack frame ("    at fn (file:line:col)") on stderr means an uncaught exception.
      expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

      const isUnreadable = truth.read_error !== null && truth.packets === 0;
      if (isUnreadable && run.exitCode === 1) {
        expect(run.stderr).toContain(path.basename(capture.relativePath));
        return;
      }
      expect(run.exitCode, run.stderr).toBe(0);
    },
  );
});
