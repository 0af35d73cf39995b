/**
 * The result of decoding one packet, filled in place by the decoder.
 *
 * One DecodedPacket is allocated per decoder and reused for every packet, so
 * the hot loop allocates nothing. Offsets point into the `data` view of the
 * PacketRecord that was decoded, and are valid only while that view is.
 */

/** Why decoding stopped early. `null` in `DecodedPacket.problem` means no problem. */
export type DecodeProblemCode =
  | 'unsupported-link-type'
  | 'truncated-link-header'
  | 'truncated-vlan-tag'
  | 'truncated-mpls'
  | 'truncated-pppoe'
  | 'truncated-ipv4-header'
  | 'invalid-ipv4-header-length'
  | 'invalid-ipv4-total-length'
  | 'truncated-ipv6-header'
  | 'truncated-ipv6-extension'
  | 'ipv6-extension-chain-too-long'
  | 'invalid-ip-version'
  | 'truncated-tcp-header'
  | 'invalid-tcp-header-length'
  | 'truncated-udp-header'
  | 'truncated-sctp-header'
  | 'invalid-udp-length'
  | 'truncated-icmp-header'
  | 'truncated-tunnel-header'
  | 'tunnel-depth-exceeded'
  | 'truncated-arp'
  | 'truncated-radiotap'
  | 'truncated-ieee80211'
  | 'truncated-nflog';

/** Maximum number of network layers (outer plus tunnelled) kept per packet. */
export const MAX_NETWORK_LAYERS = 4;
/** Maximum number of VLAN tags recorded per packet; deeper stacks are walked but not recorded. */
export const MAX_VLAN_TAGS = 2;

export type TunnelKind = 'none' | 'gre' | 'vxlan' | 'geneve' | 'teredo' | 'ip-in-ip' | 'ayiya' | 'gtp';

/**
 * One IP header and the transport header above it. A tunnelled packet has
 * several: index 0 is the outermost.
 */
export interface NetworkLayer {
  /** 4 or 6. */
  ipVersion: number;
  /** Offset of the IP header in the packet. */
  ipOffset: number;
  /** Offsets of the source and destination address bytes; length is 4 or 16 by `ipVersion`. */
  sourceAddressOffset: number;
  destinationAddressOffset: number;
  /** Upper-layer protocol number after any IPv6 extension headers (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...). */
  protocol: number;
  /** IPv4 total length, or IPv6 payload length + 40: Zeek's and tshark's "IP bytes". */
  ipLength: number;
  /** IPv4 TTL or IPv6 hop limit. */
  hopLimit: number;
  /** True for any fragment, including the first one (offset 0 with more-fragments set). */
  isFragment: boolean;
  /** Fragment offset in bytes. */
  fragmentOffset: number;
  hasMoreFragments: boolean;
  /** IPv4 identification or IPv6 fragment header identification. */
  fragmentId: number;
  /** True when the IPv4 header checksum is wrong (counted, never dropped). */
  isIpChecksumBad: boolean;

  /** True when ports (TCP, UDP, SCTP) or ICMP type/code were decoded. */
  hasTransport: boolean;
  /** Offset of the transport header. */
  transportOffset: number;
  sourcePort: number;
  destinationPort: number;
  /** TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80). */
  tcpFlags: number;
  /** TCP sequence and acknowledgement numbers as unsigned 32-bit values. */
  tcpSequence: number;
  tcpAcknowledgement: number;
  tcpWindow: number;
  /** ICMP or ICMPv6 type and code. */
  icmpType: number;
  icmpCode: number;
  /** Offset and length of the transport payload that is present in the capture. */
  payloadOffset: number;
  payloadLength: number;
  /**
   * Payload length the headers claim (TCP: IP length minus headers; UDP:
   * UDP length minus 8), which exceeds `payloadLength` when the snaplen cut it.
   */
  claimedPayloadLength: number;

  /** How this layer was reached from the one before it; 'none' for index 0. */
  tunnel: TunnelKind;
  /** True for the IP header quoted inside an ICMP error: decoded, but it creates no flow. */
  isIcmpQuote: boolean;
}

/** An ARP packet, kept for the device inventory. */
export interface ArpFields {
  operation: number;
  /** Offsets of the sender and target hardware and protocol addresses. */
  senderHardwareOffset: number;
  senderProtocolOffset: number;
  targetHardwareOffset: number;
  targetProtocolOffset: number;
  hardwareLength: number;
  protocolLength: number;
}

export interface DecodedPacket {
  /** Link type the decoder used (after pcapng per-interface selection). */
  linkType: number;
  /** True when the packet ended before a header the decoder expected was complete. */
  isTruncated: boolean;
  /** First problem met; decoding stopped there and everything before it is kept. */
  problem: DecodeProblemCode | null;
  /** Offset at which the problem was found. */
  problemOffset: number;

  /** Offsets of the link-layer source and destination MAC addresses, or -1 when the link has none. */
  sourceMacOffset: number;
  destinationMacOffset: number;
  /** EtherType (or equivalent) of the frame's network payload; 0 when unknown. */
  etherType: number;

  /** VLAN ids, outer first; `vlanCount` of them are valid. */
  vlanIds: number[];
  vlanCount: number;
  /** MPLS labels seen (count only: the stack is walked to reach IP). */
  mplsLabelCount: number;
  /** PPPoE session id, or -1. */
  pppoeSessionId: number;

  /** True when `arp` holds an ARP packet. */
  hasArp: boolean;
  arp: ArpFields;

  /** Network layers, outer first; `layerCount` of them are valid. */
  layers: NetworkLayer[];
  layerCount: number;
}

/** Create a NetworkLayer with every field zeroed. */
export function createNetworkLayer(): NetworkLayer {
  return {
    ipVersion: 0,
    ipOffset: 0,
    sourceAddressOffset: 0,
    destinationAddressOffset: 0,
    protocol: 0,
    ipLength: 0,
    hopLimit: 0,
    isFragment: false,
    fragmentOffset: 0,
    hasMoreFragments: false,
    fragmentId: 0,
    isIpChecksumBad: false,
    hasTransport: false,
    transportOffset: 0,
    sourcePort: 0,
    destinationPort: 0,
    tcpFlags: 0,
    tcpSequence: 0,
    tcpAcknowledgement: 0,
    tcpWindow: 0,
    icmpType: 0,
    icmpCode: 0,
    payloadOffset: 0,
    payloadLength: 0,
    claimedPayloadLength: 0,
    tunnel: 'none',
    isIcmpQuote: false,
  };
}

/** Create a reusable DecodedPacket with preallocated layers. */
export function createDecodedPacket(): DecodedPacket {
  const layers: NetworkLayer[] = [];
  for (let i = 0; i < MAX_NETWORK_LAYERS; i++) layers.push(createNetworkLayer());
  return {
    linkType: 0,
    isTruncated: false,
    problem: null,
    problemOffset: 0,
    sourceMacOffset: -1,
    destinationMacOffset: -1,
    etherType: 0,
    vlanIds: new Array<number>(MAX_VLAN_TAGS).fill(0),
    vlanCount: 0,
    mplsLabelCount: 0,
    pppoeSessionId: -1,
    hasArp: false,
    arp: {
      operation: 0,
      senderHardwareOffset: 0,
      senderProtocolOffset: 0,
      targetHardwareOffset: 0,
      targetProtocolOffset: 0,
      hardwareLength: 0,
      protocolLength: 0,
    },
    layers,
    layerCount: 0,
  };
}
