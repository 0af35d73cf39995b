/**
 * Application-layer payloads in their real wire formats: DNS messages
 * (RFC 1035), TLS 1.3 ClientHello and ServerHello records (RFC 8446, SNI per
 * RFC 6066, ALPN per RFC 7301) and HTTP/1.1 message heads. Each writer puts
 * the bytes at `offset` in `target` and returns how many it wrote.
 */
import type { SeededRandom } from './prng';

export const DNS_TYPE = { a: 1, cname: 5, aaaa: 28 } as const;

const textEncoder = new TextEncoder();

/** Writes `name` as DNS labels ending in the root label; returns the bytes written. */
function writeDnsName(target: Uint8Array, offset: number, name: string): number {
  let at = offset;
  for (const label of name.split('.')) {
    target[at++] = label.length;
    at += textEncoder.encodeInto(label, target.subarray(at)).written;
  }
  target[at++] = 0;
  return at - offset;
}

function writeUint16(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 8;
  target[offset + 1] = value & 0xff;
}

function writeUint32(target: Uint8Array, offset: number, value: number): void {
  writeUint16(target, offset, value >>> 16);
  writeUint16(target, offset + 2, value & 0xffff);
}

/** Writes a recursive query for `name` with one question. */
export function writeDnsQuery(target: Uint8Array, offset: number, id: number, name: string, type: number): number {
  writeUint16(target, offset, id);
  writeUint16(target, offset + 2, 0x0100); // standard query, recursion desired
  writeUint16(target, offset + 4, 1);
  target.fill(0, offset + 6, offset + 12);
  const nameBytes = writeDnsName(target, offset + 12, name);
  const at = offset + 12 + nameBytes;
  writeUint16(target, at, type);
  writeUint16(target, at + 2, 1); // class IN
  return 12 + nameBytes + 4;
}

export interface DnsAnswer {
  /** A CNAME target the answers hang off, or null for answers owned by the question name. */
  canonicalName: string | null;
  /** IPv4 (4 bytes) or IPv6 (16 bytes) addresses, matching the question type. */
  addresses: Uint8Array[];
  isNameError: boolean;
  ttlSeconds: number;
}

/** Writes the response to a query for `name`, with names compressed by pointers as servers send them. */
export function writeDnsResponse(
  target: Uint8Array,
  offset: number,
  id: number,
  name: string,
  type: number,
  answer: DnsAnswer,
): number {
  const answerCount = answer.isNameError ? 0 : answer.addresses.length + (answer.canonicalName === null ? 0 : 1);
  writeUint16(target, offset, id);
  writeUint16(target, offset + 2, answer.isNameError ? 0x8183 : 0x8180);
  writeUint16(target, offset + 4, 1);
  writeUint16(target, offset + 6, answerCount);
  target.fill(0, offset + 8, offset + 12);
  let at = offset + 12 + writeDnsName(target, offset + 12, name);
  writeUint16(target, at, type);
  writeUint16(target, at + 2, 1);
  at += 4;
  if (answer.isNameError) return at - offset;

  // Each record's owner is a pointer to the question name (offset 12) or to the CNAME target.
  let ownerPointer = 0xc000 | 12;
  if (answer.canonicalName !== null) {
    writeUint16(target, at, ownerPointer);
    writeUint16(target, at + 2, DNS_TYPE.cname);
    writeUint16(target, at + 4, 1);
    writeUint32(target, at + 6, answer.ttlSeconds);
    const targetNameOffset = at + 12;
    const nameBytes = writeDnsName(target, targetNameOffset, answer.canonicalName);
    writeUint16(target, at + 10, nameBytes);
    ownerPointer = 0xc000 | (targetNameOffset - offset);
    at = targetNameOffset + nameBytes;
  }
  for (const address of answer.addresses) {
    writeUint16(target, at, ownerPointer);
    writeUint16(target, at + 2, type);
    writeUint16(target, at + 4, 1);
    writeUint32(target, at + 6, answer.ttlSeconds);
    writeUint16(target, at + 10, address.length);
    target.set(address, at + 12);
    at += 12 + address.length;
  }
  return at - offset;
}

/** Cipher suites a current browser offers: TLS 1.3 first, then ECDHE with AES-GCM and ChaCha20. */
const CLIENT_CIPHER_SUITES = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014];

/** Writes a TLS record holding a ClientHello with SNI `serverName`, ALPN h2 and http/1.1, and an X25519 key share. */
export function writeTlsClientHello(target: Uint8Array, offset: number, serverName: string, random: SeededRandom): number {
  const sniBytes = textEncoder.encode(serverName);
  const parts: number[] = [];
  const pushUint16 = (value: number): void => {
    parts.push(value >>> 8, value & 0xff);
  };
  const pushRandom = (count: number): void => {
    for (let i = 0; i < count; i++) parts.push(random.nextUint32() & 0xff);
  };
  const pushExtension = (type: number, body: number[]): void => {
    pushUint16(type);
    pushUint16(body.length);
    parts.push(...body);
  };
  const uint16Bytes = (value: number): number[] => [value >>> 8, value & 0xff];

  // ClientHello body: legacy version, random, session id, cipher suites, null compression.
  pushUint16(0x0303);
  pushRandom(32);
  parts.push(32);
  pushRandom(32);
  pushUint16(CLIENT_CIPHER_SUITES.length * 2);
  for (const suite of CLIENT_CIPHER_SUITES) pushUint16(suite);
  parts.push(1, 0);

  // Extensions, each as type, length, body.
  const extensions: number[] = [];
  const extensionsStart = parts.length;
  const serverNameList = [0, ...uint16Bytes(sniBytes.length), ...sniBytes];
  pushExtension(0x0000, [...uint16Bytes(serverNameList.length), ...serverNameList]);
  pushExtension(0x000a, [0, 6, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18]); // supported_groups: x25519, P-256, P-384
  pushExtension(0x000b, [1, 0]); // ec_point_formats: uncompressed
  pushExtension(0x000d, [0, 8, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03]); // signature_algorithms
  pushExtension(0x0010, [0, 12, 2, 0x68, 0x32, 8, ...textEncoder.encode('http/1.1')]); // ALPN
  pushExtension(0x002b, [4, 0x03, 0x04, 0x03, 0x03]); // supported_versions: TLS 1.3, 1.2
  pushExtension(0x002d, [1, 1]); // psk_key_exchange_modes: psk_dhe_ke
  const keyShare = [0x00, 0x1d, 0, 32];
  for (let i = 0; i < 32; i++) keyShare.push(random.nextUint32() & 0xff);
  pushExtension(0x0033, [...uint16Bytes(keyShare.length), ...keyShare]);
  extensions.push(...parts.splice(extensionsStart));
  pushUint16(extensions.length);
  parts.push(...extensions);

  return writeTlsHandshakeRecord(target, offset, 1, parts, 0x0301);
}

/** Writes a TLS 1.3 ServerHello record followed by a ChangeCipherSpec record, as servers send them. */
export function writeTlsServerHello(target: Uint8Array, offset: number, random: SeededRandom): number {
  const body: number[] = [0x03, 0x03];
  for (let i = 0; i < 32; i++) body.push(random.nextUint32() & 0xff);
  body.push(32);
  for (let i = 0; i < 32; i++) body.push(random.nextUint32() & 0xff);
  body.push(0x13, 0x01, 0); // TLS_AES_128_GCM_SHA256, null compression
  const keyShare = [0x00, 0x1d, 0, 32];
  for (let i = 0; i < 32; i++) keyShare.push(random.nextUint32() & 0xff);
  const extensions = [0x00, 0x2b, 0, 2, 0x03, 0x04, 0x00, 0x33, 0, keyShare.length, ...keyShare];
  body.push(extensions.length >>> 8, extensions.length & 0xff, ...extensions);

  let at = offset + writeTlsHandshakeRecord(target, offset, 2, body, 0x0303);
  target.set([20, 0x03, 0x03, 0, 1, 1], at);
  at += 6;
  return at - offset;
}

function writeTlsHandshakeRecord(
  target: Uint8Array,
  offset: number,
  handshakeType: number,
  body: number[],
  recordVersion: number,
): number {
  const handshakeLength = 4 + body.length;
  target[offset] = 22;
  writeUint16(target, offset + 1, recordVersion);
  writeUint16(target, offset + 3, handshakeLength);
  target[offset + 5] = handshakeType;
  target[offset + 6] = body.length >>> 16;
  writeUint16(target, offset + 7, body.length & 0xffff);
  target.set(body, offset + 9);
  return 5 + handshakeLength;
}

/** Returns the bytes of an HTTP/1.1 GET request for `path` on `host`. */
export function encodeHttpRequest(host: string, path: string, userAgent: string): Uint8Array {
  return textEncoder.encode(
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${userAgent}\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n`,
  );
}

/** Returns the bytes of an HTTP/1.1 response head announcing `bodyBytes` of `contentType`. */
export function encodeHttpResponseHead(status: number, reason: string, contentType: string, bodyBytes: number): Uint8Array {
  return textEncoder.encode(
    `HTTP/1.1 ${status} ${reason}\r\nServer: nginx\r\nContent-Type: ${contentType}\r\nContent-Length: ${bodyBytes}\r\nCache-Control: max-age=3600\r\n\r\n`,
  );
}
