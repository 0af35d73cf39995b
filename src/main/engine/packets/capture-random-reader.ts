/**
 * Reads chosen packets of a capture by the byte offsets in the packet
 * index, without parsing the packets before them: the drill-down, follow
 * stream and carving read only what they show.
 *
 * Each packet comes back with its timestamp as the file stores it (ticks at
 * the interface's resolution), so a carved copy can write identical times.
 *
 * NOTE: a gzip source cannot be seeked: it is inflated from the start up to
 * the last wanted offset (one pass for any number of packets), so reading
 * near the end of a large .gz capture takes as long as inflating it.
 * NOTE: pcapng interfaces come from the case (recorded at ingest) or, without
 * them, from the blocks before the first packet. Only the first section's
 * interfaces are known: a packet of a second section is read with the first
 * section's interface of the same id.
 */
import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { isGzipSignature } from '../source/file-signature';

/** Location of a requested packet: its number (for messages) and its offset in the (decompressed) stream. */
export interface PacketLocation {
  packetNumber: number;
  fileOffset: number;
  /** Captured length from the packet index, so only the record's bytes are read; absent: read up to the cap. */
  capturedLength?: number;
}

/** Bytes of record framing around the packet data: pcapng EPB header and trailer, with room for options. */
const RECORD_FRAMING_BYTES = 64;

/** One interface of the source, as a carved copy must repeat it. */
export interface SourceInterface {
  linkType: number;
  snaplen: number;
  /** The if_tsresol byte (pcapng) or 6 / 9 (pcap micro / nanosecond). */
  timestampResolution: number;
  /** if_tsoffset in seconds, added to every timestamp of the interface; 0 when absent. */
  timestampOffsetSeconds: number;
}

export interface CaptureLayout {
  format: 'pcap' | 'pcapng';
  isCompressed: boolean;
  isLittleEndian: boolean;
  /** By interface id (pcap: one). */
  interfaces: SourceInterface[];
}

/** A packet read back from the source. `data` is a copy the caller owns. */
export interface RawPacket {
  packetNumber: number;
  fileOffset: number;
  interfaceId: number;
  linkType: number;
  /** Timestamp in ticks of the interface's resolution since the epoch, as stored. */
  timestampTicks: bigint;
  /** Integer microseconds since the epoch (rounded down). */
  timestampUs: number;
  capturedLength: number;
  originalLength: number;
  data: Uint8Array;
}

export type ReadPacketsResult =
  | { ok: true; layout: CaptureLayout; packets: RawPacket[] }
  | { ok: false; code: 'source-missing' | 'not-a-packet' | 'unsupported'; message: string };

const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
const PCAP_MAGIC_NANO = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_IDB = 0x00000001;
const PCAPNG_EPB = 0x00000006;
const PCAPNG_SPB = 0x00000003;
const PCAPNG_OPB = 0x00000002;
/** Largest block or record read back; matches the reader's captured-length cap plus headers. */
const MAX_RECORD_BYTES = 262_144 + 64;
/** Bytes read at once from a plain file; later offsets inside the window cost no read. */
const READ_WINDOW_BYTES = 1024 * 1024;
/** Bytes read from the start to find the header and leading interface blocks. */
const HEAD_BYTES = 64 * 1024;

/**
 * Read the packets at `locations` from the capture at `path`. Returns them
 * in the order asked; fails with 'source-missing' when the file is gone and
 * 'not-a-packet' when an offset does not hold a packet record (the file
 * changed since it was indexed).
 */
export async function readPacketsAt(path: string, locations: readonly PacketLocation[], knownInterfaces?: readonly SourceInterface[]): Promise<ReadPacketsResult> {
  const bytes = await createByteSource(path);
  if (bytes === null) {
    return { ok: false, code: 'source-missing', message: `${path} is no longer there, and the case keeps no packet bytes. Put the capture back at that path to see packet bytes.` };
  }
  try {
    const head = await bytes.read(0, HEAD_BYTES);
    const layout = parseLayout(head, bytes.isCompressed);
    if (typeof layout === 'string') return { ok: false, code: 'unsupported', message: `${path}: ${layout}` };
    // Interfaces recorded at ingest include those whose blocks come after the first packet.
    if (layout.format === 'pcapng' && knownInterfaces !== undefined && knownInterfaces.length > layout.interfaces.length) {
      layout.interfaces = [...knownInterfaces];
    }
    const sorted = [...locations].sort((a, b) => a.fileOffset - b.fileOffset);
    const byOffset = new Map<number, RawPacket>();
    for (const location of sorted) {
      const wanted = location.capturedLength === undefined ? MAX_RECORD_BYTES : Math.min(MAX_RECORD_BYTES, location.capturedLength + RECORD_FRAMING_BYTES);
      const record = await bytes.read(location.fileOffset, wanted);
      const packet = parseRecord(record, layout, location);
      if (typeof packet === 'string') {
        return { ok: false, code: 'not-a-packet', message: `${path}, packet ${location.packetNumber} at byte ${location.fileOffset}: ${packet} The file may have changed since the case was made.` };
      }
      byOffset.set(location.fileOffset, packet);
    }
    return { ok: true, layout, packets: locations.map((location) => byOffset.get(location.fileOffset)!) };
  } finally {
    await bytes.close();
  }
}

interface ByteSource {
  isCompressed: boolean;
  /** Up to `length` bytes at `offset` (fewer at the end of the stream); offsets must not go backwards for gzip after the head. */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

async function createByteSource(path: string): Promise<ByteSource | null> {
  const handle = await open(path, 'r').catch(() => null);
  if (handle === null) return null;
  const magic = new Uint8Array(4);
  await handle.read(magic, 0, 4, 0);
  if (!isGzipSignature(magic)) {
    // Packets of one flow sit close together: read a window and serve nearby offsets from it.
    let windowStart = 0;
    let window = new Uint8Array(0);
    return {
      isCompressed: false,
      async read(offset, length) {
        if (offset >= windowStart && offset + length <= windowStart + window.length) {
          return window.slice(offset - windowStart, offset - windowStart + length);
        }
        const buffer = new Uint8Array(Math.max(length, READ_WINDOW_BYTES));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        windowStart = offset;
        window = buffer.subarray(0, bytesRead);
        return window.slice(0, length);
      },
      close: () => handle.close(),
    };
  }
  await handle.close();
  return createGzipSource(path);
}

/** Inflates forward once, keeping a window of the stream from the lowest offset still wanted. */
function createGzipSource(path: string): ByteSource {
  const fileStream = createReadStream(path);
  const gunzip = createGunzip();
  fileStream.pipe(gunzip);
  const iterator = gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let windowStart = 0;
  let window = new Uint8Array(0);
  let isDone = false;
  return {
    isCompressed: true,
    async read(offset, length) {
      if (offset < windowStart) throw new Error(`gzip reader of ${path} asked for byte ${offset} behind ${windowStart}; offsets must be read in order.`);
      const trim = (): void => {
        const dropped = Math.min(offset - windowStart, window.length);
        window = window.subarray(dropped);
        windowStart += dropped;
      };
      trim();
      while (!isDone && windowStart + window.length < offset + length) {
        const next = await iterator.next();
        if (next.done === true) {
          isDone = true;
          break;
        }
        const joined = new Uint8Array(window.length + next.value.length);
        joined.set(window, 0);
        joined.set(next.value, window.length);
        window = joined;
        trim();
      }
      const start = offset - windowStart;
      return window.slice(start, start + length);
    },
    close() {
      fileStream.destroy();
      gunzip.destroy();
      return Promise.resolve();
    },
  };
}

function parseLayout(head: Uint8Array, isCompressed: boolean): CaptureLayout | string {
  if (head.length < 24) return 'the file is shorter than a capture header.';
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magicLittle = view.getUint32(0, true);
  const magicBig = view.getUint32(0, false);
  if (magicLittle === PCAP_MAGIC_MICRO || magicLittle === PCAP_MAGIC_NANO || magicBig === PCAP_MAGIC_MICRO || magicBig === PCAP_MAGIC_NANO) {
    const isLittleEndian = magicLittle === PCAP_MAGIC_MICRO || magicLittle === PCAP_MAGIC_NANO;
    const isNano = (isLittleEndian ? magicLittle : magicBig) === PCAP_MAGIC_NANO;
    const snaplen = view.getUint32(16, isLittleEndian);
    const linkType = view.getUint32(20, isLittleEndian) & 0xffff;
    return { format: 'pcap', isCompressed, isLittleEndian, interfaces: [{ linkType, snaplen, timestampResolution: isNano ? 9 : 6, timestampOffsetSeconds: 0 }] };
  }
  if (magicLittle !== PCAPNG_SHB) return 'not a pcap or pcapng file.';
  const byteOrderMagic = view.getUint32(8, true);
  const isLittleEndian = byteOrderMagic === 0x1a2b3c4d;
  const interfaces: SourceInterface[] = [];
  let offset = view.getUint32(4, isLittleEndian);
  while (offset + 12 <= head.length) {
    const type = view.getUint32(offset, isLittleEndian);
    const length = view.getUint32(offset + 4, isLittleEndian);
    if (length < 12 || length % 4 !== 0) break;
    if (type === PCAPNG_EPB || type === PCAPNG_SPB || type === PCAPNG_OPB || type === PCAPNG_SHB) break;
    if (type === PCAPNG_IDB && offset + length <= head.length && length >= 20) {
      interfaces.push(readInterfaceBlock(view, offset, length, isLittleEndian));
    }
    offset += length;
  }
  return { format: 'pcapng', isCompressed, isLittleEndian, interfaces };
}

/** IDB body: link type (2), reserved (2), snaplen (4), then options; if_tsresol is option 9. */
function readInterfaceBlock(view: DataView, offset: number, length: number, isLittleEndian: boolean): SourceInterface {
  const linkType = view.getUint16(offset + 8, isLittleEndian);
  const snaplen = view.getUint32(offset + 12, isLittleEndian);
  let timestampResolution = 6;
  let timestampOffsetSeconds = 0;
  let option = offset + 16;
  const end = offset + length - 4;
  while (option + 4 <= end) {
    const code = view.getUint16(option, isLittleEndian);
    const optionLength = view.getUint16(option + 2, isLittleEndian);
    if (code === 0) break;
    if (option + 4 + optionLength > end) break;
    if (code === 9 && optionLength >= 1) timestampResolution = view.getUint8(option + 4);
    if (code === 14 && optionLength === 8) timestampOffsetSeconds = Number(view.getBigInt64(option + 4, isLittleEndian));
    option += 4 + ((optionLength + 3) & ~3);
  }
  return { linkType, snaplen, timestampResolution, timestampOffsetSeconds };
}

/** Ticks per second of an if_tsresol byte: high bit set means a power of two. */
export function getTicksPerSecond(resolution: number): bigint {
  const exponent = BigInt(resolution & 0x7f);
  return (resolution & 0x80) !== 0 ? 2n ** exponent : 10n ** exponent;
}

function parseRecord(record: Uint8Array, layout: CaptureLayout, location: PacketLocation): RawPacket | string {
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const little = layout.isLittleEndian;
  const base = { packetNumber: location.packetNumber, fileOffset: location.fileOffset };
  if (layout.format === 'pcap') {
    if (record.length < 16) return 'expected a 16-byte pcap record header, found the end of the file.';
    const seconds = BigInt(view.getUint32(0, little));
    const fraction = BigInt(view.getUint32(4, little));
    const capturedLength = view.getUint32(8, little);
    const originalLength = view.getUint32(12, little);
    if (16 + capturedLength > record.length) return `captured length ${capturedLength} runs past the bytes present.`;
    const source = layout.interfaces[0]!;
    const ticks = seconds * getTicksPerSecond(source.timestampResolution) + fraction;
    return { ...base, interfaceId: 0, linkType: source.linkType, timestampTicks: ticks, timestampUs: toMicroseconds(ticks, source), capturedLength, originalLength, data: record.slice(16, 16 + capturedLength) };
  }
  if (record.length < 12) return 'expected a pcapng block header, found the end of the file.';
  const type = view.getUint32(0, little);
  const blockLength = view.getUint32(4, little);
  if (blockLength > record.length) return `block length ${blockLength} runs past the bytes present.`;
  if (type === PCAPNG_EPB || type === PCAPNG_OPB) {
    if (blockLength < 32) return `packet block of ${blockLength} bytes is shorter than its 32-byte minimum.`;
    const interfaceId = type === PCAPNG_EPB ? view.getUint32(8, little) : view.getUint16(8, little);
    const source = layout.interfaces[interfaceId];
    if (source === undefined) return `interface ${interfaceId} has no interface block before the first packet.`;
    const ticks = (BigInt(view.getUint32(12, little)) << 32n) | BigInt(view.getUint32(16, little));
    const capturedLength = view.getUint32(20, little);
    const originalLength = view.getUint32(24, little);
    if (28 + capturedLength > blockLength - 4) return `captured length ${capturedLength} runs past the block's end.`;
    return { ...base, interfaceId, linkType: source.linkType, timestampTicks: ticks, timestampUs: toMicroseconds(ticks, source), capturedLength, originalLength, data: record.slice(28, 28 + capturedLength) };
  }
  if (type === PCAPNG_SPB) {
    const source = layout.interfaces[0];
    if (source === undefined) return 'interface 0 has no interface block before the first packet.';
    const originalLength = view.getUint32(8, little);
    const capturedLength = Math.min(originalLength, source.snaplen === 0 ? originalLength : source.snaplen, blockLength - 16);
    return { ...base, interfaceId: 0, linkType: source.linkType, timestampTicks: 0n, timestampUs: 0, capturedLength, originalLength, data: record.slice(12, 12 + capturedLength) };
  }
  return `expected a packet block, found block type 0x${type.toString(16)}.`;
}

function toMicroseconds(ticks: bigint, source: SourceInterface): number {
  return Number((ticks * 1_000_000n) / getTicksPerSecond(source.timestampResolution)) + source.timestampOffsetSeconds * 1_000_000;
}

/** The if_tsresol byte for a tick rate: n for 10^n per second, 0x80 | n for 2^n; 6 when the rate is neither. */
export function getTimestampResolutionByte(ticksPerSecond: number): number {
  for (let exponent = 0; exponent <= 18; exponent++) {
    if (10 ** exponent === ticksPerSecond) return exponent;
  }
  for (let exponent = 0; exponent <= 63; exponent++) {
    if (2 ** exponent === ticksPerSecond) return 0x80 | exponent;
  }
  return 6;
}
