/**
 * Child process for the crash test: ingests a capture into a new case with
 * small batches and prints each committed marker as a JSON line, so the
 * parent can SIGKILL it between (or during) commits.
 * Usage: tsx ingest-child.ts CASES_FOLDER CAPTURE
 */
import { CaseStore } from '../../../src/main/engine/store/case-store';
import { ingestCaptureIntoCase } from '../../../src/main/engine/store/case-ingest';

const [casesFolder, capture] = process.argv.slice(2);
if (casesFolder === undefined || capture === undefined) throw new Error('usage: ingest-child.ts CASES_FOLDER CAPTURE');
const store = await CaseStore.create({ casesFolder, name: 'crash', sources: [], batchRows: 1000, batchMs: 0 });
process.stdout.write(`${JSON.stringify({ folder: store.folder })}\n`);
await ingestCaptureIntoCase(store, capture, {
  // Every commit stores the open flows, so the parent can check them against the packet index.
  openFlowSnapshotMs: 0,
  onCommit(marker) {
    process.stdout.write(`${JSON.stringify(marker)}\n`);
  },
});
await store.close();
process.stdout.write('done\n');
