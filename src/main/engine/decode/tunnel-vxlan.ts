import type { DecodedPacket } from './decoded-packet';
import { recordProblem } from './decode-problem';
import { decodeEthernet } from './link-ethernet';

/** IANA port of VXLAN (RFC 7348). */
export const VXLAN_PORT = 4789;
const VXLAN_HEADER_LENGTH = 8;
/** The I flag: the VNI is valid. Without it the payload is not treated as VXLAN. */
const VXLAN_FLAG_VNI_VALID = 0x08;

/** Decode a VXLAN header at `offset` and the Ethernet frame it carries (tunnel 'vxlan'). */
export function decodeVxlan(data: Uint8Array, offset: number, end: number, out: DecodedPacket): void {
  if (end - offset < VXLAN_HEADER_LENGTH) {
    recordProblem(out, 'truncated-tunnel-header', offset, true);
    return;
  }
  if (((data[offset] as number) & VXLAN_FLAG_VNI_VALID) === 0) return;
  decodeEthernet(data, offset + VXLAN_HEADER_LENGTH, end, out, 'vxlan');
}
