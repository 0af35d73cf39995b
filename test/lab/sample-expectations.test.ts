/**
 * Checks test/fixtures/sample.expected.json against assets/sample.pcapng with
 * tshark, so the sample's counts that other tests read are recomputed.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSampleFacts, type SampleFacts } from '../../scripts/lab/sample-facts';
import { isTsharkAvailable } from '../../scripts/lab/tshark-flows';

const ROOT = join(import.meta.dirname, '..', '..');
const SAMPLE_PATH = join(ROOT, 'assets', 'sample.pcapng');
const expected = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'sample.expected.json'), 'utf8')) as SampleFacts;

describe('sample expected file', () => {
  it('matches the file on disk', () => {
    expect(statSync(SAMPLE_PATH).size).toBe(expected.fileBytes);
    expect(expected.fileBytes).toBeLessThan(2 * 1024 * 1024);
  });

  it('tells the story the script recorded', () => {
    expect(expected.format).toBe('pcapng');
    expect(expected.spanUs).toBeGreaterThan(60_000_000);
    expect(expected.scan.portsTried).toBe(200);
    expect(expected.scan.portsRefused + expected.scan.portsOpen.length + expected.scan.portsUnanswered.length).toBe(200);
    expect(expected.scan.portsOpen).toEqual([22, 80, 139]);
    expect(expected.scan.portsUnanswered).toEqual([111, 135]);
    expect(expected.beacon.connections).toBeGreaterThanOrEqual(12);
    expect(expected.beacon.minIntervalMs).toBeGreaterThanOrEqual(5000);
    expect(expected.beacon.maxIntervalMs).toBeLessThan(6700);
    expect(expected.namedHosts.map((host) => host.name)).toEqual([
      'files.corp.lab.example',
      'news.example.net',
      'updates.example.org',
      'www.example.com',
    ]);
    expect(expected.flows.tcp + expected.flows.udp + expected.flows.icmp).toBe(expected.flows.total);
  });
});

// NOTE: skipped without tshark; install Debian's tshark to recompute the sample's facts.
describe.skipIf(!isTsharkAvailable())('sample against tshark', () => {
  it('recomputes every fact', () => {
    expect(readSampleFacts(SAMPLE_PATH, 'sample.pcapng')).toEqual(expected);
  });
});
