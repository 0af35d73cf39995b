import type { DecodedPacket, TunnelKind } from './decoded-packet';
import { readUint16BigEndian, recordProblem } from './decode-problem';
import { decodeEtherTypePayload } from './ether-type';

const ETHERNET_HEADER_LENGTH = 14;
/** Type/length values up to 1500 are an 802.3 length, and values from 1536 (0x0600) an EtherType. */
const IEEE8023_MAXIMUM_LENGTH = 1500;
const ETHER_TYPE_MINIMUM = 0x0600;
const LLC_SNAP_HEADER_LENGTH = 8;

/**
 * Decode an Ethernet II or 802.3 frame at `offset` and its payload. The
 * outermost frame's MAC addresses are recorded, and an inner frame (VXLAN,
 * GRE bridging) leaves them as they are. An 802.3 frame's length bounds its LLC
 * payload, which is followed only when it is SNAP.
 */
export function decodeEthernet(
  data: Uint8Array,
  offset: number,
  end: number,
  out: DecodedPacket,
  tunnel: TunnelKind,
): void {
  if (end - offset < ETHERNET_HEADER_LENGTH) {
    recordProblem(out, 'truncated-link-header', offset, true);
    return;
  }
  if (out.layerCount === 0 && out.destinationMacOffset < 0) {
    out.destinationMacOffset = offset;
    out.sourceMacOffset = offset + 6;
  }
  const typeOrLength = readUint16BigEndian(data, offset + 12);
  const payloadOffset = offset + ETHERNET_HEADER_LENGTH;
  if (typeOrLength >= ETHER_TYPE_MINIMUM) {
    decodeEtherTypePayload(data, payloadOffset, end, typeOrLength, out, tunnel);
    return;
  }
  if (typeOrLength > IEEE8023_MAXIMUM_LENGTH) return;
  decodeLlc(data, payloadOffset, Math.min(end, payloadOffset + typeOrLength), out, tunnel);
}

/**
 * Decode an 802.2 LLC header at `offset`. With SNAP (AA AA 03) and OUI
 * 00-00-00 or 00-00-F8 the payload continues by its EtherType. Other LLC
 * payloads (STP, NetBIOS, IPX) end decoding without a problem.
 */
export function decodeLlc(
  data: Uint8Array,
  offset: number,
  end: number,
  out: DecodedPacket,
  tunnel: TunnelKind,
): void {
  if (end - offset < 3) {
    recordProblem(out, 'truncated-link-header', offset, true);
    return;
  }
  const isSnap = data[offset] === 0xaa && data[offset + 1] === 0xaa && data[offset + 2] === 0x03;
  if (!isSnap) return;
  if (end - offset < LLC_SNAP_HEADER_LENGTH) {
    recordProblem(out, 'truncated-link-header', offset, true);
    return;
  }
  const isEtherTypeOui = data[offset + 3] === 0x00 && data[offset + 4] === 0x00 && (data[offset + 5] === 0x00 || data[offset + 5] === 0xf8);
  if (!isEtherTypeOui) return;
  const etherType = readUint16BigEndian(data, offset + 6);
  decodeEtherTypePayload(data, offset + LLC_SNAP_HEADER_LENGTH, end, etherType, out, tunnel);
}
