/** Runs the engine as an Electron utilityProcess and hands it the page's event ports. */
import { utilityProcess, type MessagePortMain, type UtilityProcess } from 'electron';

import type { EngineConnection, SpawnEngine } from '../engine-supervisor/engine-supervisor';

/** An engine connection that can also take a MessagePort for the page's events. */
export interface UtilityEngineConnection extends EngineConnection {
  attachEventPort(port: MessagePortMain): void;
}

/** Create a spawner that forks `enginePath` (out/main/engine-process.js) as a utility process. */
export function spawnUtilityEngine(enginePath: string): SpawnEngine {
  return (): UtilityEngineConnection => {
    const child: UtilityProcess = utilityProcess.fork(enginePath, [], {
      serviceName: 'Tideline engine',
      stdio: 'inherit',
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => child.postMessage(message),
      onMessage: (listener) => {
        child.on('message', listener);
      },
      onExit: (listener) => {
        // utilityProcess reports only an exit code; a crash by signal shows as a non-zero code.
        child.once('exit', (code) => listener({ code, signal: null }));
      },
      kill: () => {
        child.kill();
      },
      attachEventPort: (port) => child.postMessage({ type: 'attach-event-port' }, [port]),
    };
  };
}
