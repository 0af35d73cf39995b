/**
 * Loads the lab captures in test/fixtures/captures with their
 * `<capture>.expected.json` files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaptureExpectation } from '../../scripts/lab/fixture-expectation';

export const LAB_CAPTURE_FOLDER = join(import.meta.dirname, '..', 'fixtures', 'captures');

export interface LabFixture {
  name: string;
  path: string;
  expected: CaptureExpectation;
}

/** Return the capture file names (pcap and pcapng) in the lab fixture folder, sorted. */
export function listLabCaptures(): string[] {
  return readdirSync(LAB_CAPTURE_FOLDER)
    .filter((name) => /\.(pcap|pcapng)$/.test(name))
    .sort();
}

/** Read every lab capture's expectation. Throws if one is missing or not valid JSON. */
export function readLabFixtures(): LabFixture[] {
  return listLabCaptures().map((name) => {
    const path = join(LAB_CAPTURE_FOLDER, name);
    const text = readFileSync(`${path}.expected.json`, 'utf8');
    return { name, path, expected: JSON.parse(text) as CaptureExpectation };
  });
}
