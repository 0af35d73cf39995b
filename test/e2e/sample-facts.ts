/**
 * What the end-to-end tests know about the bundled sample: the fixture's
 * counts, and the flows that `tideline analyze` writes for it, read from its
 * Zeek JSON conn.log. The journey compares the page against these, so an
 * expected count never comes from the page itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repositoryRoot = join(import.meta.dirname, '..', '..');
export const samplePath = join(repositoryRoot, 'assets', 'sample.pcapng');

export interface SampleExpected {
  packets: number;
  flows: { total: number };
  hosts: { addresses: string[] };
  scan: { scanner: string; target: string; portsTried: number };
  namedHosts: { name: string; addresses: string[]; source: 'dns' | 'dhcp' }[];
  tlsServerNames: string[];
  firstHttpRequest: { client: string; clientPort: number; server: string; serverPort: number; uri: string; packetNumber: number };
}

export function readSampleExpected(): SampleExpected {
  return JSON.parse(
    readFileSync(join(repositoryRoot, 'test', 'fixtures', 'sample.expected.json'), 'utf8'),
  ) as SampleExpected;
}

/** One conn.log flow reduced to what the journey filters on. */
export interface ConnFlow {
  uid: string;
  startUs: number;
  endUs: number;
  originator: string;
  responder: string;
}

interface ConnJsonLine {
  ts: number;
  uid: string;
  duration?: number;
  'id.orig_h': string;
  'id.resp_h': string;
}

/** Parses Zeek JSON lines into flows; times are rounded to whole microseconds as the engine keeps them. */
export function parseConnJson(text: string): ConnFlow[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const entry = JSON.parse(line) as ConnJsonLine;
      const startUs = Math.round(entry.ts * 1_000_000);
      return {
        uid: entry.uid,
        startUs,
        endUs: startUs + Math.round((entry.duration ?? 0) * 1_000_000),
        originator: entry['id.orig_h'],
        responder: entry['id.resp_h'],
      };
    });
}

/** Counts flows that overlap the half-open range [startUs, endUs), as the contract's timeRange filter defines it. */
export function countFlowsInRange(flows: readonly ConnFlow[], startUs: number, endUs: number): number {
  return flows.filter((flow) => flow.endUs >= startUs && flow.startUs < endUs).length;
}

export function countFlowsWithHost(flows: readonly ConnFlow[], address: string): number {
  return flows.filter((flow) => flow.originator === address || flow.responder === address).length;
}
