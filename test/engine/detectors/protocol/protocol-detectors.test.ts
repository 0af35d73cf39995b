/**
 * The protocol detectors on synthetic flows and records with worked values:
 * each fires on its behaviour with the expected score and evidence, and
 * stays silent on the matching benign traffic.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../../src/shared/domain/alert';
import type { FlowRecord } from '../../../../src/shared/domain/flow';
import { BeaconDetector } from '../../../../src/main/engine/detectors/beacon-detector';
import type { CaptureSpan } from '../../../../src/main/engine/detectors/detector';
import { DetectionEngine } from '../../../../src/main/engine/detectors/detection-engine';
import { parseDetectionSettings } from '../../../../src/main/engine/detectors/detection-settings';
import { createProtocolDetectors } from '../../../../src/main/engine/detectors/protocol';
import { ProtocolDetection } from '../../../../src/main/engine/detectors/protocol/detect-protocol-capture';
import { parseProtocolDetectionSettings } from '../../../../src/main/engine/detectors/protocol-settings';
import type { ProtocolObservation } from '../../../../src/main/engine/detectors/protocol/protocol-observation';
import { createRandom, hourUs, makeFlow, mondayUs, secondUs } from '../flow-factory';
import {
  makeCertificate,
  makeContext,
  makeDns,
  makeEncodedLabel,
  makeSmbFile,
  makeSmbTree,
  makeTls,
} from './protocol-factory';

/** Feed flows and records to a fresh detector set and return all their alerts. */
function detect(
  flows: FlowRecord[],
  records: ProtocolObservation[],
  settings: unknown = {},
  protocolSettings: unknown = {},
): Alert[] {
  const detectors = createProtocolDetectors(makeContext(settings), parseProtocolDetectionSettings(protocolSettings));
  for (const record of records) for (const detector of detectors) detector.observeRecord?.(record);
  for (const flow of flows) for (const detector of detectors) detector.observeFlow?.(flow);
  const starts = [
    ...flows.map((flow) => flow.startUs),
    ...records.map((record) => ('timestampUs' in record ? record.timestampUs : Infinity)),
  ].filter(Number.isFinite);
  const ends = [...flows.map((flow) => flow.endUs), ...starts];
  const span: CaptureSpan = { firstUs: Math.min(...starts), lastUs: Math.max(...ends) };
  return detectors.flatMap((detector) => detector.evaluate(span));
}

function only(alerts: Alert[], detector: string): Alert {
  const found = alerts.filter((alert) => alert.detector === detector);
  expect(found.map((alert) => alert.detector)).toEqual([detector]);
  return found[0] as Alert;
}

describe('named beacons', () => {
  const addresses = ['198.18.0.9', '198.18.0.10', '198.18.0.11'];

  /** 30 TLS sessions to c2.example.com every 60 s, the server rotating over three addresses. */
  function rotatingBeacon(): { flows: FlowRecord[]; records: ProtocolObservation[] } {
    const flows: FlowRecord[] = [];
    const records: ProtocolObservation[] = [];
    for (let i = 0; i < 30; i++) {
      const flow = makeFlow({
        startUs: mondayUs + 10 * hourUs + i * 60 * secondUs,
        responderAddress: addresses[i % 3] as string,
        originatorBytes: 300,
        service: 'ssl',
      });
      flows.push(flow);
      records.push(
        makeTls({
          uid: flow.uid,
          timestampUs: flow.startUs,
          server: flow.responderAddress,
          serverName: 'c2.example.com',
        }),
      );
    }
    return { flows, records };
  }

  it('joins rotating addresses into one beacon', () => {
    const { flows, records } = rotatingBeacon();
    const alert = only(detect(flows, records), 'named-beaconing');
    // Gaps all 60 s and sizes all 300 B: six parts at 1, smallness 1 - 300/65535; rounded 100.
    expect(alert.score).toBe(100);
    expect(alert.hosts).toEqual(['10.66.0.5', '198.18.0.10', '198.18.0.11', '198.18.0.9']);
    expect(alert.evidence.flowUids).toHaveLength(30);
    expect(alert.evidence.flowUids[0]).toBe(flows[0]?.uid);
    expect(alert.measurements.find((m) => m.name === 'connections')?.value).toBe(30);
    expect(alert.mitreTechnique).toBe('T1071.001');
    expect(alert.reason).toContain('at 3 addresses');
    expect(alert.series?.[0]?.values.every((gap) => gap === 60)).toBe(true);
  });

  it('measures gap MAD in seconds, as its reason states', () => {
    // 21 gaps (4.7 s x6, 5.0 s x8, 5.3 s x7): median 5 s, MAD 0.3 s.
    const gaps = [...Array<number>(6).fill(4.7), ...Array<number>(8).fill(5), ...Array<number>(7).fill(5.3)];
    const flows: FlowRecord[] = [];
    let t = mondayUs + 10 * hourUs;
    for (let i = 0; i <= gaps.length; i++) {
      flows.push(makeFlow({ startUs: t, responderAddress: '198.18.0.9', originatorBytes: 300, service: 'ssl' }));
      t += Math.round((gaps[i] ?? 0) * secondUs);
    }
    const records = flows.map((flow) =>
      makeTls({ uid: flow.uid, timestampUs: flow.startUs, server: flow.responderAddress, serverName: 'c2.example.com' }),
    );
    const alert = only(detect(flows, records), 'named-beaconing');
    expect(alert.measurements.find((m) => m.name === 'gap MAD')).toEqual({
      name: 'gap MAD',
      value: 0.3,
      threshold: 30,
      unit: 'seconds',
    });
    expect(alert.reason).toContain('gap MAD 0.3 s (dispersion score 0 at 30 s)');
    expect(alert.measurements.find((m) => m.name === 'size MAD')).toEqual({
      name: 'size MAD',
      value: 0,
      threshold: 32,
      unit: 'bytes',
    });
  });

  it('is missed by the per-address beacon detector', () => {
    const { flows } = rotatingBeacon();
    const context = makeContext();
    const beacon = new BeaconDetector(context);
    flows.forEach((flow) => beacon.observeFlow(flow));
    // Ten connections per address, under the 20 the pair score needs.
    expect(beacon.evaluate({ firstUs: flows[0]!.startUs, lastUs: flows[29]!.endUs })).toEqual([]);
  });

  it('ties flows to a name through DNS answers', () => {
    const records: ProtocolObservation[] = [
      makeDns({
        uid: 'Cdns1',
        timestampUs: mondayUs,
        query: 'update.example.net',
        answers: ['198.18.0.20', '198.18.0.21'],
      }),
    ];
    const flows = Array.from({ length: 24 }, (_, i) =>
      makeFlow({
        startUs: mondayUs + (i + 1) * 120 * secondUs,
        responderAddress: i % 2 === 0 ? '198.18.0.20' : '198.18.0.21',
        responderPort: 8443,
        originatorBytes: 90,
      }),
    );
    const alert = only(detect(flows, records), 'named-beaconing');
    expect(alert.title).toBe('Beaconing from 10.66.0.5 to update.example.net');
    expect(alert.reason).toContain('the name came from dns-answer');
    expect(alert.evidence.flowUids).toHaveLength(24);
  });

  it('scores DNS lookups per registered domain', () => {
    const random = createRandom(7);
    const records = Array.from({ length: 25 }, (_, i) =>
      makeDns({
        uid: `Cq${i}`,
        timestampUs: mondayUs + i * 300 * secondUs,
        query: `${makeEncodedLabel(random, 12)}.beacon.example.org`,
        queryPacketNumber: 2 * i + 1,
        responsePacketNumber: 2 * i + 2,
      }),
    );
    const alert = only(detect([], records), 'named-beaconing-dns');
    expect(alert.title).toBe('DNS beaconing from 10.66.0.5 to example.org');
    expect(alert.measurements.find((m) => m.name === 'lookups')?.value).toBe(25);
    expect(alert.evidence.packetNumbers.slice(0, 3)).toEqual([1, 2, 3]);
    expect(alert.mitreTechnique).toBe('T1071.004');
  });

  it('ignores irregular browsing to one name', () => {
    const random = createRandom(3);
    let time = mondayUs;
    const flows: FlowRecord[] = [];
    const records: ProtocolObservation[] = [];
    for (let i = 0; i < 40; i++) {
      time += Math.floor((5 + random() * 900) * secondUs);
      const flow = makeFlow({ startUs: time, originatorBytes: 200 + Math.floor(random() * 5000) });
      flows.push(flow);
      records.push(makeTls({ uid: flow.uid, timestampUs: time, serverName: 'news.example.com' }));
    }
    expect(detect(flows, records).filter((alert) => alert.detector.startsWith('named-beaconing'))).toEqual([]);
  });
});

describe('DNS tunnelling', () => {
  it('fires on encoded TXT queries under one domain', () => {
    const random = createRandom(11);
    const records = Array.from({ length: 60 }, (_, i) =>
      makeDns({
        uid: 'Ctun',
        timestampUs: mondayUs + i * secondUs,
        query: `${makeEncodedLabel(random, 50)}.t.example.com`,
        queryType: 16,
        queryPacketNumber: 2 * i + 1,
        responsePacketNumber: 2 * i + 2,
      }),
    );
    const alert = only(detect([], records), 'dns-tunnel');
    // Distinct 60/50, long labels 100%, entropy of 50 base32 characters about 4.6/3.8, TXT 100%: four parts at 1, no flow so size 0.
    expect(alert.score).toBe(80);
    expect(alert.title).toBe('DNS tunnelling from 10.66.0.5 via example.com');
    expect(alert.measurements[0]).toEqual({
      name: 'distinct subdomains in busiest window',
      value: 60,
      threshold: 50,
      unit: 'names',
    });
    expect(alert.measurements[1]?.value).toBe(1);
    expect(alert.measurements[2]?.value).toBeGreaterThan(4.3);
    expect(alert.measurements[3]?.value).toBe(1);
    expect(alert.evidence.packetNumbers).toHaveLength(120);
    expect(alert.mitreTechnique).toBe('T1071.004');
  });

  it('counts response size from the DNS flows', () => {
    const random = createRandom(12);
    const flow = makeFlow({
      transport: 'udp',
      responderPort: 53,
      responderAddress: '10.66.0.1',
      responderPackets: 30,
      responderBytes: 30 * 900,
    });
    const records = Array.from({ length: 30 }, (_, i) =>
      makeDns({
        uid: flow.uid,
        timestampUs: mondayUs + i * secondUs,
        query: `${makeEncodedLabel(random, 20)}.x.example.net`,
        queryType: 10,
      }),
    );
    const alert = only(detect([flow], records), 'dns-tunnel');
    expect(alert.measurements.find((m) => m.name === 'mean bytes per response packet')?.value).toBe(900);
    expect(alert.subScores?.find((part) => part.name === 'response size')?.value).toBe(1);
    expect(alert.evidence.flowUids).toEqual([flow.uid]);
  });

  it('ignores ordinary lookups of CDN names', () => {
    const names = ['www', 'static', 'img1', 'img2', 'cdn', 'api'];
    const records = Array.from({ length: 60 }, (_, i) =>
      makeDns({
        uid: `Cb${i}`,
        timestampUs: mondayUs + i * 10 * secondUs,
        query: `${names[i % names.length]}.shop.example.com`,
      }),
    );
    const txt = Array.from({ length: 25 }, (_, i) =>
      makeDns({
        uid: `Ct${i}`,
        timestampUs: mondayUs + i * 10 * secondUs,
        query: 'example.org',
        queryType: 16,
        answers: ['v=spf1 -all'],
      }),
    );
    expect(detect([], [...records, ...txt]).filter((alert) => alert.detector === 'dns-tunnel')).toEqual([]);
  });
});

describe('ICMP tunnelling', () => {
  it('fires on large random echo payloads', () => {
    const flow = makeFlow({
      transport: 'icmp',
      ipProtocol: 1,
      originatorPort: 8,
      responderPort: 0,
      icmp: {
        uid: 'x',
        type: 8,
        code: 0,
        typeName: 'echo-request',
        codeName: null,
        echoMessages: 20,
        echoPayloadMaxBytes: 1000,
        echoPayloadTotalBytes: 12000,
        echoPayloadMaxEntropyBitsPerByte: 7.9,
        isTunnelSuspected: true,
      },
    });
    const alert = only(detect([flow], []), 'icmp-tunnel');
    // Large 1, entropy 1, spread 1000 - 600 = 400 >= 64 so 1, volume 12000/65536: (3 + 0.1831) / 4.
    expect(alert.score).toBe(80);
    expect(alert.measurements.map((m) => m.value)).toEqual([1000, 7.9, 400, 12000]);
    expect(alert.evidence.flowUids).toEqual([flow.uid]);
    expect(alert.mitreTechnique).toBe('T1095');
  });

  it('ignores ordinary ping', () => {
    const flow = makeFlow({
      transport: 'icmp',
      originatorPort: 8,
      responderPort: 0,
      icmp: {
        uid: 'x',
        type: 8,
        code: 0,
        typeName: 'echo-request',
        codeName: null,
        echoMessages: 10,
        echoPayloadMaxBytes: 56,
        echoPayloadTotalBytes: 560,
        echoPayloadMaxEntropyBitsPerByte: null,
        isTunnelSuspected: false,
      },
    });
    expect(detect([flow], [])).toEqual([]);
  });
});

describe('unusual ports', () => {
  it('flags SSH on 8080', () => {
    const flow = makeFlow({ responderPort: 8080, service: 'ssh', isServiceOnUnusualPort: true, expectedPorts: [22] });
    const alert = only(detect([flow], []), 'unusual-port');
    expect(alert.title).toBe('SSH on port 8080 from 10.66.0.5');
    expect(alert.score).toBe(60);
    expect(alert.measurements[1]).toEqual({ name: 'server port', value: 8080, threshold: 22, unit: 'port' });
    expect(alert.mitreTechnique).toBe('T1571');
  });

  it('derives the mark when the analyzers left it unset', () => {
    const flow = makeFlow({ responderPort: 9999, originatorPort: 40000, service: 'http' });
    expect(only(detect([flow], []), 'unusual-port').score).toBe(45);
  });

  it('flags an unrecognised protocol on 443', () => {
    const identified = makeFlow({ service: 'ssl' });
    const unknown = makeFlow({
      responderAddress: '203.0.113.7',
      service: null,
      originatorBytes: 5000,
      responderBytes: 8000,
    });
    const alert = only(detect([identified, unknown], []), 'unrecognised-protocol-on-well-known-port');
    expect(alert.hosts).toEqual(['10.66.0.5', '203.0.113.7']);
    expect(alert.measurements[1]?.value).toBe(13000);
  });

  it('stays silent without analyzers or on usual ports', () => {
    const unknown = makeFlow({ service: null, originatorBytes: 5000, responderBytes: 8000 });
    const http = makeFlow({ responderPort: 8080, service: 'http' });
    expect(detect([unknown], [])).toEqual([]);
    expect(detect([http], [])).toEqual([]);
  });
});

describe('SMB lateral movement', () => {
  it('flags a write to ADMIN$ and service control', () => {
    const flow = makeFlow({
      originatorAddress: '10.66.0.7',
      responderAddress: '10.66.0.30',
      responderPort: 445,
      service: 'smb',
    });
    const records: ProtocolObservation[] = [
      makeSmbTree({ uid: flow.uid, server: '10.66.0.30', path: '\\\\WS30\\ADMIN$' }),
      makeSmbFile({
        uid: flow.uid,
        server: '10.66.0.30',
        treePath: '\\\\WS30\\ADMIN$',
        name: 'PSEXESVC.exe',
        isWrite: true,
      }),
      makeSmbFile({ uid: flow.uid, server: '10.66.0.30', treePath: '\\\\WS30\\IPC$', name: 'svcctl', pipe: 'svcctl' }),
    ];
    const alerts = detect([flow], records);
    const write = only(alerts, 'smb-admin-share-write');
    expect(write.score).toBe(80);
    expect(write.reason).toContain('ADMIN$\\PSEXESVC.exe');
    expect(write.evidence.flowUids).toEqual([flow.uid]);
    expect(write.evidence.packetNumbers).toEqual([flow.firstPacketNumber, flow.lastPacketNumber]);
    expect(write.mitreTechnique).toBe('T1021.002');
    const execution = only(alerts, 'smb-remote-execution');
    expect(execution.score).toBe(85);
    expect(execution.mitreTechnique).toBe('T1569.002');
  });

  it('flags shares enumerated across servers', () => {
    const records = Array.from({ length: 6 }, (_, i) =>
      makeSmbTree({
        uid: `Ce${i}`,
        timestampUs: mondayUs + i * 5 * secondUs,
        server: `10.66.0.${40 + i}`,
        path: `\\\\10.66.0.${40 + i}\\IPC$`,
      }),
    );
    const alert = only(detect([], records), 'smb-share-enumeration');
    // 6 servers / 5 = 1.2: 50 + 10 x 0.2 + 10 for crossing the server threshold.
    expect(alert.score).toBe(62);
    expect(alert.measurements.map((m) => m.value)).toEqual([6, 6]);
    expect(alert.hosts).toHaveLength(7);
  });

  it('ignores normal use of one file server', () => {
    const records: ProtocolObservation[] = [
      makeSmbTree({ path: '\\\\FS\\IPC$', shareType: 'PIPE' }),
      makeSmbTree({ path: '\\\\FS\\PROJECTS' }),
      makeSmbFile({ name: 'plan.xlsx', isWrite: true }),
      makeSmbFile({ treePath: '\\\\FS\\IPC$', name: 'srvsvc', pipe: 'srvsvc' }),
    ];
    expect(detect([], records)).toEqual([]);
  });
});

describe('TLS oddities', () => {
  const at = mondayUs + 10 * hourUs;

  it('flags missing SNI, self-signed and expired certificates', () => {
    const records: ProtocolObservation[] = [
      makeCertificate({ fingerprint: 'self', subject: 'CN=localhost', issuer: 'CN=localhost', isSelfSigned: true }),
      makeCertificate({ fingerprint: 'old', notValidAfterUs: Date.UTC(2024, 0, 1) * 1000 }),
      makeTls({ uid: 'C1', timestampUs: at, serverName: null, server: '203.0.113.5' }),
      makeTls({
        uid: 'C2',
        timestampUs: at,
        server: '203.0.113.6',
        serverName: 'self.example',
        certificateFingerprints: ['self'],
      }),
      makeTls({
        uid: 'C3',
        timestampUs: at,
        server: '203.0.113.7',
        serverName: 'old.example',
        certificateFingerprints: ['old'],
      }),
    ];
    const alerts = detect([], records);
    expect(only(alerts, 'tls-no-sni').hosts).toEqual(['10.66.0.5', '203.0.113.5']);
    expect(only(alerts, 'tls-self-signed').reason).toContain('CN=localhost');
    expect(only(alerts, 'tls-expired').reason).toContain('2024-01-01T00:00:00.000Z');
  });

  it('lists the packet that carried the certificate in the evidence', () => {
    const records: ProtocolObservation[] = [
      makeCertificate({ fingerprint: 'self', subject: 'CN=lab', issuer: 'CN=lab', isSelfSigned: true }),
      makeTls({
        uid: 'Ccert',
        timestampUs: at,
        server: '198.51.100.80',
        serverName: 'lab.example',
        certificateFingerprints: ['self'],
        certificatePacketNumber: 1155,
      }),
    ];
    const flow = makeFlow({
      uid: 'Ccert',
      originatorAddress: '10.66.0.21',
      responderAddress: '198.51.100.80',
      responderPort: 443,
      startUs: at,
      firstPacketNumber: 1150,
      lastPacketNumber: 1170,
      originatorPackets: 11,
      responderPackets: 10,
    });
    const alert = only(detect([flow], records), 'tls-self-signed');
    expect(alert.evidence.flowUids).toEqual(['Ccert']);
    expect(alert.evidence.packetNumbers).toEqual([1150, 1155, 1170]);
    expect(alert.evidence.packetsDescription).toBe(
      '3 packets: the packet that raised the alert and the first and last packet of the flow, which has 21 packets in all; ' +
        'open a flow for all its packets.',
    );
  });

  it('flags a fingerprint rare among the hosts', () => {
    const records: ProtocolObservation[] = Array.from({ length: 5 }, (_, i) =>
      makeTls({ uid: `Cc${i}`, timestampUs: at, client: `10.66.0.${10 + i}` }),
    );
    records.push(
      makeTls({ uid: 'Crare', timestampUs: at, client: '10.66.0.99', ja3: 'ja3-rare', server: '203.0.113.9' }),
    );
    const alert = only(detect([], records), 'tls-rare-fingerprint');
    expect(alert.hosts).toEqual(['10.66.0.99', '203.0.113.9']);
    expect(alert.measurements.map((m) => m.value)).toEqual([1, 6]);
  });

  it('ignores valid sessions with SNI', () => {
    const records: ProtocolObservation[] = [
      makeCertificate(),
      makeTls({ timestampUs: at, certificateFingerprints: ['f1'] }),
    ];
    expect(detect([], records)).toEqual([]);
  });
});

describe('off-hours by server name', () => {
  it('flags a night spike to one name', () => {
    const flows: FlowRecord[] = [];
    const records: ProtocolObservation[] = [];
    // 1 MiB an hour from 09:00 to 17:00 on Monday, 40 MiB at 02:00 from two hosts.
    for (let hour = 9; hour <= 17; hour++)
      flows.push(makeFlow({ startUs: mondayUs + hour * hourUs, originatorBytes: 1024 * 1024, responderBytes: 0 }));
    flows.push(
      makeFlow({
        startUs: mondayUs + 2 * hourUs,
        originatorAddress: '10.66.0.5',
        originatorBytes: 20 * 1024 * 1024,
        responderBytes: 0,
      }),
    );
    flows.push(
      makeFlow({
        startUs: mondayUs + 2 * hourUs + secondUs,
        originatorAddress: '10.66.0.6',
        originatorBytes: 20 * 1024 * 1024,
        responderBytes: 0,
      }),
    );
    for (const flow of flows)
      records.push(
        makeTls({
          uid: flow.uid,
          client: flow.originatorAddress,
          timestampUs: flow.startUs,
          serverName: 'files.example.org',
        }),
      );
    const alert = only(detect(flows, records), 'off-hours-by-name');
    // Median business hour 1 MiB (08:00 is 0); threshold max(3 MiB, 10 MiB); 45 + 20 log2(40/10).
    expect(alert.score).toBe(85);
    expect(alert.hosts).toEqual(['10.66.0.5', '10.66.0.6']);
    expect(alert.measurements[0]).toEqual({
      name: 'peak off-hours encrypted bytes per hour',
      value: 40 * 1024 * 1024,
      threshold: 10 * 1024 * 1024,
      unit: 'bytes',
    });
    expect(alert.evidence.flowUids).toHaveLength(2);
  });
});

describe('protocol detector limits', () => {
  it('counts enumeration inside one window', () => {
    // Six servers, but 200 s apart: at most four fall in one 600-s window.
    const records = Array.from({ length: 6 }, (_, i) =>
      makeSmbTree({
        uid: `Cw${i}`,
        timestampUs: mondayUs + i * 200 * secondUs,
        server: `10.66.0.${40 + i}`,
        path: `\\\\10.66.0.${40 + i}\\IPC$`,
      }),
    );
    expect(detect([], records)).toEqual([]);
    // A 1000-s window holds all six.
    const wide = only(detect([], records, {}, { smb: { windowSeconds: 1000 } }), 'smb-share-enumeration');
    expect(wide.measurements.map((m) => m.value)).toEqual([6, 6]);
  });

  it('keeps raw bytes out of reasons', () => {
    const random = createRandom(5);
    const hostile = 'evil\u0007\u001b[31m.example.com';
    const records = Array.from({ length: 60 }, (_, i) =>
      makeDns({
        uid: 'Cx',
        timestampUs: mondayUs + i * secondUs,
        query: `${makeEncodedLabel(random, 50)}.${hostile}`,
        queryType: 16,
      }),
    );
    const alert = only(detect([], records), 'dns-tunnel');
    expect(alert.reason).not.toMatch(/[\u0000-\u001f]/);
    expect(alert.title).not.toMatch(/[\u0000-\u001f]/);
  });

  it('leaves out disabled detectors', () => {
    const flow = makeFlow({ responderPort: 8080, service: 'ssh', isServiceOnUnusualPort: true, expectedPorts: [22] });
    expect(detect([flow], [], { disabledDetectors: ['unusual-port'] })).toEqual([]);
    const names = createProtocolDetectors(
      makeContext({ disabledDetectors: ['unusual-port', 'protocol-flow-index'] }),
    ).map((detector) => detector.name);
    // The flow index stays: the record-reading detectors need it.
    expect(names).toEqual([
      'protocol-flow-index',
      'named-beaconing',
      'dns-tunnel',
      'icmp-tunnel',
      'smb-lateral',
      'tls-oddities',
      'off-hours-by-name',
      'http-checkin',
    ]);
  });
});

describe('protocol detection runner', () => {
  it('drops allow-listed domains', () => {
    const detection = new ProtocolDetection(parseDetectionSettings({ allowList: { domains: ['example.com'] } }));
    const flows: FlowRecord[] = [];
    for (let i = 0; i < 30; i++) {
      const flow = makeFlow({ startUs: mondayUs + i * 60 * secondUs, originatorBytes: 300 });
      flows.push(flow);
      detection.observeRecord(makeTls({ uid: flow.uid, timestampUs: flow.startUs, serverName: 'c2.example.com' }));
    }
    flows.forEach((flow) => detection.addFlow(flow));
    expect(detection.evaluate()).toEqual([]);
  });

  it('raises the same beacon without an allow-list', () => {
    const detection = new ProtocolDetection(parseDetectionSettings({}));
    for (let i = 0; i < 30; i++) {
      const flow = makeFlow({ startUs: mondayUs + i * 60 * secondUs, originatorBytes: 300 });
      detection.observeRecord(makeTls({ uid: flow.uid, timestampUs: flow.startUs, serverName: 'c2.example.com' }));
      detection.addFlow(flow);
    }
    expect(detection.evaluate().map((alert) => alert.detector)).toEqual(['named-beaconing']);
  });
});

describe('detection engine with protocol detectors', () => {
  it('routes records to protocol detectors', () => {
    // The same encoded TXT queries as the DNS tunnelling case, fed through DetectionEngine.observeRecord.
    const random = createRandom(11);
    const engine = new DetectionEngine();
    for (let i = 0; i < 60; i++) {
      engine.observeRecord(
        makeDns({
          uid: 'Ctun',
          timestampUs: mondayUs + i * secondUs,
          query: `${makeEncodedLabel(random, 50)}.t.example.com`,
          queryType: 16,
          queryPacketNumber: 2 * i + 1,
          responsePacketNumber: 2 * i + 2,
        }),
      );
    }
    const tunnels = engine.evaluate().filter((alert) => alert.detector === 'dns-tunnel');
    expect(tunnels.map((alert) => alert.title)).toEqual(['DNS tunnelling from 10.66.0.5 via example.com']);
    expect(tunnels[0]?.status).toBe('open');
  });

  it('skips records of allow-listed domains', () => {
    const random = createRandom(11);
    const engine = new DetectionEngine(parseDetectionSettings({ allowList: { domains: ['example.com'] } }));
    for (let i = 0; i < 60; i++) {
      engine.observeRecord(
        makeDns({
          uid: 'Ctun',
          timestampUs: mondayUs + i * secondUs,
          query: `${makeEncodedLabel(random, 50)}.t.example.com`,
          queryType: 16,
        }),
      );
    }
    expect(engine.evaluate().filter((alert) => alert.detector === 'dns-tunnel')).toEqual([]);
  });
});
