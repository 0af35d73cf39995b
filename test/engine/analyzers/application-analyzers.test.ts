import { describe, expect, it } from 'vitest';
import { ApplicationAnalyzers } from '../../../src/main/engine/analyzers/application-analyzers';
import { createNetworkLayer, type NetworkLayer } from '../../../src/main/engine/decode/decoded-packet';
import { addServiceName, type FlowHandle, type FlowPacketEvent } from '../../../src/main/engine/flows/flow-hooks';
import type { FlowRecord, TransportName } from '../../../src/shared/domain/flow';
import type { DnsRecord, HttpRecord, WeirdRecord } from '../../../src/shared/domain/records';
import type { ZeekRow } from '../../../src/main/engine/analyzers/parsers';

/** A flow handle as the flow table hands it out, with the service list kept like FlowState keeps it. */
function createFlow(transport: TransportName, responderPort: number, uid = 'Ctest1'): FlowHandle {
  let service: string | null = null;
  const sides = { originatorPort: 40000, responderPort, originatorAddressText: '10.66.0.10', responderAddressText: '198.51.100.20' };
  return {
    uid,
    transport,
    protocol: transport === 'tcp' ? 6 : transport === 'udp' ? 17 : 1,
    ipVersion: 4,
    get originatorPort() {
      return sides.originatorPort;
    },
    get responderPort() {
      return sides.responderPort;
    },
    get originatorAddressText() {
      return sides.originatorAddressText;
    },
    get responderAddressText() {
      return sides.responderAddressText;
    },
    startUs: 1_000_000,
    get service() {
      return service;
    },
    setService(name: string) {
      service = addServiceName(service, name);
    },
    flipRoles() {
      [sides.originatorPort, sides.responderPort] = [sides.responderPort, sides.originatorPort];
      [sides.originatorAddressText, sides.responderAddressText] = [sides.responderAddressText, sides.originatorAddressText];
    },
    analyzerState: undefined,
  };
}

interface Collected {
  dns: DnsRecord[];
  http: HttpRecord[];
  weird: WeirdRecord[];
  ssh: ZeekRow[];
}

function createAnalyzers(): { analyzers: ApplicationAnalyzers; collected: Collected } {
  const collected: Collected = { dns: [], http: [], weird: [], ssh: [] };
  const analyzers = new ApplicationAnalyzers({
    onDns: (record) => collected.dns.push(record),
    onHttp: (record) => collected.http.push(record),
    onWeird: (record) => collected.weird.push(record),
    onSsh: (row) => collected.ssh.push(row),
  });
  return { analyzers, collected };
}

let packetNumber = 0;

/** One TCP segment whose packet bytes are just the payload. */
function sendTcp(analyzers: ApplicationAnalyzers, flow: FlowHandle, isFromOriginator: boolean, flags: number, sequence: number, text: string): void {
  const data = Buffer.from(text, 'latin1');
  const layer: NetworkLayer = { ...createNetworkLayer(), ipVersion: 4, protocol: 6, hasTransport: true, tcpFlags: flags, tcpSequence: sequence, payloadOffset: 0, payloadLength: data.length };
  packetNumber++;
  const event: FlowPacketEvent = { flow, isFromOriginator, layer, layerIndex: 0, data, timestampUs: 1_000_000 + packetNumber, packetNumber, isNewFlow: packetNumber === 1 };
  analyzers.onFlowPacket(event);
}

/** One UDP datagram (or IPv4 fragment, when `fragment` is given) carrying `payload`. */
function sendUdp(analyzers: ApplicationAnalyzers, flow: FlowHandle, isFromOriginator: boolean, payload: Uint8Array, fragment?: { id: number; offset: number; hasMore: boolean; udpLength?: number }): void {
  const layer: NetworkLayer = { ...createNetworkLayer(), ipVersion: 4, protocol: 17, hasTransport: true };
  let data: Uint8Array;
  if (fragment === undefined) {
    data = payload;
    layer.payloadOffset = 0;
    layer.payloadLength = payload.length;
  } else {
    // A 20-byte IPv4 header, then (first fragment only) the 8-byte UDP header.
    const udpHeader = fragment.offset === 0 ? [0x9c, 0x40, 0, 53, (fragment.udpLength ?? 0) >> 8, (fragment.udpLength ?? 0) & 0xff, 0, 0] : [];
    data = Uint8Array.from([0x45, ...new Array<number>(19).fill(0), ...udpHeader, ...payload]);
    Object.assign(layer, {
      ipOffset: 0, ipLength: data.length, isFragment: true, fragmentId: fragment.id, fragmentOffset: fragment.offset,
      hasMoreFragments: fragment.hasMore, transportOffset: 20, payloadOffset: 28, payloadLength: data.length - 28,
    });
  }
  packetNumber++;
  analyzers.onFlowPacket({ flow, isFromOriginator, layer, layerIndex: 0, data, timestampUs: 2_000_000 + packetNumber, packetNumber, isNewFlow: false });
}

function finishFlow(analyzers: ApplicationAnalyzers, flow: FlowHandle): FlowRecord {
  analyzers.onFlowEnd(flow);
  const record = { uid: flow.uid, service: flow.service } as FlowRecord;
  analyzers.annotateFlowRecord(record);
  return record;
}

/** A DNS response for a.example A 192.0.2.1 with id 7. */
function buildDnsResponse(): Uint8Array {
  const name = [1, 0x61, 7, ...Buffer.from('example'), 0];
  return Uint8Array.from([0, 7, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, ...name, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]);
}

describe('ApplicationAnalyzers', () => {
  it('marks SSH on port 8080 as unusual and logs its banners', () => {
    const { analyzers, collected } = createAnalyzers();
    const flow = createFlow('tcp', 8080);
    sendTcp(analyzers, flow, true, 0x02, 999, '');
    sendTcp(analyzers, flow, false, 0x12, 4999, '');
    sendTcp(analyzers, flow, false, 0x18, 5000, 'SSH-2.0-OpenSSH_9.2p1\r\n');
    sendTcp(analyzers, flow, true, 0x18, 1000, 'SSH-2.0-OpenSSH_9.6\r\n');
    const record = finishFlow(analyzers, flow);
    expect(record.service).toBe('ssh');
    expect(record.isServiceOnUnusualPort).toBe(true);
    expect(record.expectedPorts).toEqual([22]);
    expect(collected.ssh[0]?.client).toBe('SSH-2.0-OpenSSH_9.6');
    expect(collected.ssh[0]?.server).toBe('SSH-2.0-OpenSSH_9.2p1');
  });

  it('replays a request held before the response identified HTTP', () => {
    const { analyzers, collected } = createAnalyzers();
    const flow = createFlow('tcp', 80);
    // "PO" and "ST /a ..." in two segments: neither identifies HTTP by itself.
    sendTcp(analyzers, flow, true, 0x02, 99, '');
    sendTcp(analyzers, flow, true, 0x18, 100, 'PO');
    sendTcp(analyzers, flow, true, 0x18, 102, 'ST /a HTTP/1.1\r\nHost: h.example\r\nContent-Length: 0\r\n\r\n');
    sendTcp(analyzers, flow, false, 0x18, 500, 'HTTP/1.1 204 No Content\r\n\r\n');
    const record = finishFlow(analyzers, flow);
    expect(record.service).toBe('http');
    expect(collected.http.map((row) => [row.method, row.uri, row.statusCode])).toEqual([['POST', '/a', 204]]);
  });

  it('stops trying a side after four unidentified chunks', () => {
    const { analyzers, collected } = createAnalyzers();
    const flow = createFlow('tcp', 9000);
    sendTcp(analyzers, flow, true, 0x02, 99, '');
    // Four binary chunks use up the originator's attempts; the request line after them is not read.
    for (let i = 0; i < 4; i++) sendTcp(analyzers, flow, true, 0x18, 100 + i * 4, '\x01\x02\x03\x04');
    sendTcp(analyzers, flow, true, 0x18, 116, 'GET / HTTP/1.1\r\nHost: late.example\r\n\r\n');
    const state = flow.analyzerState as { streams: { isStopped: boolean; counters: { deliveredBytes: number } }[] };
    expect(state.streams[0]?.isStopped).toBe(true);
    expect(state.streams[0]?.counters.deliveredBytes).toBe(16);
    expect(state.streams[1]?.isStopped).toBe(false);
    // The responder still gets its four tries: an HTTP status line identifies the flow.
    sendTcp(analyzers, flow, false, 0x18, 500, 'HTTP/1.1 204 No Content\r\n\r\n');
    const record = finishFlow(analyzers, flow);
    expect(record.service).toBe('http');
    expect(collected.http.length).toBe(1);
  });

  it('identifies HTTP inside a SOCKS 5 tunnel', () => {
    const { analyzers, collected } = createAnalyzers();
    const flow = createFlow('tcp', 1080);
    sendTcp(analyzers, flow, true, 0x02, 0, '');
    sendTcp(analyzers, flow, true, 0x18, 1, '\x05\x01\x00');
    sendTcp(analyzers, flow, false, 0x18, 1, '\x05\x00');
    sendTcp(analyzers, flow, true, 0x18, 4, '\x05\x01\x00\x01\xc6\x33\x64\x14\x00\x50');
    sendTcp(analyzers, flow, false, 0x18, 3, '\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00');
    sendTcp(analyzers, flow, true, 0x18, 14, 'GET / HTTP/1.1\r\nHost: tunnelled.example\r\n\r\n');
    sendTcp(analyzers, flow, false, 0x18, 13, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const record = finishFlow(analyzers, flow);
    expect(record.service).toBe('socks,http');
    expect(record.isServiceOnUnusualPort).toBe(false);
    expect(collected.http[0]).toMatchObject({ host: 'tunnelled.example', statusCode: 200, responseBodyBytes: 2 });
  });

  it('rebuilds a DNS response split into IPv4 fragments', () => {
    const { analyzers, collected } = createAnalyzers();
    const flow = createFlow('udp', 53);
    const response = buildDnsResponse();
    // 8 UDP header bytes + 16 payload bytes in the first fragment, the rest at IP offset 24.
    sendUdp(analyzers, flow, false, response.subarray(16), { id: 9, offset: 24, hasMore: false });
    sendUdp(analyzers, flow, false, response.subarray(0, 16), { id: 9, offset: 0, hasMore: true, udpLength: response.length + 8 });
    finishFlow(analyzers, flow);
    expect(collected.dns).toHaveLength(1);
    expect(collected.dns[0]).toMatchObject({ query: 'a.example', answers: ['192.0.2.1'], answerTtlsSeconds: [60] });
  });

  it('writes each weird name once per flow', () => {
    const { analyzers, collected } = createAnalyzers();
    const flow = createFlow('udp', 53);
    sendUdp(analyzers, flow, true, buildDnsResponse());
    sendUdp(analyzers, flow, true, buildDnsResponse().subarray(0, 20));
    sendUdp(analyzers, flow, true, buildDnsResponse().subarray(0, 21));
    finishFlow(analyzers, flow);
    expect(collected.weird.map((weird) => weird.name)).toEqual(['DNS_label_len_gt_pkt']);
  });

  it('summarises ICMP echo payloads and flags a random one', () => {
    const { analyzers } = createAnalyzers();
    const flow = createFlow('icmp', 0);
    const random = Uint8Array.from({ length: 1000 }, (_value, index) => (index * 167 + 13) % 256 ^ (index >> 3));
    const layer: NetworkLayer = { ...createNetworkLayer(), ipVersion: 4, protocol: 1, hasTransport: true, icmpType: 8, payloadOffset: 0, payloadLength: random.length };
    analyzers.onFlowPacket({ flow, isFromOriginator: true, layer, layerIndex: 0, data: random, timestampUs: 1, packetNumber: 1, isNewFlow: true });
    const record = finishFlow(analyzers, flow);
    expect(record.icmp).toMatchObject({ typeName: 'echo-request', echoMessages: 1, echoPayloadMaxBytes: 1000, isTunnelSuspected: true });
  });

  it('survives random payloads on every kind of flow', () => {
    const { analyzers } = createAnalyzers();
    let seed = 7;
    const nextByte = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed >> 16 & 0xff;
    };
    for (const [transport, port] of [['tcp', 80], ['tcp', 443], ['tcp', 445], ['udp', 53], ['udp', 67], ['udp', 443]] as const) {
      const flow = createFlow(transport, port, `C${transport}${port}`);
      for (let i = 0; i < 50; i++) {
        const payload = Uint8Array.from({ length: nextByte() * 4 }, nextByte);
        if (transport === 'tcp') sendTcp(analyzers, flow, i % 2 === 0, 0x18, 1 + i * 1024, Buffer.from(payload).toString('latin1'));
        else sendUdp(analyzers, flow, i % 2 === 0, payload);
      }
      expect(() => finishFlow(analyzers, flow)).not.toThrow();
    }
  });
});
