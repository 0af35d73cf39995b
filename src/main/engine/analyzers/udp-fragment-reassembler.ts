/**
 * Rebuilds UDP payloads that IP fragmentation split (large DNS responses,
 * EDNS answers over IPv6), so the datagram analyzers see whole messages.
 * The decoder decodes UDP only in the first fragment; later fragments reach
 * the analyzers with their IP header offsets, and their data is located
 * here: after the IPv4 header, or after the IPv6 fragment extension header.
 */
import type { NetworkLayer } from '../decode/decoded-packet';

/** Largest UDP payload rebuilt (the IPv4 total length limit). */
const MAX_DATAGRAM_BYTES = 65_535;
/** Datagrams under reassembly per flow; an older one is dropped for a new one. */
const MAX_PENDING_DATAGRAMS = 8;
/** IPv6 extension headers walked to find the fragment header. */
const MAX_EXTENSION_HEADERS = 8;
const UDP_HEADER_LENGTH = 8;

interface PendingDatagram {
  fragmentId: number;
  /** UDP payload length from the first fragment's UDP header, or -1 before it arrived. */
  expectedLength: number;
  /** Copied pieces as [payload offset, bytes]. */
  pieces: [number, Uint8Array][];
  receivedBytes: number;
}

export class UdpFragmentReassembler {
  private readonly pending: PendingDatagram[] = [];

  /**
   * Add one fragment of a UDP datagram. Returns the whole UDP payload once
   * every byte arrived (a new array owned by the caller), else null.
   */
  addFragment(layer: NetworkLayer, data: Uint8Array): Uint8Array | null {
    const datagram = this.findDatagram(layer.fragmentId);
    if (layer.fragmentOffset === 0) {
      // First fragment: the decoder found the UDP header, whose length field covers the whole datagram.
      const udpLength = ((data[layer.transportOffset + 4] ?? 0) << 8) | (data[layer.transportOffset + 5] ?? 0);
      if (udpLength < UDP_HEADER_LENGTH || layer.transportOffset + UDP_HEADER_LENGTH > data.length) return null;
      datagram.expectedLength = udpLength - UDP_HEADER_LENGTH;
      this.addPiece(datagram, 0, data.subarray(layer.payloadOffset, layer.payloadOffset + layer.payloadLength));
    } else {
      const start = getFragmentDataOffset(layer, data);
      if (start < 0) return null;
      const end = Math.min(layer.ipOffset + layer.ipLength, data.length);
      if (end <= start) return null;
      this.addPiece(datagram, layer.fragmentOffset - UDP_HEADER_LENGTH, data.subarray(start, end));
    }
    return this.tryComplete(datagram);
  }

  private findDatagram(fragmentId: number): PendingDatagram {
    let datagram = this.pending.find((candidate) => candidate.fragmentId === fragmentId);
    if (datagram !== undefined) return datagram;
    if (this.pending.length >= MAX_PENDING_DATAGRAMS) this.pending.shift();
    datagram = { fragmentId, expectedLength: -1, pieces: [], receivedBytes: 0 };
    this.pending.push(datagram);
    return datagram;
  }

  private addPiece(datagram: PendingDatagram, offset: number, bytes: Uint8Array): void {
    if (offset < 0 || offset + bytes.length > MAX_DATAGRAM_BYTES || bytes.length === 0) return;
    datagram.pieces.push([offset, bytes.slice()]);
    datagram.receivedBytes += bytes.length;
  }

  /** Assemble the payload when the pieces cover [0, expectedLength) (first copy of a byte wins). */
  private tryComplete(datagram: PendingDatagram): Uint8Array | null {
    const length = datagram.expectedLength;
    if (length < 0 || datagram.receivedBytes < length) return null;
    const pieces = [...datagram.pieces].sort((a, b) => a[0] - b[0]);
    let covered = 0;
    for (const [offset, bytes] of pieces) {
      if (offset > covered) return null;
      covered = Math.max(covered, offset + bytes.length);
    }
    if (covered < length) return null;

    const payload = new Uint8Array(length);
    for (let i = pieces.length - 1; i >= 0; i--) {
      const piece = pieces[i];
      if (piece === undefined) continue;
      const [offset, bytes] = piece;
      payload.set(bytes.subarray(0, Math.max(0, Math.min(bytes.length, length - offset))), offset);
    }
    this.pending.splice(this.pending.indexOf(datagram), 1);
    return payload;
  }
}

/** Offset of a non-first fragment's data in the packet, or -1 when its headers are cut. */
function getFragmentDataOffset(layer: NetworkLayer, data: Uint8Array): number {
  const ip = layer.ipOffset;
  if (layer.ipVersion === 4) {
    if (ip >= data.length) return -1;
    return ip + ((data[ip] ?? 0) & 0x0f) * 4;
  }

  // IPv6: walk the extension headers to the fragment header (44); data follows its 8 bytes.
  let nextHeader = data[ip + 6] ?? -1;
  let position = ip + 40;
  for (let count = 0; count < MAX_EXTENSION_HEADERS; count++) {
    if (position + 8 > data.length) return -1;
    if (nextHeader === 44) return position + 8;
    if (nextHeader !== 0 && nextHeader !== 43 && nextHeader !== 60 && nextHeader !== 51) return -1;
    const lengthField = data[position + 1] ?? 0;
    const headerLength = nextHeader === 51 ? (lengthField + 2) * 4 : (lengthField + 1) * 8;
    nextHeader = data[position] ?? -1;
    position += headerLength;
  }
  return -1;
}
