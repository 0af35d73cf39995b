import { describe, expect, it } from 'vitest';

import {
  addressScanThresholdHosts,
  detectScans,
  isFailedConnection,
  portScanThresholdPorts,
  scanWindowUs,
} from '../../../src/main/engine/host/scan-detector';
import { makeFlow, makeRejectedPorts } from './flow-fixtures';

const baseUs = 1_700_000_000_000_000;

describe('isFailedConnection', () => {
  it.each([
    // state, history, failed?
    ['S0', 'S', true], // SYN never answered
    ['REJ', 'Sr', true], // SYN answered by RST
    ['RSTOS0', 'SR', true], // originator gave up with RST before any SYN-ACK
    ['RSTO', 'ShR', true], // reset after the handshake started, no data
    ['RSTO', 'ShADdR', false], // data moved before the reset
    ['SF', 'ShADadFf', false], // a normal connection
    ['SH', 'SF', false], // half-open close is not counted by Zeek's policy
    ['OTH', 'H', false], // no SYN from the originator (backscatter)
  ] as const)('%s with history %s is %s', (state, history, expected) => {
    expect(isFailedConnection(makeFlow({ connectionState: state, history }))).toBe(expected);
  });

  it('ignores UDP', () => {
    expect(isFailedConnection(makeFlow({ transport: 'udp', connectionState: 'S0', history: 'D' }))).toBe(false);
  });
});

describe('detectScans', () => {
  it('raises a port scan at the threshold', () => {
    const flows = makeRejectedPorts('10.0.0.5', '10.0.0.9', portScanThresholdPorts, baseUs, 1_000);
    const alerts = detectScans(flows);
    expect(alerts).toHaveLength(1);
    const [alert] = alerts;
    expect(alert?.id).toBe('port-scan:10.0.0.5');
    expect(alert?.measurements[0]).toMatchObject({ value: 15, threshold: 15, unit: 'ports' });
    expect(alert?.hosts).toEqual(['10.0.0.5', '10.0.0.9']);
    expect(alert?.evidence.flowUids).toEqual(flows.map((flow) => flow.uid));
    expect(alert?.evidence.packetNumbers).toEqual(flows.map((flow) => flow.firstPacketNumber));
    expect(alert?.firstUs).toBe(baseUs);
    expect(alert?.lastUs).toBe(baseUs + 14 * 1_000 + 300);
    expect(alert?.reason).toContain('15 distinct ports on 10.0.0.9');
    expect(alert?.reason).toContain('threshold is 15 ports within 5 minutes');
    expect(alert?.mitreTechnique).toBe('T1046');
  });

  it('stays quiet one port below the threshold', () => {
    expect(detectScans(makeRejectedPorts('10.0.0.5', '10.0.0.9', portScanThresholdPorts - 1, baseUs, 1_000))).toEqual(
      [],
    );
  });

  it('ignores ports spread wider than the window', () => {
    // 20 ports, one every 30 s: any 5-minute window holds at most 11 of them.
    const flows = makeRejectedPorts('10.0.0.5', '10.0.0.9', 20, baseUs, 30_000_000);
    expect(scanWindowUs).toBe(300_000_000);
    expect(detectScans(flows)).toEqual([]);
  });

  it('raises an address scan over many hosts on one port', () => {
    const flows = Array.from({ length: addressScanThresholdHosts + 5 }, (_, index) =>
      makeFlow({
        originatorAddress: '10.0.0.66',
        responderAddress: `10.0.1.${index + 1}`,
        responderPort: 445,
        startUs: baseUs + index * 10_000,
        endUs: baseUs + index * 10_000,
        connectionState: 'S0',
        history: 'S',
      }),
    );
    const alerts = detectScans(flows);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.id).toBe('address-scan:10.0.0.66');
    expect(alerts[0]?.title).toBe('Address scan from 10.0.0.66 on port 445');
    expect(alerts[0]?.measurements[0]).toMatchObject({ value: 30, threshold: 25, unit: 'hosts' });
    expect(alerts[0]?.evidence.flowUids).toHaveLength(30);
  });

  it('does not count successful connections', () => {
    const flows = Array.from({ length: 30 }, (_, index) => makeFlow({ responderPort: 2_000 + index }));
    expect(detectScans(flows)).toEqual([]);
  });
});
