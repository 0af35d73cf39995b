/**
 * One captured packet as a capture reader hands it to its consumer.
 *
 * The reader reuses a single record object and `data` is a view into the
 * reader's current chunk: both are valid only during the callback that
 * receives them. A consumer that keeps bytes past the callback copies them.
 */
export interface PacketRecord {
  /** 1-based position of the packet in the capture, as Wireshark numbers frames. */
  packetNumber: number;
  /** Byte offset of the record's header (pcap) or block (pcapng) in the uncompressed stream. */
  fileOffset: number;
  /** Integer microseconds since the Unix epoch (exact up to 2^53). */
  timestampUs: number;
  /** Nanoseconds past `timestampUs`, 0-999; 0 when the capture has microsecond resolution. */
  timestampNsRemainder: number;
  /** Bytes present in `data`. */
  capturedLength: number;
  /** Length of the packet on the wire, which is larger than `capturedLength` when the snaplen cut it. */
  originalLength: number;
  /** LINKTYPE_* value of the interface that captured this packet. */
  linkType: number;
  /** pcapng interface id within the section; 0 for pcap. */
  interfaceId: number;
  /** Packet bytes, a borrowed view into the reader's chunk. */
  data: Uint8Array;
  /**
   * True when the file stores no time for this packet (pcapng Simple Packet
   * Block); timestampUs is then 0 and should not count toward time ranges.
   */
  isTimestampMissing?: boolean;
}

/** Create a PacketRecord with every field zeroed, for a reader to reuse for every packet. */
export function createPacketRecord(): PacketRecord {
  return {
    packetNumber: 0,
    fileOffset: 0,
    timestampUs: 0,
    timestampNsRemainder: 0,
    capturedLength: 0,
    originalLength: 0,
    linkType: 0,
    interfaceId: 0,
    data: new Uint8Array(0),
    isTimestampMissing: false,
  };
}

/** A problem found in the capture file itself, not in a packet's contents. */
export interface CaptureFileWarning {
  code: CaptureFileWarningCode;
  /** Byte offset in the uncompressed stream where the problem starts. */
  fileOffset: number;
  /** 1-based number of the packet concerned, or of the next packet, when known. */
  packetNumber: number | null;
  message: string;
}

export type CaptureFileWarningCode =
  | 'truncated-file'
  | 'captured-length-exceeds-snaplen'
  | 'captured-length-too-large'
  | 'captured-length-exceeds-original'
  | 'invalid-block-length'
  | 'unknown-interface'
  | 'unsupported-block'
  | 'invalid-option'
  | 'invalid-timestamp'
  | 'decompression-error';

/** Everything a capture's headers say about one interface (pcap has exactly one). */
export interface CaptureInterface {
  /** Index across the whole file: pcapng interface ids restart at 0 in every section. */
  globalId: number;
  sectionIndex: number;
  interfaceId: number;
  linkType: number;
  snaplen: number;
  /** Timestamp units per second, e.g. 1e6 for microseconds or 1e9 for nanoseconds. */
  ticksPerSecond: number;
  /** if_tsoffset in seconds, added to every timestamp of this interface. */
  timestampOffsetSeconds: number;
  name: string | null;
  description: string | null;
  filter: string | null;
  os: string | null;
  /**
   * Bytes of frame check sequence at the end of every packet, when the header
   * states it (pcap link-type FCS bits, pcapng if_fcslen); absent when unknown.
   */
  fcsLengthBytes?: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';
