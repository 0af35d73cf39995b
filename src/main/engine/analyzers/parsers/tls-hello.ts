/**
 * ClientHello and ServerHello bodies (RFC 8446 section 4.1.2-4.1.3, RFC 5246
 * section 7.4.1), and the SSLv2-compatible ClientHello (RFC 5246 appendix
 * E.2). Input is the handshake message body without its 4-byte header.
 */
import type { TlsClientHelloRecord, TlsServerHelloRecord } from '../../../../shared/domain/records-tls';
import { ByteCursor, decodeLatin1, formatHex } from './byte-cursor';
import { buildJa3sString, buildJa3String, buildJa4, hashMd5Hex } from './tls-fingerprints';

/** Lists longer than this are cut (the hello is still parsed); no real client sends more. */
const MAX_LIST_ENTRIES = 512;
const MAX_ALPN_PROTOCOLS = 32;

export const TLS_EXTENSION = {
  serverName: 0,
  supportedGroups: 10,
  pointFormats: 11,
  signatureAlgorithms: 13,
  alpn: 16,
  preSharedKey: 41,
  supportedVersions: 43,
  keyShare: 51,
} as const;

/** SHA-256 of "HelloRetryRequest", the ServerHello.random of a HelloRetryRequest (RFC 8446 section 4.1.3). */
const HELLO_RETRY_REQUEST_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

export type TlsHelloResult<T> = { ok: true; value: T } | { ok: false; problem: string };

function readUint16List(cursor: ByteCursor, into: number[]): void {
  while (cursor.remaining() >= 2 && into.length < MAX_LIST_ENTRIES) into.push(cursor.readUint16());
}

function readUint8List(cursor: ByteCursor, into: number[]): void {
  while (cursor.remaining() >= 1 && into.length < MAX_LIST_ENTRIES) into.push(cursor.readUint8());
}

interface ClientExtensions {
  types: number[];
  serverName: string | null;
  alpn: Uint8Array[];
  groups: number[];
  pointFormats: number[];
  signatureAlgorithms: number[];
  supportedVersions: number[];
}

/** Reads one ClientHello extension body into `into`; returns a problem text or null. */
function readClientExtension(type: number, body: ByteCursor, into: ClientExtensions): string | null {
  if (type === TLS_EXTENSION.serverName) {
    const list = body.takeCursor(body.readUint16());
    while (list.remaining() >= 3 && into.serverName === null) {
      const nameType = list.readUint8();
      const name = list.borrowBytes(list.readUint16());
      if (list.isShort) return 'server_name entry longer than its list';
      if (nameType === 0) into.serverName = decodeLatin1(name);
    }
  } else if (type === TLS_EXTENSION.alpn) {
    const list = body.takeCursor(body.readUint16());
    while (list.remaining() >= 1 && into.alpn.length < MAX_ALPN_PROTOCOLS) {
      const protocol = list.borrowBytes(list.readUint8());
      if (list.isShort) return 'ALPN protocol longer than its list';
      into.alpn.push(protocol);
    }
  } else if (type === TLS_EXTENSION.supportedGroups) {
    readUint16List(body.takeCursor(body.readUint16()), into.groups);
  } else if (type === TLS_EXTENSION.pointFormats) {
    readUint8List(body.takeCursor(body.readUint8()), into.pointFormats);
  } else if (type === TLS_EXTENSION.signatureAlgorithms) {
    readUint16List(body.takeCursor(body.readUint16()), into.signatureAlgorithms);
  } else if (type === TLS_EXTENSION.supportedVersions) {
    readUint16List(body.takeCursor(body.readUint8()), into.supportedVersions);
  }
  return body.isShort ? `extension ${type} shorter than its inner length` : null;
}

/**
 * Parses a ClientHello body. `protocol` selects the JA4 prefix ('t' TLS over
 * TCP, 'q' QUIC). Returns the record or the first problem; a problem inside
 * one extension is reported and parsing stops there.
 */
export function parseClientHello(body: Uint8Array, protocol: 't' | 'q' = 't'): TlsHelloResult<TlsClientHelloRecord> {
  const cursor = new ByteCursor(body);
  const legacyVersion = cursor.readUint16();
  cursor.skip(32);
  const sessionId = cursor.borrowBytes(cursor.readUint8());
  const cipherCursor = cursor.takeCursor(cursor.readUint16());
  cursor.skip(cursor.readUint8());
  if (cursor.isShort)
    return { ok: false, problem: `ClientHello truncated at body offset ${cursor.offset} of ${body.length}` };
  const cipherSuites: number[] = [];
  readUint16List(cipherCursor, cipherSuites);

  const extensions: ClientExtensions = {
    types: [],
    serverName: null,
    alpn: [],
    groups: [],
    pointFormats: [],
    signatureAlgorithms: [],
    supportedVersions: [],
  };

  // Extensions are optional: a body that ends after compression methods has none.
  if (cursor.remaining() > 0) {
    const list = cursor.takeCursor(cursor.readUint16());
    if (list.isShort)
      return { ok: false, problem: `ClientHello extensions length exceeds the ${body.length}-byte body` };
    while (list.remaining() >= 4 && extensions.types.length < MAX_LIST_ENTRIES) {
      const type = list.readUint16();
      const extensionBody = list.takeCursor(list.readUint16());
      if (list.isShort) return { ok: false, problem: `extension ${type} length exceeds the extensions block` };
      extensions.types.push(type);
      const problem = readClientExtension(type, extensionBody, extensions);
      if (problem !== null) return { ok: false, problem };
    }
  }

  return {
    ok: true,
    value: buildClientHelloRecord(legacyVersion, sessionId, cipherSuites, extensions, false, protocol),
  };
}

function buildClientHelloRecord(
  legacyVersion: number,
  sessionId: Uint8Array,
  cipherSuites: number[],
  extensions: ClientExtensions,
  isSslv2Format: boolean,
  protocol: 't' | 'q',
): TlsClientHelloRecord {
  const ja3 = buildJa3String({
    legacyVersion,
    cipherSuites,
    extensions: extensions.types,
    supportedGroups: extensions.groups,
    pointFormats: extensions.pointFormats,
  });
  const ja4 = buildJa4(
    {
      legacyVersion,
      supportedVersions: extensions.supportedVersions,
      cipherSuites,
      extensions: extensions.types,
      alpnProtocols: extensions.alpn,
      signatureAlgorithms: extensions.signatureAlgorithms,
      hasServerName: extensions.serverName !== null,
    },
    protocol,
  );
  return {
    legacyVersion,
    offeredVersions: extensions.supportedVersions.length > 0 ? extensions.supportedVersions : [legacyVersion],
    cipherSuites,
    extensions: extensions.types,
    serverName: extensions.serverName,
    alpnProtocols: extensions.alpn.map(decodeLatin1),
    supportedGroups: extensions.groups,
    pointFormats: extensions.pointFormats,
    signatureAlgorithms: extensions.signatureAlgorithms,
    sessionIdHex: formatHex(sessionId),
    isSslv2Format,
    ja3,
    ja3Hash: hashMd5Hex(ja3),
    ja4,
  };
}

/**
 * Parses an SSLv2-format ClientHello record starting at its 2-byte header
 * (high bit set). Cipher specs whose first byte is 0 are TLS suites and are
 * kept as 16-bit values; SSLv2-only kinds keep their 24-bit value.
 */
export function parseSslv2ClientHello(record: Uint8Array): TlsHelloResult<TlsClientHelloRecord> {
  const cursor = new ByteCursor(record);
  const length = cursor.readUint16() & 0x7fff;
  const body = cursor.takeCursor(length);
  const messageType = body.readUint8();
  const legacyVersion = body.readUint16();
  const cipherSpecLength = body.readUint16();
  const sessionIdLength = body.readUint16();
  body.readUint16(); // challenge length
  const specs = body.takeCursor(cipherSpecLength);
  const sessionId = body.borrowBytes(sessionIdLength);
  if (body.isShort || messageType !== 1) {
    return { ok: false, problem: `SSLv2 ClientHello invalid (type ${messageType}, ${record.length} bytes)` };
  }
  const cipherSuites: number[] = [];
  while (specs.remaining() >= 3 && cipherSuites.length < MAX_LIST_ENTRIES) cipherSuites.push(specs.readUint24());
  const extensions: ClientExtensions = {
    types: [],
    serverName: null,
    alpn: [],
    groups: [],
    pointFormats: [],
    signatureAlgorithms: [],
    supportedVersions: [],
  };
  return { ok: true, value: buildClientHelloRecord(legacyVersion, sessionId, cipherSuites, extensions, true, 't') };
}

/** Parses a ServerHello body (also a HelloRetryRequest, which shares its format). */
export function parseServerHello(body: Uint8Array): TlsHelloResult<TlsServerHelloRecord> {
  const cursor = new ByteCursor(body);
  const legacyVersion = cursor.readUint16();
  const random = cursor.borrowBytes(32);
  const sessionId = cursor.borrowBytes(cursor.readUint8());
  const cipherSuite = cursor.readUint16();
  const compressionMethod = cursor.readUint8();
  if (cursor.isShort)
    return { ok: false, problem: `ServerHello truncated at body offset ${cursor.offset} of ${body.length}` };

  const extensions: number[] = [];
  let version = legacyVersion;
  let alpnProtocol: string | null = null;
  let keyShareGroup: number | null = null;
  let hasPreSharedKey = false;
  const isHelloRetryRequest = formatHex(random) === HELLO_RETRY_REQUEST_RANDOM;

  if (cursor.remaining() > 0) {
    const list = cursor.takeCursor(cursor.readUint16());
    if (list.isShort)
      return { ok: false, problem: `ServerHello extensions length exceeds the ${body.length}-byte body` };
    while (list.remaining() >= 4 && extensions.length < MAX_LIST_ENTRIES) {
      const type = list.readUint16();
      const extension = list.takeCursor(list.readUint16());
      if (list.isShort)
        return { ok: false, problem: `ServerHello extension ${type} length exceeds the extensions block` };
      extensions.push(type);
      if (type === TLS_EXTENSION.supportedVersions && extension.remaining() >= 2) version = extension.readUint16();
      else if (type === TLS_EXTENSION.keyShare && extension.remaining() >= 2) keyShareGroup = extension.readUint16();
      else if (type === TLS_EXTENSION.preSharedKey) hasPreSharedKey = true;
      else if (type === TLS_EXTENSION.alpn) {
        const names = extension.takeCursor(extension.readUint16());
        const name = names.borrowBytes(names.readUint8());
        if (!names.isShort) alpnProtocol = decodeLatin1(name);
      }
    }
  }

  const ja3s = buildJa3sString(legacyVersion, cipherSuite, extensions);
  return {
    ok: true,
    value: {
      legacyVersion,
      version,
      cipherSuite,
      compressionMethod,
      extensions,
      alpnProtocol,
      keyShareGroup,
      sessionIdHex: formatHex(sessionId),
      isHelloRetryRequest,
      hasPreSharedKey,
      ja3s,
      ja3sHash: hashMd5Hex(ja3s),
    },
  };
}
