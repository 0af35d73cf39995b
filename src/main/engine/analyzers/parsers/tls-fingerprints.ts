/**
 * JA3, JA3S and JA4 TLS fingerprints.
 *
 * JA3 (salesforce/ja3 README): decimal fields joined by '-', the five lists
 * joined by ',': SSLVersion,Ciphers,Extensions,EllipticCurves,PointFormats,
 * then MD5. JA3S: SSLVersion,Cipher,Extensions of the ServerHello.
 * JA4 (FoxIO-LLC/ja4, technical_details/JA4.md):
 *   a = protocol (t/q/d) + 2-char version + d|i (SNI present) + 2-digit
 *       cipher count + 2-digit extension count + first/last ALPN character
 *   b = first 12 hex of SHA-256 over the sorted 4-hex cipher list
 *   c = first 12 hex of SHA-256 over sorted extensions without SNI (0000)
 *       and ALPN (0010), then '_' and the signature algorithms in sent order
 * GREASE values (RFC 8701: 0x?a?a with equal bytes) are left out everywhere.
 */
import { hash } from 'node:crypto';
import { formatHex } from './byte-cursor';

export function isGreaseValue(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}

function withoutGrease(values: readonly number[]): number[] {
  return values.filter((value) => !isGreaseValue(value));
}

/** MD5 of the Latin-1 bytes of `text`, in hex. One-shot `hash` avoids a Hash object per call. */
export function hashMd5Hex(text: string): string {
  return hash('md5', Buffer.from(text, 'latin1'), 'hex');
}

function hashSha256Prefix12(text: string): string {
  return hash('sha256', Buffer.from(text, 'latin1'), 'hex').slice(0, 12);
}

export interface Ja3Input {
  legacyVersion: number;
  cipherSuites: readonly number[];
  extensions: readonly number[];
  supportedGroups: readonly number[];
  pointFormats: readonly number[];
}

export function buildJa3String(hello: Ja3Input): string {
  return [
    String(hello.legacyVersion),
    withoutGrease(hello.cipherSuites).join('-'),
    withoutGrease(hello.extensions).join('-'),
    withoutGrease(hello.supportedGroups).join('-'),
    hello.pointFormats.join('-'),
  ].join(',');
}

export function buildJa3sString(legacyVersion: number, cipherSuite: number, extensions: readonly number[]): string {
  return [String(legacyVersion), String(cipherSuite), withoutGrease(extensions).join('-')].join(',');
}

export interface Ja4Input {
  legacyVersion: number;
  /** supported_versions as sent; empty when the extension is absent. */
  supportedVersions: readonly number[];
  cipherSuites: readonly number[];
  extensions: readonly number[];
  alpnProtocols: readonly Uint8Array[];
  signatureAlgorithms: readonly number[];
  hasServerName: boolean;
}

const JA4_VERSION_LABELS: Readonly<Record<number, string>> = {
  0x0304: '13',
  0x0303: '12',
  0x0302: '11',
  0x0301: '10',
  0x0300: 's3',
  0x0002: 's2',
  0xfeff: 'd1',
  0xfefd: 'd2',
  0xfefc: 'd3',
};

function toHex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}

function isAsciiAlphanumeric(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

/** Builds the two ALPN characters of JA4_a: '00' without ALPN, hex digits for non-alphanumeric bytes. */
function buildJa4AlpnPart(alpnProtocols: readonly Uint8Array[]): string {
  const first = alpnProtocols[0];
  if (first === undefined || first.length === 0) return '00';
  const firstByte = first[0]!;
  const lastByte = first[first.length - 1]!;
  if (isAsciiAlphanumeric(firstByte) && isAsciiAlphanumeric(lastByte)) {
    return String.fromCharCode(firstByte) + String.fromCharCode(lastByte);
  }
  const hex = formatHex(first);
  return hex[0]! + hex[hex.length - 1]!;
}

function buildJa4Version(hello: Ja4Input): string {
  const versions = withoutGrease(hello.supportedVersions);
  const version = versions.length > 0 ? Math.max(...versions) : hello.legacyVersion;
  return JA4_VERSION_LABELS[version] ?? '00';
}

/** JA4 of a ClientHello; `protocol` is 't' for TLS over TCP, 'q' for QUIC, 'd' for DTLS. */
export function buildJa4(hello: Ja4Input, protocol: 't' | 'q' | 'd'): string {
  const ciphers = withoutGrease(hello.cipherSuites);
  const extensions = withoutGrease(hello.extensions);
  const countText = (count: number): string => String(Math.min(count, 99)).padStart(2, '0');
  const partA =
    protocol +
    buildJa4Version(hello) +
    (hello.hasServerName ? 'd' : 'i') +
    countText(ciphers.length) +
    countText(extensions.length) +
    buildJa4AlpnPart(hello.alpnProtocols);

  const sortedCiphers = ciphers.map(toHex4).sort();
  const partB = sortedCiphers.length === 0 ? '000000000000' : hashSha256Prefix12(sortedCiphers.join(','));

  const sortedExtensions = extensions
    .filter((type) => type !== 0x0000 && type !== 0x0010)
    .map(toHex4)
    .sort();
  const signatureAlgorithms = withoutGrease(hello.signatureAlgorithms).map(toHex4);
  let extensionText = sortedExtensions.join(',');
  if (signatureAlgorithms.length > 0) extensionText += '_' + signatureAlgorithms.join(',');
  const partC = sortedExtensions.length === 0 ? '000000000000' : hashSha256Prefix12(extensionText);

  return `${partA}_${partB}_${partC}`;
}
