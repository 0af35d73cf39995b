/**
 * One packet decoded for the packet view: a tree of layers and fields with
 * the bytes each covers, so selecting a field highlights its bytes.
 * JSON-safe; strings decoded from packets are hostile and render as text.
 */

export interface PacketTreeNode {
  /** Line shown, e.g. "Internet Protocol Version 4, Src: 10.0.0.1, Dst: 10.0.0.2" or "Time to Live: 64". */
  label: string;
  /** Wireshark field name ("ip.ttl"), or null for a layer or a line without one. */
  field: string | null;
  /** The field's value as text, or null for a layer. */
  value: string | null;
  /** First byte in the packet and number of bytes covered; length 0 for values not in the bytes (arrival time). */
  offset: number;
  length: number;
  children: PacketTreeNode[];
}

export interface PacketDetail {
  /** 1-based number in the source capture, as Wireshark numbers frames. */
  packetNumber: number;
  sourceId: number;
  timestampUs: number;
  capturedLength: number;
  originalLength: number;
  linkType: number;
  /** Outermost layer first: Frame, link, network, transport, application. */
  layers: PacketTreeNode[];
  /** The captured bytes, base64. */
  bytesBase64: string;
  /** Where decoding stopped early and why ("IPv4 header truncated at byte 30"); empty when complete. */
  problems: string[];
}

/** One piece of a followed conversation. */
export interface StreamChunk {
  /** 'originator' sent it (the flow's client side) or 'responder'. */
  direction: 'originator' | 'responder';
  /** Payload bytes, base64. */
  bytesBase64: string;
  /** Packet that carried these bytes (for TCP, the segment that first delivered them). */
  packetNumber: number;
  timestampUs: number;
}

export interface FollowedStream {
  uid: string;
  transport: 'tcp' | 'udp';
  chunks: StreamChunk[];
  /** Payload bytes per direction in `chunks`. */
  originatorBytes: number;
  responderBytes: number;
  /** True when the byte cap cut the stream; `note` says where. */
  isTruncated: boolean;
  /** Gaps (bytes never captured), cap, or other remarks for the user; null when none. */
  note: string | null;
}
