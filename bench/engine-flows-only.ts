/**
 * The "flows only" benchmark subject: reads a capture with the engine's
 * analyzeCapture, counts the flows it hands over and writes nothing, then
 * prints one JSON line. bench/run.ts bundles this file with esbuild and runs
 * it on plain Node, as `tideline analyze` runs.
 *
 *   node .bench/engine-flows-only.mjs CAPTURE [--hold-flows]
 *
 * --hold-flows sets every flow timeout to 10 days of capture time, so no flow
 * ends before the file does, and samples the heap (after a forced garbage
 * collection, which needs node --expose-gc) against the number of active
 * flows to estimate memory per active flow.
 */
import { analyzeCapture } from '../src/main/engine/analyze-capture';

const HOLD_TIMEOUT_US = 10 * 24 * 3600 * 1e6;

interface HeapSample {
  activeFlows: number;
  heapUsedBytes: number;
}

/** Least-squares slope of heap bytes over active flows. */
function fitBytesPerFlow(samples: HeapSample[]): number | null {
  if (samples.length < 3) return null;
  const meanX = samples.reduce((sum, s) => sum + s.activeFlows, 0) / samples.length;
  const meanY = samples.reduce((sum, s) => sum + s.heapUsedBytes, 0) / samples.length;
  let covariance = 0;
  let variance = 0;
  for (const sample of samples) {
    covariance += (sample.activeFlows - meanX) * (sample.heapUsedBytes - meanY);
    variance += (sample.activeFlows - meanX) ** 2;
  }
  return variance === 0 ? null : covariance / variance;
}

async function main(args: string[]): Promise<void> {
  const path = args.find((argument) => !argument.startsWith('--'));
  if (path === undefined) throw new Error('Missing capture path: node engine-flows-only.mjs CAPTURE [--hold-flows]');
  const isHoldingFlows = args.includes('--hold-flows');
  const collectGarbage = (globalThis as { gc?: () => void }).gc;
  if (isHoldingFlows && collectGarbage === undefined) throw new Error('--hold-flows needs node --expose-gc.');

  let finishedFlows = 0;
  let maxActiveFlows = 0;
  const samples: HeapSample[] = [];
  const timeouts = isHoldingFlows
    ? { tcpInactivityUs: HOLD_TIMEOUT_US, tcpAttemptUs: HOLD_TIMEOUT_US, tcpCloseUs: HOLD_TIMEOUT_US, tcpLingerUs: HOLD_TIMEOUT_US, udpInactivityUs: HOLD_TIMEOUT_US, udpDnsInactivityUs: HOLD_TIMEOUT_US, icmpInactivityUs: HOLD_TIMEOUT_US, otherInactivityUs: HOLD_TIMEOUT_US }
    : undefined;

  const { summary } = await analyzeCapture(path, {
    flowTimeouts: timeouts,
    onFlows(batch) {
      finishedFlows += batch.length;
    },
    onProgress(progress) {
      // analyzeCapture hands over pending flows before each progress call, so the difference is the active count.
      const activeFlows = progress.flows - finishedFlows;
      if (activeFlows > maxActiveFlows) maxActiveFlows = activeFlows;
      if (isHoldingFlows && collectGarbage !== undefined) {
        collectGarbage();
        samples.push({ activeFlows, heapUsedBytes: process.memoryUsage().heapUsed });
      }
    },
  });

  const result = {
    packets: summary.packets,
    wireBytes: summary.wireBytes,
    flows: summary.flows,
    maxActiveFlowsSampled: maxActiveFlows,
    heapBytesPerActiveFlow: isHoldingFlows ? fitBytesPerFlow(samples) : null,
    heapSamples: samples.length,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`engine-flows-only: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
