/**
 * Opens one capture as the app does and waits until its case is complete.
 * The engine process (bundled beside this file as engine-process.mjs by
 * bench/bundle-subjects.ts) analyzes the file with every analyzer and
 * detector. Then it ingests flows, records, alerts and the packet index
 * into a case (DuckDB) in a scratch data folder. The benchmark runs it as the
 * `tideline-case` program: the full engine with the case store.
 *
 *   node .bench/open-case.mjs CAPTURE
 *
 * Prints one JSON line: packets, flows, records and alerts of the case, and
 * the seconds the analysis and the ingest took. The data folder is removed
 * at the end. Exits 1 when the engine reports the capture failed.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CaseMarker {
  state: string;
  packets: number;
  flows: number;
  records: number;
  alerts: number;
}

interface EngineMessage {
  type: string;
  id?: number;
  name?: string;
  payload?: Record<string, unknown>;
  result?: { ok: boolean; error?: { message: string } };
}

async function openCase(capturePath: string): Promise<void> {
  const enginePath = fileURLToPath(new URL('./engine-process.mjs', import.meta.url));
  const dataFolder = mkdtempSync(join(tmpdir(), 'tideline-open-case-'));
  const engine = fork(enginePath, [], {
    execArgv: [],
    env: { ...process.env, TIDELINE_DATA_DIR: dataFolder, TIDELINE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const started = performance.now();
  let analysisSeconds = 0;
  try {
    const marker = await new Promise<CaseMarker>((resolveMarker, reject) => {
      engine.on('message', (raw) => {
        const message = raw as EngineMessage;
        if (message.type === 'ready') {
          engine.send({ type: 'request', id: 1, name: 'capture.open', argument: { path: capturePath } });
        } else if (message.type === 'response' && message.result?.ok === false) {
          reject(new Error(`capture.open: ${message.result.error?.message ?? 'failed'}`));
        } else if (message.type === 'event' && message.name === 'capture.done') {
          analysisSeconds = (performance.now() - started) / 1000;
        } else if (message.type === 'event' && message.name === 'capture.failed') {
          reject(new Error(`capture failed: ${JSON.stringify(message.payload)}`));
        } else if (message.type === 'event' && message.name === 'case.ingest') {
          const event = message.payload as { marker: CaseMarker };
          if (event.marker.state === 'complete') resolveMarker(event.marker);
          else if (event.marker.state !== 'ingesting') reject(new Error(`case ingest ended ${event.marker.state}`));
        }
      });
      engine.once('exit', (code, signal) => reject(new Error(`engine exited early (code ${code}, signal ${signal})`)));
    });
    const totalSeconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `${JSON.stringify({
        packets: marker.packets,
        flows: marker.flows,
        records: marker.records,
        alerts: marker.alerts,
        analysisSeconds: Math.round(analysisSeconds * 100) / 100,
        ingestSeconds: Math.round((totalSeconds - analysisSeconds) * 100) / 100,
      })}\n`,
    );
  } finally {
    engine.removeAllListeners('exit');
    const exited = new Promise((resolveExit) => engine.once('exit', resolveExit));
    engine.kill('SIGTERM');
    await exited;
    rmSync(dataFolder, { recursive: true, force: true });
  }
}

const [capture] = process.argv.slice(2);
if (capture === undefined) {
  process.stderr.write('Usage: node .bench/open-case.mjs CAPTURE\n');
  process.exit(2);
}
openCase(resolve(capture)).catch((error: unknown) => {
  process.stderr.write(`open-case: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
