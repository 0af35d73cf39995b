/**
 * Builds Ethernet frames (optionally 802.1Q or QinQ tagged) carrying IPv4 or
 * IPv6 with TCP, UDP, ICMP or ICMPv6, with every length field and checksum
 * filled in: IPv4 header, TCP, UDP, ICMP and ICMPv6 checksums are computed,
 * none is left 0.
 *
 * Use: `start*` writes the link and IP headers and returns the offset where
 * the caller writes the payload into `bytes`; `finish*` then writes the
 * transport header, the lengths and checksums and returns the frame length.
 */

/** One end of a conversation. `address` holds 4 bytes (IPv4) or 16 (IPv6). */
export interface Host {
  mac: Uint8Array;
  address: Uint8Array;
}

/** The link and network path a conversation's frames take, the same both ways. */
export interface ConversationPath {
  client: Host;
  server: Host;
  isIpv6: boolean;
  /** Outer VLAN id, 0 when untagged. */
  vlan: number;
  /** Inner VLAN id (QinQ), 0 when single-tagged or untagged. */
  innerVlan: number;
  /** Hop limit seen on frames from the server, so the two directions differ as on a real link. */
  serverHopLimit: number;
}

export const TCP_FLAG = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10 } as const;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const PROTOCOL_ICMP = 1;
const PROTOCOL_TCP = 6;
const PROTOCOL_UDP = 17;
const PROTOCOL_ICMPV6 = 58;
const MINIMUM_FRAME_BYTES = 60;

/** Returns the 16-bit one's complement sum of bytes [start, end) added to `sum`, not yet folded. */
export function addChecksumWords(bytes: Uint8Array, start: number, end: number, sum: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  return sum;
}

function foldChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return ~sum & 0xffff;
}

export class FrameBuilder {
  /** The frame under construction; large enough for a 1500-byte IP packet behind two VLAN tags. */
  readonly bytes = new Uint8Array(2048);
  private readonly view = new DataView(this.bytes.buffer);
  private ipOffset = 0;
  private transportOffset = 0;
  private transportHeaderBytes = 0;
  private path: ConversationPath | null = null;
  private isFromClient = true;
  private ipv4Identification = 1;

  /** Starts a TCP segment with `optionBytes` (a multiple of 4) of options; returns the options offset. */
  startTcp(path: ConversationPath, isFromClient: boolean, optionBytes = 0): number {
    this.startIp(path, isFromClient, PROTOCOL_TCP);
    this.transportHeaderBytes = 20 + optionBytes;
    return this.transportOffset + 20;
  }

  /** Returns the offset where the TCP payload starts, after any options. */
  tcpPayloadOffset(): number {
    return this.transportOffset + this.transportHeaderBytes;
  }

  finishTcp(
    sourcePort: number,
    destinationPort: number,
    sequence: number,
    acknowledgment: number,
    flags: number,
    window: number,
    payloadBytes: number,
  ): number {
    const at = this.transportOffset;
    const view = this.view;
    view.setUint16(at, sourcePort);
    view.setUint16(at + 2, destinationPort);
    view.setUint32(at + 4, sequence >>> 0);
    view.setUint32(at + 8, acknowledgment >>> 0);
    view.setUint8(at + 12, (this.transportHeaderBytes / 4) << 4);
    view.setUint8(at + 13, flags);
    view.setUint16(at + 14, window);
    view.setUint16(at + 16, 0);
    view.setUint16(at + 18, 0);
    return this.finishTransport(PROTOCOL_TCP, this.transportHeaderBytes + payloadBytes, 16);
  }

  /** Starts a UDP datagram; returns the payload offset. */
  startUdp(path: ConversationPath, isFromClient: boolean): number {
    this.startIp(path, isFromClient, PROTOCOL_UDP);
    this.transportHeaderBytes = 8;
    return this.transportOffset + 8;
  }

  finishUdp(sourcePort: number, destinationPort: number, payloadBytes: number): number {
    const at = this.transportOffset;
    const length = 8 + payloadBytes;
    this.view.setUint16(at, sourcePort);
    this.view.setUint16(at + 2, destinationPort);
    this.view.setUint16(at + 4, length);
    this.view.setUint16(at + 6, 0);
    return this.finishTransport(PROTOCOL_UDP, length, 6);
  }

  /** Starts an ICMP (IPv4) or ICMPv6 echo message; returns the payload offset. */
  startEcho(path: ConversationPath, isFromClient: boolean): number {
    this.startIp(path, isFromClient, path.isIpv6 ? PROTOCOL_ICMPV6 : PROTOCOL_ICMP);
    this.transportHeaderBytes = 8;
    return this.transportOffset + 8;
  }

  finishEcho(isRequest: boolean, identifier: number, sequence: number, payloadBytes: number): number {
    const isIpv6 = this.path!.isIpv6;
    const at = this.transportOffset;
    const type = isIpv6 ? (isRequest ? 128 : 129) : isRequest ? 8 : 0;
    this.view.setUint8(at, type);
    this.view.setUint8(at + 1, 0);
    this.view.setUint16(at + 2, 0);
    this.view.setUint16(at + 4, identifier);
    this.view.setUint16(at + 6, sequence);
    return this.finishTransport(isIpv6 ? PROTOCOL_ICMPV6 : PROTOCOL_ICMP, 8 + payloadBytes, 2);
  }

  private startIp(path: ConversationPath, isFromClient: boolean, protocol: number): void {
    this.path = path;
    this.isFromClient = isFromClient;
    const source = isFromClient ? path.client : path.server;
    const destination = isFromClient ? path.server : path.client;
    const bytes = this.bytes;
    const view = this.view;

    // Ethernet header and VLAN tags: QinQ puts the 802.1ad service tag outside the 802.1Q customer tag.
    bytes.set(destination.mac, 0);
    bytes.set(source.mac, 6);
    let at = 12;
    if (path.vlan !== 0 && path.innerVlan !== 0) {
      view.setUint16(at, ETHERTYPE_QINQ);
      view.setUint16(at + 2, path.vlan);
      view.setUint16(at + 4, ETHERTYPE_VLAN);
      view.setUint16(at + 6, path.innerVlan);
      at += 8;
    } else if (path.vlan !== 0) {
      view.setUint16(at, ETHERTYPE_VLAN);
      view.setUint16(at + 2, path.vlan);
      at += 4;
    }
    view.setUint16(at, path.isIpv6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
    this.ipOffset = at + 2;

    // IP header; lengths and the IPv4 checksum are filled in by finishTransport.
    const hopLimit = isFromClient ? 64 : path.serverHopLimit;
    const ip = this.ipOffset;
    if (path.isIpv6) {
      view.setUint32(ip, 0x60000000);
      view.setUint8(ip + 6, protocol);
      view.setUint8(ip + 7, hopLimit);
      bytes.set(source.address, ip + 8);
      bytes.set(destination.address, ip + 24);
      this.transportOffset = ip + 40;
    } else {
      view.setUint8(ip, 0x45);
      view.setUint8(ip + 1, 0);
      view.setUint16(ip + 4, this.ipv4Identification);
      this.ipv4Identification = (this.ipv4Identification + 1) & 0xffff;
      view.setUint16(ip + 6, 0x4000);
      view.setUint8(ip + 8, hopLimit);
      view.setUint8(ip + 9, protocol);
      view.setUint16(ip + 10, 0);
      bytes.set(source.address, ip + 12);
      bytes.set(destination.address, ip + 16);
      this.transportOffset = ip + 20;
    }
  }

  /** Fills IP lengths and checksums, pads to the Ethernet minimum and returns the frame length. */
  private finishTransport(protocol: number, transportLength: number, checksumOffset: number): number {
    const path = this.path!;
    const bytes = this.bytes;
    const view = this.view;
    const ip = this.ipOffset;
    const transport = this.transportOffset;
    const transportEnd = transport + transportLength;

    // The IPv4 ICMP checksum covers the message alone; the others add the pseudo-header.
    let sum = 0;
    if (path.isIpv6) {
      view.setUint16(ip + 4, transportLength);
      sum = addChecksumWords(bytes, ip + 8, ip + 40, sum) + protocol + transportLength;
    } else {
      view.setUint16(ip + 2, 20 + transportLength);
      view.setUint16(ip + 10, foldChecksum(addChecksumWords(bytes, ip, ip + 20, 0)));
      if (protocol !== PROTOCOL_ICMP) sum = addChecksumWords(bytes, ip + 12, ip + 20, sum) + protocol + transportLength;
    }
    let checksum = foldChecksum(addChecksumWords(bytes, transport, transportEnd, sum));
    // UDP transmits a computed 0 as 0xffff, because 0 there means "no checksum".
    if (checksum === 0 && protocol === PROTOCOL_UDP) checksum = 0xffff;
    view.setUint16(transport + checksumOffset, checksum);

    if (transportEnd >= MINIMUM_FRAME_BYTES) return transportEnd;
    bytes.fill(0, transportEnd, MINIMUM_FRAME_BYTES);
    return MINIMUM_FRAME_BYTES;
  }

  /** True when the frame being built travels from client to server. */
  get isClientToServer(): boolean {
    return this.isFromClient;
  }
}
