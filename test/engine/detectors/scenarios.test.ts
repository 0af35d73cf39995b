/**
 * The detectors on the scenario lab's captures (test/fixtures/scenarios,
 * recorded by scripts/lab/scenario-detections.sh): each behaviour raises its
 * alert with evidence that points at the right flows and packets, and the
 * benign capture raises nothing above low.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/shared/domain/alert';
import type { FlowRecord } from '../../../src/shared/domain/flow';
import { analyzeCapture } from '../../../src/main/engine/analyze-capture';
import { createDecodedPacket } from '../../../src/main/engine/decode/decoded-packet';
import { decodePacket } from '../../../src/main/engine/decode/packet-decoder';
import { detectCapture } from '../../../src/main/engine/detectors/detect-capture';
import { parseDetectionSettings } from '../../../src/main/engine/detectors/detection-settings';
import {
  type PacketObservation,
  createPacketObservation,
  formatIpv4,
  formatMac,
  observePacket,
} from '../../../src/main/engine/detectors/packet-observation';
import { isFailedAttempt } from '../../../src/main/engine/detectors/failed-connection-detector';
import { getNoticeName } from '../../../src/main/engine/output/notice-log';
import { readCaptureFile } from '../../../src/main/engine/source/read-capture-file';
import { summarizeAlertForFixture } from './scenario-expectation';

const directory = fileURLToPath(new URL('../../fixtures/scenarios/', import.meta.url));
const scenarioNames = [
  'beacon',
  'upload',
  'scan',
  'bruteforce',
  'flood-syn',
  'flood-icmp',
  'flood-udp',
  'lateral',
  'rogue',
  'long-offhours',
  'benign',
] as const;
type ScenarioName = (typeof scenarioNames)[number];

interface Scenario {
  alerts: Alert[];
  flows: Map<string, FlowRecord>;
  packets: Map<number, PacketObservation>;
}

const scenarios = new Map<ScenarioName, Scenario>();

async function loadScenario(name: ScenarioName): Promise<Scenario> {
  const path = `${directory}${name}.pcap`;
  const settingsPath = `${directory}${name}.settings.json`;
  const settings = parseDetectionSettings(
    existsSync(settingsPath) ? JSON.parse(readFileSync(settingsPath, 'utf8')) : {},
  );
  const { alerts } = await detectCapture(path, settings);
  const flows = new Map<string, FlowRecord>();
  await analyzeCapture(path, { onFlows: (batch) => batch.forEach((flow) => flows.set(flow.uid, flow)) });
  const packets = new Map<number, PacketObservation>();
  const decoded = createDecodedPacket();
  await readCaptureFile(path, {
    onPacket(record) {
      decodePacket(record.data, record.linkType, decoded);
      packets.set(record.packetNumber, {
        ...observePacket(decoded, record.data, record.timestampUs, record.packetNumber, createPacketObservation()),
      });
    },
    onWarning() {},
  });
  return { alerts, flows, packets };
}

function scenario(name: ScenarioName): Scenario {
  const loaded = scenarios.get(name);
  if (loaded === undefined) throw new Error(`scenario ${name} was not loaded`);
  return loaded;
}

function alertsOf(name: ScenarioName, detector: string): Alert[] {
  return scenario(name).alerts.filter((alert) => alert.detector === detector);
}

function evidenceFlows(name: ScenarioName, alert: Alert): FlowRecord[] {
  return alert.evidence.flowUids.map((uid) => {
    const flow = scenario(name).flows.get(uid);
    if (flow === undefined) throw new Error(`evidence uid ${uid} is not a flow of ${name}.pcap`);
    return flow;
  });
}

const severityRank = { info: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;

beforeAll(async () => {
  for (const name of scenarioNames) scenarios.set(name, await loadScenario(name));
}, 120_000);

describe('scenario captures', () => {
  it.each(scenarioNames)('%s raises the alerts recorded in its expected file', (name) => {
    const expected = JSON.parse(readFileSync(`${directory}${name}.expected.json`, 'utf8')) as { alerts: unknown[] };
    expect(scenario(name).alerts.map(summarizeAlertForFixture)).toEqual(expected.alerts);
  });

  it('beacon: flags the curl loop only', () => {
    const [beacon, ...others] = alertsOf('beacon', 'beaconing');
    expect(others).toEqual([]);
    expect(beacon!.hosts).toEqual(['10.66.0.21', '198.18.0.9']);
    const flows = evidenceFlows('beacon', beacon!);
    expect(flows).toHaveLength(45);
    for (const flow of flows) {
      expect([flow.originatorAddress, flow.responderAddress, flow.responderPort, flow.transport]).toEqual([
        '10.66.0.21',
        '198.18.0.9',
        80,
        'tcp',
      ]);
    }
    expect(beacon!.evidence.packetNumbers).toContain(flows[0]!.firstPacketNumber);
    // 1.5 s +/- 0.3 s plus curl's own time, stretched 40 times: 60 to 90 s.
    const gaps = beacon!.series![0]!.values;
    const median = [...gaps].sort((a, b) => a - b)[Math.round((gaps.length - 1) / 2)]!;
    expect(median).toBeGreaterThan(55);
    expect(median).toBeLessThan(95);
    expect(beacon!.score).toBeGreaterThanOrEqual(70);
    for (const alert of scenario('beacon').alerts) expect(alert.hosts).not.toContain('198.18.0.123');
  });

  it('upload: flags size and swing', () => {
    const [large] = alertsOf('upload', 'large-upload');
    expect(large!.hosts).toEqual(['10.66.0.21', '203.0.113.7']);
    const upload = evidenceFlows('upload', large!).find((flow) => flow.responderPort === 8080);
    expect(upload!.originatorBytes).toBe(8 * 1024 * 1024);
    expect(large!.measurements[0]!.value).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    const [burst] = alertsOf('upload', 'upload-burst');
    expect(burst!.hosts).toEqual(['10.66.0.21']);
    expect(burst!.measurements[2]!.value).toBeLessThan(-0.9);
    expect(evidenceFlows('upload', burst!).map((flow) => flow.responderPort)).toContain(8080);
  });

  it('scan: flags the nmap port scan and address scan on failed attempts only', () => {
    const [portScan] = alertsOf('scan', 'port-scan');
    expect(portScan!.hosts).toEqual(['10.66.0.23', '10.66.1.10']);
    expect(portScan!.measurements[0]!.value).toBe(100);
    const portFlows = evidenceFlows('scan', portScan!);
    expect(new Set(portFlows.map((flow) => flow.responderPort)).size).toBe(100);
    for (const flow of portFlows) {
      expect(isFailedAttempt(flow)).toBe(true);
      expect(flow.originatorAddress).toBe('10.66.0.23');
    }
    const [addressScan] = alertsOf('scan', 'address-scan');
    expect(addressScan!.measurements[0]!.value).toBe(30);
    for (const flow of evidenceFlows('scan', addressScan!)) expect(flow.responderPort).toBe(445);
    expect(getNoticeName(portScan!)).toBe('Scan::Port_Scan');
  });

  it('bruteforce: flags 34 short SSH sessions from sshpass', () => {
    const [guessing] = alertsOf('bruteforce', 'brute-force');
    expect(guessing!.key).toBe('10.66.0.23>10.66.1.10:22');
    expect(guessing!.measurements[0]!.value).toBe(34);
    for (const flow of evidenceFlows('bruteforce', guessing!)) {
      expect(flow.responderPort).toBe(22);
      expect(flow.responderBytes).toBeLessThanOrEqual(16 * 1024);
    }
    expect(getNoticeName(guessing!)).toBe('SSH::Password_Guessing');
  });

  it('floods: flags 1500 hping3 packets against each target', () => {
    const [syn] = alertsOf('flood-syn', 'syn-flood');
    expect(syn!.hosts.slice(0, 2)).toEqual(['10.66.1.10', '10.66.0.23']);
    // 1500 SYNs within one 10-s window: 150 per second.
    expect(syn!.measurements[0]!.value).toBe(150);
    const [icmp] = alertsOf('flood-icmp', 'icmp-flood');
    expect(icmp!.hosts[0]).toBe('10.66.1.11');
    expect(icmp!.measurements[1]!.value).toBe(1);
    const [udp] = alertsOf('flood-udp', 'udp-flood');
    expect(udp!.hosts[0]).toBe('10.66.1.12');
    expect(udp!.measurements[0]!.value).toBeGreaterThanOrEqual(100);
  });

  it('lateral: flags the fan-out to three servers on 445 and 3389', () => {
    const [lateral] = alertsOf('lateral', 'lateral-movement');
    expect(lateral!.hosts).toEqual(['10.66.0.23', '10.66.1.11', '10.66.1.12', '10.66.1.13']);
    for (const flow of evidenceFlows('lateral', lateral!)) expect([445, 3389]).toContain(flow.responderPort);
  });

  it('rogue: flags ARP, DHCP and late device', () => {
    const { packets } = scenario('rogue');
    const [arp] = alertsOf('rogue', 'arp-spoofing');
    expect(arp!.hosts).toEqual(['10.66.0.1', '02:00:0a:42:00:01', '02:00:0a:42:00:23']);
    for (const number of arp!.evidence.packetNumbers) {
      const packet = packets.get(number)!;
      expect(formatIpv4(packet.arpSenderIpv4)).toBe('10.66.0.1');
    }
    const spoofed = arp!.evidence.packetNumbers.filter(
      (number) => formatMac(packets.get(number)!.arpSenderMac) === '02:00:0a:42:00:23',
    );
    expect(spoofed).toHaveLength(5);
    const [dhcp] = alertsOf('rogue', 'rogue-dhcp-server');
    expect(dhcp!.hosts).toEqual(['10.66.0.23', '10.66.0.1']);
    for (const number of dhcp!.evidence.packetNumbers) {
      expect(packets.get(number)!.isDhcpServerReply).toBe(true);
      expect(formatIpv4(packets.get(number)!.sourceIpv4)).toBe('10.66.0.23');
    }
    const late = alertsOf('rogue', 'new-device');
    expect(late.map((alert) => alert.key)).toEqual(['02:00:0a:42:00:77']);
  });

  it('long-offhours: flags the hours-long sessions and the night-time volume', () => {
    const long = alertsOf('long-offhours', 'long-connection');
    const tuples = long
      .map((alert) => evidenceFlows('long-offhours', alert)[0]!)
      .map((flow) => `${flow.originatorAddress}>${flow.responderAddress}:${flow.responderPort}`);
    expect(tuples.sort()).toEqual(['10.66.0.21>10.66.1.10:22', '10.66.0.22>198.51.100.80:443']);
    for (const alert of long) expect(alert.measurements[0]!.value).toBeGreaterThan(3600);
    const [volume] = alertsOf('long-offhours', 'off-hours-encrypted-volume');
    expect(volume!.hosts).toEqual(['10.66.0.22']);
    const [session] = alertsOf('long-offhours', 'off-hours-internal-session');
    expect(session!.hosts).toEqual(['10.66.0.21', '10.66.1.10']);
  });

  it('benign: raises nothing above low and nothing about the allow-listed update checks', () => {
    const { alerts } = scenario('benign');
    for (const alert of alerts) {
      expect(severityRank[alert.severity], `${alert.detector}: ${alert.title}`).toBeLessThanOrEqual(severityRank.low);
      expect(alert.hosts).not.toContain('198.18.0.123');
    }
  });
});

describe('domain allow-list', () => {
  it('applies to addresses learned from DNS', async () => {
    // ws1 resolves www.example.com (198.51.100.80) with dig before each fetch in the benign capture.
    const settings = parseDetectionSettings({ allowList: { hosts: ['198.18.0.123'], domains: ['example.com'] } });
    const { alerts, statistics } = await detectCapture(`${directory}benign.pcap`, settings);
    expect(alerts.flatMap((alert) => alert.hosts)).not.toContain('198.51.100.80');
    expect(statistics.allowListedFlows).toBeGreaterThanOrEqual(14 + 25);
    expect(scenario('benign').alerts.map((alert) => alert.key)).toContain('198.51.100.80');
  });
});
