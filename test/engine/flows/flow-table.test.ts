import { describe, expect, it } from 'vitest';
import { createDecodedPacket, type DecodedPacket } from '../../../src/main/engine/decode/decoded-packet';
import { FlowTable } from '../../../src/main/engine/flows/flow-table';
import type { FlowRecord } from '../../../src/shared/domain/flow';

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

// Packet bytes hold only the two IPv4 addresses: source at 0, destination at 4.
function addressBytes(source: number[], destination: number[]): Uint8Array {
  return new Uint8Array([...source, ...destination]);
}

const CLIENT = [10, 0, 0, 1];
const SERVER = [10, 0, 0, 2];

interface SegmentSpec {
  fromClient: boolean;
  flags: number;
  seq: number;
  ack?: number;
  length?: number;
  window?: number;
  protocol?: number;
  clientPort?: number;
  serverPort?: number;
  vlan?: number;
  icmpType?: number;
  icmpCode?: number;
  /** Extra capture time before this packet, microseconds. */
  delayUs?: number;
}

function fillPacket(decoded: DecodedPacket, spec: SegmentSpec): Uint8Array {
  const layer = decoded.layers[0]!;
  const length = spec.length ?? 0;
  const protocol = spec.protocol ?? 6;
  const headerLength = protocol === 6 ? 20 : 8;
  decoded.layerCount = 1;
  decoded.vlanCount = spec.vlan === undefined ? 0 : 1;
  decoded.vlanIds[0] = spec.vlan ?? 0;
  layer.ipVersion = 4;
  layer.ipOffset = 0;
  layer.sourceAddressOffset = 0;
  layer.destinationAddressOffset = 4;
  layer.protocol = protocol;
  layer.ipLength = 20 + headerLength + length;
  layer.hasTransport = true;
  layer.transportOffset = 20;
  layer.sourcePort = spec.fromClient ? (spec.clientPort ?? 40000) : (spec.serverPort ?? 8081);
  layer.destinationPort = spec.fromClient ? (spec.serverPort ?? 8081) : (spec.clientPort ?? 40000);
  layer.tcpFlags = spec.flags;
  layer.tcpSequence = spec.seq >>> 0;
  layer.tcpAcknowledgement = (spec.ack ?? 0) >>> 0;
  layer.tcpWindow = spec.window ?? 1024;
  layer.icmpType = spec.icmpType ?? 0;
  layer.icmpCode = spec.icmpCode ?? 0;
  layer.payloadLength = length;
  layer.claimedPayloadLength = length;
  return spec.fromClient ? addressBytes(CLIENT, SERVER) : addressBytes(SERVER, CLIENT);
}

function runFlows(segments: SegmentSpec[], stepUs = 1000): FlowRecord[] {
  const flows: FlowRecord[] = [];
  const table = new FlowTable({ onFlow: (flow) => flows.push(flow) });
  const decoded = createDecodedPacket();
  let timestampUs = 1_000_000_000;
  segments.forEach((segment, index) => {
    const data = fillPacket(decoded, segment);
    timestampUs += (index === 0 ? 0 : stepUs) + (segment.delayUs ?? 0);
    table.addPacket(decoded, data, timestampUs, index + 1);
  });
  table.flush();
  return flows;
}

const C = (flags: number, seq: number, ack = 0, length = 0): SegmentSpec => ({
  fromClient: true,
  flags,
  seq,
  ack,
  length,
});
const S = (flags: number, seq: number, ack = 0, length = 0): SegmentSpec => ({
  fromClient: false,
  flags,
  seq,
  ack,
  length,
});

describe('FlowTable TCP states', () => {
  it('reports SF for a handshake, data and FIN both ways', () => {
    const [flow] = runFlows([
      C(SYN, 100),
      S(SYN | ACK, 500, 101),
      C(ACK, 101, 501),
      C(ACK, 101, 501, 10),
      S(ACK, 501, 111, 20),
      C(FIN | ACK, 111, 521),
      S(FIN | ACK, 521, 112),
      C(ACK, 112, 522),
    ]);
    expect(flow?.connectionState).toBe('SF');
    expect(flow?.history).toBe('ShADdFf');
    expect(flow?.originatorBytes).toBe(10);
    expect(flow?.responderBytes).toBe(20);
    expect(flow?.originatorPackets).toBe(5);
    expect(flow?.responderPackets).toBe(3);
    expect(flow?.originatorIpBytes).toBe(5 * 40 + 10);
    // The final ACK after both FINs does not extend Zeek's duration.
    expect(flow?.durationUs).toBe(6000);
  });

  it('reports REJ when the SYN is answered by RST', () => {
    const [flow] = runFlows([C(SYN, 100), S(RST | ACK, 0, 101)]);
    expect(flow?.connectionState).toBe('REJ');
    expect(flow?.history).toBe('Sr');
  });

  it('reports S0 for an unanswered SYN', () => {
    const [flow] = runFlows([C(SYN, 100)]);
    expect(flow?.connectionState).toBe('S0');
    expect(flow?.history).toBe('S');
  });

  it('reports S1 for an open established connection', () => {
    const [flow] = runFlows([C(SYN, 1), S(SYN | ACK, 9, 2), C(ACK, 2, 10)]);
    expect(flow?.connectionState).toBe('S1');
    expect(flow?.isFinished).toBe(false);
  });

  it.each([
    [
      'SF',
      [C(SYN, 1), S(SYN | ACK, 9, 2), C(ACK, 2, 10), C(FIN | ACK, 2, 10), S(FIN | ACK, 10, 3), C(ACK, 3, 11)],
      true,
    ],
    ['REJ', [C(SYN, 100), S(RST | ACK, 0, 101)], true],
    ['RSTO', [C(SYN, 1), S(SYN | ACK, 9, 2), C(ACK, 2, 10), C(RST, 2)], true],
    ['RSTR', [C(SYN, 1), S(SYN | ACK, 9, 2), C(ACK, 2, 10), S(RST, 10)], true],
    ['SH', [C(SYN, 1), C(FIN, 2)], true],
    ['S0', [C(SYN, 1)], false],
    ['S1', [C(SYN, 1), S(SYN | ACK, 9, 2), C(ACK, 2, 10)], false],
    ['S2', [C(SYN, 1), S(SYN | ACK, 9, 2), C(ACK, 2, 10), C(FIN | ACK, 2, 10)], false],
  ] as const)('flushes %s at end of file with isFinished %s', (state, segments, isFinished) => {
    const flows = runFlows([...segments]);
    expect(flows).toHaveLength(1);
    expect(flows[0]?.connectionState).toBe(state);
    expect(flows[0]?.isFinished).toBe(isFinished);
  });

  it('reports RSTO and RSTR', () => {
    const base = [C(SYN, 1), S(SYN | ACK, 9, 2), C(ACK, 2, 10)];
    expect(runFlows([...base, C(RST, 2)])[0]?.connectionState).toBe('RSTO');
    expect(runFlows([...base, S(RST, 10)])[0]?.connectionState).toBe('RSTR');
  });

  it('reports RSTOS0 for SYN then RST from the originator', () => {
    const [flow] = runFlows([C(SYN, 1), C(RST, 2)]);
    expect(flow?.connectionState).toBe('RSTOS0');
  });

  it('reports SH, S2 and S3', () => {
    expect(runFlows([C(SYN, 1), C(FIN, 2)])[0]?.connectionState).toBe('SH');
    const base = [C(SYN, 1), S(SYN | ACK, 9, 2), C(ACK, 2, 10)];
    expect(runFlows([...base, C(FIN | ACK, 2, 10)])[0]?.connectionState).toBe('S2');
    expect(runFlows([...base, S(FIN | ACK, 10, 2)])[0]?.connectionState).toBe('S3');
  });

  it('reports RSTRH for SYN-ACK then RST from the responder', () => {
    // Both ports are unlisted, so the SYN-ACK sender stays the responder only because it is not flipped.
    const flows = runFlows([
      { ...C(SYN | ACK, 9, 2), clientPort: 40001, serverPort: 40002 },
      { ...C(RST, 10), clientPort: 40001, serverPort: 40002 },
    ]);
    expect(flows[0]?.connectionState).toBe('OTH');
    const [flipped] = runFlows([
      { ...S(SYN | ACK, 9, 2), serverPort: 80 },
      { ...S(RST, 10), serverPort: 80 },
    ]);
    expect(flipped?.connectionState).toBe('RSTRH');
    expect(flipped?.history).toBe('^hr');
  });

  it('reports SHR for SYN-ACK then FIN from the responder', () => {
    const [flow] = runFlows([
      { ...S(SYN | ACK, 9, 2), serverPort: 80 },
      { ...S(FIN | ACK, 10, 2), serverPort: 80 },
    ]);
    expect(flow?.connectionState).toBe('SHR');
    expect(flow?.history).toBe('^hf');
  });

  it('marks a zero window with W', () => {
    const [flow] = runFlows([C(SYN, 1), S(SYN | ACK, 9, 2), { ...C(ACK, 2, 10), window: 0 }]);
    expect(flow?.history).toBe('ShAW');
  });

  it('repeats T at the 1st and 10th retransmission', () => {
    const segments = [C(SYN, 1), S(SYN | ACK, 9, 2), C(ACK, 2, 10, 100)];
    for (let i = 0; i < 10; i++) segments.push(C(ACK, 2, 10, 100));
    const [flow] = runFlows(segments);
    expect(flow?.history).toBe('ShDTT');
    expect(flow?.originatorBytes).toBe(100);
  });

  it('reports OTH for midstream data without SYN', () => {
    const [flow] = runFlows([{ ...C(ACK, 5000, 9000, 100), clientPort: 40001, serverPort: 40002 }]);
    expect(flow?.connectionState).toBe('OTH');
    expect(flow?.history).toBe('D');
  });

  it('flips a flow that starts with a SYN-ACK from a server port', () => {
    const [flow] = runFlows([
      { ...S(SYN | ACK, 9, 2), serverPort: 80 },
      { ...C(ACK, 2, 10), serverPort: 80 },
    ]);
    expect(flow?.originatorAddress).toBe('10.0.0.1');
    expect(flow?.responderPort).toBe(80);
    expect(flow?.history).toBe('^hA');
  });

  it('counts a retransmission once in orig_bytes and marks T', () => {
    const [flow] = runFlows([
      C(SYN, 100),
      S(SYN | ACK, 500, 101),
      C(ACK, 101, 501),
      C(ACK, 101, 501, 50),
      C(ACK, 101, 501, 50),
    ]);
    expect(flow?.originatorBytes).toBe(50);
    expect(flow?.originatorPayloadBytes).toBe(100);
    expect(flow?.history).toBe('ShADT');
  });

  it('counts acknowledged but unseen bytes as missed', () => {
    const [flow] = runFlows([
      C(SYN, 100),
      S(SYN | ACK, 500, 101),
      C(ACK, 101, 501),
      C(ACK, 101, 501, 10),
      S(ACK, 501, 1111),
    ]);
    expect(flow?.missedBytes).toBe(1000);
    expect(flow?.originatorBytes).toBe(1010);
    expect(flow?.history).toContain('G');
  });

  it('handles sequence numbers that wrap past 2^32', () => {
    const isn = 0xfffffff0;
    const [flow] = runFlows([
      C(SYN, isn),
      S(SYN | ACK, 7, isn + 1),
      C(ACK, isn + 1, 8),
      C(ACK, isn + 1, 8, 100),
      S(ACK, 8, (isn + 101) >>> 0),
    ]);
    expect(flow?.originatorBytes).toBe(100);
    expect(flow?.missedBytes).toBe(0);
  });

  it('starts a new flow for a new SYN after the close', () => {
    const flows = runFlows([
      C(SYN, 100),
      S(SYN | ACK, 500, 101),
      C(ACK, 101, 501),
      C(FIN | ACK, 101, 501),
      S(FIN | ACK, 501, 102),
      C(ACK, 102, 502),
      C(SYN, 7000),
    ]);
    expect(flows.map((flow) => flow.connectionState)).toEqual(['SF', 'S0']);
    expect(flows[0]?.uid).not.toBe(flows[1]?.uid);
  });

  it('starts a new flow for a SYN after a reset', () => {
    const flows = runFlows([C(SYN, 100), S(RST | ACK, 0, 101), C(SYN, 100), C(SYN, 9000)]);
    // The repeated SYN with the same ISN stays in the rejected flow; the new ISN starts a new one.
    expect(flows.map((flow) => flow.originatorPackets)).toEqual([2, 1]);
    expect(flows[0]?.connectionState).toBe('REJ');
  });

  it('times out an idle established connection on the packet clock', () => {
    const flows = runFlows([
      C(SYN, 1),
      S(SYN | ACK, 9, 2),
      C(ACK, 2, 10),
      { ...C(ACK, 2, 10, 5), delayUs: 301_000_000 },
    ]);
    expect(flows.length).toBe(2);
    expect(flows[0]?.isFinished).toBe(true);
  });

  it('derives the same Zeek-style uid on every run', () => {
    const first = runFlows([C(SYN, 1)]);
    const second = runFlows([C(SYN, 1)]);
    expect(first[0]?.uid).toMatch(/^C[0-9A-Za-z]{17}$/);
    expect(second[0]?.uid).toBe(first[0]?.uid);
  });

  it('keeps flows on different VLANs apart', () => {
    const flows = runFlows([
      { ...C(SYN, 1), vlan: 10 },
      { ...C(SYN, 1), vlan: 20 },
    ]);
    expect(flows.map((flow) => flow.vlan)).toEqual([10, 20]);
  });
});

describe('FlowTable ICMP and UDP', () => {
  it('pairs an echo request with its reply', () => {
    const flows = runFlows([
      { fromClient: true, flags: 0, seq: 0, protocol: 1, icmpType: 8, length: 56 },
      { fromClient: false, flags: 0, seq: 0, protocol: 1, icmpType: 0, length: 56 },
    ]);
    expect(flows.length).toBe(1);
    expect(flows[0]?.originatorPort).toBe(8);
    expect(flows[0]?.responderPort).toBe(0);
    expect(flows[0]?.originatorBytes).toBe(56);
    expect(flows[0]?.responderPackets).toBe(1);
    expect(flows[0]?.connectionState).toBe('OTH');
  });

  it('keys a one-way ICMP message by type and code', () => {
    // Destination unreachable (3), port unreachable (3): no reply type, so the responder port is the code.
    const [flow] = runFlows([
      { fromClient: false, flags: 0, seq: 0, protocol: 1, icmpType: 3, icmpCode: 3, length: 28 },
    ]);
    expect(flow?.originatorAddress).toBe('10.0.0.2');
    expect(flow?.originatorPort).toBe(3);
    expect(flow?.responderPort).toBe(3);
    expect(flow?.originatorBytes).toBe(28);
  });

  it('flips a UDP flow sent from port 53', () => {
    const [flow] = runFlows([{ fromClient: false, flags: 0, seq: 0, protocol: 17, serverPort: 53, length: 40 }]);
    expect(flow?.originatorAddress).toBe('10.0.0.1');
    expect(flow?.responderPort).toBe(53);
    expect(flow?.connectionState).toBe('SHR');
    expect(flow?.history).toBe('^d');
  });

  it('sums UDP payload lengths and reports SF', () => {
    const [flow] = runFlows([
      { fromClient: true, flags: 0, seq: 0, protocol: 17, length: 30 },
      { fromClient: false, flags: 0, seq: 0, protocol: 17, length: 90 },
    ]);
    expect(flow?.originatorBytes).toBe(30);
    expect(flow?.responderBytes).toBe(90);
    expect(flow?.history).toBe('Dd');
    expect(flow?.connectionState).toBe('SF');
  });

  it('splits a UDP flow after the inactivity timeout', () => {
    const flows = runFlows(
      [
        { fromClient: true, flags: 0, seq: 0, protocol: 17, length: 4 },
        { fromClient: true, flags: 0, seq: 0, protocol: 17, length: 4 },
      ],
      61_000_000,
    );
    expect(flows.length).toBe(2);
  });
});

describe('FlowTable tunnels and fragments', () => {
  it('links an inner flow to its outer flow', () => {
    const flows: FlowRecord[] = [];
    const table = new FlowTable({ onFlow: (flow) => flows.push(flow) });
    const decoded = createDecodedPacket();
    const data = fillPacket(decoded, { fromClient: true, flags: 0, seq: 0, protocol: 17, length: 60 });
    const inner = decoded.layers[1]!;
    Object.assign(inner, {
      ...decoded.layers[0]!,
      protocol: 6,
      tcpFlags: SYN,
      sourcePort: 1234,
      destinationPort: 80,
      tunnel: 'teredo',
    });
    decoded.layerCount = 2;
    table.addPacket(decoded, data, 1_000_000, 1);
    table.flush();
    const outer = flows.find((flow) => flow.transport === 'udp');
    const tunnelled = flows.find((flow) => flow.transport === 'tcp');
    expect(tunnelled?.tunnelParents).toEqual([outer?.uid]);
  });

  it('adds later fragments to the first fragment flow', () => {
    const flows: FlowRecord[] = [];
    const problems: string[] = [];
    const table = new FlowTable({ onFlow: (flow) => flows.push(flow), onProblem: (code) => problems.push(code) });
    const decoded = createDecodedPacket();
    const data = fillPacket(decoded, { fromClient: true, flags: 0, seq: 0, protocol: 17, length: 1472 });
    const layer = decoded.layers[0]!;
    Object.assign(layer, {
      isFragment: true,
      fragmentOffset: 0,
      hasMoreFragments: true,
      fragmentId: 77,
      ipLength: 1500,
    });
    table.addPacket(decoded, data, 1_000_000, 1);
    Object.assign(layer, { hasTransport: false, fragmentOffset: 1480, hasMoreFragments: false, ipLength: 520 });
    table.addPacket(decoded, data, 1_000_100, 2);
    Object.assign(layer, { fragmentId: 78 });
    table.addPacket(decoded, data, 1_000_200, 3);
    table.flush();
    // Datagram 78's fragment counts in an IP-level flow of the same addresses.
    expect(flows.length).toBe(2);
    expect(flows[0]?.originatorPackets).toBe(2);
    expect(flows[0]?.originatorIpBytes).toBe(2020);
    expect(flows[0]?.isIpOnly).toBeUndefined();
    expect(flows[1]).toMatchObject({
      isIpOnly: true,
      transport: 'udp',
      originatorAddress: '10.0.0.1',
      originatorPort: 0,
      responderAddress: '10.0.0.2',
      responderPort: 0,
      originatorPackets: 1,
      originatorIpBytes: 520,
      responderPackets: 0,
      startUs: 1_000_200,
      endUs: 1_000_200,
      firstPacketNumber: 3,
      connectionState: 'OTH',
      history: '',
    });
    expect(flows[1]?.uid).not.toBe(flows[0]?.uid);
    expect(problems).toEqual(['fragment-without-first']);
  });

  it('joins fragments given up at different times in one IP-level flow per address pair', () => {
    const flows: FlowRecord[] = [];
    const table = new FlowTable({ onFlow: (flow) => flows.push(flow) });
    const decoded = createDecodedPacket();
    const data = fillPacket(decoded, { fromClient: true, flags: 0, seq: 0, protocol: 17, length: 1472 });
    const layer = decoded.layers[0]!;
    Object.assign(layer, { isFragment: true, hasTransport: false, fragmentOffset: 1480, hasMoreFragments: false, ipLength: 520, fragmentId: 1 });
    table.addPacket(decoded, data, 1_000_000, 1);
    // 61 s later the first datagram is given up (its entry lives 60 s); the second follows it.
    Object.assign(layer, { fragmentId: 2, ipLength: 400 });
    table.addPacket(decoded, data, 62_000_000, 2);
    const reply = fillPacket(decoded, { fromClient: false, flags: 0, seq: 0, protocol: 17, length: 1472 });
    Object.assign(layer, { isFragment: true, hasTransport: false, fragmentOffset: 1480, hasMoreFragments: false, ipLength: 300, fragmentId: 3 });
    table.addPacket(decoded, reply, 62_500_000, 3);
    table.flush();
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({
      isIpOnly: true,
      originatorAddress: '10.0.0.1',
      originatorPackets: 2,
      originatorIpBytes: 920,
      responderPackets: 1,
      responderIpBytes: 300,
      startUs: 1_000_000,
      endUs: 62_500_000,
      firstPacketNumber: 1,
      lastPacketNumber: 3,
    });
  });

  it('holds fragments that come before the first fragment', () => {
    const flows: FlowRecord[] = [];
    const problems: string[] = [];
    const table = new FlowTable({
      onFlow: (flow) => flows.push(flow),
      onProblem: (code, _layerIndex, heldFragments) =>
        problems.push(`${code} ${heldFragments?.packetNumber} ${heldFragments?.fileOffset} ${heldFragments?.packets}`),
    });
    const decoded = createDecodedPacket();
    const data = fillPacket(decoded, { fromClient: true, flags: 0, seq: 0, protocol: 17, length: 1472 });
    const layer = decoded.layers[0]!;
    // Datagram 77: the last two fragments arrive before the first one.
    Object.assign(layer, {
      isFragment: true,
      hasTransport: false,
      fragmentId: 77,
      fragmentOffset: 2960,
      hasMoreFragments: false,
      ipLength: 300,
    });
    table.addPacket(decoded, data, 1_000_000, 1, 24);
    Object.assign(layer, { fragmentOffset: 1480, hasMoreFragments: true, ipLength: 1500 });
    table.addPacket(decoded, data, 1_000_100, 2, 340);
    Object.assign(layer, { hasTransport: true, fragmentOffset: 0, hasMoreFragments: true, ipLength: 1500 });
    table.addPacket(decoded, data, 1_000_200, 3, 1856);
    // Datagram 78: a fragment whose first fragment never comes.
    Object.assign(layer, {
      hasTransport: false,
      fragmentId: 78,
      fragmentOffset: 1480,
      hasMoreFragments: false,
      ipLength: 520,
    });
    table.addPacket(decoded, data, 1_000_300, 4, 3372);
    table.flush();

    expect(flows.length).toBe(2);
    expect(flows[0]?.originatorPackets).toBe(3);
    expect(flows[0]?.originatorIpBytes).toBe(3300);
    expect(flows[0]?.startUs).toBe(1_000_200);
    expect(problems).toEqual(['fragment-without-first 4 3372 1']);
    // Given up at the end of the capture, datagram 78's fragment leaves in an IP-level flow.
    expect(flows[1]).toMatchObject({ isIpOnly: true, originatorPackets: 1, originatorIpBytes: 520, startUs: 1_000_300, endUs: 1_000_300, firstPacketNumber: 4, lastPacketNumber: 4 });
  });
});
