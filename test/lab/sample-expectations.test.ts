/**
 * Checks test/fixtures/sample.expected.json against assets/sample.pcapng with
 * tshark, so the sample's counts that other tests read are recomputed.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSampleFacts, SAMPLE_STORY, type SampleFacts } from '../../scripts/lab/sample-facts';
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
    // The beacon detector scores a pair from 20 connections on; the script sleeps 4 s plus 0-1.5 s.
    expect(expected.beacon.connections).toBeGreaterThanOrEqual(24);
    expect(expected.beacon.minIntervalMs).toBeGreaterThanOrEqual(4000);
    expect(expected.beacon.maxIntervalMs).toBeLessThan(5700);
    expect(expected.namedHosts.map((host) => host.name)).toEqual([
      'erin-laptop',
      'files.corp.lab.example',
      'news.example.net',
      'updates.example.org',
      'www.example.com',
    ]);
    expect(expected.flows.tcp + expected.flows.udp + expected.flows.icmp).toBe(expected.flows.total);
    expect(expected.dhcp).toMatchObject({
      clientMac: '02:00:0a:42:00:25',
      hostName: 'erin-laptop',
      vendorClass: 'dhclient 4.4.3 Debian',
      serverAddress: SAMPLE_STORY.dhcpServer,
      domain: 'corp.lab.example',
      messageTypes: ['DISCOVER', 'OFFER', 'REQUEST', 'ACK'],
    });
    expect(expected.dhcp.assignedAddress).toMatch(/^10\.66\.0\.(1[0-4]\d|150)$/);
    expect(expected.smb).toMatchObject({ client: SAMPLE_STORY.smbClient, server: SAMPLE_STORY.fileServer, user: 'alice' });
    expect(expected.smb.trees.map((tree) => tree.shareType)).toEqual(['PIPE', 'PIPE', 'DISK']);
    expect(expected.smb.trees[2]?.path).toBe('\\\\10.66.1.50\\projects');
    expect(expected.smb.fileNames).toEqual(['budget-2026.xlsx', 'meeting-notes.txt']);
    expect(expected.smb.pipeNames).toEqual(['srvsvc']);
    expect(expected.quic).toMatchObject({ client: expected.dhcp.assignedAddress, server: '198.51.100.80', serverPort: 443, version: '1' });
    expect(expected.quic).toMatchObject({ serverName: 'www.example.com', alpn: ['h3'], serverPackets: 0 });
    expect(expected.weirds.map((weird) => [weird.name, weird.originator, weird.responder, weird.responseStatus])).toEqual([
      ['bad_HTTP_request', SAMPLE_STORY.inventoryAgent, SAMPLE_STORY.fileServer, 400],
    ]);
    expect(expected.httpUserAgents).toContain('AssetAgent/3.2\t(bob-pc;\u0001build 417)');
  });
});

// NOTE: skipped without tshark; install Debian's tshark to recompute the sample's facts.
describe.skipIf(!isTsharkAvailable())('sample against tshark', () => {
  it('recomputes every fact', () => {
    expect(readSampleFacts(SAMPLE_PATH, 'sample.pcapng')).toEqual(expected);
  });
});
