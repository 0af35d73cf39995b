/**
 * Byte builders for decoder tests. Each returns a plain number array so that
 * tests can concatenate layers and then cut or corrupt single bytes.
 */

export type Bytes = number[];

export const MAC_A: Bytes = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0a];
export const MAC_B: Bytes = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0b];
export const IPV4_A: Bytes = [192, 0, 2, 1];
export const IPV4_B: Bytes = [198, 51, 100, 2];
/** 2001:db8::1 and 2001:db8::2 (documentation prefix). */
export const IPV6_A: Bytes = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
export const IPV6_B: Bytes = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

export function uint16(value: number): Bytes {
  return [(value >> 8) & 0xff, value & 0xff];
}

export function uint32(value: number): Bytes {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

export function uint16Le(value: number): Bytes {
  return [value & 0xff, (value >> 8) & 0xff];
}

export function uint32Le(value: number): Bytes {
  return uint32(value).reverse();
}

export function toBytes(...parts: Bytes[]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

/** Ethernet II header: destination, source, EtherType, then the payload. */
export function ethernet(etherType: number, payload: Bytes, destination = MAC_B, source = MAC_A): Bytes {
  return [...destination, ...source, ...uint16(etherType), ...payload];
}

/** Build one 802.1Q tag (PCP 0, DEI 0, VLAN id) followed by the inner EtherType and payload. */
export function vlanTag(vlanId: number, innerEtherType: number, payload: Bytes): Bytes {
  return [...uint16(vlanId & 0x0fff), ...uint16(innerEtherType), ...payload];
}

/** One's complement checksum over 16-bit big-endian words. */
export function internetChecksum(bytes: Bytes): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface Ipv4Options {
  protocol: number;
  payload: Bytes;
  source?: Bytes;
  destination?: Bytes;
  ttl?: number;
  identification?: number;
  /** Flags and fragment offset word: 0x2000 more fragments, low 13 bits offset in 8-byte units. */
  flagsAndOffset?: number;
  /** IP options, a multiple of 4 bytes. */
  options?: Bytes;
  /** Total length to write instead of the real one. */
  totalLength?: number;
  /** Header checksum to write instead of the correct one. */
  checksum?: number;
}

/** IPv4 header with a correct checksum unless one is given. */
export function ipv4(options: Ipv4Options): Bytes {
  const ipOptions = options.options ?? [];
  const headerLength = 20 + ipOptions.length;
  const totalLength = options.totalLength ?? headerLength + options.payload.length;
  const header = [
    0x40 | (headerLength / 4), // version 4, IHL
    0x00, // DSCP/ECN
    ...uint16(totalLength),
    ...uint16(options.identification ?? 0x1234),
    ...uint16(options.flagsAndOffset ?? 0x4000), // don't fragment
    options.ttl ?? 64,
    options.protocol,
    0x00, 0x00, // checksum, filled below
    ...(options.source ?? IPV4_A),
    ...(options.destination ?? IPV4_B),
    ...ipOptions,
  ];
  const checksum = options.checksum ?? internetChecksum(header);
  header[10] = checksum >> 8;
  header[11] = checksum & 0xff;
  return [...header, ...options.payload];
}

export interface Ipv6Options {
  nextHeader: number;
  payload: Bytes;
  source?: Bytes;
  destination?: Bytes;
  hopLimit?: number;
  /** Payload length to write instead of the real one. */
  payloadLength?: number;
}

export function ipv6(options: Ipv6Options): Bytes {
  return [
    0x60, 0x00, 0x00, 0x00, // version 6, traffic class, flow label
    ...uint16(options.payloadLength ?? options.payload.length),
    options.nextHeader,
    options.hopLimit ?? 64,
    ...(options.source ?? IPV6_A),
    ...(options.destination ?? IPV6_B),
    ...options.payload,
  ];
}

/** IPv6 extension header in 8-byte units (hop-by-hop, routing, destination options), padded with zeros. */
export function ipv6ExtensionHeader(nextHeader: number, lengthUnits: number, payload: Bytes): Bytes {
  const body = [nextHeader, lengthUnits, ...new Array<number>((lengthUnits + 1) * 8 - 2).fill(0)];
  return [...body, ...payload];
}

/** IPv6 fragment header: offset in bytes (multiple of 8), M flag, identification. */
export function ipv6FragmentHeader(nextHeader: number, offset: number, hasMore: boolean, id: number, payload: Bytes): Bytes {
  return [nextHeader, 0, ...uint16(offset | (hasMore ? 1 : 0)), ...uint32(id), ...payload];
}

export interface TcpOptions {
  sourcePort?: number;
  destinationPort?: number;
  sequence?: number;
  acknowledgement?: number;
  flags?: number;
  window?: number;
  /** TCP options, a multiple of 4 bytes. */
  options?: Bytes;
  /** Data offset in 32-bit words to write instead of the real one. */
  dataOffset?: number;
  payload?: Bytes;
}

export function tcp(options: TcpOptions = {}): Bytes {
  const tcpOptions = options.options ?? [];
  const dataOffset = options.dataOffset ?? (20 + tcpOptions.length) / 4;
  return [
    ...uint16(options.sourcePort ?? 49152),
    ...uint16(options.destinationPort ?? 80),
    ...uint32(options.sequence ?? 1000),
    ...uint32(options.acknowledgement ?? 0),
    dataOffset << 4,
    options.flags ?? 0x02, // SYN
    ...uint16(options.window ?? 65535),
    0x00, 0x00, // checksum (not checked)
    0x00, 0x00, // urgent pointer
    ...tcpOptions,
    ...(options.payload ?? []),
  ];
}

export function udp(sourcePort: number, destinationPort: number, payload: Bytes, length?: number): Bytes {
  return [
    ...uint16(sourcePort),
    ...uint16(destinationPort),
    ...uint16(length ?? 8 + payload.length),
    0x00, 0x00, // checksum (not checked)
    ...payload,
  ];
}

/** ICMP or ICMPv6 header: type, code, checksum 0, 4 bytes of rest-of-header, then data. */
export function icmp(type: number, code: number, data: Bytes = [], restOfHeader: Bytes = [0, 0, 0, 0]): Bytes {
  return [type, code, 0x00, 0x00, ...restOfHeader, ...data];
}

export interface GreOptions {
  protocol: number;
  checksum?: boolean;
  key?: number;
  sequence?: number;
  /** Version 1 (PPTP) acknowledgement number. */
  acknowledgement?: number;
  version?: number;
}

export function gre(options: GreOptions, payload: Bytes): Bytes {
  let flags = options.version ?? 0;
  const fields: Bytes = [];
  if (options.checksum === true) {
    flags |= 0x8000;
    fields.push(0, 0, 0, 0);
  }
  if (options.key !== undefined) {
    flags |= 0x2000;
    fields.push(...uint32(options.key));
  }
  if (options.sequence !== undefined) {
    flags |= 0x1000;
    fields.push(...uint32(options.sequence));
  }
  if (options.acknowledgement !== undefined) {
    flags |= 0x0080;
    fields.push(...uint32(options.acknowledgement));
  }
  return [...uint16(flags), ...uint16(options.protocol), ...fields, ...payload];
}

/** VXLAN header with the I flag and a 24-bit VNI, then the inner Ethernet frame. */
export function vxlan(vni: number, frame: Bytes): Bytes {
  return [0x08, 0x00, 0x00, 0x00, (vni >> 16) & 0xff, (vni >> 8) & 0xff, vni & 0xff, 0x00, ...frame];
}

/** Ethernet/IPv4/TCP SYN from IPV4_A:49152 to IPV4_B:80. */
export function ethernetIpv4Tcp(tcpOptions: TcpOptions = {}): Bytes {
  return ethernet(0x0800, ipv4({ protocol: 6, payload: tcp(tcpOptions) }));
}
