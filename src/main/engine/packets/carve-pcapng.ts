/**
 * Writes chosen packets of a source capture as a new pcapng file: a
 * Section Header Block whose comment names the case and the alert, one
 * Interface Description Block per source interface used (same link type,
 * snaplen and if_tsresol, so timestamps are stored as the same ticks), and
 * an Enhanced Packet Block per packet with the original bytes and length.
 * Little-endian, one section.
 */
import { writeFile } from 'node:fs/promises';
import type { CaptureLayout, RawPacket } from './capture-random-reader';

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_EPB = 0x00000006;
const OPTION_COMMENT = 1;
const OPTION_TSRESOL = 9;
const OPTION_TSOFFSET = 14;
const SHB_APPLICATION = 4;
/** Option values are at most 65535 bytes; longer comments are cut. */
const MAX_OPTION_BYTES = 65_532;

export interface CarveOptions {
  /** SHB comment, e.g. "Tideline case 2026-12-04-x, alert a1: Port scan". */
  comment: string;
  /** Application name for shb_userappl. */
  application?: string;
}

/** Build the carved file in memory. Returns its bytes; the caller owns them. */
export function buildCarvedPcapng(layout: CaptureLayout, packets: readonly RawPacket[], options: CarveOptions): Uint8Array {
  const blocks: Uint8Array[] = [buildSectionHeader(options)];
  const carvedInterfaceIds = new Map<number, number>();
  for (const packet of packets) {
    if (carvedInterfaceIds.has(packet.interfaceId)) continue;
    const source = layout.interfaces[packet.interfaceId];
    if (source === undefined) throw new Error(`Packet ${packet.packetNumber} names interface ${packet.interfaceId}, which the source does not describe.`);
    carvedInterfaceIds.set(packet.interfaceId, carvedInterfaceIds.size);
    blocks.push(buildBlock(BLOCK_IDB, interfaceBody(source.linkType, source.snaplen, source.timestampResolution, source.timestampOffsetSeconds)));
  }
  for (const packet of packets) {
    blocks.push(buildBlock(BLOCK_EPB, packetBody(carvedInterfaceIds.get(packet.interfaceId) ?? 0, packet)));
  }
  return concat(blocks);
}

/** Write the carved file to `path`; returns the bytes written. */
export async function writeCarvedPcapng(path: string, layout: CaptureLayout, packets: readonly RawPacket[], options: CarveOptions): Promise<number> {
  const bytes = buildCarvedPcapng(layout, packets, options);
  await writeFile(path, bytes);
  return bytes.length;
}

function buildSectionHeader(options: CarveOptions): Uint8Array {
  const fixed = new Uint8Array(16);
  const view = new DataView(fixed.buffer);
  view.setUint32(0, 0x1a2b3c4d, true); // byte-order magic
  view.setUint16(4, 1, true); // major version
  view.setUint16(6, 0, true); // minor version
  view.setBigInt64(8, -1n, true); // section length unknown
  const options_ = [encodeOption(OPTION_COMMENT, new TextEncoder().encode(options.comment)), encodeOption(SHB_APPLICATION, new TextEncoder().encode(options.application ?? 'Tideline')), endOfOptions()];
  return buildBlock(BLOCK_SHB, concat([fixed, ...options_]));
}

function interfaceBody(linkType: number, snaplen: number, resolution: number, offsetSeconds: number): Uint8Array {
  const fixed = new Uint8Array(8);
  const view = new DataView(fixed.buffer);
  view.setUint16(0, linkType, true);
  view.setUint32(4, snaplen, true);
  const options = [encodeOption(OPTION_TSRESOL, Uint8Array.of(resolution))];
  if (offsetSeconds !== 0) {
    const offset = new Uint8Array(8);
    new DataView(offset.buffer).setBigInt64(0, BigInt(offsetSeconds), true);
    options.push(encodeOption(OPTION_TSOFFSET, offset));
  }
  return concat([fixed, ...options, endOfOptions()]);
}

function packetBody(interfaceId: number, packet: RawPacket): Uint8Array {
  const padded = (packet.data.length + 3) & ~3;
  const body = new Uint8Array(20 + padded);
  const view = new DataView(body.buffer);
  view.setUint32(0, interfaceId, true);
  view.setUint32(4, Number(packet.timestampTicks >> 32n), true);
  view.setUint32(8, Number(packet.timestampTicks & 0xffffffffn), true);
  view.setUint32(12, packet.data.length, true);
  view.setUint32(16, packet.originalLength, true);
  body.set(packet.data, 20);
  return body;
}

/** Type, total length, body padded to 4 bytes, total length again. */
function buildBlock(type: number, body: Uint8Array): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const block = new Uint8Array(12 + padded);
  const view = new DataView(block.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, block.length, true);
  block.set(body, 8);
  view.setUint32(block.length - 4, block.length, true);
  return block;
}

function encodeOption(code: number, value: Uint8Array): Uint8Array {
  if (value.length > MAX_OPTION_BYTES) value = value.subarray(0, MAX_OPTION_BYTES);
  const option = new Uint8Array(4 + ((value.length + 3) & ~3));
  const view = new DataView(option.buffer);
  view.setUint16(0, code, true);
  view.setUint16(2, value.length, true);
  option.set(value, 4);
  return option;
}

function endOfOptions(): Uint8Array {
  return new Uint8Array(4);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
