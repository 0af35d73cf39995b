/**
 * Packet and byte counts of a capture's flows, computed from tshark's per-packet fields.
 *
 * The lab fixtures' expected files take every count from here, and the lab
 * tests recompute them, so a committed number is checked against tshark
 * rather than trusted. Connection state and history are not derived here:
 * they come from the reasoning written next to each fixture, and
 * `deriveHistoryLetters` only cross-checks that reasoning against the flags.
 */
import { spawnSync } from 'node:child_process';
import { openSync, readSync, closeSync } from 'node:fs';

const TSHARK_FIELDS = [
  'frame.number',
  'frame.time_epoch',
  'frame.len',
  'frame.cap_len',
  'vlan.id',
  'ip.src',
  'ip.dst',
  'ip.len',
  'ip.hdr_len',
  'ip.proto',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.plen',
  'ipv6.nxt',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.len',
  'tcp.flags',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'icmpv6.code',
  'communityid',
] as const;

type FieldName = (typeof TSHARK_FIELDS)[number];

/** One packet's fields from the outermost headers (tshark `occurrence=f`). */
export interface TsharkPacket {
  packetNumber: number;
  /** tshark's frame.time_epoch text, seconds with nine decimals. */
  epochText: string;
  timestampUs: number;
  wireLength: number;
  capturedLength: number;
  vlan: number | null;
  source: string;
  destination: string;
  ipProtocol: number;
  /** IPv4 total length, or IPv6 payload length + 40. */
  ipLength: number;
  /** Bytes after the IP header: the transport segment or ICMP message. */
  ipPayloadLength: number;
  sourcePort: number;
  destinationPort: number;
  /** Bytes after the transport header (TCP, UDP) or after the 8-byte ICMP header. */
  payloadLength: number;
  tcpFlags: number;
  communityId: string;
  /** False for frames without an IPv4 or IPv6 header (ARP, ...), whose address fields are empty. */
  isIp: boolean;
}

/** Counts of one flow in the FlowRecord field names. */
export interface TsharkFlow {
  originatorAddress: string;
  originatorPort: number;
  responderAddress: string;
  responderPort: number;
  transport: 'tcp' | 'udp' | 'icmp';
  ipProtocol: number;
  vlan: number | null;
  communityId: string;
  startUs: number;
  endUs: number;
  /**
   * Zeek's duration: first packet to the last packet that moved Zeek's
   * last_time. Zeek's TCP analyzer stops updating last_time once both
   * endpoints closed (TCPSessionAdapter::DeliverPacket checks did_close before
   * it processes the packet's own FIN), so a final ACK after both FINs is left out.
   */
  durationUs: number;
  firstPacketNumber: number;
  lastPacketNumber: number;
  originatorPackets: number;
  responderPackets: number;
  originatorIpBytes: number;
  responderIpBytes: number;
  originatorBytes: number;
  responderBytes: number;
}

export interface TsharkCaptureFacts {
  format: 'pcap' | 'pcapng';
  /** Timestamp resolution: from the magic number for pcap, from capinfos (the interfaces' if_tsresol) for pcapng. */
  timestampPrecision: 'microsecond' | 'nanosecond';
  packets: number;
  capturedBytes: number;
  wireBytes: number;
  firstTimestamp: string;
  lastTimestamp: string;
  firstUs: number;
  lastUs: number;
  flows: TsharkFlow[];
}

const TCP_FLAG = { fin: 0x01, syn: 0x02, rst: 0x04, ack: 0x10 } as const;
const IP_PROTOCOL = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58 } as const;

/** Return true when tshark can be run. */
export function isTsharkAvailable(): boolean {
  const result = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  return result.status === 0;
}

/** Convert tshark's epoch text ("1733349600.123456789") to integer microseconds. */
export function epochTextToMicroseconds(text: string): number {
  const [seconds = '', fraction = ''] = text.split('.');
  const micros = (fraction + '000000').slice(0, 6);
  return Number(seconds) * 1_000_000 + Number(micros);
}

/** Read the capture's file format and timestamp resolution from its first four bytes. */
export function readCaptureFormat(path: string): Pick<TsharkCaptureFacts, 'format' | 'timestampPrecision'> {
  const magic = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  const read = readSync(fd, magic, 0, 4, 0);
  closeSync(fd);
  if (read < 4) throw new Error(`${path}: expected a 4-byte capture magic number, found ${read} bytes`);
  const value = magic.readUInt32LE(0);
  if (value === 0x0a0d0d0a) return { format: 'pcapng', timestampPrecision: readPcapngPrecision(path) };
  if (value === 0xa1b2c3d4 || value === 0xd4c3b2a1) return { format: 'pcap', timestampPrecision: 'microsecond' };
  if (value === 0xa1b23c4d || value === 0x4d3cb2a1) return { format: 'pcap', timestampPrecision: 'nanosecond' };
  throw new Error(`${path}: unknown capture magic 0x${value.toString(16)}; expected pcap or pcapng`);
}

// pcapng keeps the resolution per interface (if_tsresol); capinfos reports it for the file.
function readPcapngPrecision(path: string): TsharkCaptureFacts['timestampPrecision'] {
  const result = spawnSync('capinfos', [path], { encoding: 'utf8' });
  const match = /File timestamp precision:\s+(\w+)/.exec(result.stdout);
  if (result.status !== 0 || match === null) {
    throw new Error(`capinfos failed on ${path} with status ${String(result.status)}: ${result.stderr}`);
  }
  if (match[1] === 'nanoseconds') return 'nanosecond';
  if (match[1] === 'microseconds') return 'microsecond';
  throw new Error(`${path}: expected microsecond or nanosecond timestamps, capinfos reports ${match[1]}`);
}

function toNumber(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  return text.startsWith('0x') ? Number.parseInt(text, 16) : Number(text);
}

/** Run tshark over a capture and return one record per packet. Throws if tshark fails. */
export function readTsharkPackets(path: string): TsharkPacket[] {
  const args = ['-n', '-r', path, '--enable-protocol', 'communityid', '-T', 'fields', '-E', 'occurrence=f', '-E', 'separator=\t'];
  for (const field of TSHARK_FIELDS) args.push('-e', field);
  const result = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`tshark failed on ${path} with status ${String(result.status)}: ${result.stderr}`);
  }
  const lines = result.stdout.split('\n').filter((line) => line.length > 0);
  return lines.map((line) => parseTsharkLine(line));
}

function parseTsharkLine(line: string): TsharkPacket {
  const cells = line.split('\t');
  const field = (name: FieldName): string => cells[TSHARK_FIELDS.indexOf(name)] ?? '';
  const isIpv6 = field('ip.src') === '';
  const ipProtocol = toNumber(isIpv6 ? field('ipv6.nxt') : field('ip.proto'));
  const ipLength = isIpv6 ? toNumber(field('ipv6.plen')) + 40 : toNumber(field('ip.len'));
  // NOTE: IPv6 extension headers are not subtracted; the lab captures have none.
  const ipPayloadLength = isIpv6 ? toNumber(field('ipv6.plen')) : ipLength - toNumber(field('ip.hdr_len'));
  const packet: TsharkPacket = {
    packetNumber: toNumber(field('frame.number')),
    epochText: field('frame.time_epoch'),
    timestampUs: epochTextToMicroseconds(field('frame.time_epoch')),
    wireLength: toNumber(field('frame.len')),
    capturedLength: toNumber(field('frame.cap_len')),
    vlan: field('vlan.id') === '' ? null : toNumber(field('vlan.id')),
    source: isIpv6 ? field('ipv6.src') : field('ip.src'),
    destination: isIpv6 ? field('ipv6.dst') : field('ip.dst'),
    ipProtocol,
    ipLength,
    ipPayloadLength,
    sourcePort: 0,
    destinationPort: 0,
    payloadLength: 0,
    tcpFlags: 0,
    communityId: field('communityid'),
    isIp: field('ip.src') !== '' || field('ipv6.src') !== '',
  };
  if (packet.isIp) fillTransport(packet, field);
  return packet;
}

// Transport fields come from the outer header only: for an ICMP error the
// tcp./udp. fields would describe the quoted packet, so they are ignored.
function fillTransport(packet: TsharkPacket, field: (name: FieldName) => string): void {
  if (packet.ipProtocol === IP_PROTOCOL.tcp) {
    packet.sourcePort = toNumber(field('tcp.srcport'));
    packet.destinationPort = toNumber(field('tcp.dstport'));
    packet.payloadLength = toNumber(field('tcp.len'));
    packet.tcpFlags = toNumber(field('tcp.flags'));
    return;
  }
  if (packet.ipProtocol === IP_PROTOCOL.udp) {
    packet.sourcePort = toNumber(field('udp.srcport'));
    packet.destinationPort = toNumber(field('udp.dstport'));
    packet.payloadLength = toNumber(field('udp.length')) - 8;
    return;
  }
  const isIcmp4 = packet.ipProtocol === IP_PROTOCOL.icmp;
  packet.sourcePort = toNumber(field(isIcmp4 ? 'icmp.type' : 'icmpv6.type'));
  packet.destinationPort = toNumber(field(isIcmp4 ? 'icmp.code' : 'icmpv6.code'));
  packet.payloadLength = packet.ipPayloadLength - 8;
}

// Zeek's ICMP counterparts (ICMP4_counterpart and ICMP6_counterpart in
// Zeek's ICMP analyzer): a request type pairs with its reply type, and any
// other message is one-way with the code in the responder-port position.
const ICMP4_PAIRS: ReadonlyMap<number, number> = new Map([
  [8, 0], [0, 8], [13, 14], [14, 13], [15, 16], [16, 15], [10, 9], [9, 10], [17, 18], [18, 17],
]);
const ICMP6_PAIRS: ReadonlyMap<number, number> = new Map([
  [128, 129], [129, 128], [133, 134], [134, 133], [135, 136], [136, 135], [130, 131], [131, 130],
]);
const ICMP_REQUEST_TYPES: ReadonlySet<number> = new Set([8, 13, 15, 10, 17, 128, 133, 135, 130]);

interface FlowKeyParts {
  key: string;
  isForward: boolean;
  originatorPort: number;
  responderPort: number;
}

function keyPacket(packet: TsharkPacket): FlowKeyParts {
  const vlan = packet.vlan ?? '-';
  if (packet.ipProtocol === IP_PROTOCOL.icmp || packet.ipProtocol === IP_PROTOCOL.icmpv6) {
    const pairs = packet.ipProtocol === IP_PROTOCOL.icmp ? ICMP4_PAIRS : ICMP6_PAIRS;
    const type = packet.sourcePort;
    const counterpart = pairs.get(type);
    if (counterpart === undefined) {
      const key = `${vlan}|${packet.ipProtocol}|${packet.source}|${type}|${packet.destination}|${packet.destinationPort}`;
      return { key, isForward: true, originatorPort: type, responderPort: packet.destinationPort };
    }
    const isRequest = ICMP_REQUEST_TYPES.has(type);
    const [orig, resp] = isRequest ? [packet.source, packet.destination] : [packet.destination, packet.source];
    const [origType, respType] = isRequest ? [type, counterpart] : [counterpart, type];
    const key = `${vlan}|${packet.ipProtocol}|${orig}|${origType}|${resp}|${respType}`;
    return { key, isForward: isRequest, originatorPort: origType, responderPort: respType };
  }
  const forward = `${vlan}|${packet.ipProtocol}|${packet.source}|${packet.sourcePort}|${packet.destination}|${packet.destinationPort}`;
  return { key: forward, isForward: true, originatorPort: packet.sourcePort, responderPort: packet.destinationPort };
}

function reverseKey(packet: TsharkPacket): string {
  const vlan = packet.vlan ?? '-';
  return `${vlan}|${packet.ipProtocol}|${packet.destination}|${packet.destinationPort}|${packet.source}|${packet.sourcePort}`;
}

function transportOf(ipProtocol: number): TsharkFlow['transport'] {
  if (ipProtocol === IP_PROTOCOL.tcp) return 'tcp';
  if (ipProtocol === IP_PROTOCOL.udp) return 'udp';
  return 'icmp';
}

/** Zeek's default inactivity timeouts in microseconds (tcp_, udp_ and icmp_inactivity_timeout). */
export const ZEEK_INACTIVITY_US = { tcp: 300_000_000, udp: 60_000_000, icmp: 60_000_000 } as const;

/**
 * Group IP packets into bidirectional flows, the originator being the sender
 * of a flow's first packet (ICMP: the sender of the request type). A packet
 * after more than Zeek's inactivity timeout starts a new flow. Non-IP frames
 * are skipped. Returns flows in order of their first packet.
 *
 * NOTE: a SYN-ACK seen first is not flipped as Zeek would. A new SYN on a
 * closed connection's ports joins the old flow. The lab captures have neither.
 */
export function groupFlows(packets: readonly TsharkPacket[]): TsharkFlow[] {
  const open = new Map<string, TsharkFlow>();
  const all: TsharkFlow[] = [];
  for (const packet of packets) {
    if (!packet.isIp) continue;
    const parts = keyPacket(packet);
    let key = parts.key;
    let flow = open.get(key);
    let isOriginator = parts.isForward;
    if (flow === undefined && parts.isForward && !isIcmp(packet)) {
      key = reverseKey(packet);
      flow = open.get(key);
      if (flow !== undefined) isOriginator = false;
    }
    if (flow !== undefined && packet.timestampUs - flow.endUs > ZEEK_INACTIVITY_US[flow.transport]) {
      open.delete(key);
      flow = undefined;
      isOriginator = parts.isForward;
    }
    if (flow === undefined) {
      flow = newFlow(packet, parts);
      open.set(parts.key, flow);
      all.push(flow);
    }
    addPacket(flow, packet, isOriginator);
  }
  return all;
}

function isIcmp(packet: TsharkPacket): boolean {
  return packet.ipProtocol === IP_PROTOCOL.icmp || packet.ipProtocol === IP_PROTOCOL.icmpv6;
}

function newFlow(packet: TsharkPacket, parts: FlowKeyParts): TsharkFlow {
  const [originatorAddress, responderAddress] = parts.isForward
    ? [packet.source, packet.destination]
    : [packet.destination, packet.source];
  return {
    originatorAddress,
    originatorPort: parts.originatorPort,
    responderAddress,
    responderPort: parts.responderPort,
    transport: transportOf(packet.ipProtocol),
    ipProtocol: packet.ipProtocol,
    vlan: packet.vlan,
    communityId: packet.communityId,
    startUs: packet.timestampUs,
    endUs: packet.timestampUs,
    durationUs: 0,
    firstPacketNumber: packet.packetNumber,
    lastPacketNumber: packet.packetNumber,
    originatorPackets: 0,
    responderPackets: 0,
    originatorIpBytes: 0,
    responderIpBytes: 0,
    originatorBytes: 0,
    responderBytes: 0,
  };
}

// Sides of each TCP flow that have sent FIN or RST, kept for Zeek's duration.
const closedSides = new WeakMap<TsharkFlow, { originator: boolean; responder: boolean }>();

function addPacket(flow: TsharkFlow, packet: TsharkPacket, isOriginator: boolean): void {
  const closed = closedSides.get(flow) ?? { originator: false, responder: false };
  closedSides.set(flow, closed);
  if (!(closed.originator && closed.responder)) flow.durationUs = packet.timestampUs - flow.startUs;
  // NOTE: a RST is taken to close its side like a FIN; the lab captures never have both sides close by RST.
  if (packet.tcpFlags & (TCP_FLAG.fin | TCP_FLAG.rst)) {
    if (isOriginator) closed.originator = true;
    else closed.responder = true;
  }
  flow.endUs = packet.timestampUs;
  flow.lastPacketNumber = packet.packetNumber;
  if (isOriginator) {
    flow.originatorPackets += 1;
    flow.originatorIpBytes += packet.ipLength;
    flow.originatorBytes += packet.payloadLength;
    return;
  }
  flow.responderPackets += 1;
  flow.responderIpBytes += packet.ipLength;
  flow.responderBytes += packet.payloadLength;
}

/** Collect a capture's totals and flows from tshark. Throws if tshark fails. */
export function readTsharkCaptureFacts(path: string): TsharkCaptureFacts {
  const packets = readTsharkPackets(path);
  const first = packets[0];
  const last = packets[packets.length - 1];
  if (first === undefined || last === undefined) throw new Error(`${path}: expected at least one packet, found none`);
  return {
    ...readCaptureFormat(path),
    packets: packets.length,
    capturedBytes: packets.reduce((sum, packet) => sum + packet.capturedLength, 0),
    wireBytes: packets.reduce((sum, packet) => sum + packet.wireLength, 0),
    firstTimestamp: first.epochText,
    lastTimestamp: last.epochText,
    firstUs: first.timestampUs,
    lastUs: last.timestampUs,
    flows: groupFlows(packets),
  };
}

/**
 * Derive Zeek history letters from TCP flags and payload, first occurrence
 * per direction, following Zeek's update_history: a packet with one of
 * SYN/FIN/RST gives S or H (SYN-ACK), F or R; one with several gives Q (or I
 * for FIN+RST); otherwise payload gives D and a bare ACK gives A. Upper case
 * is the originator. UDP payload gives D/d the same way. Retransmission,
 * window and checksum letters are not derived; this only cross-checks the
 * reasoning written for each lab fixture.
 */
export function deriveHistoryLetters(packets: readonly TsharkPacket[], originatorAddress: string): string {
  const seen = new Set<string>();
  let history = '';
  const note = (letter: string, isOriginator: boolean): void => {
    const shown = isOriginator ? letter : letter.toLowerCase();
    if (seen.has(shown)) return;
    seen.add(shown);
    history += shown;
  };
  for (const packet of packets) {
    const isOriginator = packet.source === originatorAddress;
    const flags = packet.tcpFlags;
    const control = [TCP_FLAG.syn, TCP_FLAG.fin, TCP_FLAG.rst].filter((bit) => flags & bit);
    if (control.length > 1) {
      note(flags & TCP_FLAG.fin && flags & TCP_FLAG.rst ? 'I' : 'Q', isOriginator);
      continue;
    }
    if (flags & TCP_FLAG.syn) note(flags & TCP_FLAG.ack ? 'H' : 'S', isOriginator);
    else if (flags & TCP_FLAG.fin) note('F', isOriginator);
    else if (flags & TCP_FLAG.rst) note('R', isOriginator);
    else if (packet.payloadLength > 0) note('D', isOriginator);
    else if (flags & TCP_FLAG.ack) note('A', isOriginator);
  }
  return history;
}
