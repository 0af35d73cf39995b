/**
 * The main-thread work of `tideline analyze` without its output side: read,
 * decode, assemble flows and run every application analyzer. Records and
 * flows are counted and dropped (no logs, no detectors). Compared
 * with engine-flows-only.ts it shows what the analyzers cost; compared with
 * the full command, what the logs and detectors add. Not one of the run's
 * programs; used for the profiles in docs/benchmarks.md.
 *
 *   npx tsx bench/engine-analyzers-only.ts CAPTURE
 *
 * Prints one JSON line with the packets, flows and records, and the seconds
 * the analysis took (module loading left out).
 */
import { analyzeCapture } from '../src/main/engine/analyze-capture';
import {
  type ApplicationAnalyzerSinks,
  ApplicationAnalyzers,
} from '../src/main/engine/analyzers/application-analyzers';
import { ANALYZER_SINK_NAMES } from '../src/main/cli/analyze-outputs';

async function main(path: string): Promise<void> {
  let records = 0;
  let flows = 0;
  const sinks: ApplicationAnalyzerSinks = {};
  for (const name of ANALYZER_SINK_NAMES) {
    (sinks as Record<string, () => void>)[name] = () => {
      records++;
    };
  }
  const analyzers = new ApplicationAnalyzers(sinks);
  const started = performance.now();
  const result = await analyzeCapture(path, {
    analyzers,
    onFlows(batch) {
      for (const flow of batch) analyzers.annotateFlowRecord(flow);
      flows += batch.length;
    },
  });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${JSON.stringify({ packets: result.summary.packets, flows, records, seconds: Math.round(seconds * 1000) / 1000 })}\n`,
  );
}

const [path] = process.argv.slice(2);
if (path === undefined) {
  process.stderr.write('Usage: npx tsx bench/engine-analyzers-only.ts CAPTURE\n');
  process.exit(2);
}
await main(path);
