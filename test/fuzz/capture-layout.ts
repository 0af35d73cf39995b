/**
 * Finds the records of a valid pcap or pcapng file and the IP and transport
 * length fields inside each packet, so the mutators can aim at the fields a
 * parser trusts. Used only on fuzz seeds; it stops at the first damage.
 */

/** Where one length field sits and how wide it is. */
export interface LengthField {
  offset: number;
  width: 1 | 2 | 4;
  isLittleEndian: boolean;
  /** For 1-byte fields: the nibble mask (0xf0 or 0x0f) the length lives in. */
  nibbleMask?: number;
  name: string;
}

export interface CaptureLayout {
  /** Start of every record (pcap) or block after the first (pcapng). */
  recordOffsets: number[];
  lengthFields: LengthField[];
}

const MAX_RECORDS = 200_000;

/** Returns the layout of `bytes`, or an empty layout when they are not pcap or pcapng. */
export function findCaptureLayout(bytes: Uint8Array): CaptureLayout {
  const layout: CaptureLayout = { recordOffsets: [], lengthFields: [] };
  if (bytes.length < 24) return layout;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) walkPcap(bytes, view, true, layout);
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) walkPcap(bytes, view, false, layout);
  else if (magic === 0x0a0d0d0a) walkPcapng(bytes, view, layout);
  return layout;
}

function walkPcap(bytes: Uint8Array, view: DataView, isLittleEndian: boolean, layout: CaptureLayout): void {
  const linkType = view.getUint32(20, isLittleEndian) & 0xffff;
  layout.lengthFields.push({ offset: 16, width: 4, isLittleEndian, name: 'pcap snaplen' });
  let offset = 24;
  while (offset + 16 <= bytes.length && layout.recordOffsets.length < MAX_RECORDS) {
    const capturedLength = view.getUint32(offset + 8, isLittleEndian);
    if (offset + 16 + capturedLength > bytes.length) break;
    layout.recordOffsets.push(offset);
    layout.lengthFields.push({ offset: offset + 8, width: 4, isLittleEndian, name: 'pcap captured length' });
    layout.lengthFields.push({ offset: offset + 12, width: 4, isLittleEndian, name: 'pcap original length' });
    addPacketFields(bytes, offset + 16, capturedLength, linkType, layout);
    offset += 16 + capturedLength;
  }
}

function walkPcapng(bytes: Uint8Array, view: DataView, layout: CaptureLayout): void {
  let isLittleEndian = true;
  let linkTypes: number[] = [];
  let offset = 0;
  while (offset + 12 <= bytes.length && layout.recordOffsets.length < MAX_RECORDS) {
    const type = view.getUint32(offset, isLittleEndian);
    if (type === 0x0a0d0d0a) {
      // The byte-order magic decides how this section, this block's length included, is read.
      if (offset + 12 > bytes.length) break;
      isLittleEndian = view.getUint32(offset + 8, true) === 0x1a2b3c4d;
      linkTypes = [];
    }
    const totalLength = view.getUint32(offset + 4, isLittleEndian);
    if (totalLength < 12 || totalLength % 4 !== 0 || offset + totalLength > bytes.length) break;
    if (offset > 0) layout.recordOffsets.push(offset);
    layout.lengthFields.push({ offset: offset + 4, width: 4, isLittleEndian, name: 'pcapng block total length' });
    layout.lengthFields.push({
      offset: offset + totalLength - 4,
      width: 4,
      isLittleEndian,
      name: 'pcapng trailing block length',
    });

    if (type === 0x00000001 && totalLength >= 20) linkTypes.push(view.getUint16(offset + 8, isLittleEndian));
    if (type === 0x00000006 && totalLength >= 32) {
      const capturedLength = view.getUint32(offset + 20, isLittleEndian);
      layout.lengthFields.push({ offset: offset + 20, width: 4, isLittleEndian, name: 'pcapng EPB captured length' });
      layout.lengthFields.push({ offset: offset + 24, width: 4, isLittleEndian, name: 'pcapng EPB original length' });
      const linkType = linkTypes[view.getUint32(offset + 8, isLittleEndian)];
      if (linkType !== undefined && 28 + capturedLength <= totalLength - 4)
        addPacketFields(bytes, offset + 28, capturedLength, linkType, layout);
    }
    if (type === 0x00000003 && totalLength >= 16) {
      layout.lengthFields.push({ offset: offset + 8, width: 4, isLittleEndian, name: 'pcapng SPB original length' });
      const linkType = linkTypes[0];
      if (linkType !== undefined) addPacketFields(bytes, offset + 12, totalLength - 16, linkType, layout);
    }
    offset += totalLength;
  }
}

/** Adds the IP total/payload length, IPv4 header length, TCP data offset and UDP length of one packet. */
function addPacketFields(
  bytes: Uint8Array,
  start: number,
  length: number,
  linkType: number,
  layout: CaptureLayout,
): void {
  const end = start + length;
  let ip = -1;
  if (linkType === 1 && length >= 14) {
    // Ethernet, skipping 802.1Q / 802.1ad tags.
    let typeOffset = start + 12;
    while (
      typeOffset + 2 <= end &&
      (bytes[typeOffset] === 0x81 || bytes[typeOffset] === 0x88) &&
      (bytes[typeOffset + 1] === 0x00 || bytes[typeOffset + 1] === 0xa8)
    )
      typeOffset += 4;
    if (typeOffset + 2 <= end && bytes[typeOffset] === 0x08 && bytes[typeOffset + 1] === 0x00) ip = typeOffset + 2;
    if (typeOffset + 2 <= end && bytes[typeOffset] === 0x86 && bytes[typeOffset + 1] === 0xdd) ip = typeOffset + 2;
  } else if (linkType === 101 || linkType === 228 || linkType === 229 || linkType === 12) {
    ip = start;
  } else if (linkType === 0 && length >= 4) {
    ip = start + 4;
  } else if (linkType === 113 && length >= 16) {
    ip = start + 16;
  } else if (linkType === 276 && length >= 20) {
    ip = start + 20;
  }
  if (ip < 0 || ip >= end) return;

  const version = (bytes[ip] ?? 0) >> 4;
  let transport = -1;
  let protocol = -1;
  if (version === 4 && ip + 20 <= end) {
    layout.lengthFields.push({
      offset: ip,
      width: 1,
      isLittleEndian: false,
      nibbleMask: 0x0f,
      name: 'IPv4 header length',
    });
    layout.lengthFields.push({ offset: ip + 2, width: 2, isLittleEndian: false, name: 'IPv4 total length' });
    transport = ip + ((bytes[ip] ?? 0) & 0x0f) * 4;
    protocol = bytes[ip + 9] ?? -1;
  } else if (version === 6 && ip + 40 <= end) {
    layout.lengthFields.push({ offset: ip + 4, width: 2, isLittleEndian: false, name: 'IPv6 payload length' });
    transport = ip + 40;
    protocol = bytes[ip + 6] ?? -1;
  }
  if (protocol === 6 && transport + 20 <= end) {
    layout.lengthFields.push({
      offset: transport + 12,
      width: 1,
      isLittleEndian: false,
      nibbleMask: 0xf0,
      name: 'TCP data offset',
    });
  }
  if (protocol === 17 && transport + 8 <= end) {
    layout.lengthFields.push({ offset: transport + 4, width: 2, isLittleEndian: false, name: 'UDP length' });
  }
}
