/**
 * The protocol detectors on the lab's captures in test/fixtures/scenarios-proto,
 * recorded by scripts/lab/scenario-proto-detections.sh. Each behaviour
 * raises its alert with evidence that points at the right flows and
 * packets, whose numbers were checked against tshark when the fixtures were
 * recorded. The benign capture raises nothing, and every capture still
 * matches its expected.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../../src/shared/domain/alert';
import { parseDetectionSettings } from '../../../../src/main/engine/detectors/detection-settings';
import { detectProtocolCapture } from '../../../../src/main/engine/detectors/protocol/detect-protocol-capture';
import { summarizeAlertForFixture } from '../scenario-expectation';

const directory = fileURLToPath(new URL('../../../fixtures/scenarios-proto/', import.meta.url));
const names = [
  'proto-beacon',
  'proto-dns-tunnel',
  'proto-icmp-tunnel',
  'proto-ports',
  'proto-smb',
  'proto-tls',
  'proto-offhours',
  'proto-checkin',
  'proto-benign',
];
const results = new Map<string, Alert[]>();

beforeAll(async () => {
  for (const name of names) {
    const settingsPath = `${directory}${name}.settings.json`;
    const settings = parseDetectionSettings(
      existsSync(settingsPath) ? JSON.parse(readFileSync(settingsPath, 'utf8')) : {},
    );
    results.set(name, await detectProtocolCapture(`${directory}${name}.pcap`, settings));
  }
});

function alertsOf(name: string, detector: string): Alert[] {
  return (results.get(name) ?? []).filter((alert) => alert.detector === detector);
}

describe('protocol lab scenarios', () => {
  it.each(names)('%s matches its expected alerts', (name) => {
    const expected = JSON.parse(readFileSync(`${directory}${name}.expected.json`, 'utf8')) as { alerts: unknown[] };
    expect((results.get(name) ?? []).map(summarizeAlertForFixture)).toEqual(expected.alerts);
  });

  it('joins the rotating HTTPS beacon by name', () => {
    const [beacon] = alertsOf('proto-beacon', 'named-beaconing');
    // tshark: 24 ClientHellos with SNI c2.example.net, 8 to each of three addresses.
    expect(beacon?.hosts).toEqual(['10.66.0.21', '198.18.0.10', '198.18.0.11', '198.18.0.9']);
    expect(beacon?.measurements.find((m) => m.name === 'connections')?.value).toBe(24);
    expect(beacon?.evidence.flowUids).toHaveLength(24);
    expect(beacon?.score).toBeGreaterThanOrEqual(70);
  });

  it('scores the DNS beacon per registered domain', () => {
    const [beacon] = alertsOf('proto-beacon', 'named-beaconing-dns');
    expect(beacon?.title).toBe('DNS beaconing from 10.66.0.21 to example.org');
    expect(beacon?.measurements.find((m) => m.name === 'lookups')?.value).toBe(24);
  });

  it('finds iodine from the workstation and its resolver', () => {
    const tunnels = alertsOf('proto-dns-tunnel', 'dns-tunnel');
    // ws1 sends its queries to the lab resolver, which forwards them to iodined, so both are clients of the tunnel domain.
    expect(tunnels.map((alert) => alert.hosts[0]).sort()).toEqual(['10.66.0.21', '10.66.1.53']);
    const workstation = tunnels.find((alert) => alert.hosts[0] === '10.66.0.21');
    // tshark: 35 queries from ws1, all of type NULL (10).
    expect(workstation?.measurements.find((m) => m.name === 'queries')?.value).toBe(35);
    expect(workstation?.measurements.find((m) => m.name === 'share of TXT/NULL/CNAME queries')?.value).toBe(1);
  });

  it('finds the random ICMP payloads and not the ping', () => {
    const tunnels = alertsOf('proto-icmp-tunnel', 'icmp-tunnel');
    expect(tunnels.map((alert) => alert.hosts)).toEqual([['10.66.0.21', '198.18.0.9']]);
    // 30 requests and their 30 replies; tshark: 16 requests over 512 bytes.
    expect(tunnels[0]?.measurements.find((m) => m.name === 'largest echo payload')?.value).toBeGreaterThan(512);
    expect(tunnels[0]?.reason).toContain('60 echo messages');
  });

  it('names the protocols on odd ports', () => {
    const [ssh] = alertsOf('proto-ports', 'unusual-port').filter((alert) => alert.title.startsWith('SSH'));
    expect(ssh?.hosts).toEqual(['10.66.0.21', '198.18.0.22']);
    // tshark: the SSH SYN to 8080 is packet 25.
    expect(ssh?.evidence.packetNumbers[0]).toBe(25);
    expect(alertsOf('proto-ports', 'unusual-port').map((alert) => alert.title)).toContain(
      'HTTP on port 9999 from 10.66.0.22',
    );
    expect(alertsOf('proto-ports', 'unrecognised-protocol-on-well-known-port')[0]?.hosts).toEqual([
      '10.66.0.23',
      '203.0.113.99',
    ]);
  });

  it('finds share enumeration, the ADMIN$ copy and svcctl', () => {
    const [enumeration] = alertsOf('proto-smb', 'smb-share-enumeration');
    expect(enumeration?.measurements.find((m) => m.name === 'distinct servers in window')?.value).toBe(5);
    const [write] = alertsOf('proto-smb', 'smb-admin-share-write');
    const [first, last] = write?.evidence.packetNumbers ?? [];
    // tshark: the CREATE of PSEXESVC.exe on ADMIN$ is packet 210.
    expect(first).toBeLessThanOrEqual(210);
    expect(last).toBeGreaterThanOrEqual(210);
    const [execution] = alertsOf('proto-smb', 'smb-remote-execution');
    // tshark: the CREATE of svcctl is packet 249.
    expect(execution?.evidence.packetNumbers[0]).toBeLessThanOrEqual(249);
    expect(execution?.evidence.packetNumbers[1]).toBeGreaterThanOrEqual(249);
    expect(execution?.hosts).toEqual(['10.66.0.23', '10.66.1.11']);
  });

  it('finds the TLS oddities', () => {
    expect(alertsOf('proto-tls', 'tls-self-signed')[0]?.evidence.flowUids).toHaveLength(2);
    expect(alertsOf('proto-tls', 'tls-no-sni')[0]?.hosts).toEqual(['10.66.0.24', '198.18.0.66']);
    expect(alertsOf('proto-tls', 'tls-expired')[0]?.reason).toContain('expired 2025-06-01T00:00:00.000Z');
    // tshark: Python's ClientHello (packet 118) has JA3 70e47b149c152d891341c87d58c2b327; curl's, sent by all six hosts, does not fire.
    const rare = alertsOf('proto-tls', 'tls-rare-fingerprint').map((alert) => alert.reason);
    expect(rare.some((reason) => reason.includes('70e47b149c152d891341c87d58c2b327'))).toBe(true);
    expect(rare.some((reason) => reason.includes('87b9bfc7da97115ed2276737b09f8d74'))).toBe(false);
  });

  it('totals the night download by server name', () => {
    const [spike] = alertsOf('proto-offhours', 'off-hours-by-name');
    expect(spike?.key).toBe('files.example.org');
    expect(spike?.hosts).toEqual(['10.66.0.21', '10.66.0.22']);
    expect(spike?.measurements[0]?.value).toBeGreaterThan(3_000_000);
  });

  it('finds the scripted check-ins and not the forum, telemetry or OCSP clients', () => {
    // ws2 posts with a cookie and a Referer, ws4 posts JSON to one URI, ws5 sends OCSP requests: none may fire.
    expect(results.get('proto-checkin')?.map((alert) => alert.detector)).toEqual(['http-checkin']);
    const [checkin] = alertsOf('proto-checkin', 'http-checkin');
    expect(checkin?.title).toBe('Scripted HTTP check-ins from 10.66.0.21 to update.example.net/gate.php');
    expect(checkin?.hosts).toEqual(['10.66.0.21', '198.18.0.90']);
    expect(checkin?.mitreTechnique).toBe('T1071.001');
    expect(checkin?.evidence.flowUids).toHaveLength(5);
    // tshark: ws1's five POST request lines are packets 88, 148, 236, 272 and 284, on five connections whose SYNs are 85, 145, 233, 269 and 281.
    for (const packet of [85, 88, 145, 148, 233, 236, 269, 272, 281, 284])
      expect(checkin?.evidence.packetNumbers).toContain(packet);
    expect(checkin?.reason).toContain(
      '/gate.php?h=8pzlhxlebw55jyn, /gate.php?d=xqhzo6cfh5fq1, /gate.php?d=lihdfkjr2vjbxqn5',
    );
    expect(checkin?.measurements.find((m) => m.name === 'POSTs with distinct queries in window')?.value).toBe(5);
    expect(checkin?.measurements.find((m) => m.name === 'median request body')?.value).toBe(130);
    // Parameter names h, d, d, a, k: three changes in four steps.
    expect(checkin?.subScores?.find((part) => part.name === 'changing parameter names')?.value).toBe(0.75);
  });

  it('raises nothing on the benign capture', () => {
    expect(results.get('proto-benign')).toEqual([]);
  });
});
