import type { DecodedPacket } from './decoded-packet';
import { readUint16LittleEndian, recordProblem } from './decode-problem';
import { decodeEtherTypePayload, ETHER_TYPE } from './ether-type';

const NFLOG_HEADER_LENGTH = 4;
const NFLOG_TLV_HEADER_LENGTH = 4;
/** TLV type of the logged packet (NFULA_PAYLOAD). */
const NFULA_PAYLOAD = 9;
const AF_INET = 2;
const AF_INET6 = 10;

/**
 * Decode a Linux NFLOG record (LINKTYPE_NFLOG): a 4-byte header (address
 * family, version, resource id), then TLVs whose length and type are
 * little-endian, each padded to 4 bytes. The walk stops at the payload TLV
 * and decodes it as IPv4 or IPv6 by the header's family.
 */
export function decodeNflog(data: Uint8Array, offset: number, end: number, out: DecodedPacket): void {
  if (end - offset < NFLOG_HEADER_LENGTH) {
    recordProblem(out, 'truncated-nflog', offset, true);
    return;
  }
  const family = data[offset] as number;
  let etherType = 0;
  if (family === AF_INET) etherType = ETHER_TYPE.IPV4;
  else if (family === AF_INET6) etherType = ETHER_TYPE.IPV6;

  // Every TLV is at least 4 bytes long, so the walk ends with the record.
  let position = offset + NFLOG_HEADER_LENGTH;
  while (end - position >= NFLOG_TLV_HEADER_LENGTH) {
    const length = readUint16LittleEndian(data, position);
    const type = readUint16LittleEndian(data, position + 2) & 0x7fff;
    if (length < NFLOG_TLV_HEADER_LENGTH || length > end - position) {
      recordProblem(out, 'truncated-nflog', position, true);
      return;
    }
    if (type === NFULA_PAYLOAD) {
      if (etherType === 0) return;
      decodeEtherTypePayload(data, position + NFLOG_TLV_HEADER_LENGTH, position + length, etherType, out, 'none');
      return;
    }
    position += (length + 3) & ~3;
  }
  // One to three bytes left are the start of a TLV header, because the last TLV's padding is whole or absent.
  if (position < end) recordProblem(out, 'truncated-nflog', position, true);
}
