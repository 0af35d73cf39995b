/**
 * Decodes one packet into the packet view's tree: every layer and field
 * with its byte offset and length. This runs for one packet at a time when
 * the user opens it, so it allocates freely, but it reads like the hot-path
 * decoders: a bounds check before every read, and the first short header
 * stops decoding with a problem line while keeping what was decoded.
 */
import type { PacketTreeNode } from '../../../shared/domain/packet-tree';
import { formatAddressBytes } from '../flows/address-text';

const MAX_VLAN_TAGS = 8;
const MAX_IPV6_EXTENSIONS = 8;
const MAX_DNS_ENTRIES = 64;
const MAX_DNS_POINTER_HOPS = 32;
const MAX_HTTP_HEADER_LINES = 200;

export interface TreeResult {
  layers: PacketTreeNode[];
  problems: string[];
}

/** Decoding state shared by the layer functions. */
interface Cursor {
  data: Uint8Array;
  view: DataView;
  layers: PacketTreeNode[];
  problems: string[];
}

function node(label: string, offset: number, length: number, field: string | null = null, value: string | null = null): PacketTreeNode {
  return { label, field, value, offset, length, children: [] };
}

function fieldNode(name: string, field: string, value: string, offset: number, length: number): PacketTreeNode {
  return node(`${name}: ${value}`, offset, length, field, value);
}

function hex(value: number, digits: number): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}

function mac(data: Uint8Array, offset: number): string {
  return Array.from(data.subarray(offset, offset + 6), (byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/** Returns false (and records why) when fewer than `length` bytes remain at `offset`. */
function need(cursor: Cursor, offset: number, length: number, what: string): boolean {
  if (offset + length <= cursor.data.length) return true;
  cursor.problems.push(`${what} truncated: needs ${length} bytes at byte ${offset}, ${Math.max(0, cursor.data.length - offset)} present`);
  return false;
}

/**
 * Decode `data` (captured bytes of a packet of `linkType`). `frame` gives
 * the Frame layer's values. Returns the layers, outermost first.
 */
export function decodePacketTree(data: Uint8Array, linkType: number, frame: { packetNumber: number; timestampUs: number; originalLength: number }): TreeResult {
  const cursor: Cursor = { data, view: new DataView(data.buffer, data.byteOffset, data.byteLength), layers: [], problems: [] };
  const frameNode = node(`Frame ${frame.packetNumber}: ${frame.originalLength} bytes on wire, ${data.length} bytes captured`, 0, data.length);
  frameNode.children.push(
    node(`Arrival Time: ${new Date(Math.floor(frame.timestampUs / 1000)).toISOString()} (${frame.timestampUs} us)`, 0, 0, 'frame.time_epoch', String(frame.timestampUs / 1e6)),
    node(`Frame Length: ${frame.originalLength} bytes`, 0, 0, 'frame.len', String(frame.originalLength)),
    node(`Capture Length: ${data.length} bytes`, 0, 0, 'frame.cap_len', String(data.length)),
    node(`Link Type: ${linkType}`, 0, 0, null, String(linkType)),
  );
  cursor.layers.push(frameNode);
  decodeLink(cursor, linkType);
  return { layers: cursor.layers, problems: cursor.problems };
}

function decodeLink(cursor: Cursor, linkType: number): void {
  const { data, view } = cursor;
  switch (linkType) {
    case 1: {
      if (!need(cursor, 0, 14, 'Ethernet header')) return;
      const ethernet = node(`Ethernet II, Src: ${mac(data, 6)}, Dst: ${mac(data, 0)}`, 0, 14);
      ethernet.children.push(fieldNode('Destination', 'eth.dst', mac(data, 0), 0, 6), fieldNode('Source', 'eth.src', mac(data, 6), 6, 6));
      const type = view.getUint16(12, false);
      ethernet.children.push(fieldNode('Type', 'eth.type', hex(type, 4), 12, 2));
      cursor.layers.push(ethernet);
      decodeEtherType(cursor, type, 14, 0);
      return;
    }
    case 113: {
      if (!need(cursor, 0, 16, 'Linux cooked header')) return;
      const sll = node('Linux cooked capture v1', 0, 16);
      sll.children.push(
        fieldNode('Packet type', 'sll.pkttype', String(view.getUint16(0, false)), 0, 2),
        fieldNode('Link-layer address type', 'sll.hatype', String(view.getUint16(2, false)), 2, 2),
        fieldNode('Link-layer address length', 'sll.halen', String(view.getUint16(4, false)), 4, 2),
        fieldNode('Protocol', 'sll.etype', hex(view.getUint16(14, false), 4), 14, 2),
      );
      cursor.layers.push(sll);
      decodeEtherType(cursor, view.getUint16(14, false), 16, 0);
      return;
    }
    case 276: {
      if (!need(cursor, 0, 20, 'Linux cooked v2 header')) return;
      const sll2 = node('Linux cooked capture v2', 0, 20);
      sll2.children.push(fieldNode('Protocol', 'sll.etype', hex(view.getUint16(0, false), 4), 0, 2), fieldNode('Interface index', 'sll.ifindex', String(view.getUint32(4, false)), 4, 4));
      cursor.layers.push(sll2);
      decodeEtherType(cursor, view.getUint16(0, false), 20, 0);
      return;
    }
    case 0: {
      if (!need(cursor, 0, 4, 'Null/Loopback header')) return;
      // The family is in the capturing host's byte order; a little-endian value has its low byte first.
      const family = data[0] !== 0 ? view.getUint32(0, true) : view.getUint32(0, false);
      const loopback = node(`Null/Loopback, Family: ${family}`, 0, 4);
      loopback.children.push(fieldNode('Family', 'null.family', String(family), 0, 4));
      cursor.layers.push(loopback);
      if (family === 2) decodeIpv4(cursor, 4, 0);
      else if (family === 24 || family === 28 || family === 30) decodeIpv6(cursor, 4, 0);
      return;
    }
    case 101:
    case 12:
    case 14:
    case 228:
    case 229:
      decodeIpByVersion(cursor, 0, 0);
      return;
    default:
      cursor.problems.push(`link type ${linkType} is not decoded in the packet view; the bytes are shown as they are`);
  }
}

function decodeIpByVersion(cursor: Cursor, offset: number, depth: number): void {
  if (!need(cursor, offset, 1, 'IP header')) return;
  const version = (cursor.data[offset] ?? 0) >> 4;
  if (version === 4) decodeIpv4(cursor, offset, depth);
  else if (version === 6) decodeIpv6(cursor, offset, depth);
  else cursor.problems.push(`IP version ${version} at byte ${offset} is neither 4 nor 6`);
}

function decodeEtherType(cursor: Cursor, type: number, offset: number, vlanDepth: number): void {
  const { view } = cursor;
  if ((type === 0x8100 || type === 0x88a8 || type === 0x9100) && vlanDepth < MAX_VLAN_TAGS) {
    if (!need(cursor, offset, 4, '802.1Q tag')) return;
    const tci = view.getUint16(offset, false);
    const next = view.getUint16(offset + 2, false);
    const vlan = node(`802.1Q Virtual LAN, PRI: ${tci >> 13}, DEI: ${(tci >> 12) & 1}, ID: ${tci & 0x0fff}`, offset, 4);
    vlan.children.push(
      fieldNode('Priority', 'vlan.priority', String(tci >> 13), offset, 2),
      fieldNode('DEI', 'vlan.dei', String((tci >> 12) & 1), offset, 2),
      fieldNode('ID', 'vlan.id', String(tci & 0x0fff), offset, 2),
      fieldNode('Type', 'vlan.etype', hex(next, 4), offset + 2, 2),
    );
    cursor.layers.push(vlan);
    decodeEtherType(cursor, next, offset + 4, vlanDepth + 1);
    return;
  }
  if (type === 0x0800) decodeIpv4(cursor, offset, 0);
  else if (type === 0x86dd) decodeIpv6(cursor, offset, 0);
  else if (type === 0x0806) decodeArp(cursor, offset);
}

function decodeArp(cursor: Cursor, offset: number): void {
  if (!need(cursor, offset, 28, 'ARP packet')) return;
  const { view, data } = cursor;
  const operation = view.getUint16(offset + 6, false);
  const arp = node(`Address Resolution Protocol (${operation === 1 ? 'request' : operation === 2 ? 'reply' : operation})`, offset, 28);
  arp.children.push(
    fieldNode('Opcode', 'arp.opcode', String(operation), offset + 6, 2),
    fieldNode('Sender MAC address', 'arp.src.hw_mac', mac(data, offset + 8), offset + 8, 6),
    fieldNode('Sender IP address', 'arp.src.proto_ipv4', formatAddressBytes(data, offset + 14, false), offset + 14, 4),
    fieldNode('Target MAC address', 'arp.dst.hw_mac', mac(data, offset + 18), offset + 18, 6),
    fieldNode('Target IP address', 'arp.dst.proto_ipv4', formatAddressBytes(data, offset + 24, false), offset + 24, 4),
  );
  cursor.layers.push(arp);
}

function decodeIpv4(cursor: Cursor, offset: number, depth: number): void {
  if (!need(cursor, offset, 20, 'IPv4 header')) return;
  const { view, data } = cursor;
  const headerLength = ((data[offset] ?? 0) & 0x0f) * 4;
  if (headerLength < 20) {
    cursor.problems.push(`IPv4 header length ${headerLength} at byte ${offset} is below 20`);
    return;
  }
  if (!need(cursor, offset, headerLength, 'IPv4 header with options')) return;
  const totalLength = view.getUint16(offset + 2, false);
  const flagsFragment = view.getUint16(offset + 6, false);
  const protocol = data[offset + 9] ?? 0;
  const source = formatAddressBytes(data, offset + 12, false);
  const destination = formatAddressBytes(data, offset + 16, false);
  const ip = node(`Internet Protocol Version 4, Src: ${source}, Dst: ${destination}`, offset, headerLength);
  ip.children.push(
    fieldNode('Version', 'ip.version', '4', offset, 1),
    fieldNode('Header Length', 'ip.hdr_len', `${headerLength} bytes`, offset, 1),
    fieldNode('Differentiated Services Field', 'ip.dsfield', hex(data[offset + 1] ?? 0, 2), offset + 1, 1),
    fieldNode('Total Length', 'ip.len', String(totalLength), offset + 2, 2),
    fieldNode('Identification', 'ip.id', hex(view.getUint16(offset + 4, false), 4), offset + 4, 2),
    fieldNode('Flags', 'ip.flags', hex(flagsFragment >> 13, 1), offset + 6, 2),
    fieldNode('Fragment Offset', 'ip.frag_offset', String((flagsFragment & 0x1fff) * 8), offset + 6, 2),
    fieldNode('Time to Live', 'ip.ttl', String(data[offset + 8] ?? 0), offset + 8, 1),
    fieldNode('Protocol', 'ip.proto', String(protocol), offset + 9, 1),
    fieldNode('Header Checksum', 'ip.checksum', hex(view.getUint16(offset + 10, false), 4), offset + 10, 2),
    fieldNode('Source Address', 'ip.src', source, offset + 12, 4),
    fieldNode('Destination Address', 'ip.dst', destination, offset + 16, 4),
  );
  cursor.layers.push(ip);
  // Only the first fragment carries the transport header.
  if ((flagsFragment & 0x1fff) !== 0) return;
  const end = Math.min(data.length, offset + Math.max(totalLength, headerLength));
  decodeTransport(cursor, protocol, offset + headerLength, end, depth);
}

function decodeIpv6(cursor: Cursor, offset: number, depth: number): void {
  if (!need(cursor, offset, 40, 'IPv6 header')) return;
  const { view, data } = cursor;
  const payloadLength = view.getUint16(offset + 4, false);
  let nextHeader = data[offset + 6] ?? 0;
  const source = formatAddressBytes(data, offset + 8, true);
  const destination = formatAddressBytes(data, offset + 24, true);
  const ip = node(`Internet Protocol Version 6, Src: ${source}, Dst: ${destination}`, offset, 40);
  ip.children.push(
    fieldNode('Version', 'ipv6.version', '6', offset, 1),
    fieldNode('Flow Label', 'ipv6.flow', hex(view.getUint32(offset, false) & 0xfffff, 5), offset + 1, 3),
    fieldNode('Payload Length', 'ipv6.plen', String(payloadLength), offset + 4, 2),
    fieldNode('Next Header', 'ipv6.nxt', String(nextHeader), offset + 6, 1),
    fieldNode('Hop Limit', 'ipv6.hlim', String(data[offset + 7] ?? 0), offset + 7, 1),
    fieldNode('Source Address', 'ipv6.src', source, offset + 8, 16),
    fieldNode('Destination Address', 'ipv6.dst', destination, offset + 24, 16),
  );
  cursor.layers.push(ip);
  const end = Math.min(data.length, offset + 40 + payloadLength);
  let position = offset + 40;
  for (let count = 0; count < MAX_IPV6_EXTENSIONS && [0, 43, 44, 60].includes(nextHeader); count++) {
    if (!need(cursor, position, 8, 'IPv6 extension header')) return;
    const length = nextHeader === 44 ? 8 : ((data[position + 1] ?? 0) + 1) * 8;
    const extension = node(`IPv6 extension header ${nextHeader}, ${length} bytes`, position, length);
    extension.children.push(fieldNode('Next Header', 'ipv6.nxt', String(data[position] ?? 0), position, 1));
    ip.children.push(extension);
    // A fragment with a non-zero offset has no transport header.
    if (nextHeader === 44 && (view.getUint16(position + 2, false) & 0xfff8) !== 0) return;
    nextHeader = data[position] ?? 0;
    position += length;
  }
  decodeTransport(cursor, nextHeader, position, end, depth);
}

function decodeTransport(cursor: Cursor, protocol: number, offset: number, end: number, depth: number): void {
  if (protocol === 6) decodeTcp(cursor, offset, end);
  else if (protocol === 17) decodeUdp(cursor, offset, end);
  else if (protocol === 1 || protocol === 58) decodeIcmp(cursor, offset, end, protocol === 58);
  else if ((protocol === 4 || protocol === 41) && depth < 3) decodeIpByVersion(cursor, offset, depth + 1);
}

const TCP_FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];

function decodeTcp(cursor: Cursor, offset: number, end: number): void {
  if (!need(cursor, offset, 20, 'TCP header')) return;
  const { view, data } = cursor;
  const headerLength = ((data[offset + 12] ?? 0) >> 4) * 4;
  if (headerLength < 20) {
    cursor.problems.push(`TCP header length ${headerLength} at byte ${offset} is below 20`);
    return;
  }
  if (!need(cursor, offset, headerLength, 'TCP header with options')) return;
  const sourcePort = view.getUint16(offset, false);
  const destinationPort = view.getUint16(offset + 2, false);
  const flags = data[offset + 13] ?? 0;
  const flagText = TCP_FLAG_NAMES.filter((_, bit) => (flags & (1 << bit)) !== 0).join(', ');
  const payloadLength = Math.max(0, end - offset - headerLength);
  const tcp = node(`Transmission Control Protocol, Src Port: ${sourcePort}, Dst Port: ${destinationPort}, Len: ${payloadLength}`, offset, headerLength);
  tcp.children.push(
    fieldNode('Source Port', 'tcp.srcport', String(sourcePort), offset, 2),
    fieldNode('Destination Port', 'tcp.dstport', String(destinationPort), offset + 2, 2),
    fieldNode('Sequence Number (raw)', 'tcp.seq_raw', String(view.getUint32(offset + 4, false)), offset + 4, 4),
    fieldNode('Acknowledgment Number (raw)', 'tcp.ack_raw', String(view.getUint32(offset + 8, false)), offset + 8, 4),
    fieldNode('Header Length', 'tcp.hdr_len', `${headerLength} bytes`, offset + 12, 1),
    fieldNode('Flags', 'tcp.flags', `${hex(flags, 2)} (${flagText})`, offset + 13, 1),
    fieldNode('Window', 'tcp.window_size_value', String(view.getUint16(offset + 14, false)), offset + 14, 2),
    fieldNode('Checksum', 'tcp.checksum', hex(view.getUint16(offset + 16, false), 4), offset + 16, 2),
    fieldNode('Urgent Pointer', 'tcp.urgent_pointer', String(view.getUint16(offset + 18, false)), offset + 18, 2),
  );
  if (headerLength > 20) tcp.children.push(node(`Options: ${headerLength - 20} bytes`, offset + 20, headerLength - 20, 'tcp.options', null));
  cursor.layers.push(tcp);
  const payloadOffset = offset + headerLength;
  if (payloadLength === 0) return;
  if (sourcePort === 53 || destinationPort === 53) {
    // DNS over TCP: a two-byte length before each message; the first message is decoded.
    if (need(cursor, payloadOffset, 2, 'DNS length prefix')) decodeDns(cursor, payloadOffset + 2, end);
    return;
  }
  decodeHttp(cursor, payloadOffset, end);
}

function decodeUdp(cursor: Cursor, offset: number, end: number): void {
  if (!need(cursor, offset, 8, 'UDP header')) return;
  const { view } = cursor;
  const sourcePort = view.getUint16(offset, false);
  const destinationPort = view.getUint16(offset + 2, false);
  const length = view.getUint16(offset + 4, false);
  const udp = node(`User Datagram Protocol, Src Port: ${sourcePort}, Dst Port: ${destinationPort}`, offset, 8);
  udp.children.push(
    fieldNode('Source Port', 'udp.srcport', String(sourcePort), offset, 2),
    fieldNode('Destination Port', 'udp.dstport', String(destinationPort), offset + 2, 2),
    fieldNode('Length', 'udp.length', String(length), offset + 4, 2),
    fieldNode('Checksum', 'udp.checksum', hex(view.getUint16(offset + 6, false), 4), offset + 6, 2),
  );
  cursor.layers.push(udp);
  const payloadEnd = Math.min(end, offset + Math.max(8, length));
  const isDnsPort = (port: number): boolean => port === 53 || port === 5353 || port === 5355;
  if (isDnsPort(sourcePort) || isDnsPort(destinationPort)) decodeDns(cursor, offset + 8, payloadEnd);
}

function decodeIcmp(cursor: Cursor, offset: number, end: number, isVersion6: boolean): void {
  if (!need(cursor, offset, 4, isVersion6 ? 'ICMPv6 header' : 'ICMP header')) return;
  const { view, data } = cursor;
  const prefix = isVersion6 ? 'icmpv6' : 'icmp';
  const type = data[offset] ?? 0;
  const icmp = node(`${isVersion6 ? 'Internet Control Message Protocol v6' : 'Internet Control Message Protocol'}, Type: ${type}`, offset, Math.max(4, end - offset));
  icmp.children.push(
    fieldNode('Type', `${prefix}.type`, String(type), offset, 1),
    fieldNode('Code', `${prefix}.code`, String(data[offset + 1] ?? 0), offset + 1, 1),
    fieldNode('Checksum', `${prefix}.checksum`, hex(view.getUint16(offset + 2, false), 4), offset + 2, 2),
  );
  const isEcho = isVersion6 ? type === 128 || type === 129 : type === 8 || type === 0;
  if (isEcho && offset + 8 <= end) {
    icmp.children.push(
      fieldNode('Identifier', `${prefix}.ident`, String(view.getUint16(offset + 4, false)), offset + 4, 2),
      fieldNode('Sequence Number', `${prefix}.seq`, String(view.getUint16(offset + 6, false)), offset + 6, 2),
    );
  }
  cursor.layers.push(icmp);
}

/** Read a DNS name at `offset`; returns the text and the bytes it used in place (pointers count 2). */
function readDnsName(cursor: Cursor, start: number, messageStart: number, end: number): { name: string; length: number } | null {
  const { data } = cursor;
  const labels: string[] = [];
  let position = start;
  let length = -1;
  for (let hops = 0; hops <= MAX_DNS_POINTER_HOPS; ) {
    if (position >= end) return null;
    const size = data[position] ?? 0;
    if (size === 0) {
      if (length < 0) length = position + 1 - start;
      return { name: labels.length === 0 ? '<Root>' : labels.join('.'), length };
    }
    if ((size & 0xc0) === 0xc0) {
      if (position + 1 >= end) return null;
      const target = messageStart + (((size & 0x3f) << 8) | (data[position + 1] ?? 0));
      if (length < 0) length = position + 2 - start;
      // Pointers must go backwards, which also rules out loops.
      if (target >= position) return null;
      position = target;
      hops++;
      continue;
    }
    if (size > 63 || position + 1 + size > end) return null;
    labels.push(new TextDecoder('latin1').decode(data.subarray(position + 1, position + 1 + size)));
    position += 1 + size;
  }
  return null;
}

function decodeDns(cursor: Cursor, offset: number, end: number): void {
  if (!need(cursor, offset, 12, 'DNS header')) return;
  const { view } = cursor;
  const flags = view.getUint16(offset + 2, false);
  const counts = [4, 6, 8, 10].map((delta) => view.getUint16(offset + delta, false));
  const isResponse = (flags & 0x8000) !== 0;
  const dns = node(`Domain Name System (${isResponse ? 'response' : 'query'})`, offset, end - offset);
  dns.children.push(
    fieldNode('Transaction ID', 'dns.id', hex(view.getUint16(offset, false), 4), offset, 2),
    fieldNode('Flags', 'dns.flags', hex(flags, 4), offset + 2, 2),
    fieldNode('Questions', 'dns.count.queries', String(counts[0]), offset + 4, 2),
    fieldNode('Answer RRs', 'dns.count.answers', String(counts[1]), offset + 6, 2),
    fieldNode('Authority RRs', 'dns.count.auth_rr', String(counts[2]), offset + 8, 2),
    fieldNode('Additional RRs', 'dns.count.add_rr', String(counts[3]), offset + 10, 2),
  );
  cursor.layers.push(dns);
  let position = offset + 12;
  const questionCount = Math.min(counts[0] ?? 0, MAX_DNS_ENTRIES);
  for (let i = 0; i < questionCount; i++) {
    const name = readDnsName(cursor, position, offset, end);
    if (name === null || position + name.length + 4 > end) {
      cursor.problems.push(`DNS question ${i + 1} at byte ${position} is malformed or truncated`);
      return;
    }
    const type = view.getUint16(position + name.length, false);
    const question = node(`${name.name}: type ${type}, class ${view.getUint16(position + name.length + 2, false)}`, position, name.length + 4);
    question.children.push(fieldNode('Name', 'dns.qry.name', name.name, position, name.length), fieldNode('Type', 'dns.qry.type', String(type), position + name.length, 2));
    dns.children.push(question);
    position += name.length + 4;
  }
  const answerCount = Math.min(counts[1] ?? 0, MAX_DNS_ENTRIES);
  for (let i = 0; i < answerCount; i++) {
    const name = readDnsName(cursor, position, offset, end);
    if (name === null || position + name.length + 10 > end) {
      cursor.problems.push(`DNS answer ${i + 1} at byte ${position} is malformed or truncated`);
      return;
    }
    const fixed = position + name.length;
    const type = view.getUint16(fixed, false);
    const dataLength = view.getUint16(fixed + 8, false);
    if (fixed + 10 + dataLength > end) {
      cursor.problems.push(`DNS answer ${i + 1} data of ${dataLength} bytes at byte ${fixed + 10} runs past the message`);
      return;
    }
    const answer = node(`${name.name}: type ${type}, TTL ${view.getUint32(fixed + 4, false)}`, position, name.length + 10 + dataLength);
    answer.children.push(fieldNode('Name', 'dns.resp.name', name.name, position, name.length), fieldNode('Time to live', 'dns.resp.ttl', String(view.getUint32(fixed + 4, false)), fixed + 4, 4));
    if (type === 1 && dataLength === 4) answer.children.push(fieldNode('Address', 'dns.a', formatAddressBytes(cursor.data, fixed + 10, false), fixed + 10, 4));
    if (type === 28 && dataLength === 16) answer.children.push(fieldNode('AAAA Address', 'dns.aaaa', formatAddressBytes(cursor.data, fixed + 10, true), fixed + 10, 16));
    dns.children.push(answer);
    position = fixed + 10 + dataLength;
  }
}

const HTTP_STARTS = ['GET ', 'POST ', 'PUT ', 'HEAD ', 'DELETE ', 'OPTIONS ', 'PATCH ', 'CONNECT ', 'TRACE ', 'HTTP/1.'];

/** HTTP/1.x first line and header lines, when the segment starts a message. */
function decodeHttp(cursor: Cursor, offset: number, end: number): void {
  const { data } = cursor;
  const head = new TextDecoder('latin1').decode(data.subarray(offset, Math.min(end, offset + 8)));
  if (!HTTP_STARTS.some((start) => head.startsWith(start))) return;
  const http = node('Hypertext Transfer Protocol', offset, 0);
  let position = offset;
  for (let line = 0; line <= MAX_HTTP_HEADER_LINES && position < end; line++) {
    let lineEnd = position;
    while (lineEnd + 1 < end && !(data[lineEnd] === 0x0d && data[lineEnd + 1] === 0x0a)) lineEnd++;
    const isComplete = lineEnd + 1 < end;
    const text = new TextDecoder('latin1').decode(data.subarray(position, isComplete ? lineEnd : end));
    if (text === '') {
      http.children.push(node('\\r\\n (end of headers)', position, 2));
      position += 2;
      break;
    }
    const length = (isComplete ? lineEnd + 2 : end) - position;
    if (line === 0) http.children.push(node(text, position, length, head.startsWith('HTTP/') ? 'http.response.line' : 'http.request.line', text));
    else http.children.push(node(text, position, length, headerField(text), text.slice(text.indexOf(':') + 1).trim()));
    position += length;
    if (!isComplete) {
      cursor.problems.push(`HTTP header line at byte ${position - length} continues in a later segment`);
      break;
    }
  }
  http.length = position - offset;
  cursor.layers.push(http);
}

function headerField(line: string): string | null {
  const name = line.slice(0, Math.max(0, line.indexOf(':'))).toLowerCase();
  const known: Record<string, string> = { host: 'http.host', 'user-agent': 'http.user_agent', 'content-type': 'http.content_type', 'content-length': 'http.content_length', server: 'http.server', referer: 'http.referer', cookie: 'http.cookie' };
  return known[name] ?? null;
}
