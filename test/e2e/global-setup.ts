/**
 * Starts `tideline serve` on the bundled sample for the browser journey and
 * writes the sample's flows with `tideline analyze`, for the expected counts.
 * Both use the build in out/; run `npm run build` first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { repositoryRoot, samplePath } from './sample-facts';

const launcher = join(repositoryRoot, 'bin', 'tideline.mjs');

function requireBuild(): void {
  for (const built of [join('out', 'renderer', 'index.html'), join('out', 'cli', 'tideline.mjs')]) {
    if (!existsSync(join(repositoryRoot, built))) {
      throw new Error(`${built} is missing: run "npm run build" before the end-to-end tests.`);
    }
  }
}

function writeConnLog(folder: string): string {
  const result = spawnSync(process.execPath, [launcher, 'analyze', samplePath, '--out', folder, '--format', 'json'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`tideline analyze ${samplePath} failed with status ${result.status}: ${result.stderr}`);
  }
  return join(folder, 'conn.log');
}

/** Starts the server and resolves with the URL it prints, token included. */
function startServe(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [launcher, 'serve', samplePath, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`tideline serve printed no URL within 30 s:\n${output}`)), 30_000);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /https?:\/\/\S+\?token=\S+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[0] });
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tideline serve exited with code ${code} before printing a URL:\n${output}`));
    });
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  requireBuild();
  const folder = mkdtempSync(join(tmpdir(), 'tideline-e2e-'));
  // Cases the server makes go to the temporary folder, not the user's data folder.
  process.env.TIDELINE_DATA_DIR = join(folder, 'data');
  process.env.TIDELINE_E2E_CONN_LOG = writeConnLog(folder);

  const { child, url } = await startServe();
  process.env.TIDELINE_E2E_URL = url;

  return async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    rmSync(folder, { recursive: true, force: true });
  };
}
