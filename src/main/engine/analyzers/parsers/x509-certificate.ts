/**
 * X.509 certificate fields as Zeek's x509.log reports them, read from DER
 * (RFC 5280 section 4.1) with the bounds-checked reader in der-reader.ts.
 * Parsing never throws: a malformed certificate returns the fields read
 * before the problem and names the problem and its byte offset.
 */
import { createHash } from 'node:crypto';
import type { X509CertificateRecord } from '../../../../shared/domain/records-tls';
import { formatIpv4, formatIpv6 } from '../../decode/format-address';
import { decodeLatin1, decodeUtf8, formatHex } from './byte-cursor';
import { DER_TAG, expectDerElement, formatObjectIdentifier, readDerElement, type DerElement } from './der-reader';
import { ALGORITHM_LONG_NAMES, ATTRIBUTE_SHORT_NAMES, CURVES, EXTENSION_OID, KEY_TYPES } from './x509-names';

/** Caps on what one certificate may make us walk; real certificates stay far below them. */
const MAX_NAME_ATTRIBUTES = 64;
const MAX_EXTENSIONS = 64;
const MAX_SAN_ENTRIES = 1024;

/** A stop inside the parse. The message names what was expected and where. */
class DerProblem {
  constructor(readonly message: string) {}
}

function need(element: DerElement | null, what: string, offset: number): DerElement | DerProblem {
  return element ?? new DerProblem(`expected ${what} at byte ${offset}`);
}

function createEmptyRecord(der: Uint8Array): X509CertificateRecord {
  return {
    sha256: createHash('sha256').update(der).digest('hex'),
    sha1: createHash('sha1').update(der).digest('hex'),
    version: 1,
    serialHex: '',
    subject: '',
    issuer: '',
    notValidBeforeUs: null,
    notValidAfterUs: null,
    keyAlgorithm: '',
    signatureAlgorithm: '',
    keyType: null,
    keyLengthBits: null,
    exponent: null,
    curve: null,
    sanDns: [],
    sanUri: [],
    sanEmail: [],
    sanIp: [],
    isCa: null,
    pathLength: null,
    isSelfSigned: false,
    problem: null,
  };
}

/** Parses one DER certificate; `der` is only read during the call. */
export function parseX509Certificate(der: Uint8Array): X509CertificateRecord {
  const record = createEmptyRecord(der);
  const problem = readCertificate(der, record);
  if (problem !== null) record.problem = problem.message;
  return record;
}

function readCertificate(der: Uint8Array, record: X509CertificateRecord): DerProblem | null {
  const certificate = need(expectDerElement(der, 0, der.length, DER_TAG.sequence), 'Certificate SEQUENCE', 0);
  if (certificate instanceof DerProblem) return certificate;
  const tbs = need(
    expectDerElement(der, certificate.contentStart, certificate.contentEnd, DER_TAG.sequence),
    'TBSCertificate SEQUENCE',
    certificate.contentStart,
  );
  if (tbs instanceof DerProblem) return tbs;

  // The outer signatureAlgorithm is what OpenSSL reports as the signature algorithm.
  const outerAlgorithm = expectDerElement(der, tbs.contentEnd, certificate.contentEnd, DER_TAG.sequence);
  if (outerAlgorithm !== null) record.signatureAlgorithm = nameAlgorithm(der, outerAlgorithm);

  let offset = tbs.contentStart;
  const end = tbs.contentEnd;
  const first = readDerElement(der, offset, end);
  if (first !== null && first.tag === 0xa0) {
    const version = expectDerElement(der, first.contentStart, first.contentEnd, DER_TAG.integer);
    if (version !== null && version.contentEnd - version.contentStart === 1)
      record.version = der[version.contentStart]! + 1;
    offset = first.contentEnd;
  }

  const serial = need(expectDerElement(der, offset, end, DER_TAG.integer), 'serialNumber INTEGER', offset);
  if (serial instanceof DerProblem) return serial;
  record.serialHex = formatSerial(der.subarray(serial.contentStart, serial.contentEnd));

  const signature = need(
    expectDerElement(der, serial.contentEnd, end, DER_TAG.sequence),
    'signature AlgorithmIdentifier',
    serial.contentEnd,
  );
  if (signature instanceof DerProblem) return signature;
  if (record.signatureAlgorithm === '') record.signatureAlgorithm = nameAlgorithm(der, signature);

  const issuer = need(
    expectDerElement(der, signature.contentEnd, end, DER_TAG.sequence),
    'issuer Name',
    signature.contentEnd,
  );
  if (issuer instanceof DerProblem) return issuer;
  record.issuer = formatDistinguishedName(der, issuer);

  const validity = need(
    expectDerElement(der, issuer.contentEnd, end, DER_TAG.sequence),
    'Validity SEQUENCE',
    issuer.contentEnd,
  );
  if (validity instanceof DerProblem) return validity;
  const notBefore = readDerElement(der, validity.contentStart, validity.contentEnd);
  const notAfter = notBefore === null ? null : readDerElement(der, notBefore.contentEnd, validity.contentEnd);
  record.notValidBeforeUs = notBefore === null ? null : parseDerTime(der, notBefore);
  record.notValidAfterUs = notAfter === null ? null : parseDerTime(der, notAfter);

  const subject = need(
    expectDerElement(der, validity.contentEnd, end, DER_TAG.sequence),
    'subject Name',
    validity.contentEnd,
  );
  if (subject instanceof DerProblem) return subject;
  record.subject = formatDistinguishedName(der, subject);

  const keyInfo = need(
    expectDerElement(der, subject.contentEnd, end, DER_TAG.sequence),
    'SubjectPublicKeyInfo',
    subject.contentEnd,
  );
  if (keyInfo instanceof DerProblem) return keyInfo;
  readPublicKey(der, keyInfo, record);

  const keyIds = readExtensionsAfter(der, keyInfo.contentEnd, end, record);
  const isSameName = bytesEqual(
    der.subarray(issuer.start, issuer.contentEnd),
    der.subarray(subject.start, subject.contentEnd),
  );
  const keyIdsAgree =
    keyIds.subjectKeyId === null || keyIds.authorityKeyId === null || keyIds.subjectKeyId === keyIds.authorityKeyId;
  record.isSelfSigned = isSameName && keyIdsAgree;
  return keyIds.problem;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Upper-case hex without the sign-padding zero bytes, as OpenSSL prints serials ("01" for 1). */
function formatSerial(content: Uint8Array): string {
  let start = 0;
  while (start < content.length - 1 && content[start] === 0) start++;
  return formatHex(content.subarray(start)).toUpperCase();
}

function nameAlgorithm(der: Uint8Array, algorithm: DerElement): string {
  const oid = expectDerElement(der, algorithm.contentStart, algorithm.contentEnd, DER_TAG.objectIdentifier);
  if (oid === null) return '';
  const dotted = formatObjectIdentifier(der, oid.contentStart, oid.contentEnd) ?? '';
  return ALGORITHM_LONG_NAMES[dotted] ?? dotted;
}

/** Text of a directory string by its universal tag; BMP and Universal strings are big-endian UTF-16/32. */
function decodeDirectoryString(der: Uint8Array, element: DerElement): string {
  const content = der.subarray(element.contentStart, element.contentEnd);
  if (element.tag === DER_TAG.utf8String) return decodeUtf8(content);
  if (element.tag === DER_TAG.bmpString) {
    let text = '';
    for (let i = 0; i + 1 < content.length; i += 2) text += String.fromCharCode((content[i]! << 8) | content[i + 1]!);
    return text;
  }
  if (element.tag === DER_TAG.universalString) {
    let text = '';
    for (let i = 0; i + 3 < content.length; i += 4) {
      const codePoint =
        ((content[i]! << 24) | (content[i + 1]! << 16) | (content[i + 2]! << 8) | content[i + 3]!) >>> 0;
      text += codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : '\ufffd';
    }
    return text;
  }
  return decodeLatin1(content);
}

/** Escapes an attribute value as RFC 2253 section 2.4 requires, and control bytes as \XX. */
function escapeRfc2253(value: string): string {
  let text = '';
  for (let i = 0; i < value.length; i++) {
    const character = value[i]!;
    const code = value.charCodeAt(i);
    if (',+"\\<>;'.includes(character)) text += '\\' + character;
    else if (code < 0x20 || code === 0x7f) text += '\\' + code.toString(16).toUpperCase().padStart(2, '0');
    else text += character;
  }
  if (text.startsWith('#') || text.startsWith(' ')) text = '\\' + text;
  if (text.endsWith(' ') && !text.endsWith('\\ ')) text = text.slice(0, -1) + '\\ ';
  return text;
}

/**
 * Formats a Name the way OpenSSL's XN_FLAG_RFC2253 does, which Zeek uses:
 * RDNs in reverse order joined by ',', multi-valued RDNs joined by '+',
 * unknown attribute types as dotted OID '=#' hex of the value's DER.
 * NOTE: OpenSSL's RFC 2253 mode also escapes bytes above 0x7F as \XX, but
 * this keeps them as decoded characters. A non-ASCII name therefore differs
 * from Zeek's text until the escaping is applied to the UTF-8 bytes.
 */
function formatDistinguishedName(der: Uint8Array, name: DerElement): string {
  const rdns: string[] = [];
  let attributes = 0;
  let offset = name.contentStart;
  while (offset < name.contentEnd && attributes < MAX_NAME_ATTRIBUTES) {
    const set = readDerElement(der, offset, name.contentEnd);
    if (set === null || set.tag !== DER_TAG.set) break;
    const values: string[] = [];
    let inner = set.contentStart;
    while (inner < set.contentEnd && attributes < MAX_NAME_ATTRIBUTES) {
      const pair = expectDerElement(der, inner, set.contentEnd, DER_TAG.sequence);
      if (pair === null) break;
      attributes++;
      const oid = expectDerElement(der, pair.contentStart, pair.contentEnd, DER_TAG.objectIdentifier);
      const value = oid === null ? null : readDerElement(der, oid.contentEnd, pair.contentEnd);
      if (oid !== null && value !== null) {
        const dotted = formatObjectIdentifier(der, oid.contentStart, oid.contentEnd) ?? '?';
        const shortName = ATTRIBUTE_SHORT_NAMES[dotted];
        values.push(
          shortName === undefined
            ? `${dotted}=#${formatHex(der.subarray(value.start, value.contentEnd)).toUpperCase()}`
            : `${shortName}=${escapeRfc2253(decodeDirectoryString(der, value))}`,
        );
      }
      inner = pair.contentEnd;
    }
    rdns.push(values.join('+'));
    offset = set.contentEnd;
  }
  return rdns.reverse().join(',');
}

/** UTCTime (YYMMDDHHMM[SS]Z, YY < 50 is 20YY) or GeneralizedTime (YYYYMMDDHHMMSS[.f]Z) to epoch µs. */
function parseDerTime(der: Uint8Array, element: DerElement): number | null {
  const text = decodeLatin1(der.subarray(element.contentStart, element.contentEnd));
  let match: RegExpExecArray | null;
  let year: number;
  if (element.tag === DER_TAG.utcTime) {
    match = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?Z$/.exec(text);
    if (match === null) return null;
    const twoDigit = Number(match[1]);
    year = twoDigit < 50 ? 2000 + twoDigit : 1900 + twoDigit;
  } else if (element.tag === DER_TAG.generalizedTime) {
    match = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?(?:\.\d+)?Z$/.exec(text);
    if (match === null) return null;
    year = Number(match[1]);
  } else {
    return null;
  }
  const milliseconds = Date.UTC(
    year,
    Number(match[2]) - 1,
    Number(match[3]),
    Number(match[4]),
    Number(match[5]),
    Number(match[6] ?? '0'),
  );
  return Number.isFinite(milliseconds) ? milliseconds * 1000 : null;
}

function countIntegerBits(content: Uint8Array): number {
  let start = 0;
  while (start < content.length && content[start] === 0) start++;
  if (start === content.length) return 0;
  return (content.length - start - 1) * 8 + (32 - Math.clz32(content[start]!));
}

function formatUnsignedDecimal(content: Uint8Array): string {
  if (content.length === 0) return '0';
  return BigInt('0x' + formatHex(content)).toString(10);
}

/** Key algorithm, type, size, RSA exponent and EC curve from SubjectPublicKeyInfo. */
function readPublicKey(der: Uint8Array, keyInfo: DerElement, record: X509CertificateRecord): void {
  const algorithm = expectDerElement(der, keyInfo.contentStart, keyInfo.contentEnd, DER_TAG.sequence);
  if (algorithm === null) return;
  const oid = expectDerElement(der, algorithm.contentStart, algorithm.contentEnd, DER_TAG.objectIdentifier);
  if (oid === null) return;
  const dotted = formatObjectIdentifier(der, oid.contentStart, oid.contentEnd) ?? '';
  record.keyAlgorithm = ALGORITHM_LONG_NAMES[dotted] ?? dotted;
  record.keyType = KEY_TYPES[dotted] ?? null;
  const parameters = readDerElement(der, oid.contentEnd, algorithm.contentEnd);
  const keyBits = expectDerElement(der, algorithm.contentEnd, keyInfo.contentEnd, DER_TAG.bitString);

  if (record.keyType === 'rsa' && keyBits !== null) {
    // The BIT STRING (after its unused-bits byte) contains SEQUENCE { modulus, publicExponent }.
    const rsaKey = expectDerElement(der, keyBits.contentStart + 1, keyBits.contentEnd, DER_TAG.sequence);
    const modulus =
      rsaKey === null ? null : expectDerElement(der, rsaKey.contentStart, rsaKey.contentEnd, DER_TAG.integer);
    const exponent =
      modulus === null || rsaKey === null
        ? null
        : expectDerElement(der, modulus.contentEnd, rsaKey.contentEnd, DER_TAG.integer);
    if (modulus !== null)
      record.keyLengthBits = countIntegerBits(der.subarray(modulus.contentStart, modulus.contentEnd));
    if (exponent !== null)
      record.exponent = formatUnsignedDecimal(der.subarray(exponent.contentStart, exponent.contentEnd));
  } else if (record.keyType === 'ecdsa' && parameters !== null && parameters.tag === DER_TAG.objectIdentifier) {
    const curveOid = formatObjectIdentifier(der, parameters.contentStart, parameters.contentEnd) ?? '';
    const curve = CURVES[curveOid];
    record.curve = curve?.name ?? curveOid;
    record.keyLengthBits = curve?.bits ?? null;
  } else if (record.keyType === 'dsa' && parameters !== null && parameters.tag === DER_TAG.sequence) {
    const prime = expectDerElement(der, parameters.contentStart, parameters.contentEnd, DER_TAG.integer);
    if (prime !== null) record.keyLengthBits = countIntegerBits(der.subarray(prime.contentStart, prime.contentEnd));
  } else if (record.keyType === 'ed25519') {
    record.keyLengthBits = 256;
  } else if (record.keyType === 'ed448') {
    record.keyLengthBits = 456;
  }
}

interface ExtensionResult {
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  problem: DerProblem | null;
}

/** Reads the [3] extensions after SubjectPublicKeyInfo (skipping the [1]/[2] unique ids). */
function readExtensionsAfter(
  der: Uint8Array,
  offset: number,
  end: number,
  record: X509CertificateRecord,
): ExtensionResult {
  const result: ExtensionResult = { subjectKeyId: null, authorityKeyId: null, problem: null };
  let wrapper: DerElement | null = null;
  while (offset < end) {
    const element = readDerElement(der, offset, end);
    if (element === null) {
      result.problem = new DerProblem(`invalid element after SubjectPublicKeyInfo at byte ${offset}`);
      return result;
    }
    if (element.tag === 0xa3) wrapper = element;
    offset = element.contentEnd;
  }
  if (wrapper === null) return result;
  const list = expectDerElement(der, wrapper.contentStart, wrapper.contentEnd, DER_TAG.sequence);
  if (list === null) {
    result.problem = new DerProblem(`expected Extensions SEQUENCE at byte ${wrapper.contentStart}`);
    return result;
  }

  let count = 0;
  for (let position = list.contentStart; position < list.contentEnd && count < MAX_EXTENSIONS; count++) {
    const extension = expectDerElement(der, position, list.contentEnd, DER_TAG.sequence);
    if (extension === null) {
      result.problem = new DerProblem(`invalid Extension at byte ${position}`);
      return result;
    }
    position = extension.contentEnd;
    const oid = expectDerElement(der, extension.contentStart, extension.contentEnd, DER_TAG.objectIdentifier);
    if (oid === null) continue;
    let next = readDerElement(der, oid.contentEnd, extension.contentEnd);
    if (next !== null && next.tag === DER_TAG.boolean)
      next = readDerElement(der, next.contentEnd, extension.contentEnd);
    if (next === null || next.tag !== DER_TAG.octetString) continue;
    const dotted = formatObjectIdentifier(der, oid.contentStart, oid.contentEnd);
    readExtensionValue(der, dotted, next, record, result);
  }
  return result;
}

function readExtensionValue(
  der: Uint8Array,
  oid: string | null,
  value: DerElement,
  record: X509CertificateRecord,
  result: ExtensionResult,
): void {
  const inner = readDerElement(der, value.contentStart, value.contentEnd);
  if (inner === null) return;
  if (oid === EXTENSION_OID.subjectAltName && inner.tag === DER_TAG.sequence) {
    readSubjectAltNames(der, inner, record);
  } else if (oid === EXTENSION_OID.basicConstraints && inner.tag === DER_TAG.sequence) {
    record.isCa = false;
    let next = readDerElement(der, inner.contentStart, inner.contentEnd);
    if (next !== null && next.tag === DER_TAG.boolean) {
      record.isCa = next.contentEnd > next.contentStart && der[next.contentStart] !== 0;
      next = readDerElement(der, next.contentEnd, inner.contentEnd);
    }
    if (next !== null && next.tag === DER_TAG.integer && next.contentEnd - next.contentStart <= 4) {
      let pathLength = 0;
      for (let i = next.contentStart; i < next.contentEnd; i++) pathLength = pathLength * 256 + der[i]!;
      record.pathLength = pathLength;
    }
  } else if (oid === EXTENSION_OID.subjectKeyIdentifier && inner.tag === DER_TAG.octetString) {
    result.subjectKeyId = formatHex(der.subarray(inner.contentStart, inner.contentEnd));
  } else if (oid === EXTENSION_OID.authorityKeyIdentifier && inner.tag === DER_TAG.sequence) {
    const keyId = readDerElement(der, inner.contentStart, inner.contentEnd);
    if (keyId !== null && keyId.tag === 0x80)
      result.authorityKeyId = formatHex(der.subarray(keyId.contentStart, keyId.contentEnd));
  }
}

/** GeneralNames: [1] rfc822Name, [2] dNSName, [6] URI, [7] iPAddress (RFC 5280 section 4.2.1.6). */
function readSubjectAltNames(der: Uint8Array, names: DerElement, record: X509CertificateRecord): void {
  let count = 0;
  for (let offset = names.contentStart; offset < names.contentEnd && count < MAX_SAN_ENTRIES; count++) {
    const name = readDerElement(der, offset, names.contentEnd);
    if (name === null) return;
    offset = name.contentEnd;
    const content = der.subarray(name.contentStart, name.contentEnd);
    if (name.tag === 0x82) record.sanDns.push(decodeLatin1(content));
    else if (name.tag === 0x86) record.sanUri.push(decodeLatin1(content));
    else if (name.tag === 0x81) record.sanEmail.push(decodeLatin1(content));
    else if (name.tag === 0x87 && content.length === 4) record.sanIp.push(formatIpv4(content, 0));
    else if (name.tag === 0x87 && content.length === 16) record.sanIp.push(formatIpv6(content, 0));
  }
}
