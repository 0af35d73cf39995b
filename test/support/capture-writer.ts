/**
 * Byte-by-byte builders of pcap and pcapng files for tests, with every field
 * written explicitly so a test can also write it wrong.
 *
 * pcap: `buildPcap({ byteOrder, resolution, linkType, snaplen, packets })`.
 * pcapng: `new PcapngBuilder().sectionHeader(...).interfaceDescription(...)
 * .enhancedPacket(...).build()`; `blockOffsets` lists where each block starts.
 */

export type ByteOrder = 'little' | 'big';

/** Appends fixed-width fields in one byte order. */
export class ByteWriter {
  private bytes: number[] = [];
  isLittleEndian: boolean;

  constructor(byteOrder: ByteOrder = 'little') {
    this.isLittleEndian = byteOrder === 'little';
  }

  get length(): number {
    return this.bytes.length;
  }

  u8(value: number): this {
    this.bytes.push(value & 0xff);
    return this;
  }

  u16(value: number): this {
    const data = new DataView(new ArrayBuffer(2));
    data.setUint16(0, value, this.isLittleEndian);
    return this.raw(new Uint8Array(data.buffer));
  }

  u32(value: number): this {
    const data = new DataView(new ArrayBuffer(4));
    data.setUint32(0, value >>> 0, this.isLittleEndian);
    return this.raw(new Uint8Array(data.buffer));
  }

  /** Writes a 64-bit integer; negative values are two's complement. */
  u64(value: bigint): this {
    const data = new DataView(new ArrayBuffer(8));
    data.setBigUint64(0, BigInt.asUintN(64, value), this.isLittleEndian);
    return this.raw(new Uint8Array(data.buffer));
  }

  raw(bytes: ArrayLike<number>): this {
    for (let index = 0; index < bytes.length; index++) {
      this.bytes.push((bytes[index] ?? 0) & 0xff);
    }
    return this;
  }

  /** Pads with zero bytes to a multiple of 4. */
  pad4(): this {
    while (this.bytes.length % 4 !== 0) {
      this.bytes.push(0);
    }
    return this;
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

// ---------------------------------------------------------------- pcap

export interface PcapPacket {
  /** Microseconds since the epoch. */
  timestampUs: number;
  /** Nanoseconds past timestampUs (0-999), written only in nanosecond files. */
  timestampNs?: number;
  data: Uint8Array;
  /** Wire length; defaults to data.length. */
  originalLength?: number;
  /** Value written in the caplen field; defaults to data.length. Set it to lie about the length. */
  capturedLength?: number;
  /** Raw fraction field (us or ns) instead of one derived from timestampUs. */
  rawFraction?: number;
}

export interface BuildPcapOptions {
  byteOrder?: ByteOrder;
  resolution?: 'us' | 'ns';
  /** Whole link-type field, including FCS and reserved bits. Default 1 (Ethernet). */
  linkType?: number;
  snaplen?: number;
  versionMajor?: number;
  versionMinor?: number;
  packets: PcapPacket[];
}

/** Writes the 24-byte pcap file header. */
export function buildPcapFileHeader(options: Omit<BuildPcapOptions, 'packets'>): Uint8Array {
  const writer = new ByteWriter(options.byteOrder ?? 'little');
  writer.u32(options.resolution === 'ns' ? 0xa1b23c4d : 0xa1b2c3d4); // magic: byte order and resolution
  writer.u16(options.versionMajor ?? 2); // version_major
  writer.u16(options.versionMinor ?? 4); // version_minor
  writer.u32(0); // thiszone (GMT offset), always 0
  writer.u32(0); // sigfigs, always 0
  writer.u32(options.snaplen ?? 262_144); // snaplen
  writer.u32(options.linkType ?? 1); // link type (and FCS bits)
  return writer.toBytes();
}

/** Writes one record: 16-byte header and the packet bytes. */
export function buildPcapRecord(packet: PcapPacket, options: Omit<BuildPcapOptions, 'packets'> = {}): Uint8Array {
  const writer = new ByteWriter(options.byteOrder ?? 'little');
  const seconds = Math.floor(packet.timestampUs / 1e6);
  const microseconds = packet.timestampUs - seconds * 1e6;
  const fraction = options.resolution === 'ns' ? microseconds * 1000 + (packet.timestampNs ?? 0) : microseconds;
  writer.u32(seconds); // ts_sec
  writer.u32(packet.rawFraction ?? fraction); // ts_usec or ts_nsec
  writer.u32(packet.capturedLength ?? packet.data.length); // incl_len
  writer.u32(packet.originalLength ?? packet.data.length); // orig_len
  writer.raw(packet.data); // packet bytes, no padding in pcap
  return writer.toBytes();
}

/** Builds a whole pcap file. */
export function buildPcap(options: BuildPcapOptions): Uint8Array {
  const parts = [buildPcapFileHeader(options), ...options.packets.map((packet) => buildPcapRecord(packet, options))];
  return concatBytes(parts);
}

/** Returns the byte offset of each record in a file built by buildPcap. */
export function pcapRecordOffsets(options: BuildPcapOptions): number[] {
  const offsets: number[] = [];
  let offset = 24;
  for (const packet of options.packets) {
    offsets.push(offset);
    offset += 16 + packet.data.length;
  }
  return offsets;
}

// ---------------------------------------------------------------- pcapng

export interface PcapngOption {
  code: number;
  value: Uint8Array;
}

export interface SectionHeaderInput {
  byteOrder?: ByteOrder;
  versionMajor?: number;
  versionMinor?: number;
  /** Section length; -1 (unknown) by default. */
  sectionLength?: bigint;
  comment?: string;
  /** Byte-order magic to write instead of 0x1a2b3c4d. */
  byteOrderMagic?: number;
}

export interface InterfaceDescriptionInput {
  linkType: number;
  snaplen?: number;
  name?: string;
  description?: string;
  /** libpcap filter string (if_filter kind 0). */
  filter?: string;
  os?: string;
  /** Raw if_tsresol byte: n for 10^-n, 0x80 | n for 2^-n. */
  timestampResolution?: number;
  /** if_tsoffset in seconds. */
  timestampOffsetSeconds?: bigint;
  fcsLength?: number;
  comment?: string;
}

export interface EnhancedPacketInput {
  interfaceId: number;
  /** Tick count at the interface's resolution, written as high and low 32-bit halves. */
  ticks: bigint;
  data: Uint8Array;
  originalLength?: number;
  /** Value written in the captured-length field; defaults to data.length. */
  capturedLength?: number;
  comment?: string;
}

export interface NameResolutionInput {
  ipv4?: { address: [number, number, number, number]; names: string[] }[];
  ipv6?: { address: Uint8Array; names: string[] }[];
  comment?: string;
}

const encoder = new TextEncoder();

/** Appends pcapng blocks; each section uses the byte order its Section Header Block names. */
export class PcapngBuilder {
  /** Byte offset of each block, in the order added. */
  readonly blockOffsets: number[] = [];
  private readonly parts: Uint8Array[] = [];
  private length = 0;
  private byteOrder: ByteOrder = 'little';

  /** Section Header Block (0x0A0D0D0A); starts a section in the given byte order. */
  sectionHeader(input: SectionHeaderInput = {}): this {
    this.byteOrder = input.byteOrder ?? 'little';
    const body = this.writer();
    body.u32(input.byteOrderMagic ?? 0x1a2b3c4d); // byte-order magic
    body.u16(input.versionMajor ?? 1); // major version
    body.u16(input.versionMinor ?? 0); // minor version
    body.u64(input.sectionLength ?? -1n); // section length, -1 = not given
    this.writeOptions(body, input.comment === undefined ? [] : [textOption(1, input.comment)]); // opt_comment
    return this.block(0x0a0d0d0a, body.toBytes());
  }

  /** Interface Description Block (type 1). */
  interfaceDescription(input: InterfaceDescriptionInput): this {
    const body = this.writer();
    body.u16(input.linkType); // LinkType
    body.u16(0); // reserved
    body.u32(input.snaplen ?? 0); // SnapLen, 0 = no limit

    const options: PcapngOption[] = [];
    if (input.comment !== undefined) options.push(textOption(1, input.comment)); // opt_comment
    if (input.name !== undefined) options.push(textOption(2, input.name)); // if_name
    if (input.description !== undefined) options.push(textOption(3, input.description)); // if_description
    if (input.timestampResolution !== undefined)
      options.push({ code: 9, value: Uint8Array.of(input.timestampResolution) }); // if_tsresol
    if (input.filter !== undefined)
      options.push({ code: 11, value: concatBytes([Uint8Array.of(0), encoder.encode(input.filter)]) }); // if_filter, kind 0
    if (input.os !== undefined) options.push(textOption(12, input.os)); // if_os
    if (input.fcsLength !== undefined) options.push({ code: 13, value: Uint8Array.of(input.fcsLength) }); // if_fcslen
    if (input.timestampOffsetSeconds !== undefined) {
      options.push({ code: 14, value: this.writer().u64(input.timestampOffsetSeconds).toBytes() }); // if_tsoffset
    }
    this.writeOptions(body, options);
    return this.block(1, body.toBytes());
  }

  /** Enhanced Packet Block (type 6). */
  enhancedPacket(input: EnhancedPacketInput): this {
    const body = this.writer();
    body.u32(input.interfaceId); // Interface ID
    writeTicks(body, input.ticks); // Timestamp (High), Timestamp (Low)
    body.u32(input.capturedLength ?? input.data.length); // Captured Packet Length
    body.u32(input.originalLength ?? input.data.length); // Original Packet Length
    body.raw(input.data).pad4(); // Packet Data, padded to 32 bits
    this.writeOptions(body, input.comment === undefined ? [] : [textOption(1, input.comment)]);
    return this.block(6, body.toBytes());
  }

  /** Obsolete Packet Block (type 2): like an EPB with a 16-bit interface id and a drops count. */
  obsoletePacket(input: EnhancedPacketInput & { dropsCount?: number }): this {
    const body = this.writer();
    body.u16(input.interfaceId); // Interface ID
    body.u16(input.dropsCount ?? 0); // Drops Count
    writeTicks(body, input.ticks); // Timestamp (High), Timestamp (Low)
    body.u32(input.capturedLength ?? input.data.length); // Captured Len
    body.u32(input.originalLength ?? input.data.length); // Packet Len
    body.raw(input.data).pad4(); // Packet Data
    this.writeOptions(body, input.comment === undefined ? [] : [textOption(1, input.comment)]);
    return this.block(2, body.toBytes());
  }

  /** Simple Packet Block (type 3): interface 0, no timestamp, no captured-length field. */
  simplePacket(input: { data: Uint8Array; originalLength?: number }): this {
    const body = this.writer();
    body.u32(input.originalLength ?? input.data.length); // Original Packet Length
    body.raw(input.data).pad4(); // Packet Data
    return this.block(3, body.toBytes());
  }

  /** Name Resolution Block (type 4). */
  nameResolution(input: NameResolutionInput): this {
    const body = this.writer();
    for (const entry of input.ipv4 ?? []) {
      const names = concatBytes(entry.names.map((name) => concatBytes([encoder.encode(name), Uint8Array.of(0)])));
      body.u16(1); // Record Type: nrb_record_ipv4
      body.u16(4 + names.length); // Record Value Length
      body.raw(entry.address).raw(names).pad4(); // address, NUL-terminated names
    }
    for (const entry of input.ipv6 ?? []) {
      const names = concatBytes(entry.names.map((name) => concatBytes([encoder.encode(name), Uint8Array.of(0)])));
      body.u16(2); // Record Type: nrb_record_ipv6
      body.u16(16 + names.length); // Record Value Length
      body.raw(entry.address).raw(names).pad4();
    }
    body.u16(0).u16(0); // nrb_record_end
    this.writeOptions(body, input.comment === undefined ? [] : [textOption(1, input.comment)]);
    return this.block(4, body.toBytes());
  }

  /** Interface Statistics Block (type 5) with isb_ifrecv. */
  interfaceStatistics(input: { interfaceId: number; ticks: bigint; packetsReceived?: bigint }): this {
    const body = this.writer();
    body.u32(input.interfaceId); // Interface ID
    writeTicks(body, input.ticks); // Timestamp
    this.writeOptions(body, [
      {
        code: 4,
        value: this.writer()
          .u64(input.packetsReceived ?? 0n)
          .toBytes(),
      },
    ]); // isb_ifrecv
    return this.block(5, body.toBytes());
  }

  /** Decryption Secrets Block (type 0x0A). */
  decryptionSecrets(input: { secretsType: number; data: Uint8Array }): this {
    const body = this.writer();
    body.u32(input.secretsType); // Secrets Type, e.g. 0x544c534b TLS key log
    body.u32(input.data.length); // Secrets Length
    body.raw(input.data).pad4(); // Secrets Data
    return this.block(0x0a, body.toBytes());
  }

  /** Custom Block (0x00000BAD copiable, 0x40000BAD not copiable). */
  custom(input: { isCopiable?: boolean; privateEnterpriseNumber: number; data: Uint8Array }): this {
    const body = this.writer();
    body.u32(input.privateEnterpriseNumber); // Private Enterprise Number
    body.raw(input.data).pad4(); // Custom Data
    return this.block(input.isCopiable === false ? 0x40000bad : 0x00000bad, body.toBytes());
  }

  /** Any block type with the given body (padded), framed with correct lengths. */
  block(type: number, body: Uint8Array): this {
    const writer = this.writer();
    const totalLength = 12 + ((body.length + 3) & ~3);
    writer.u32(type); // Block Type
    writer.u32(totalLength); // Block Total Length
    writer.raw(body).pad4(); // Block Body
    writer.u32(totalLength); // Block Total Length, repeated
    return this.append(writer.toBytes());
  }

  /** Appends bytes as they are, e.g. a hand-made damaged block. */
  append(bytes: Uint8Array): this {
    this.blockOffsets.push(this.length);
    this.parts.push(bytes);
    this.length += bytes.length;
    return this;
  }

  /** Creates a ByteWriter in the current section's byte order. */
  writer(): ByteWriter {
    return new ByteWriter(this.byteOrder);
  }

  build(): Uint8Array {
    return concatBytes(this.parts);
  }

  private writeOptions(body: ByteWriter, options: PcapngOption[]): void {
    if (options.length === 0) {
      return;
    }
    for (const option of options) {
      body.u16(option.code); // Option Code
      body.u16(option.value.length); // Option Length
      body.raw(option.value).pad4(); // Option Value, padded
    }
    body.u16(0).u16(0); // opt_endofopt
  }
}

function writeTicks(writer: ByteWriter, ticks: bigint): void {
  writer.u32(Number(ticks >> 32n)); // Timestamp (High)
  writer.u32(Number(ticks & 0xffffffffn)); // Timestamp (Low)
}

function textOption(code: number, text: string): PcapngOption {
  return { code, value: encoder.encode(text) };
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const result = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
