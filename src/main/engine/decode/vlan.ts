import { MAX_VLAN_TAGS, type DecodedPacket, type TunnelKind } from './decoded-packet';
import { readUint16BigEndian, recordProblem } from './decode-problem';
import { decodeEtherTypePayload } from './ether-type';

const VLAN_TAG_LENGTH = 4;

/**
 * Decode one 802.1Q/802.1ad tag at `offset` (TCI, then the inner EtherType)
 * and continue with the inner EtherType. Tags of the outermost frame are
 * recorded in `out.vlanIds` up to MAX_VLAN_TAGS, and deeper ones are walked only.
 * Each tag consumes 4 bytes, so a stack of tags ends with the frame.
 */
export function decodeVlanTag(
  data: Uint8Array,
  offset: number,
  end: number,
  out: DecodedPacket,
  tunnel: TunnelKind,
): void {
  if (end - offset < VLAN_TAG_LENGTH) {
    recordProblem(out, 'truncated-vlan-tag', offset, true);
    return;
  }
  if (out.layerCount === 0 && out.vlanCount < MAX_VLAN_TAGS) {
    out.vlanIds[out.vlanCount] = readUint16BigEndian(data, offset) & 0x0fff;
    out.vlanCount++;
  }
  const innerEtherType = readUint16BigEndian(data, offset + 2);
  decodeEtherTypePayload(data, offset + VLAN_TAG_LENGTH, end, innerEtherType, out, tunnel);
}
