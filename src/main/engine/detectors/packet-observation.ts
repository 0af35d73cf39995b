/**
 * Link-layer facts the rogue-device detector needs and flows do not keep:
 * the sender's MAC, ARP sender claims, and DHCP server replies.
 *
 * One object is reused for every packet (no allocation per packet): MACs are
 * 48-bit integers and IPv4 addresses 32-bit unsigned integers, both exact in
 * a JavaScript number. A field is 0 when the packet lacks it.
 *
 * NOTE: IPv6 neighbour discovery and DHCPv6 are not observed, so rogue
 * devices that speak only IPv6 go unseen; the fix is an NDP sender-claim
 * field beside the ARP one.
 */
import type { DecodedPacket } from '../decode/decoded-packet';

export interface PacketObservation {
  timestampUs: number;
  packetNumber: number;
  /** Ethernet source MAC as an integer, 0 when the link has none. */
  sourceMac: number;
  /** IPv4 source of the outermost IP layer, 0 when none. */
  sourceIpv4: number;
  /** ARP: operation (1 request, 2 reply), 0 when the packet is not ARP. */
  arpOperation: number;
  /** ARP sender hardware and protocol address (Ethernet/IPv4 ARP only). */
  arpSenderMac: number;
  arpSenderIpv4: number;
  /** True for a BOOTP reply (op 2) from UDP port 67 to 68: a DHCP server speaking. */
  isDhcpServerReply: boolean;
}

export function createPacketObservation(): PacketObservation {
  return {
    timestampUs: 0,
    packetNumber: 0,
    sourceMac: 0,
    sourceIpv4: 0,
    arpOperation: 0,
    arpSenderMac: 0,
    arpSenderIpv4: 0,
    isDhcpServerReply: false,
  };
}

/** Read 6 bytes at `offset` as a MAC integer; 0 when they run past `data`. */
export function readMac(data: Uint8Array, offset: number): number {
  if (offset < 0 || offset + 6 > data.length) return 0;
  const high = ((data[offset] as number) << 8) | (data[offset + 1] as number);
  const low =
    (((data[offset + 2] as number) << 24) |
      ((data[offset + 3] as number) << 16) |
      ((data[offset + 4] as number) << 8) |
      (data[offset + 5] as number)) >>>
    0;
  return high * 0x1_0000_0000 + low;
}

/** Read 4 bytes at `offset` as an unsigned IPv4 integer; 0 when they run past `data`. */
export function readIpv4(data: Uint8Array, offset: number): number {
  if (offset < 0 || offset + 4 > data.length) return 0;
  return (
    (((data[offset] as number) << 24) |
      ((data[offset + 1] as number) << 16) |
      ((data[offset + 2] as number) << 8) |
      (data[offset + 3] as number)) >>>
    0
  );
}

/**
 * Fill `out` from a decoded packet and its bytes (borrowed for the call).
 * `decoded.sourceMacOffset` is negative for links without MACs.
 */
export function observePacket(
  decoded: DecodedPacket,
  data: Uint8Array,
  timestampUs: number,
  packetNumber: number,
  out: PacketObservation,
): PacketObservation {
  out.timestampUs = timestampUs;
  out.packetNumber = packetNumber;
  out.sourceMac = decoded.sourceMacOffset >= 0 ? readMac(data, decoded.sourceMacOffset) : 0;
  out.sourceIpv4 = 0;
  out.arpOperation = 0;
  out.arpSenderMac = 0;
  out.arpSenderIpv4 = 0;
  out.isDhcpServerReply = false;

  if (decoded.hasArp) {
    const arp = decoded.arp;
    if (arp.hardwareLength === 6 && arp.protocolLength === 4) {
      out.arpOperation = arp.operation;
      out.arpSenderMac = readMac(data, arp.senderHardwareOffset);
      out.arpSenderIpv4 = readIpv4(data, arp.senderProtocolOffset);
    }
    return out;
  }

  const layer = decoded.layerCount > 0 ? decoded.layers[0] : undefined;
  if (layer === undefined || layer.ipVersion !== 4) return out;
  out.sourceIpv4 = readIpv4(data, layer.sourceAddressOffset);
  // BOOTP op is the first payload byte of the UDP datagram.
  if (layer.protocol === 17 && layer.hasTransport && layer.sourcePort === 67 && layer.destinationPort === 68) {
    out.isDhcpServerReply =
      layer.payloadLength > 0 && layer.payloadOffset < data.length && data[layer.payloadOffset] === 2;
  }
  return out;
}

export function formatMac(mac: number): string {
  const hex = mac.toString(16).padStart(12, '0');
  return hex.replace(/(..)(?!$)/g, '$1:');
}

export function formatIpv4(address: number): string {
  return `${Math.floor(address / 0x100_0000)}.${Math.floor(address / 0x1_0000) % 256}.${Math.floor(address / 0x100) % 256}.${address % 256}`;
}
