import type { DecodedPacket } from './decoded-packet';
import { readUint16BigEndian, recordProblem } from './decode-problem';
import { decodeEtherTypePayload } from './ether-type';
import { decodeLlc } from './link-ethernet';

const SLL_HEADER_LENGTH = 16;
const SLL2_HEADER_LENGTH = 20;
const ARPHRD_ETHER = 1;
/** Protocol value meaning the payload is an 802.2 LLC frame, not an EtherType. */
const SLL_PROTOCOL_LLC = 0x0004;
const SLL_PROTOCOL_MAXIMUM_SPECIAL = 0x05ff;

/**
 * Decode a Linux cooked header, version 1 (LINKTYPE_LINUX_SLL, 16 bytes:
 * packet type, ARPHRD type, address length, 8 address bytes, protocol) and
 * its payload. The address is the sender's, so only `sourceMacOffset` is set.
 */
export function decodeLinuxSll(data: Uint8Array, offset: number, end: number, out: DecodedPacket): void {
  if (end - offset < SLL_HEADER_LENGTH) {
    recordProblem(out, 'truncated-link-header', offset, true);
    return;
  }
  const hardwareType = readUint16BigEndian(data, offset + 2);
  const addressLength = readUint16BigEndian(data, offset + 4);
  const protocol = readUint16BigEndian(data, offset + 14);
  if (hardwareType === ARPHRD_ETHER && addressLength === 6) out.sourceMacOffset = offset + 6;
  decodeCookedPayload(data, offset + SLL_HEADER_LENGTH, end, protocol, out);
}

/**
 * Decode a Linux cooked header, version 2 (LINKTYPE_LINUX_SLL2, 20 bytes:
 * protocol, reserved, interface index, ARPHRD type, packet type, address
 * length, 8 address bytes) and its payload.
 */
export function decodeLinuxSll2(data: Uint8Array, offset: number, end: number, out: DecodedPacket): void {
  if (end - offset < SLL2_HEADER_LENGTH) {
    recordProblem(out, 'truncated-link-header', offset, true);
    return;
  }
  const protocol = readUint16BigEndian(data, offset);
  const hardwareType = readUint16BigEndian(data, offset + 8);
  const addressLength = data[offset + 11] as number;
  if (hardwareType === ARPHRD_ETHER && addressLength === 6) out.sourceMacOffset = offset + 12;
  decodeCookedPayload(data, offset + SLL2_HEADER_LENGTH, end, protocol, out);
}

/** Protocol values up to 0x05FF are Linux's own (LLC, Novell 802.3, CAN), and only LLC is followed. */
function decodeCookedPayload(data: Uint8Array, offset: number, end: number, protocol: number, out: DecodedPacket): void {
  if (protocol === SLL_PROTOCOL_LLC) {
    decodeLlc(data, offset, end, out, 'none');
    return;
  }
  if (protocol <= SLL_PROTOCOL_MAXIMUM_SPECIAL) return;
  decodeEtherTypePayload(data, offset, end, protocol, out, 'none');
}
