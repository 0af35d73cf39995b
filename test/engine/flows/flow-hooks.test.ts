import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../../src/main/engine/analyze-capture';
import { createDecodedPacket, type DecodedPacket } from '../../../src/main/engine/decode/decoded-packet';
import { addServiceName, type FlowHandle, type FlowPacketEvent } from '../../../src/main/engine/flows/flow-hooks';
import { FlowTable } from '../../../src/main/engine/flows/flow-table';
import type { FlowRecord } from '../../../src/shared/domain/flow';
import { buildPcap } from '../../support/capture-writer';

const FIN = 0x01;
const SYN = 0x02;
const ACK = 0x10;

interface Segment {
  fromClient: boolean;
  flags: number;
  seq: number;
  ack: number;
  length: number;
}

// Packet bytes: source address at 0, destination at 4, then `length` payload bytes at 8.
function fillPacket(decoded: DecodedPacket, segment: Segment, clientPort = 40000, serverPort = 8081): Uint8Array {
  const layer = decoded.layers[0]!;
  decoded.layerCount = 1;
  decoded.vlanCount = 0;
  layer.ipVersion = 4;
  layer.sourceAddressOffset = 0;
  layer.destinationAddressOffset = 4;
  layer.protocol = 6;
  layer.ipLength = 40 + segment.length;
  layer.hasTransport = true;
  layer.transportOffset = 20;
  layer.sourcePort = segment.fromClient ? clientPort : serverPort;
  layer.destinationPort = segment.fromClient ? serverPort : clientPort;
  layer.tcpFlags = segment.flags;
  layer.tcpSequence = segment.seq;
  layer.tcpAcknowledgement = segment.ack;
  layer.tcpWindow = 1024;
  layer.payloadOffset = 8;
  layer.payloadLength = segment.length;
  layer.claimedPayloadLength = segment.length;
  const data = new Uint8Array(8 + segment.length);
  data.set(segment.fromClient ? [10, 0, 0, 1, 10, 0, 0, 2] : [10, 0, 0, 2, 10, 0, 0, 1]);
  for (let i = 0; i < segment.length; i++) data[8 + i] = 0x41 + i;
  return data;
}

const C = (flags: number, seq: number, ack: number, length = 0): Segment => ({
  fromClient: true,
  flags,
  seq,
  ack,
  length,
});
const S = (flags: number, seq: number, ack: number, length = 0): Segment => ({
  fromClient: false,
  flags,
  seq,
  ack,
  length,
});

const SESSION = [
  C(SYN, 100, 0),
  S(SYN | ACK, 500, 101),
  C(ACK, 101, 501),
  C(ACK, 101, 501, 3),
  S(ACK, 501, 104, 2),
  C(FIN | ACK, 104, 503),
  S(FIN | ACK, 503, 105),
  C(ACK, 105, 504),
];

interface Seen {
  isFromOriginator: boolean;
  isNewFlow: boolean;
  packetNumber: number;
  payload: string;
}

describe('FlowTable packet hook', () => {
  it('calls onFlowPacket once per packet with one reused event and the payload bytes', () => {
    const seen: Seen[] = [];
    const events = new Set<FlowPacketEvent>();
    const ended: string[] = [];
    const flows: FlowRecord[] = [];
    const table = new FlowTable({
      onFlow: (flow) => flows.push(flow),
      onFlowPacket(event) {
        events.add(event);
        const { layer, data } = event;
        const payload = String.fromCharCode(
          ...data.subarray(layer.payloadOffset, layer.payloadOffset + layer.payloadLength),
        );
        seen.push({
          isFromOriginator: event.isFromOriginator,
          isNewFlow: event.isNewFlow,
          packetNumber: event.packetNumber,
          payload,
        });
        if (layer.payloadLength > 0) {
          event.flow.setService('test');
          event.flow.analyzerState = ((event.flow.analyzerState as number | undefined) ?? 0) + layer.payloadLength;
        }
      },
      onFlowEnd(flow) {
        ended.push(`${flow.uid} ${String(flow.analyzerState)} ${flow.originatorAddressText}:${flow.originatorPort}`);
        flow.setService('other');
        flow.setService('test');
      },
    });
    const decoded = createDecodedPacket();
    SESSION.forEach((segment, index) =>
      table.addPacket(decoded, fillPacket(decoded, segment), 1_000_000 + index, index + 1),
    );
    table.flush();

    expect(events.size).toBe(1);
    expect(seen.map((s) => s.isFromOriginator)).toEqual([true, false, true, true, false, true, false, true]);
    expect(seen.map((s) => s.isNewFlow)).toEqual([true, false, false, false, false, false, false, false]);
    expect(seen.map((s) => s.packetNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(seen[3]?.payload).toBe('ABC');
    expect(seen[4]?.payload).toBe('AB');
    expect(flows).toHaveLength(1);
    expect(ended).toEqual([`${flows[0]?.uid} 5 10.0.0.1:40000`]);
    expect(flows[0]?.service).toBe('test,other');
  });

  it('reports the sender as originator after a reversed handshake flips the flow', () => {
    const originatorFlags: boolean[] = [];
    let handle: FlowHandle | null = null;
    const table = new FlowTable({
      onFlow: () => {},
      onFlowPacket(event) {
        originatorFlags.push(event.isFromOriginator);
        handle = event.flow;
      },
    });
    const decoded = createDecodedPacket();
    // SYN-ACK from 10.0.0.2:8081 seen first, then the SYN it answers from 10.0.0.1:40000.
    table.addPacket(decoded, fillPacket(decoded, S(SYN | ACK, 500, 101)), 1_000_000, 1);
    table.addPacket(decoded, fillPacket(decoded, C(SYN, 100, 0)), 1_000_001, 2);
    table.addPacket(decoded, fillPacket(decoded, C(ACK, 101, 501)), 1_000_002, 3);
    expect(handle).not.toBeNull();
    expect((handle as unknown as FlowHandle).originatorAddressText).toBe('10.0.0.1');
    // The SYN-ACK's sender was the originator until the SYN flipped the roles; the SYN is reported after the flip.
    expect(originatorFlags).toEqual([true, true, true]);
  });
});

describe('addServiceName', () => {
  it.each([
    [null, 'dns', 'dns'],
    ['', 'dns', 'dns'],
    ['dns', 'dns', 'dns'],
    ['dns', 'http', 'dns,http'],
    ['dns,http', 'http', 'dns,http'],
    ['dns,http', 'htt', 'dns,http,htt'],
    ['ssl,http', 'ssl', 'ssl,http'],
  ])('adds %s + %s as %s', (current, name, expected) => {
    expect(addServiceName(current, name)).toBe(expected);
  });
});

/** Ethernet + IPv4 + UDP from 10.0.0.1:5000 to 10.0.0.2:53 with `payload`. */
function udpFrame(payload: number[]): Uint8Array {
  const frame = new Uint8Array(14 + 20 + 8 + payload.length);
  const view = new DataView(frame.buffer);
  view.setUint16(12, 0x0800); // EtherType IPv4
  frame[14] = 0x45; // version 4, IHL 5
  view.setUint16(16, 28 + payload.length); // total length
  frame[22] = 64; // TTL
  frame[23] = 17; // protocol UDP
  frame.set([10, 0, 0, 1, 10, 0, 0, 2], 26); // source, destination
  view.setUint16(34, 5000); // source port
  view.setUint16(36, 53); // destination port
  view.setUint16(38, 8 + payload.length); // UDP length
  frame.set(payload, 42);
  return frame;
}

describe('analyzeCapture analyzers', () => {
  it('passes every analyzer the packets and takes the service from the flow', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tideline-hooks-'));
    const path = join(directory, 'udp.pcap');
    const packets = [udpFrame([1, 2, 3]), udpFrame([4, 5])].map((data, index) => ({
      timestampUs: 1_700_000_000_000_000 + index,
      data,
    }));
    writeFileSync(path, buildPcap({ packets }));

    const calls: string[] = [];
    const flows: FlowRecord[] = [];
    await analyzeCapture(path, {
      onFlows: (batch) => flows.push(...batch),
      analyzers: [
        {
          onFlowPacket: (event) => {
            calls.push(`a${event.packetNumber}:${event.layer.payloadLength}`);
            event.flow.setService('dns');
          },
          onFlowEnd: () => calls.push('a-end'),
          onCaptureEnd: () => calls.push('a-capture-end'),
        },
        {
          onFlowPacket: (event) => calls.push(`b${event.packetNumber}`),
          onFlowEnd: (flow) => flow.setService('extra'),
        },
      ],
    });
    expect(calls).toEqual(['a1:3', 'b1', 'a2:2', 'b2', 'a-end', 'a-capture-end']);
    expect(flows.map((flow) => flow.service)).toEqual(['dns,extra']);
  });

  it('hands every decoded packet to onDecodedPacket, ARP included, before its flow', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tideline-hooks-'));
    const path = join(directory, 'arp-udp.pcap');
    // An ARP request: Ethernet, then hardware 1, protocol 0x0800, sizes 6 and 4, operation 1.
    const arp = new Uint8Array(14 + 28);
    arp.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x06]);
    arp.set([0, 1, 0x08, 0x00, 6, 4, 0, 1, 0x02, 0, 0, 0, 0, 0x01, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2], 14);
    const frames = [arp, udpFrame([1, 2, 3])];
    writeFileSync(path, buildPcap({ packets: frames.map((data, index) => ({ timestampUs: 1_700_000_000_000_000 + index, data })) }));

    const calls: string[] = [];
    await analyzeCapture(path, {
      onDecodedPacket: (decoded, record) => calls.push(`p${record.packetNumber}:${decoded.hasArp ? 'arp' : decoded.layerCount}:${record.data.length}`),
      analyzers: { onFlowPacket: (event) => calls.push(`f${event.packetNumber}`) },
    });
    expect(calls).toEqual(['p1:arp:42', 'p2:1:45', 'f2']);
  });

  it('counts later packets on the new sides after an analyzer flips the roles', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tideline-hooks-'));
    const path = join(directory, 'flip.pcap');
    const reply = udpFrame([4, 5]);
    // The reverse direction: 10.0.0.2:53 -> 10.0.0.1:5000.
    reply.set([10, 0, 0, 2, 10, 0, 0, 1], 26);
    new DataView(reply.buffer).setUint16(34, 53);
    new DataView(reply.buffer).setUint16(36, 5000);
    const frames = [udpFrame([1, 2, 3]), reply, udpFrame([6])];
    writeFileSync(path, buildPcap({ packets: frames.map((data, index) => ({ timestampUs: 1_700_000_000_000_000 + index, data })) }));

    const seen: string[] = [];
    const flows: FlowRecord[] = [];
    await analyzeCapture(path, {
      onFlows: (batch) => flows.push(...batch),
      analyzers: {
        onFlowPacket: (event) => {
          seen.push(`${event.packetNumber}:${event.isFromOriginator ? 'orig' : 'resp'}:${event.flow.originatorAddressText}`);
          if (event.packetNumber === 1) event.flow.flipRoles();
        },
      },
    });
    // Packet 1 was the originator's when it arrived; after the flip 10.0.0.2 is the originator.
    expect(seen).toEqual(['1:orig:10.0.0.1', '2:orig:10.0.0.2', '3:resp:10.0.0.2']);
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({
      originatorAddress: '10.0.0.2',
      originatorPort: 53,
      responderAddress: '10.0.0.1',
      responderPort: 5000,
      originatorPackets: 1,
      originatorIpBytes: 30,
      originatorBytes: 2,
      responderPackets: 2,
      responderIpBytes: 31 + 29,
      responderBytes: 4,
      history: 'D^d',
      connectionState: 'SF',
    });
  });
});
