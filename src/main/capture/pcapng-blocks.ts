/**
 * Encoders of the pcapng blocks a live capture writes (little-endian, per
 * the pcapng specification, draft-ietf-opsawg-pcapng): Section Header,
 * Interface Description, Enhanced Packet and Interface Statistics blocks.
 */

export const BLOCK_TYPE = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  INTERFACE_STATISTICS: 0x00000005,
  ENHANCED_PACKET: 0x00000006,
} as const;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPTION_END = 0;
const OPTION_COMMENT = 1;
const SHB_HARDWARE = 2;
const SHB_OS = 3;
const SHB_USER_APPLICATION = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_FILTER = 11;
const ISB_STARTTIME = 2;
const ISB_ENDTIME = 3;
const ISB_IFRECV = 4;
const ISB_IFDROP = 5;
const ISB_OSDROP = 7;
const ISB_USRDELIV = 8;
/** Fixed part of an Enhanced Packet Block: type, length, interface, timestamp high/low, lengths, trailing length. */
export const ENHANCED_PACKET_OVERHEAD = 32;

export interface SectionHeaderOptions {
  hardware?: string;
  os?: string;
  userApplication?: string;
  comment?: string;
}

export interface InterfaceDescriptionOptions {
  linkType: number;
  snaplen: number;
  name?: string;
  description?: string;
  /** 9 for nanoseconds, 6 for microseconds. */
  timestampResolutionDigits: 6 | 9;
  filter?: string;
  comment?: string;
}

/** Timestamps as seconds and a fraction in units of 10^-digits seconds. */
export interface BlockTimestamp {
  seconds: number;
  fraction: number;
}

export interface InterfaceStatisticsOptions {
  interfaceId: number;
  timestamp: BlockTimestamp;
  startTime?: BlockTimestamp;
  endTime?: BlockTimestamp;
  /** Packets the interface received (libpcap ps_recv). */
  received?: number;
  /** Packets dropped by the interface (libpcap ps_ifdrop). */
  droppedByInterface?: number;
  /** Packets dropped by the operating system (libpcap ps_drop). */
  droppedByKernel?: number;
  /** Packets delivered to Tideline. */
  delivered?: number;
  comment?: string;
}

const textEncoder = new TextEncoder();

/** Encode a Section Header Block with unknown section length (-1), so the file can grow. */
export function encodeSectionHeader(options: SectionHeaderOptions): Uint8Array {
  const body = new OptionWriter();
  body.addText(OPTION_COMMENT, options.comment);
  body.addText(SHB_HARDWARE, options.hardware);
  body.addText(SHB_OS, options.os);
  body.addText(SHB_USER_APPLICATION, options.userApplication);
  const fixed = new Uint8Array(16);
  const view = new DataView(fixed.buffer);
  view.setUint32(0, BYTE_ORDER_MAGIC, true);
  view.setUint16(4, 1, true);
  view.setUint16(6, 0, true);
  view.setInt32(8, -1, true);
  view.setInt32(12, -1, true);
  return frameBlock(BLOCK_TYPE.SECTION_HEADER, fixed, body.finish());
}

export function encodeInterfaceDescription(options: InterfaceDescriptionOptions): Uint8Array {
  const body = new OptionWriter();
  body.addText(OPTION_COMMENT, options.comment);
  body.addText(IF_NAME, options.name);
  body.addText(IF_DESCRIPTION, options.description);
  body.add(IF_TSRESOL, Uint8Array.of(options.timestampResolutionDigits));
  if (options.filter !== undefined && options.filter !== '') {
    // A first byte of 0 marks the filter as a libpcap filter string.
    const text = textEncoder.encode(options.filter);
    const value = new Uint8Array(text.length + 1);
    value.set(text, 1);
    body.add(IF_FILTER, value);
  }
  const fixed = new Uint8Array(8);
  const view = new DataView(fixed.buffer);
  view.setUint16(0, options.linkType, true);
  view.setUint32(4, options.snaplen, true);
  return frameBlock(BLOCK_TYPE.INTERFACE_DESCRIPTION, fixed, body.finish());
}

export function encodeInterfaceStatistics(options: InterfaceStatisticsOptions, digits: 6 | 9): Uint8Array {
  const body = new OptionWriter();
  body.addText(OPTION_COMMENT, options.comment);
  if (options.startTime !== undefined) body.add(ISB_STARTTIME, encodeTimestampValue(options.startTime, digits));
  if (options.endTime !== undefined) body.add(ISB_ENDTIME, encodeTimestampValue(options.endTime, digits));
  if (options.received !== undefined) body.add(ISB_IFRECV, encodeUint64(options.received));
  if (options.droppedByInterface !== undefined) body.add(ISB_IFDROP, encodeUint64(options.droppedByInterface));
  if (options.droppedByKernel !== undefined) body.add(ISB_OSDROP, encodeUint64(options.droppedByKernel));
  if (options.delivered !== undefined) body.add(ISB_USRDELIV, encodeUint64(options.delivered));
  const fixed = new Uint8Array(12);
  const view = new DataView(fixed.buffer);
  view.setUint32(0, options.interfaceId, true);
  const ticks = splitTicks(options.timestamp, digits);
  view.setUint32(4, ticks.high, true);
  view.setUint32(8, ticks.low, true);
  return frameBlock(BLOCK_TYPE.INTERFACE_STATISTICS, fixed, body.finish());
}

/** Bytes an Enhanced Packet Block with `capturedLength` packet bytes and no options takes. */
export function getEnhancedPacketLength(capturedLength: number): number {
  return ENHANCED_PACKET_OVERHEAD + ((capturedLength + 3) & ~3);
}

/**
 * Write an Enhanced Packet Block for `data` at `offset` in `target`, which
 * must have getEnhancedPacketLength(data.length) bytes there. Returns the
 * offset after the block.
 */
export function writeEnhancedPacket(
  target: Uint8Array,
  offset: number,
  interfaceId: number,
  timestamp: BlockTimestamp,
  digits: 6 | 9,
  data: Uint8Array,
  originalLength: number,
): number {
  const length = getEnhancedPacketLength(data.length);
  const view = new DataView(target.buffer, target.byteOffset + offset, length);
  const ticks = splitTicks(timestamp, digits);
  view.setUint32(0, BLOCK_TYPE.ENHANCED_PACKET, true);
  view.setUint32(4, length, true);
  view.setUint32(8, interfaceId, true);
  view.setUint32(12, ticks.high, true);
  view.setUint32(16, ticks.low, true);
  view.setUint32(20, data.length, true);
  view.setUint32(24, originalLength, true);
  target.set(data, offset + 28);
  target.fill(0, offset + 28 + data.length, offset + length - 4);
  view.setUint32(length - 4, length, true);
  return offset + length;
}

const tickScratch = { high: 0, low: 0 };

/**
 * Split seconds * 10^digits + fraction into two u32 halves without BigInt.
 * Exact for seconds below 2^32: 10^9 < 2^30, so each partial product stays under 2^53.
 */
export function splitTicks(timestamp: BlockTimestamp, digits: 6 | 9): { high: number; low: number } {
  const perSecond = digits === 9 ? 1_000_000_000 : 1_000_000;
  const secondsHigh = Math.floor(timestamp.seconds / 65536);
  const secondsLow = timestamp.seconds % 65536;
  // seconds * perSecond = secondsHigh * perSecond * 2^16 + secondsLow * perSecond.
  const upper = secondsHigh * perSecond;
  const upperHigh = Math.floor(upper / 65536);
  const upperLow = upper % 65536;
  const low = upperLow * 65536 + secondsLow * perSecond + timestamp.fraction;
  tickScratch.high = upperHigh + Math.floor(low / 4294967296);
  tickScratch.low = low % 4294967296;
  return tickScratch;
}

function encodeTimestampValue(timestamp: BlockTimestamp, digits: 6 | 9): Uint8Array {
  const ticks = splitTicks(timestamp, digits);
  const value = new Uint8Array(8);
  const view = new DataView(value.buffer);
  view.setUint32(0, ticks.high, true);
  view.setUint32(4, ticks.low, true);
  return value;
}

function encodeUint64(count: number): Uint8Array {
  const value = new Uint8Array(8);
  const view = new DataView(value.buffer);
  view.setUint32(0, count % 4294967296, true);
  view.setUint32(4, Math.floor(count / 4294967296), true);
  return value;
}

/** Collects options as code, length, value padded to 4; `finish` adds opt_endofopt when any were added. */
class OptionWriter {
  private readonly parts: Uint8Array[] = [];

  addText(code: number, text: string | undefined): void {
    if (text === undefined || text === '') return;
    this.add(code, textEncoder.encode(text));
  }

  add(code: number, value: Uint8Array): void {
    // An option value is at most 65535 bytes; longer text is cut rather than corrupting the block.
    const kept = value.length > 65535 ? value.subarray(0, 65535) : value;
    const part = new Uint8Array(4 + ((kept.length + 3) & ~3));
    const view = new DataView(part.buffer);
    view.setUint16(0, code, true);
    view.setUint16(2, kept.length, true);
    part.set(kept, 4);
    this.parts.push(part);
  }

  finish(): Uint8Array {
    if (this.parts.length === 0) return new Uint8Array(0);
    this.parts.push(Uint8Array.of(OPTION_END, 0, 0, 0));
    return concatenate(this.parts);
  }
}

function frameBlock(type: number, fixed: Uint8Array, options: Uint8Array): Uint8Array {
  const length = 12 + fixed.length + options.length;
  const block = new Uint8Array(length);
  const view = new DataView(block.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, length, true);
  block.set(fixed, 8);
  block.set(options, 8 + fixed.length);
  view.setUint32(length - 4, length, true);
  return block;
}

function concatenate(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
