/**
 * Write the expected logs of the analyzer captures recorded by
 * analyzers-record.sh: for each test/fixtures/analyzers/*.pcap, the
 * dns.log, http.log, dhcp.log and weird.log rows Tideline produces (Zeek TSV
 * without the #open and #close lines, which carry the run time) and the
 * flows' service fields. Reread the files after writing them: they are
 * golden files, and the test checks them against tshark where it is
 * installed, but only a reader can tell that a value is right.
 *
 * Usage: npx tsx scripts/lab/analyzers-write-expected.ts [FOLDER]
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeAnalyzerCapture } from '../../test/engine/analyzers/analyzer-capture-expectation';

const folder = path.resolve(process.argv[2] ?? 'test/fixtures/analyzers');
for (const name of readdirSync(folder).sort()) {
  if (!name.endsWith('.pcap')) continue;
  const expectation = await describeAnalyzerCapture(path.join(folder, name));
  writeFileSync(path.join(folder, `${name}.expected.json`), `${JSON.stringify(expectation, null, 2)}\n`);
  process.stdout.write(`${name}: ${Object.entries(expectation.logs).map(([log, rows]) => `${log} ${rows.length}`).join(', ')}\n`);
}
