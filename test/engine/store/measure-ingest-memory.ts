/**
 * Measures the case store's ingest on a large capture: peak resident memory,
 * time, rows, case size, and how long the on-demand aggregates take.
 * Usage: npx tsx test/engine/store/measure-ingest-memory.ts CAPTURE [CASES_FOLDER]
 * Prints one JSON object. Not a test: run by hand, figures go to docs/memory.md.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestCaptureIntoCase } from '../../../src/main/engine/store/case-ingest';
import { queryCaseFlows, queryCaseHostGraph, queryCaseTimeline } from '../../../src/main/engine/store/case-queries';
import { CaseStore } from '../../../src/main/engine/store/case-store';

const [capture, casesFolder = mkdtempSync(join(tmpdir(), 'tideline-measure-'))] = process.argv.slice(2);
if (capture === undefined) throw new Error('usage: measure-ingest-memory.ts CAPTURE [CASES_FOLDER]');

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 50);
const started = performance.now();
const store = await CaseStore.create({ casesFolder, name: 'measure', sources: [] });
const result = await ingestCaptureIntoCase(store, capture);
const ingestSeconds = (performance.now() - started) / 1000;

async function time<T>(run: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await run();
  return Math.round(performance.now() - start);
}
const range = (await store.query('SELECT min(start_us) AS s, max(end_us) AS e FROM flows'))[0] ?? {};
const timeRange = { startUs: Number(range.s), endUs: Number(range.e) + 1 };
const bucketUs = Math.max(1, Math.ceil((timeRange.endUs - timeRange.startUs) / 500));
const queryMs = {
  flowPageSortedByBytes: await time(() => queryCaseFlows(store, { sort: { column: 'totalBytes', direction: 'descending' }, limit: 500 })),
  flowPageFiltered: await time(() => queryCaseFlows(store, { filter: 'tcp.port == 443 && orig_bytes > 1000', limit: 500 })),
  timeline500Buckets: await time(() => queryCaseTimeline(store, { timeRange, bucketUs })),
  timeline500BucketsFiltered: await time(() => queryCaseTimeline(store, { timeRange, bucketUs, filter: 'udp' })),
  hostGraphTop100: await time(() => queryCaseHostGraph(store, { maxHosts: 100 })),
};
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
const sizeBytes = await store.getSizeBytes();
await store.close();
process.stdout.write(
  `${JSON.stringify({ capture, ingestSeconds: Math.round(ingestSeconds), peakRssMiB: Math.round(peakRss / 1048576), maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), marker: result.marker, caseMiB: Math.round(sizeBytes / 1048576), queryMs })}\n`,
);
