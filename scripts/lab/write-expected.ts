/**
 * Write `<capture>.expected.json` and `<capture>.conn.log` for every lab capture in
 * test/fixtures/captures (or the folder given as the first argument).
 * Run after scripts/lab/record-fixtures.sh: npx tsx scripts/lab/write-expected.ts
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildExpectation, formatExpectedConnLog } from './fixture-expectation';

const folder = resolve(process.argv[2] ?? 'test/fixtures/captures');
const captures = readdirSync(folder).filter((name) => /\.(pcap|pcapng)$/.test(name));
for (const name of captures) {
  const expectation = buildExpectation(join(folder, name));
  writeFileSync(join(folder, `${name}.expected.json`), `${JSON.stringify(expectation, null, 2)}\n`);
  writeFileSync(join(folder, `${name}.conn.log`), formatExpectedConnLog(expectation));
  console.log(`${name}: ${expectation.packets} packets, ${expectation.flows.length} flows`);
}
