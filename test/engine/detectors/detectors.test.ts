import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/shared/domain/alert';
import type { FlowRecord } from '../../../src/shared/domain/flow';
import { deriveAlertId } from '../../../src/main/engine/detectors/alert-factory';
import { DetectionEngine } from '../../../src/main/engine/detectors/detection-engine';
import { parseDetectionSettings } from '../../../src/main/engine/detectors/detection-settings';
import { createPacketObservation } from '../../../src/main/engine/detectors/packet-observation';
import { createRandom, hourUs, makeFlow, mondayUs, secondUs } from './flow-factory';

function run(flows: FlowRecord[], settings: unknown = {}): Alert[] {
  const engine = new DetectionEngine(parseDetectionSettings(settings));
  engine.addFlows(flows);
  return engine.evaluate();
}

function only(alerts: Alert[], detector: string): Alert[] {
  return alerts.filter((alert) => alert.detector === detector);
}

function beaconFlows(
  count: number,
  gapSeconds: number,
  jitterSeconds: number,
  seed: number,
  responder = '198.18.0.9',
): FlowRecord[] {
  const random = createRandom(seed);
  const flows: FlowRecord[] = [];
  let t = mondayUs + 10 * hourUs;
  for (let i = 0; i < count; i++) {
    flows.push(
      makeFlow({
        startUs: t,
        endUs: t + 200_000,
        responderAddress: responder,
        originatorBytes: 310 + Math.floor(random() * 4),
      }),
    );
    t += Math.round((gapSeconds + (random() * 2 - 1) * jitterSeconds) * secondUs);
  }
  return flows;
}

/** 21 gaps (4.7 s x6, 5.0 s x8, 5.3 s x7): median 5 s, MAD 0.3 s (eight deviations of 0, thirteen of 0.3). */
const madGapsSeconds = [...Array<number>(6).fill(4.7), ...Array<number>(8).fill(5), ...Array<number>(7).fill(5.3)];

function flowsWithGaps(gapsSeconds: readonly number[]): FlowRecord[] {
  let t = mondayUs + 10 * hourUs;
  const flows = [makeFlow({ startUs: t, endUs: t + 200_000, responderAddress: '198.18.0.9', originatorBytes: 300 })];
  for (const gap of gapsSeconds) {
    t += Math.round(gap * secondUs);
    flows.push(makeFlow({ startUs: t, endUs: t + 200_000, responderAddress: '198.18.0.9', originatorBytes: 300 }));
  }
  return flows;
}

describe('beaconing', () => {
  it('measures gap MAD in seconds, as its reason states', () => {
    const alert = only(run(flowsWithGaps(madGapsSeconds)), 'beaconing')[0]!;
    const gapMad = alert.measurements.find((m) => m.name === 'gap MAD');
    expect(gapMad).toEqual({ name: 'gap MAD', value: 0.3, threshold: 30, unit: 'seconds' });
    expect(alert.reason).toContain('gap MAD 0.3 s (dispersion score 0 at 30 s)');
    // The dispersion sub-score is a 0-1 part of the score, not the measurement: 1 - 0.3 / 30.
    expect(alert.subScores?.find((part) => part.name === 'interval dispersion (MAD)')?.value).toBe(0.99);
    expect(alert.measurements.find((m) => m.name === 'bytes MAD')).toEqual({
      name: 'bytes MAD',
      value: 0,
      threshold: 32,
      unit: 'bytes',
    });
  });

  it('flags a jittered beacon with sub-scores, series and evidence', () => {
    const flows = beaconFlows(60, 30, 3, 7);
    const alerts = only(run(flows), 'beaconing');
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert.hosts).toEqual(['10.66.0.5', '198.18.0.9']);
    expect(alert.score).toBeGreaterThanOrEqual(85);
    expect(alert.mitreTechnique).toBe('T1071');
    expect(alert.subScores!.map((s) => s.name)).toEqual([
      'interval skew',
      'interval dispersion (MAD)',
      'connection count',
      'size skew',
      'size dispersion (MAD)',
      'size smallness',
      'spread over time bins',
    ]);
    expect(alert.series![0]!.values).toHaveLength(59);
    expect(alert.series![1]!.values).toHaveLength(60);
    // Every gap lies within 30 +/- 3 s.
    for (const gap of alert.series![0]!.values) expect(Math.abs(gap - 30)).toBeLessThanOrEqual(3.001);
    expect(alert.evidence.flowUids).toEqual(flows.map((f) => f.uid));
    expect(alert.evidence.packetNumbers[0]).toBe(flows[0]!.firstPacketNumber);
    // Flow records keep only their first and last packet numbers: the evidence says so beside the count.
    const ends = new Set(flows.flatMap((f) => [f.firstPacketNumber, f.lastPacketNumber])).size;
    const total = flows.reduce((sum, f) => sum + f.originatorPackets + f.responderPackets, 0);
    expect(alert.evidence.packetNumbers).toHaveLength(ends);
    expect(alert.evidence.packetsDescription).toBe(
      `${ends} packets: the first and last packet of each of the 60 flows, which have ${total} packets in all; ` +
        'open a flow for all its packets.',
    );
    expect(alert.firstUs).toBe(flows[0]!.startUs);
    expect(alert.reason).toContain('60 times');
  });

  it('leaves irregular browsing alone', () => {
    const random = createRandom(3);
    const flows: FlowRecord[] = [];
    let t = mondayUs + 10 * hourUs;
    for (let i = 0; i < 60; i++) {
      // Exponential gaps with a 60-s mean and sizes spread over 300 B to 60 KB.
      t += Math.round(-Math.log(1 - random()) * 60 * secondUs);
      flows.push(makeFlow({ startUs: t, originatorBytes: 300 + Math.floor(random() * 60_000) }));
    }
    expect(only(run(flows), 'beaconing')).toEqual([]);
  });

  it('reports a strobe instead of scoring it', () => {
    const flows = Array.from({ length: 1200 }, (_, i) => makeFlow({ startUs: mondayUs + i * 500_000 }));
    const alerts = run(flows);
    expect(only(alerts, 'beaconing')).toEqual([]);
    const strobe = only(alerts, 'strobe');
    expect(strobe).toHaveLength(1);
    // 1200 connections over 599.5 s of capture (+1 s of the last flow): 2.0 per second.
    expect(strobe[0]!.measurements[0]!.value).toBeCloseTo(1200 / 600.5, 2);
  });

  it('raises nothing for an allow-listed host, network, pair or domain', () => {
    const flows = beaconFlows(60, 30, 3, 7);
    expect(only(run(flows, { allowList: { hosts: ['198.18.0.9'] } }), 'beaconing')).toEqual([]);
    expect(only(run(flows, { allowList: { networks: ['198.18.0.0/24'] } }), 'beaconing')).toEqual([]);
    expect(only(run(flows, { allowList: { pairs: [['198.18.0.9', '10.66.0.5']] } }), 'beaconing')).toEqual([]);
    const engine = new DetectionEngine(parseDetectionSettings({ allowList: { domains: ['time.example'] } }));
    engine.noteName('198.18.0.9', 'ntp1.time.example');
    engine.addFlows(flows);
    expect(engine.evaluate()).toEqual([]);
    expect(engine.statistics.allowListedFlows).toBe(60);
  });
});

describe('scans and brute force', () => {
  it('flags a port scan at Zeek thresholds with the failed attempts as evidence', () => {
    const flows = Array.from({ length: 20 }, (_, i) =>
      makeFlow({
        startUs: mondayUs + i * 10_000,
        responderAddress: '10.66.1.50',
        responderPort: i + 1,
        connectionState: i % 2 === 0 ? 'S0' : 'REJ',
        history: i % 2 === 0 ? 'S' : 'Sr',
        originatorBytes: 0,
        responderBytes: 0,
      }),
    );
    const scans = only(run(flows), 'port-scan');
    expect(scans).toHaveLength(1);
    expect(scans[0]!.measurements[0]).toMatchObject({ value: 20, threshold: 15, unit: 'ports' });
    // 50 + 25 * log2(20 / 15) = 60.38 -> 60.
    expect(scans[0]!.score).toBe(60);
    expect(scans[0]!.severity).toBe('medium');
    expect(scans[0]!.evidence.flowUids).toHaveLength(20);
    expect(scans[0]!.hosts).toEqual(['10.66.0.5', '10.66.1.50']);
  });

  it('does not flag 14 failed ports or answered connections', () => {
    const failed = Array.from({ length: 14 }, (_, i) =>
      makeFlow({ responderAddress: '10.66.1.50', responderPort: i + 1, connectionState: 'S0', history: 'S' }),
    );
    const answered = Array.from({ length: 30 }, (_, i) =>
      makeFlow({ responderAddress: '10.66.1.51', responderPort: i + 1 }),
    );
    expect(run([...failed, ...answered]).filter((a) => a.detector.endsWith('scan'))).toEqual([]);
  });

  it('flags an address scan on one port', () => {
    const flows = Array.from({ length: 30 }, (_, i) =>
      makeFlow({
        startUs: mondayUs + i * 1000,
        responderAddress: `10.66.2.${i + 1}`,
        responderPort: 22,
        connectionState: 'S0',
        history: 'S',
      }),
    );
    const scans = only(run(flows), 'address-scan');
    expect(scans).toHaveLength(1);
    expect(scans[0]!.measurements[0]!.value).toBe(30);
    expect(scans[0]!.mitreTechnique).toBe('T1018');
  });

  it('flags 30 short SSH sessions as password guessing', () => {
    const flows = Array.from({ length: 32 }, (_, i) =>
      makeFlow({
        startUs: mondayUs + i * 3 * secondUs,
        endUs: mondayUs + i * 3 * secondUs + 2 * secondUs,
        responderAddress: '10.66.1.22',
        responderPort: 22,
        responderBytes: 2100,
      }),
    );
    const guesses = only(run(flows), 'brute-force');
    expect(guesses).toHaveLength(1);
    expect(guesses[0]!.measurements[0]).toMatchObject({ value: 32, threshold: 30 });
    expect(guesses[0]!.key).toBe('10.66.0.5>10.66.1.22:22');
  });

  it('does not count one long SSH admin session', () => {
    const flows = [
      makeFlow({
        responderAddress: '10.66.1.22',
        responderPort: 22,
        endUs: mondayUs + hourUs,
        responderBytes: 900_000,
      }),
    ];
    expect(only(run(flows), 'brute-force')).toEqual([]);
  });
});

describe('floods', () => {
  it('flags a SYN flood by rate and unanswered share', () => {
    const random = createRandom(11);
    const flows = Array.from({ length: 2000 }, (_, i) =>
      makeFlow({
        startUs: mondayUs + Math.floor(i * 5000),
        originatorAddress: `198.51.100.${1 + Math.floor(random() * 200)}`,
        responderAddress: '10.66.1.80',
        responderPort: 80,
        connectionState: 'S0',
        history: 'S',
        originatorBytes: 0,
        responderBytes: 0,
        responderPackets: 0,
      }),
    );
    const floods = only(run(flows), 'syn-flood');
    expect(floods).toHaveLength(1);
    // 2000 SYNs in 10 s: 200 per second in the busiest 10-s window, all unanswered.
    expect(floods[0]!.measurements[0]).toMatchObject({ value: 200, threshold: 100 });
    expect(floods[0]!.measurements[1]).toMatchObject({ value: 1, threshold: 0.5 });
    expect(floods[0]!.hosts[0]).toBe('10.66.1.80');
  });

  it('flags an ICMP echo flood carried in one flow', () => {
    const flow = makeFlow({
      transport: 'icmp',
      ipProtocol: 1,
      originatorPort: 8,
      responderPort: 0,
      responderAddress: '10.66.1.80',
      history: '',
      connectionState: 'OTH',
      startUs: mondayUs,
      endUs: mondayUs + 9 * secondUs + 999_999,
      originatorPackets: 3000,
      responderPackets: 0,
    });
    const floods = only(run([flow]), 'icmp-flood');
    expect(floods).toHaveLength(1);
    expect(floods[0]!.measurements[0]!.value).toBe(300);
    expect(floods[0]!.evidence.flowUids).toEqual([flow.uid]);
  });
});

describe('lateral movement', () => {
  it('flags new admin-port contacts after the opening period only', () => {
    const flows = [
      makeFlow({ startUs: mondayUs, responderAddress: '10.66.1.1', responderPort: 445 }),
      makeFlow({ startUs: mondayUs + 1000 * secondUs, responderAddress: '198.18.0.1' }),
      ...['10.66.1.1', '10.66.1.2', '10.66.1.3', '10.66.1.4'].map((address, i) =>
        makeFlow({
          startUs: mondayUs + (600 + i * 10) * secondUs,
          responderAddress: address,
          responderPort: i % 2 === 0 ? 445 : 3389,
        }),
      ),
    ];
    const lateral = only(run(flows), 'lateral-movement');
    expect(lateral).toHaveLength(1);
    // 10.66.1.1 was reached on 445 in the opening period (first 250 s = 25% of 1001 s), so 3 new hosts remain.
    expect(lateral[0]!.measurements[0]).toMatchObject({ value: 3, threshold: 3 });
    expect(lateral[0]!.hosts).toEqual(['10.66.0.5', '10.66.1.2', '10.66.1.3', '10.66.1.4']);
    expect(lateral[0]!.evidence.flowUids).toEqual([flows[3]!.uid, flows[4]!.uid, flows[5]!.uid]);
  });
});

describe('long connections, transfers, rare destinations and off hours', () => {
  it('flags a two-hour connection', () => {
    const flow = makeFlow({ startUs: mondayUs + 10 * hourUs, endUs: mondayUs + 12 * hourUs });
    const alerts = only(run([flow]), 'long-connection');
    expect(alerts).toHaveLength(1);
    // 40 + 60 * (7200 - 3600) / (43200 - 3600) = 45.45 -> 45, low.
    expect(alerts[0]!.score).toBe(45);
    expect(alerts[0]!.severity).toBe('low');
    expect(alerts[0]!.measurements[0]).toMatchObject({ value: 7200, threshold: 3600 });
  });

  it('flags a large upload and an upload burst with the PCR swing', () => {
    const downloads = Array.from({ length: 10 }, (_, i) =>
      makeFlow({
        startUs: mondayUs + 10 * hourUs + i * 120 * secondUs,
        originatorBytes: 1000,
        responderBytes: 5_000_000,
      }),
    );
    const upload = makeFlow({
      startUs: mondayUs + 11 * hourUs,
      responderAddress: '203.0.113.7',
      originatorBytes: 150 * 1024 * 1024,
      responderBytes: 20_000,
    });
    const alerts = run([...downloads, upload]);
    const large = only(alerts, 'large-upload');
    expect(large).toHaveLength(1);
    expect(large[0]!.hosts).toEqual(['10.66.0.5', '203.0.113.7']);
    expect(large[0]!.measurements[0]).toMatchObject({ value: 150 * 1024 * 1024, threshold: 100 * 1024 * 1024 });
    const burst = only(alerts, 'upload-burst');
    expect(burst).toHaveLength(1);
    // Baseline: 10 000 sent, 50 000 000 received -> (10000 - 5e7) / (5.001e7) = -0.9996.
    expect(burst[0]!.measurements[2]!.value).toBeCloseTo(-1, 3);
    expect(burst[0]!.evidence.flowUids).toEqual([upload.uid]);
  });

  it('flags rare late destinations as low at most', () => {
    const flows: FlowRecord[] = [];
    for (let host = 1; host <= 6; host++) {
      flows.push(makeFlow({ originatorAddress: `10.66.0.${host}`, responderAddress: '198.18.0.1', startUs: mondayUs }));
    }
    flows.push(
      makeFlow({ originatorAddress: '10.66.0.3', responderAddress: '203.0.113.99', startUs: mondayUs + hourUs }),
    );
    const rare = only(run(flows), 'rare-destination');
    expect(rare).toHaveLength(1);
    expect(rare[0]!.hosts).toEqual(['10.66.0.3', '203.0.113.99']);
    expect(rare[0]!.severity).toBe('low');
  });

  it('flags encrypted volume off hours above the host baseline', () => {
    const flows: FlowRecord[] = [];
    for (let hour = 10; hour < 18; hour++)
      flows.push(makeFlow({ startUs: mondayUs + hour * hourUs, responderBytes: 1_000_000 }));
    const night = makeFlow({ startUs: mondayUs + 26 * hourUs, responderBytes: 50_000_000 });
    flows.push(night);
    const alerts = only(run(flows), 'off-hours-encrypted-volume');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.evidence.flowUids).toEqual([night.uid]);
    // Business hours 08-17 on Monday: 10 hours, 8 with 1 000 200 bytes -> median 1 000 200; threshold max(3x, 10 MiB).
    expect(alerts[0]!.measurements[0]!.threshold).toBe(10 * 1024 * 1024);
    expect(alerts[0]!.measurements[1]!.value).toBe(1_000_200);
  });

  it('honours the configured time zone for internal sessions', () => {
    // 02:00 UTC Monday is 11:00 in Tokyo: business hours there.
    const flow = makeFlow({ startUs: mondayUs + 2 * hourUs, responderAddress: '10.66.1.9', responderPort: 8080 });
    expect(only(run([flow]), 'off-hours-internal-session')).toHaveLength(1);
    expect(only(run([flow], { offHours: { timeZone: 'Asia/Tokyo' } }), 'off-hours-internal-session')).toEqual([]);
  });
});

describe('rogue devices', () => {
  function observe(
    engine: DetectionEngine,
    timeUs: number,
    packetNumber: number,
    fields: Partial<ReturnType<typeof createPacketObservation>>,
  ): void {
    engine.observePacket({ ...createPacketObservation(), timestampUs: timeUs, packetNumber, ...fields });
  }

  it('flags ARP claims and DHCP servers', () => {
    const engine = new DetectionEngine();
    const gateway = 0x0a420001; // 10.66.0.1
    observe(engine, mondayUs, 1, {
      sourceMac: 0x02000a420001,
      arpOperation: 2,
      arpSenderMac: 0x02000a420001,
      arpSenderIpv4: gateway,
    });
    observe(engine, mondayUs + 1 * secondUs, 2, {
      sourceMac: 0x02000a420001,
      sourceIpv4: gateway,
      isDhcpServerReply: true,
    });
    observe(engine, mondayUs + 100 * secondUs, 3, {
      sourceMac: 0x02000a420066,
      arpOperation: 2,
      arpSenderMac: 0x02000a420066,
      arpSenderIpv4: gateway,
    });
    observe(engine, mondayUs + 101 * secondUs, 4, {
      sourceMac: 0x02000a420066,
      sourceIpv4: 0x0a420066,
      isDhcpServerReply: true,
    });
    observe(engine, mondayUs + 400 * secondUs, 5, { sourceMac: 0x02000a420001, sourceIpv4: gateway });
    const alerts = engine.evaluate();
    const arp = only(alerts, 'arp-spoofing');
    expect(arp).toHaveLength(1);
    expect(arp[0]!.hosts).toEqual(['10.66.0.1', '02:00:0a:42:00:01', '02:00:0a:42:00:66']);
    expect(arp[0]!.evidence.packetNumbers).toEqual([1, 3]);
    expect(arp[0]!.severity).toBe('high');
    const dhcp = only(alerts, 'rogue-dhcp-server');
    expect(dhcp).toHaveLength(1);
    expect(dhcp[0]!.hosts).toEqual(['10.66.0.102', '10.66.0.1']);
    expect(dhcp[0]!.evidence.packetNumbers).toEqual([4]);
    // Opening period: min(300 s, 25% of 400 s = 100 s); the second MAC appeared at 100 s, not after.
    expect(only(alerts, 'new-device')).toEqual([]);
  });
});

describe('alerts', () => {
  it('derive the same id from detector, key and first time', () => {
    expect(deriveAlertId('port-scan', 'a>b', 5)).toBe(deriveAlertId('port-scan', 'a>b', 5));
    expect(deriveAlertId('port-scan', 'a>b', 5)).not.toBe(deriveAlertId('port-scan', 'a>b', 6));
    expect(deriveAlertId('port-scan', 'a>b', 5)).toMatch(/^A[0-9a-f]{16}$/);
  });

  it('carry the verdicts set on the engine', () => {
    const flow = makeFlow({ startUs: mondayUs, endUs: mondayUs + 2 * hourUs });
    const engine = new DetectionEngine();
    engine.addFlow(flow);
    const [alert] = engine.evaluate();
    expect(alert!.status).toBe('open');
    engine.setVerdicts(new Map([[alert!.id, 'dismissed']]));
    expect(engine.evaluate()[0]!.status).toBe('dismissed');
  });
});

describe('settings', () => {
  it('take Zeek and RITA defaults', () => {
    const settings = parseDetectionSettings({});
    expect(settings.scan).toEqual({ portScanPorts: 15, addressScanHosts: 25, windowSeconds: 300 });
    expect(settings.bruteForce.sessions).toBe(30);
    expect(settings.bruteForce.windowSeconds).toBe(1800);
    expect(settings.beacon.intervalMadCutoffSeconds).toBe(30);
    expect(settings.beacon.sizeMadCutoffBytes).toBe(32);
    expect(settings.longConnection.minSeconds).toBe(3600);
  });

  it('reject unknown fields and bad values', () => {
    expect(() => parseDetectionSettings({ scan: { portScanPort: 3 } })).toThrow(/portScanPort/);
    expect(() => parseDetectionSettings({ scan: { portScanPorts: -1 } })).toThrow();
    expect(() => new DetectionEngine(parseDetectionSettings({ internalNetworks: ['10.0.0.0/33'] }))).toThrow(
      /prefix length/,
    );
  });
});
