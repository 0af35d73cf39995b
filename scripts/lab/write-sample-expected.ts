/**
 * Write test/fixtures/sample.expected.json from assets/sample.pcapng (or the
 * capture given as the first argument, written to the second): counts, the
 * scan and beacon, and the DHCP, SMB, QUIC and weird values the logs must show.
 * Run after scripts/lab/make-sample.sh: npx tsx scripts/lab/write-sample-expected.ts
 */
import { writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { readSampleFacts } from './sample-facts';

const capture = resolve(process.argv[2] ?? 'assets/sample.pcapng');
const output = resolve(process.argv[3] ?? 'test/fixtures/sample.expected.json');
const facts = readSampleFacts(capture, basename(capture));
writeFileSync(output, `${JSON.stringify(facts, null, 2)}\n`);
console.log(`${facts.capture}: ${facts.packets} packets, ${facts.flows.total} flows, ${facts.hosts.distinctAddresses} hosts`);
console.log(
  `DHCP ${facts.dhcp.hostName} ${facts.dhcp.clientMac} -> ${facts.dhcp.assignedAddress}; SMB trees ${facts.smb.trees.length}, ` +
    `files ${facts.smb.fileNames.join(', ')}; QUIC v${facts.quic.version} ${facts.quic.serverName}; ` +
    `weirds ${facts.weirds.map((weird) => weird.name).join(', ')}; beacon ${facts.beacon.connections} connections`,
);
