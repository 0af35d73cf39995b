/**
 * Small valid captures built byte by byte, the fuzz seeds that exist without
 * any file: pcap in both byte orders and resolutions, pcapng with two
 * interfaces and several block types, over Ethernet, null and raw IP links.
 * Checksums are left zero because the engine does not verify them.
 */

/** A built capture and the offsets of its records, for splicing and length mutations. */
export interface SeedCapture {
  name: string;
  bytes: Uint8Array;
  format: 'pcap' | 'pcapng';
  isLittleEndian: boolean;
  /** Byte offset of every packet record (pcap) or block (pcapng) after the file header. */
  recordOffsets: number[];
}

/** One frame with the link type it belongs to. */
interface Frame {
  linkType: number;
  bytes: Uint8Array;
}

const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function ipv4Address(text: string): number[] {
  return text.split('.').map(Number);
}

function ipv6Address(text: string): number[] {
  // Only the "prefix::suffix" spellings used below are needed.
  const [head = '', tail = ''] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = [
    ...headGroups,
    ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'),
    ...tailGroups,
  ];
  return groups.flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

/** IPv4 header (20 bytes, no options) followed by `payload`. */
function ipv4(
  protocol: number,
  source: string,
  destination: string,
  payload: Uint8Array,
  fragment = { id: 1, offset: 0, hasMore: false },
): Uint8Array {
  const total = 20 + payload.length;
  const flagsAndOffset = (fragment.hasMore ? 0x2000 : 0) | (fragment.offset >> 3);
  // prettier-ignore
  const header = [
    0x45, 0x00, total >> 8, total & 0xff, // version 4, IHL 5; total length
    fragment.id >> 8, fragment.id & 0xff, flagsAndOffset >> 8, flagsAndOffset & 0xff, // identification; flags and fragment offset
    64, protocol, 0x00, 0x00, // TTL, protocol, checksum left zero
    ...ipv4Address(source),
    ...ipv4Address(destination),
  ];
  return concat([Uint8Array.from(header), payload]);
}

/** IPv6 header followed by `payload`, with an 8-byte hop-by-hop header between them when `hasHopByHop`. */
function ipv6(
  nextHeader: number,
  source: string,
  destination: string,
  payload: Uint8Array,
  hasHopByHop = false,
): Uint8Array {
  // Hop-by-hop: next header, length 0 (8 bytes), PadN option filling the rest.
  const extension = hasHopByHop ? Uint8Array.from([nextHeader, 0, 1, 4, 0, 0, 0, 0]) : new Uint8Array(0);
  const payloadLength = extension.length + payload.length;
  // prettier-ignore
  const header = [
    0x60, 0x00, 0x00, 0x00, // version 6, traffic class, flow label
    payloadLength >> 8, payloadLength & 0xff, hasHopByHop ? 0 : nextHeader, 64, // payload length, next header, hop limit
    ...ipv6Address(source),
    ...ipv6Address(destination),
  ];
  return concat([Uint8Array.from(header), extension, payload]);
}

function tcp(
  sourcePort: number,
  destinationPort: number,
  sequence: number,
  acknowledgement: number,
  flags: number,
  payload: Uint8Array = new Uint8Array(0),
): Uint8Array {
  // prettier-ignore
  const header = [
    sourcePort >> 8, sourcePort & 0xff, destinationPort >> 8, destinationPort & 0xff,
    (sequence >>> 24) & 0xff, (sequence >>> 16) & 0xff, (sequence >>> 8) & 0xff, sequence & 0xff,
    (acknowledgement >>> 24) & 0xff, (acknowledgement >>> 16) & 0xff, (acknowledgement >>> 8) & 0xff, acknowledgement & 0xff,
    0x50, flags, 0xff, 0xff, // data offset 5 words; flags; window
    0x00, 0x00, 0x00, 0x00, // checksum, urgent pointer
  ];
  return concat([Uint8Array.from(header), payload]);
}

function udp(sourcePort: number, destinationPort: number, payload: Uint8Array): Uint8Array {
  const length = 8 + payload.length;
  const header = [
    sourcePort >> 8,
    sourcePort & 0xff,
    destinationPort >> 8,
    destinationPort & 0xff,
    length >> 8,
    length & 0xff,
    0,
    0,
  ];
  return concat([Uint8Array.from(header), payload]);
}

function ethernet(etherType: number, payload: Uint8Array, vlanId: number | null = null): Uint8Array {
  const macs = [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01]; // destination, source
  const tag = vlanId === null ? [] : [0x81, 0x00, vlanId >> 8, vlanId & 0xff];
  return concat([Uint8Array.from([...macs, ...tag, etherType >> 8, etherType & 0xff]), payload]);
}

const SYN = 0x02;
const ACK = 0x10;
const PSH_ACK = 0x18;
const FIN_ACK = 0x11;

/** A DNS query for example.com, type A. */
// prettier-ignore
const dnsQuery = Uint8Array.from([
  0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, // id, flags RD, 1 question
  7, ...ascii('example'), 3, ...ascii('com'), 0, 0, 1, 0, 1, // example.com A IN
]);

/** Frames covering the decoder's layers: TCP handshake, UDP, ICMP error, IPv6, VLAN, fragments, tunnels, ARP. */
function buildEthernetFrames(): Uint8Array[] {
  const client = '10.0.0.1';
  const server = '10.0.0.2';
  const request = ascii('GET / HTTP/1.1\r\nHost: example.com\r\n\r\n');
  const udpDatagram = udp(40001, 53, dnsQuery);
  const fragmentedPayload = udp(40002, 9999, new Uint8Array(40).fill(0x41));
  const innerTcp = ipv4(6, '192.168.1.1', '192.168.1.2', tcp(50000, 443, 7, 0, SYN));
  const vxlanHeader = Uint8Array.from([0x08, 0, 0, 0, 0, 0, 0x2a, 0]); // flags I, VNI 42
  return [
    ethernet(0x0800, ipv4(6, client, server, tcp(40000, 80, 1000, 0, SYN))),
    ethernet(0x0800, ipv4(6, server, client, tcp(80, 40000, 5000, 1001, SYN | ACK))),
    ethernet(0x0800, ipv4(6, client, server, tcp(40000, 80, 1001, 5001, PSH_ACK, request))),
    ethernet(0x0800, ipv4(6, client, server, tcp(40000, 80, 1001 + request.length, 5001, FIN_ACK))),
    ethernet(0x0800, ipv4(17, client, '10.0.0.53', udpDatagram)),
    // ICMP port unreachable quoting the DNS query's IP and UDP headers.
    ethernet(
      0x0800,
      ipv4(
        1,
        '10.0.0.53',
        client,
        concat([Uint8Array.from([3, 3, 0, 0, 0, 0, 0, 0]), ipv4(17, client, '10.0.0.53', udpDatagram).subarray(0, 28)]),
      ),
    ),
    ethernet(0x0800, ipv4(1, client, server, Uint8Array.from([8, 0, 0, 0, 0, 1, 0, 1, 0x61, 0x62]))),
    ethernet(0x86dd, ipv6(17, 'fe80::1', 'ff02::fb', udp(5353, 5353, dnsQuery), true)),
    ethernet(0x86dd, ipv6(6, '2001:db8::1', '2001:db8::2', tcp(40003, 22, 1, 0, SYN))),
    ethernet(0x0800, ipv4(6, client, server, tcp(40004, 8080, 1, 0, SYN)), 100),
    ethernet(0x0800, ipv4(17, client, server, fragmentedPayload.subarray(0, 24), { id: 77, offset: 0, hasMore: true })),
    ethernet(0x0800, ipv4(17, client, server, fragmentedPayload.subarray(24), { id: 77, offset: 24, hasMore: false })),
    // GRE (no flags, protocol 0x0800) carrying IPv4/TCP.
    ethernet(0x0800, ipv4(47, '172.16.0.1', '172.16.0.2', concat([Uint8Array.from([0, 0, 0x08, 0x00]), innerTcp]))),
    ethernet(
      0x0800,
      ipv4(17, '172.16.0.1', '172.16.0.2', udp(40005, 4789, concat([vxlanHeader, ethernet(0x0800, innerTcp)]))),
    ),
    // ARP request: Ethernet/IPv4, who has 10.0.0.2.
    ethernet(
      0x0806,
      Uint8Array.from([0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2]),
    ),
  ];
}

/** pcap: 24-byte file header, then per packet a 16-byte record header and the frame. */
function buildPcap(
  name: string,
  frames: Uint8Array[],
  linkType: number,
  isLittleEndian: boolean,
  isNanosecond: boolean,
): SeedCapture {
  const parts: Uint8Array[] = [];
  const header = new DataView(new ArrayBuffer(24));
  header.setUint32(0, isNanosecond ? 0xa1b23c4d : 0xa1b2c3d4, isLittleEndian);
  header.setUint16(4, 2, isLittleEndian); // version 2.4
  header.setUint16(6, 4, isLittleEndian);
  header.setUint32(16, 65535, isLittleEndian); // snaplen
  header.setUint32(20, linkType, isLittleEndian);
  parts.push(new Uint8Array(header.buffer));

  const recordOffsets: number[] = [];
  let offset = 24;
  frames.forEach((frame, index) => {
    const record = new DataView(new ArrayBuffer(16));
    record.setUint32(0, 1_700_000_000 + index, isLittleEndian); // seconds
    record.setUint32(4, index * 1000, isLittleEndian); // micro- or nanoseconds
    record.setUint32(8, frame.length, isLittleEndian); // captured length
    record.setUint32(12, frame.length, isLittleEndian); // original length
    recordOffsets.push(offset);
    parts.push(new Uint8Array(record.buffer), frame);
    offset += 16 + frame.length;
  });
  return { name, bytes: concat(parts), format: 'pcap', isLittleEndian, recordOffsets };
}

/** Builds one pcapng block: type, total length, body padded to 4 bytes, total length again. */
function pcapngBlock(type: number, body: Uint8Array, isLittleEndian: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const block = new Uint8Array(total);
  const view = new DataView(block.buffer);
  view.setUint32(0, type, isLittleEndian);
  view.setUint32(4, total, isLittleEndian);
  block.set(body, 8);
  view.setUint32(total - 4, total, isLittleEndian);
  return block;
}

function buildPcapng(name: string, frames: Frame[], isLittleEndian: boolean): SeedCapture {
  const blocks: Uint8Array[] = [];

  // Section header: byte-order magic, version 1.0, section length unknown (-1).
  const shb = new DataView(new ArrayBuffer(16));
  shb.setUint32(0, 0x1a2b3c4d, isLittleEndian);
  shb.setUint16(4, 1, isLittleEndian);
  shb.setUint16(6, 0, isLittleEndian);
  shb.setInt32(8, -1, isLittleEndian);
  shb.setInt32(12, -1, isLittleEndian);
  blocks.push(pcapngBlock(0x0a0d0d0a, new Uint8Array(shb.buffer), isLittleEndian));

  // One interface per link type; interface 0 carries if_tsresol = 9 (nanoseconds) and opt_endofopt.
  const linkTypes = [...new Set(frames.map((frame) => frame.linkType))];
  linkTypes.forEach((linkType, index) => {
    const idb = new DataView(new ArrayBuffer(index === 0 ? 20 : 8));
    idb.setUint16(0, linkType, isLittleEndian);
    idb.setUint32(4, 65535, isLittleEndian); // snaplen
    if (index === 0) {
      idb.setUint16(8, 9, isLittleEndian); // if_tsresol
      idb.setUint16(10, 1, isLittleEndian);
      idb.setUint8(12, 9);
      // bytes 13-15 pad the option; 16-19 are opt_endofopt.
    }
    blocks.push(pcapngBlock(0x00000001, new Uint8Array(idb.buffer), isLittleEndian));
  });

  frames.forEach((frame, index) => {
    const interfaceId = linkTypes.indexOf(frame.linkType);
    // The last frame goes in a Simple Packet Block when it is on interface 0.
    if (index === frames.length - 1 && interfaceId === 0) {
      const spb = new DataView(new ArrayBuffer(4));
      spb.setUint32(0, frame.bytes.length, isLittleEndian); // original length
      blocks.push(pcapngBlock(0x00000003, concat([new Uint8Array(spb.buffer), frame.bytes]), isLittleEndian));
      return;
    }
    const epb = new DataView(new ArrayBuffer(20));
    const ticks = BigInt(1_700_000_000 + index) * (interfaceId === 0 ? 1_000_000_000n : 1_000_000n);
    epb.setUint32(0, interfaceId, isLittleEndian);
    epb.setUint32(4, Number(ticks >> 32n), isLittleEndian); // timestamp high
    epb.setUint32(8, Number(ticks & 0xffffffffn), isLittleEndian); // timestamp low
    epb.setUint32(12, frame.bytes.length, isLittleEndian); // captured length
    epb.setUint32(16, frame.bytes.length, isLittleEndian); // original length
    blocks.push(pcapngBlock(0x00000006, concat([new Uint8Array(epb.buffer), frame.bytes]), isLittleEndian));
  });

  const recordOffsets: number[] = [];
  let offset = blocks[0]?.length ?? 0;
  for (const block of blocks.slice(1)) {
    recordOffsets.push(offset);
    offset += block.length;
  }
  return { name, bytes: concat(blocks), format: 'pcapng', isLittleEndian, recordOffsets };
}

/** Returns the built seed captures; the same bytes on every call. */
export function buildSeedCaptures(): SeedCapture[] {
  const ethernetFrames = buildEthernetFrames();
  const rawFrames = ethernetFrames
    .filter((frame) => frame[12] === 0x08 && frame[13] === 0x00)
    .map((frame) => frame.subarray(14));
  // Null/loopback: a 4-byte host-order address family (2 = AF_INET) before the IP header.
  const nullFrames = rawFrames.map((frame) => concat([Uint8Array.from([2, 0, 0, 0]), frame]));
  const mixed: Frame[] = [
    ...ethernetFrames.map((bytes) => ({ linkType: LINKTYPE_ETHERNET, bytes })),
    ...rawFrames.slice(0, 4).map((bytes) => ({ linkType: LINKTYPE_RAW, bytes })),
  ];
  return [
    buildPcap('ethernet-le-us.pcap', ethernetFrames, LINKTYPE_ETHERNET, true, false),
    buildPcap('ethernet-be-ns.pcap', ethernetFrames, LINKTYPE_ETHERNET, false, true),
    buildPcap('null-le-us.pcap', nullFrames, LINKTYPE_NULL, true, false),
    buildPcapng('mixed-le.pcapng', mixed, true),
    buildPcapng(
      'ethernet-be.pcapng',
      ethernetFrames.map((bytes) => ({ linkType: LINKTYPE_ETHERNET, bytes })),
      false,
    ),
  ];
}
