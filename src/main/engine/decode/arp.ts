import type { DecodedPacket } from './decoded-packet';
import { readUint16BigEndian, recordProblem } from './decode-problem';

const ARP_FIXED_LENGTH = 8;

/** Decode an ARP packet at `offset` into `out.arp`, checking that both address pairs are present. */
export function decodeArp(data: Uint8Array, offset: number, end: number, out: DecodedPacket): void {
  if (end - offset < ARP_FIXED_LENGTH) {
    recordProblem(out, 'truncated-arp', offset, true);
    return;
  }
  const hardwareLength = data[offset + 4] as number;
  const protocolLength = data[offset + 5] as number;
  if (end - offset < ARP_FIXED_LENGTH + 2 * (hardwareLength + protocolLength)) {
    recordProblem(out, 'truncated-arp', offset, true);
    return;
  }
  const arp = out.arp;
  arp.operation = readUint16BigEndian(data, offset + 6);
  arp.hardwareLength = hardwareLength;
  arp.protocolLength = protocolLength;
  arp.senderHardwareOffset = offset + ARP_FIXED_LENGTH;
  arp.senderProtocolOffset = arp.senderHardwareOffset + hardwareLength;
  arp.targetHardwareOffset = arp.senderProtocolOffset + protocolLength;
  arp.targetProtocolOffset = arp.targetHardwareOffset + hardwareLength;
  out.hasArp = true;
}
