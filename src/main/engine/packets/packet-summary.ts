/**
 * One line per packet for the packet list, as Wireshark's Source,
 * Destination, Protocol and Info columns show it: the innermost network
 * layer's addresses, its transport, and ports, TCP flags and lengths.
 * Sequence numbers are left out because Wireshark shows them relative to
 * the connection's first, which a single packet cannot know.
 */
import { getIcmpCodeName, getIcmpTypeName } from '../analyzers/icmp-analyzer';
import { createDecodedPacket, type DecodedPacket } from '../decode/decoded-packet';
import { decodePacket } from '../decode/packet-decoder';
import { formatIpv4, formatIpv6, formatMac } from '../decode/format-address';
import { type PacketLocation, type SourceInterface, readPacketsAt } from './capture-random-reader';

export interface PacketSummary {
  source: string;
  destination: string;
  protocol: string;
  info: string;
}

const TCP_FLAG_NAMES: readonly [number, string][] = [
  [0x02, 'SYN'],
  [0x10, 'ACK'],
  [0x01, 'FIN'],
  [0x04, 'RST'],
  [0x08, 'PSH'],
  [0x20, 'URG'],
  [0x40, 'ECE'],
  [0x80, 'CWR'],
];

const IP_PROTOCOL_NAMES: Record<number, string> = {
  1: 'ICMP',
  2: 'IGMP',
  6: 'TCP',
  17: 'UDP',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPv6',
  132: 'SCTP',
};

/**
 * Read and summarize the packets at `locations` of the capture at `path`,
 * keyed by packet number. The map is empty when the capture cannot be read,
 * so the list then shows the packet index's columns only.
 */
export async function readPacketSummaries(
  path: string,
  locations: readonly PacketLocation[],
  interfaces?: readonly SourceInterface[],
): Promise<Map<number, PacketSummary>> {
  const summaries = new Map<number, PacketSummary>();
  if (locations.length === 0) return summaries;
  const read = await readPacketsAt(path, locations, interfaces);
  if (!read.ok) return summaries;
  const decoded = createDecodedPacket();
  for (const packet of read.packets) {
    decodePacket(packet.data, packet.linkType, decoded);
    summaries.set(packet.packetNumber, summarizePacket(decoded, packet.data));
  }
  return summaries;
}

/** Summarize a packet already decoded from `data`; a packet without an IP layer shows its link-layer addresses. */
export function summarizePacket(decoded: DecodedPacket, data: Uint8Array): PacketSummary {
  if (decoded.layerCount === 0) return summarizeLinkLayer(decoded, data);
  const layer = decoded.layers[decoded.layerCount - 1]!;
  const isIpv6 = layer.ipVersion === 6;
  const formatAddress = isIpv6 ? formatIpv6 : formatIpv4;
  const source = formatAddress(data, layer.sourceAddressOffset);
  const destination = formatAddress(data, layer.destinationAddressOffset);
  const protocol = IP_PROTOCOL_NAMES[layer.protocol] ?? `IP protocol ${layer.protocol}`;

  if (layer.isFragment && layer.fragmentOffset > 0) {
    return {
      source,
      destination,
      protocol,
      info: `Fragment at offset ${layer.fragmentOffset * 8} (id ${layer.fragmentId})`,
    };
  }
  if (!layer.hasTransport) return { source, destination, protocol, info: `${protocol} without a complete header` };
  if (layer.protocol === 6) {
    const flags = TCP_FLAG_NAMES.filter(([bit]) => (layer.tcpFlags & bit) !== 0).map(([, name]) => name);
    const info = `${layer.sourcePort} → ${layer.destinationPort} [${flags.join(', ')}] Win=${layer.tcpWindow} Len=${layer.payloadLength}`;
    return { source, destination, protocol, info };
  }
  if (layer.protocol === 17) {
    return {
      source,
      destination,
      protocol,
      info: `${layer.sourcePort} → ${layer.destinationPort} Len=${layer.payloadLength}`,
    };
  }
  if (layer.protocol === 1 || layer.protocol === 58) {
    const codeName = getIcmpCodeName(isIpv6, layer.icmpType, layer.icmpCode);
    const typeName = getIcmpTypeName(isIpv6, layer.icmpType);
    return { source, destination, protocol, info: codeName === null ? typeName : `${typeName} (${codeName})` };
  }
  return { source, destination, protocol, info: `${layer.payloadLength} bytes of payload` };
}

function summarizeLinkLayer(decoded: DecodedPacket, data: Uint8Array): PacketSummary {
  const hasMacs = decoded.sourceMacOffset >= 0 && decoded.sourceMacOffset + 6 <= data.length;
  const source = hasMacs ? formatMac(data, decoded.sourceMacOffset) : '';
  const destination =
    hasMacs && decoded.destinationMacOffset + 6 <= data.length ? formatMac(data, decoded.destinationMacOffset) : '';
  if (decoded.hasArp) {
    const operation =
      decoded.arp.operation === 1
        ? 'request'
        : decoded.arp.operation === 2
          ? 'reply'
          : `operation ${decoded.arp.operation}`;
    return { source, destination, protocol: 'ARP', info: `ARP ${operation}` };
  }
  const etherType = `0x${decoded.etherType.toString(16).padStart(4, '0')}`;
  return {
    source,
    destination,
    protocol: decoded.etherType === 0 ? 'unknown' : `EtherType ${etherType}`,
    info: decoded.problem ?? '',
  };
}
