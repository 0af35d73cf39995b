/** Runs the engine as a Node child process for `tideline serve`. */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { EngineConnection, SpawnEngine } from '../engine-supervisor/engine-supervisor';

export interface EngineEntry {
  modulePath: string;
  execArgv: string[];
}

/**
 * Find the engine entry: `engine-process.mjs` beside the bundled command
 * line (out/cli), else the TypeScript source run through tsx (tests and
 * `npx tsx`).
 */
export function resolveEngineEntry(): EngineEntry {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, 'engine-process.mjs');
  if (existsSync(bundled)) return { modulePath: bundled, execArgv: [] };
  return { modulePath: join(here, '../engine/host/engine-process.ts'), execArgv: ['--import', 'tsx'] };
}

/** Create a spawner that forks `entry` with an IPC channel; the child's stdout and stderr go to ours. */
export function forkEngine(entry: EngineEntry = resolveEngineEntry()): SpawnEngine {
  return (): EngineConnection => {
    const child = fork(entry.modulePath, [], {
      execArgv: entry.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return {
      pid: child.pid,
      send: (message) => {
        if (child.connected) child.send(message as object);
      },
      onMessage: (listener) => {
        child.on('message', listener);
      },
      onExit: (listener) => {
        child.once('exit', (code, signal) => listener({ code, signal }));
      },
      kill: () => {
        child.kill();
      },
    };
  };
}
