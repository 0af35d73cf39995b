/**
 * Recognizes what a file that is not a pcap or pcapng capture looks like, so
 * the error can tell the analyst what they opened and what to do instead.
 */
import { NotACaptureError } from './capture-file-error';

/** Bytes the stream parser collects before it names a non-capture format. */
export const SIGNATURE_SAMPLE_LENGTH = 64;

/** Bytes shown in hex in the error message. */
const HEX_PREVIEW_LENGTH = 16;

/** Capture formats Tideline does not read but `editcap` converts. */
const CONVERTIBLE_HINT =
  'Tideline reads pcap and pcapng; convert it with `editcap -F pcapng INPUT OUTPUT.pcapng` (part of Wireshark).';

interface Signature {
  /** Description with its article, as it reads after "it looks like". */
  name: string;
  magic: readonly number[];
  hint: string;
}

const SIGNATURES: readonly Signature[] = [
  { name: 'a gzip file', magic: [0x1f, 0x8b], hint: 'The decompressed data is not a capture either.' },
  { name: 'a zip archive', magic: [0x50, 0x4b, 0x03, 0x04], hint: 'Extract the capture from the archive first.' },
  { name: 'a zip archive', magic: [0x50, 0x4b, 0x05, 0x06], hint: 'The archive is empty.' },
  { name: 'a bzip2 file', magic: [0x42, 0x5a, 0x68], hint: 'Decompress it first (`bunzip2`).' },
  { name: 'an xz file', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], hint: 'Decompress it first (`unxz`).' },
  { name: 'a zstd file', magic: [0x28, 0xb5, 0x2f, 0xfd], hint: 'Decompress it first (`unzstd`).' },
  { name: 'a 7z archive', magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], hint: 'Extract the capture first (`7z x`).' },
  { name: 'a PNG image', magic: [0x89, 0x50, 0x4e, 0x47], hint: 'Open a .pcap or .pcapng file.' },
  { name: 'a JPEG image', magic: [0xff, 0xd8, 0xff], hint: 'Open a .pcap or .pcapng file.' },
  { name: 'a PDF document', magic: [0x25, 0x50, 0x44, 0x46], hint: 'Open a .pcap or .pcapng file.' },
  { name: 'an ELF executable', magic: [0x7f, 0x45, 0x4c, 0x46], hint: 'Open a .pcap or .pcapng file.' },
  // "snoop\0\0\0": Solaris snoop (RFC 1761).
  { name: 'a snoop capture', magic: [0x73, 0x6e, 0x6f, 0x6f, 0x70, 0x00, 0x00, 0x00], hint: CONVERTIBLE_HINT },
  // "GMBU": Microsoft Network Monitor 2.x; "RTSS": Network Monitor 1.x.
  { name: 'a Microsoft Network Monitor capture', magic: [0x47, 0x4d, 0x42, 0x55], hint: CONVERTIBLE_HINT },
  { name: 'a Microsoft Network Monitor 1.x capture', magic: [0x52, 0x54, 0x53, 0x53], hint: CONVERTIBLE_HINT },
  // 0xAAAAAAAA is the 5View info header key, as Wireshark's wiretap reads it.
  { name: 'a 5View capture', magic: [0xaa, 0xaa, 0xaa, 0xaa], hint: CONVERTIBLE_HINT },
];

/** Formats the first bytes as space-separated hex. */
export function formatHexPreview(bytes: Uint8Array): string {
  const shown = bytes.subarray(0, HEX_PREVIEW_LENGTH);
  return Array.from(shown, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

/** Returns true when the bytes start with the gzip magic 1f 8b. */
export function isGzipSignature(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Builds the error for a source whose first bytes are not pcap or pcapng.
 * `sample` is what the source holds up to SIGNATURE_SAMPLE_LENGTH bytes (less
 * when the source is shorter).
 */
export function createNotACaptureError(
  sourceName: string,
  sample: Uint8Array,
  isDecompressed = false,
): NotACaptureError {
  const hex = formatHexPreview(sample);
  const { name, hint } = identifyFormat(sample);
  const where = isDecompressed ? `${sourceName} (after gzip decompression)` : sourceName;
  const firstBytes = sample.length === 0 ? '' : ` First bytes: ${hex}.`;
  const message = `${where} is not a pcap or pcapng capture: it looks like ${name}.${firstBytes} ${hint}`;
  return new NotACaptureError(sourceName, message, name, hex);
}

function identifyFormat(sample: Uint8Array): { name: string; hint: string } {
  if (sample.length === 0) {
    return { name: 'an empty file', hint: 'The file has no bytes; the capture may not have been written.' };
  }

  for (const signature of SIGNATURES) {
    if (startsWith(sample, signature.magic)) {
      return { name: signature.name, hint: signature.hint };
    }
  }

  if (sample.length < 4) {
    return {
      name: `a ${sample.length}-byte file, shorter than any capture header`,
      hint: 'A pcap file header is 24 bytes and a pcapng Section Header Block at least 28.',
    };
  }

  // Text first: the ERF check is a heuristic that some text passes.
  const text = describeText(sample);
  if (text !== null) {
    return { name: text, hint: 'Open a .pcap or .pcapng file.' };
  }

  if (looksLikeErf(sample)) {
    return { name: 'an Endace ERF capture', hint: CONVERTIBLE_HINT };
  }

  return { name: 'an unknown binary format', hint: 'Tideline reads pcap and pcapng captures.' };
}

function startsWith(sample: Uint8Array, magic: readonly number[]): boolean {
  if (sample.length < magic.length) {
    return false;
  }
  return magic.every((byte, index) => sample[index] === byte);
}

/**
 * ERF has no file magic, so this checks the first record header: a little-endian
 * timestamp whose seconds fall in 1990-2100, a known record type, and a record
 * length (big-endian) of at least the 16-byte header.
 */
function looksLikeErf(sample: Uint8Array): boolean {
  if (sample.length < 16) {
    return false;
  }
  const view = new DataView(sample.buffer, sample.byteOffset, sample.byteLength);
  const seconds = view.getUint32(4, true);
  const recordType = view.getUint8(8) & 0x7f;
  const recordLength = view.getUint16(10, false);
  const wireLength = view.getUint16(14, false);
  const isPlausibleTime = seconds >= 631_152_000 && seconds <= 4_102_444_800;
  const isKnownType = recordType >= 1 && recordType <= 48;
  return isPlausibleTime && isKnownType && recordLength >= 16 && wireLength > 0;
}

/** Names text formats, or returns null when the sample has control bytes other than whitespace. */
function describeText(sample: Uint8Array): string | null {
  let start = 0;
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) {
    start = 3;
  }
  for (let index = start; index < sample.length; index++) {
    const byte = sample[index] ?? 0;
    const isWhitespace = byte === 0x09 || byte === 0x0a || byte === 0x0d;
    if (byte < 0x20 && !isWhitespace) {
      return null;
    }
    if (byte === 0x7f) {
      return null;
    }
  }

  const text = decodeUtf8(sample.subarray(start))?.trimStart().toLowerCase();
  if (text === undefined) {
    return null;
  }
  if (text.startsWith('<!doctype html') || text.startsWith('<html')) {
    return 'an HTML document';
  }
  if (text.startsWith('<?xml') || text.startsWith('<')) {
    return 'an XML document';
  }
  if (text.startsWith('{') || text.startsWith('[')) {
    return 'a JSON document';
  }
  return 'a plain text file';
}

/** Decodes UTF-8, or returns undefined for invalid bytes; a character cut at the sample end is allowed. */
function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
  } catch {
    return undefined;
  }
}
