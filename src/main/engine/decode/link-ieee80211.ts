import type { DecodedPacket } from './decoded-packet';
import { readUint16LittleEndian, readUint32LittleEndian, recordProblem } from './decode-problem';
import { decodeLlc } from './link-ethernet';

const IEEE80211_HEADER_LENGTH = 24;
const IEEE80211_TYPE_DATA = 2;
/** Frame-control flags (second byte). */
const FLAG_TO_DS = 0x01;
const FLAG_FROM_DS = 0x02;
const FLAG_PROTECTED = 0x40;
const FLAG_ORDER = 0x80;
const ADDRESS_4_LENGTH = 6;
const QOS_CONTROL_LENGTH = 2;
const HT_CONTROL_LENGTH = 4;
const FCS_LENGTH = 4;

const RADIOTAP_MINIMUM_HEADER_LENGTH = 8;
const RADIOTAP_PRESENT_TSFT = 0x00000001;
const RADIOTAP_PRESENT_FLAGS = 0x00000002;
const RADIOTAP_PRESENT_EXTENDED = 0x80000000;
/** Radiotap Flags field bit: the frame ends with a 4-byte FCS. */
const RADIOTAP_FLAG_FCS_AT_END = 0x10;

/**
 * Decode an 802.11 frame (LINKTYPE_IEEE802_11) far enough to reach the
 * LLC/SNAP payload of a data frame. Management and control frames, null
 * data frames and protected (encrypted) frames end decoding without a
 * problem. `hasFcs` trims the 4-byte frame check sequence from the end.
 */
export function decodeIeee80211(
  data: Uint8Array,
  offset: number,
  end: number,
  out: DecodedPacket,
  hasFcs: boolean,
): void {
  const frameEnd = hasFcs ? end - FCS_LENGTH : end;
  if (frameEnd - offset < IEEE80211_HEADER_LENGTH) {
    recordProblem(out, 'truncated-ieee80211', offset, true);
    return;
  }
  const control = data[offset] as number;
  const flags = data[offset + 1] as number;
  if (((control >> 2) & 0x03) !== IEEE80211_TYPE_DATA) return;
  const subtype = control >> 4;

  // Address roles depend on the distribution-system bits.
  const toDs = (flags & FLAG_TO_DS) !== 0;
  const fromDs = (flags & FLAG_FROM_DS) !== 0;
  let headerLength = IEEE80211_HEADER_LENGTH;
  if (toDs && fromDs) headerLength += ADDRESS_4_LENGTH;
  const isQos = (subtype & 0x08) !== 0;
  if (isQos) headerLength += QOS_CONTROL_LENGTH;
  if (isQos && (flags & FLAG_ORDER) !== 0) headerLength += HT_CONTROL_LENGTH;
  if (frameEnd - offset < headerLength) {
    recordProblem(out, 'truncated-ieee80211', offset, true);
    return;
  }
  out.destinationMacOffset = offset + (toDs ? 16 : 4);
  if (toDs && fromDs) out.sourceMacOffset = offset + 24;
  else out.sourceMacOffset = offset + (fromDs ? 16 : 10);

  // Subtypes with bit 0x04 (null function, CF-Ack/Poll only) carry no data.
  if ((subtype & 0x04) !== 0 || (flags & FLAG_PROTECTED) !== 0) return;
  decodeLlc(data, offset + headerLength, frameEnd, out, 'none');
}

/**
 * Decode a radiotap header (LINKTYPE_IEEE802_11_RADIOTAP, whose length and
 * fields are little-endian) and the 802.11 frame after it. The Flags field,
 * when present, says whether the frame ends with an FCS.
 */
export function decodeRadiotap(data: Uint8Array, offset: number, end: number, out: DecodedPacket): void {
  if (end - offset < RADIOTAP_MINIMUM_HEADER_LENGTH) {
    recordProblem(out, 'truncated-radiotap', offset, true);
    return;
  }
  const headerLength = readUint16LittleEndian(data, offset + 2);
  if (headerLength < RADIOTAP_MINIMUM_HEADER_LENGTH || headerLength > end - offset) {
    recordProblem(out, 'truncated-radiotap', offset + 2, true);
    return;
  }
  const hasFcs = hasRadiotapFcs(data, offset, offset + headerLength);
  decodeIeee80211(data, offset + headerLength, end, out, hasFcs);
}

/** Find the Flags field: skip the chain of present words, then the 8-aligned TSFT field if present. */
function hasRadiotapFcs(data: Uint8Array, offset: number, end: number): boolean {
  const present = readUint32LittleEndian(data, offset + 4);
  if ((present & RADIOTAP_PRESENT_FLAGS) === 0) return false;
  let position = offset + 4;
  let word = present;
  while ((word & RADIOTAP_PRESENT_EXTENDED) !== 0) {
    position += 4;
    if (end - position < 4) return false;
    word = readUint32LittleEndian(data, position);
  }
  position += 4;
  if ((present & RADIOTAP_PRESENT_TSFT) !== 0) {
    position = offset + ((position - offset + 7) & ~7) + 8;
  }
  if (end - position < 1) return false;
  return ((data[position] as number) & RADIOTAP_FLAG_FCS_AT_END) !== 0;
}
