import { describe, expect, it } from 'vitest';
import { decodePacketTree } from '../../../src/main/engine/packets/packet-tree-decoder';
import type { PacketTreeNode } from '../../../src/shared/domain/packet-tree';
import { ByteWriter } from '../../support/capture-writer';

const frame = { packetNumber: 7, timestampUs: 1_700_000_000_123_456, originalLength: 0 };

/** Find the node for a Wireshark field anywhere in the tree. */
function findField(layers: PacketTreeNode[], field: string): PacketTreeNode | undefined {
  for (const layer of layers) {
    if (layer.field === field) return layer;
    const inner = findField(layer.children, field);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

function span(layers: PacketTreeNode[], field: string): [number, number, string | null] {
  const found = findField(layers, field);
  return [found?.offset ?? -1, found?.length ?? -1, found?.value ?? null];
}

function ethernetVlanIpv4Udp(payload: Uint8Array): Uint8Array {
  return new ByteWriter('big')
    .raw([0x02, 0, 0, 0, 0, 0x02]) // 0: destination MAC
    .raw([0x02, 0, 0, 0, 0, 0x01]) // 6: source MAC
    .u16(0x8100) // 12: 802.1Q
    .u16(0x2064) // 14: PRI 1, DEI 0, VLAN 100
    .u16(0x0800) // 16: IPv4
    .u8(0x45).u8(0) // 18: version 4, IHL 5; DSCP
    .u16(20 + 8 + payload.length) // 20: total length
    .u16(0x1234).u16(0x4000) // 22: id; DF
    .u8(64).u8(17).u16(0) // 26: TTL 64, UDP, checksum
    .raw([10, 0, 0, 1]).raw([10, 0, 0, 53]) // 30, 34: addresses
    .u16(40000).u16(53) // 38: UDP ports
    .u16(8 + payload.length).u16(0) // 42: length, checksum
    .raw(payload) // 46: DNS
    .toBytes();
}

const dnsQuery = new ByteWriter('big')
  .u16(0xbeef).u16(0x0100) // id, flags: RD
  .u16(1).u16(0).u16(0).u16(0) // one question
  .u8(3).raw([0x77, 0x77, 0x77]).u8(7).raw(Array.from('example', (c) => c.charCodeAt(0))).u8(3).raw([0x63, 0x6f, 0x6d]).u8(0) // www.example.com
  .u16(1).u16(1) // type A, class IN
  .toBytes();

describe('packet drill-down tree', () => {
  it('gives every layer and field its byte offset and length', () => {
    const bytes = ethernetVlanIpv4Udp(dnsQuery);
    const tree = decodePacketTree(bytes, 1, { ...frame, originalLength: bytes.length });
    expect(tree.layers.map((layer) => layer.label.split(',')[0])).toEqual([
      'Frame 7: 79 bytes on wire', 'Ethernet II', '802.1Q Virtual LAN', 'Internet Protocol Version 4', 'User Datagram Protocol', 'Domain Name System (query)',
    ]);
    expect(tree.problems).toEqual([]);
    expect(span(tree.layers, 'eth.src')).toEqual([6, 6, '02:00:00:00:00:01']);
    expect(span(tree.layers, 'vlan.id')).toEqual([14, 2, '100']);
    expect(span(tree.layers, 'ip.ttl')).toEqual([26, 1, '64']);
    expect(span(tree.layers, 'ip.src')).toEqual([30, 4, '10.0.0.1']);
    expect(span(tree.layers, 'ip.dst')).toEqual([34, 4, '10.0.0.53']);
    expect(span(tree.layers, 'udp.dstport')).toEqual([40, 2, '53']);
    expect(span(tree.layers, 'dns.id')).toEqual([46, 2, '0xbeef']);
    // Question name: 3www7example3com0 = 17 bytes after the 12-byte header.
    expect(span(tree.layers, 'dns.qry.name')).toEqual([58, 17, 'www.example.com']);
    expect(span(tree.layers, 'dns.qry.type')).toEqual([75, 2, '1']);
    expect(span(tree.layers, 'frame.time_epoch')).toEqual([0, 0, '1700000000.123456']);
  });

  it('decodes IPv6, TCP and the HTTP request lines', () => {
    const http = Array.from('GET /a HTTP/1.1\r\nHost: lab.example\r\n\r\n', (c) => c.charCodeAt(0));
    const bytes = new ByteWriter('big')
      .u32(0x60000000) // 0: version 6
      .u16(20 + http.length).u8(6).u8(64) // 4: payload length, TCP, hop limit
      .raw([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1]) // 8: 2001:db8::1
      .raw([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 2]) // 24: 2001:db8::2
      .u16(50000).u16(80) // 40: ports
      .u32(1000).u32(2000) // 44: seq, ack
      .u8(0x50).u8(0x18).u16(512) // 52: header 20 bytes, PSH ACK, window
      .u16(0).u16(0) // 56: checksum, urgent
      .raw(http) // 60: HTTP
      .toBytes();
    const tree = decodePacketTree(bytes, 101, { ...frame, originalLength: bytes.length });
    expect(span(tree.layers, 'ipv6.src')).toEqual([8, 16, '2001:db8::1']);
    expect(span(tree.layers, 'tcp.flags')).toEqual([53, 1, '0x18 (PSH, ACK)']);
    expect(span(tree.layers, 'tcp.seq_raw')).toEqual([44, 4, '1000']);
    expect(span(tree.layers, 'http.request.line')).toEqual([60, 17, 'GET /a HTTP/1.1']);
    expect(span(tree.layers, 'http.host')).toEqual([77, 19, 'lab.example']);
    expect(tree.layers.at(-1)?.length).toBe(http.length);
  });

  // Hostile and short input: each keeps the layers before the problem and names it.
  const truncations: Array<[string, number, string]> = [
    ['cut inside the Ethernet header', 10, 'Ethernet header truncated'],
    ['cut inside the VLAN tag', 16, '802.1Q tag truncated'],
    ['cut inside the IPv4 header', 30, 'IPv4 header truncated'],
    ['cut inside the UDP header', 44, 'UDP header truncated'],
    ['cut inside the DNS header', 50, 'DNS header truncated'],
    ['cut inside the DNS question', 60, 'DNS question 1 at byte 58'],
  ];
  it.each(truncations)('%s', (_, length, problem) => {
    const bytes = ethernetVlanIpv4Udp(dnsQuery).subarray(0, length);
    const tree = decodePacketTree(bytes, 1, { ...frame, originalLength: 79 });
    expect(tree.problems).toHaveLength(1);
    expect(tree.problems[0]).toContain(problem);
  });

  it('refuses a DNS pointer that points forward or at itself', () => {
    const looping = new ByteWriter('big').u16(1).u16(0).u16(1).u16(0).u16(0).u16(0).u16(0xc00c).u16(1).u16(1).toBytes();
    const tree = decodePacketTree(ethernetVlanIpv4Udp(looping), 1, { ...frame, originalLength: 60 });
    expect(tree.problems).toEqual(['DNS question 1 at byte 58 is malformed or truncated']);
  });

  it('rejects an IPv4 header length below 20', () => {
    const bytes = ethernetVlanIpv4Udp(dnsQuery);
    bytes[18] = 0x44; // IHL 4 = 16 bytes
    expect(decodePacketTree(bytes, 1, { ...frame, originalLength: 79 }).problems).toEqual(['IPv4 header length 16 at byte 18 is below 20']);
  });
});
