/**
 * Application protocol identification from the first payload bytes of a
 * flow, independent of its ports. Each check looks at a fixed prefix and a
 * few header fields, so it is cheap and needs no reassembly beyond the first
 * segment. Names are Zeek's service names as conn.log writes them.
 */

export type ServiceName =
  | 'http'
  | 'ssl'
  | 'ssh'
  | 'dns'
  | 'smb'
  | 'smtp'
  | 'ftp'
  | 'rdp'
  | 'quic'
  | 'dhcp'
  | 'ntp'
  | 'imap'
  | 'pop3'
  | 'irc'
  | 'sip'
  | 'socks'
  | 'mysql'
  | 'postgresql';

/** Ports each service usually runs on; a service seen elsewhere is marked as on an unusual port. */
export const EXPECTED_SERVICE_PORTS: Record<ServiceName, readonly number[]> = {
  http: [80, 81, 591, 3128, 8000, 8008, 8080, 8081, 8888],
  ssl: [443, 261, 448, 465, 563, 585, 614, 636, 853, 989, 990, 992, 993, 994, 995, 5223, 8443],
  ssh: [22],
  dns: [53, 5353, 5355, 137],
  smb: [139, 445],
  smtp: [25, 587, 2525],
  ftp: [21, 2811],
  rdp: [3389],
  quic: [443, 80, 8443],
  dhcp: [67, 68, 4011],
  ntp: [123],
  imap: [143],
  pop3: [110],
  irc: [6666, 6667, 6668, 6669, 7000],
  sip: [5060, 5061],
  socks: [1080],
  mysql: [3306],
  postgresql: [5432],
};

/** True when `port` is one of the service's usual ports. */
export function isExpectedServicePort(service: ServiceName, port: number): boolean {
  return EXPECTED_SERVICE_PORTS[service].includes(port);
}

const httpMethods = ['GET ', 'POST ', 'HEAD ', 'PUT ', 'DELETE ', 'OPTIONS ', 'CONNECT ', 'TRACE ', 'PATCH ', 'PROPFIND ', 'MKCOL ', 'COPY ', 'MOVE ', 'LOCK ', 'UNLOCK ', 'PROPPATCH ', 'SEARCH ', 'REPORT '];
const sipMethods = ['INVITE ', 'REGISTER ', 'ACK ', 'BYE ', 'CANCEL ', 'OPTIONS ', 'SUBSCRIBE ', 'NOTIFY ', 'MESSAGE ', 'INFO ', 'REFER '];
const ftpCommands = ['USER ', 'PASS ', 'ACCT ', 'CWD ', 'PASV', 'PORT ', 'RETR ', 'STOR ', 'SYST', 'FEAT', 'AUTH TLS'];

function startsWithText(bytes: Uint8Array, text: string, offset = 0): boolean {
  if (bytes.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i++) {
    if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

function startsWithTextIgnoringCase(bytes: Uint8Array, text: string): boolean {
  if (bytes.length < text.length) return false;
  for (let i = 0; i < text.length; i++) {
    let code = bytes[i] ?? 0;
    if (code >= 0x61 && code <= 0x7a) code -= 0x20;
    if (code !== text.charCodeAt(i)) return false;
  }
  return true;
}

/** Maximum first-line length read for the checks. A longer HTTP request line is cut here. */
const MAX_FIRST_LINE_BYTES = 8192;

/**
 * Read the first line (up to MAX_FIRST_LINE_BYTES) as Latin-1 text, for
 * request line and greeting checks. The line end is found on the bytes and
 * the text is built in one call, not a character at a time.
 */
function readFirstLine(bytes: Uint8Array): string {
  const limit = Math.min(bytes.length, MAX_FIRST_LINE_BYTES);
  let end = 0;
  while (end < limit) {
    const code = bytes[end] ?? 0;
    if (code === 0x0a || code === 0x0d) break;
    end++;
  }
  return String.fromCharCode.apply(null, bytes.subarray(0, end) as unknown as number[]);
}

/** True when the first byte is printable ASCII: only then can a text protocol's first line match. */
function startsWithPrintable(bytes: Uint8Array): boolean {
  const first = bytes[0] ?? 0;
  return first >= 0x20 && first <= 0x7e;
}

function readUint16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return (((bytes[offset] ?? 0) << 24) | ((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0)) >>> 0;
}

/** TLS record carrying a handshake, or an SSLv2-framed ClientHello. */
export function looksLikeTls(bytes: Uint8Array): boolean {
  if (bytes.length >= 6 && bytes[0] === 0x16 && bytes[1] === 0x03 && (bytes[2] ?? 0xff) <= 0x04) {
    const length = readUint16(bytes, 3);
    const handshakeType = bytes[5];
    return length > 0 && length <= 16384 + 2048 && (handshakeType === 0x01 || handshakeType === 0x02);
  }
  // SSLv2 header: 2-byte length with the high bit set, message type 1 (CLIENT-HELLO), version 2.0 or 3.x.
  if (bytes.length >= 5 && ((bytes[0] ?? 0) & 0x80) !== 0 && bytes[2] === 0x01) {
    return (bytes[3] === 0x00 && bytes[4] === 0x02) || (bytes[3] === 0x03 && (bytes[4] ?? 0xff) <= 0x04);
  }
  return false;
}

/** Check for a DNS header with plausible counts whose first question parses. */
export function looksLikeDns(bytes: Uint8Array): boolean {
  if (bytes.length < 17) return false;
  const flags = readUint16(bytes, 2);
  const opcode = (flags >> 11) & 0xf;
  if (opcode > 6 || opcode === 3) return false;
  const questions = readUint16(bytes, 4);
  const answers = readUint16(bytes, 6);
  const authority = readUint16(bytes, 8);
  const additional = readUint16(bytes, 10);
  const isResponse = (flags & 0x8000) !== 0;
  if (questions > 16 || answers > 256 || authority > 256 || additional > 256) return false;
  if (questions === 0 && !isResponse) return false;
  if (questions === 0) return answers > 0;

  // Walk the first question's labels (no compression is expected there).
  let position = 12;
  for (let labels = 0; labels < 64; labels++) {
    const length = bytes[position];
    if (length === undefined || length > 63) return false;
    if (length === 0) return position + 5 <= bytes.length;
    position += 1 + length;
  }
  return false;
}

/** A QUIC long-header packet of a known version (RFC 9000 v1, RFC 9369 v2, IETF drafts). */
export function looksLikeQuic(bytes: Uint8Array): boolean {
  if (bytes.length < 7) return false;
  const first = bytes[0] ?? 0;
  if ((first & 0xc0) !== 0xc0) return false;
  const version = readUint32(bytes, 1);
  const isKnown = version === 0x00000001 || version === 0x6b3343cf || (version & 0xffffff00) === 0xff000000 || version === 0;
  if (!isKnown) return false;
  const destinationLength = bytes[5] ?? 0xff;
  return destinationLength <= 20 && bytes.length >= 6 + destinationLength + 1;
}

/** Check for a BOOTP message with the DHCP magic cookie. */
export function looksLikeDhcp(bytes: Uint8Array): boolean {
  if (bytes.length < 240) return false;
  const op = bytes[0];
  return (op === 1 || op === 2) && readUint32(bytes, 236) === 0x63825363 && (bytes[2] ?? 0) <= 16;
}

/** Check for an NTP v1-4 packet of the usual sizes (48 bytes, plus an optional MAC). */
export function looksLikeNtp(bytes: Uint8Array): boolean {
  if (bytes.length !== 48 && bytes.length !== 52 && bytes.length !== 60 && bytes.length !== 68 && bytes.length !== 72) return false;
  const version = ((bytes[0] ?? 0) >> 3) & 0x7;
  const mode = (bytes[0] ?? 0) & 0x7;
  return version >= 1 && version <= 4 && mode >= 1 && mode <= 5 && (bytes[1] ?? 0xff) <= 16;
}

/** Check for a NetBIOS session message (or direct TCP header) carrying an SMB1, SMB2/3 or SMB3 transform header. */
function looksLikeSmb(bytes: Uint8Array): boolean {
  if (bytes.length < 8 || bytes[0] !== 0x00) return false;
  const marker = bytes[4];
  return (marker === 0xff || marker === 0xfe || marker === 0xfd) && startsWithText(bytes, 'SMB', 5);
}

/** Check for a TPKT header with an X.224 connection request or confirm, as RDP starts. */
function looksLikeRdp(bytes: Uint8Array): boolean {
  if (bytes.length < 11 || bytes[0] !== 0x03 || bytes[1] !== 0x00) return false;
  const length = readUint16(bytes, 2);
  const pduType = (bytes[5] ?? 0) & 0xf0;
  return length >= 11 && (pduType === 0xe0 || pduType === 0xd0) && (bytes[4] ?? 0) + 5 <= length;
}

/** MySQL server greeting: 3-byte length, sequence 0, protocol version 10, a NUL-terminated version string. */
function looksLikeMysqlGreeting(bytes: Uint8Array): boolean {
  if (bytes.length < 10 || bytes[3] !== 0x00 || bytes[4] !== 0x0a) return false;
  const length = (bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16);
  if (length < 20 || length > 1024 || length + 4 < bytes.length) return false;
  for (let i = 5; i < Math.min(bytes.length, 64); i++) if (bytes[i] === 0x00) return i > 5;
  return false;
}

/** PostgreSQL startup (protocol 3.0), SSL request or GSS request. */
function looksLikePostgres(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  const length = readUint32(bytes, 0);
  const code = readUint32(bytes, 4);
  if (length === 8 && (code === 80877103 || code === 80877104)) return true;
  return code === 0x00030000 && length === bytes.length && length < 10000;
}

/** SOCKS 4 CONNECT/BIND, or a SOCKS 5 method negotiation whose length matches its method count. */
function looksLikeSocks(bytes: Uint8Array): boolean {
  if (bytes[0] === 0x05 && bytes.length >= 3) return bytes.length === 2 + (bytes[1] ?? 0) && (bytes[1] ?? 0) > 0;
  if (bytes[0] === 0x04 && bytes.length >= 9) return (bytes[1] === 1 || bytes[1] === 2) && bytes[bytes.length - 1] === 0x00;
  return false;
}

/** DNS over TCP: a 2-byte length prefix, then a message. */
function looksLikeDnsOverTcp(bytes: Uint8Array): boolean {
  return bytes.length >= 19 && readUint16(bytes, 0) >= 12 && looksLikeDns(bytes.subarray(2));
}

/**
 * Identify a TCP service from the first bytes one side sent. Returns null
 * when the bytes match nothing (or, for a bare "220 " greeting, when the
 * other side has to speak first to tell SMTP from FTP).
 */
export function identifyTcpService(bytes: Uint8Array, isFromOriginator: boolean): ServiceName | null {
  if (bytes.length === 0) return null;
  if (looksLikeTls(bytes)) return 'ssl';
  if (looksLikeSmb(bytes)) return 'smb';
  if (looksLikeRdp(bytes)) return 'rdp';
  if (!startsWithPrintable(bytes)) {
    if (looksLikeDnsOverTcp(bytes)) return 'dns';
    if (!isFromOriginator) return looksLikeMysqlGreeting(bytes) ? 'mysql' : null;
    if (looksLikeSocks(bytes)) return 'socks';
    return looksLikePostgres(bytes) ? 'postgresql' : null;
  }

  // Text protocols: the first line is built once.
  if (startsWithText(bytes, 'SSH-')) return 'ssh';
  if (startsWithText(bytes, 'HTTP/1.') || startsWithText(bytes, 'HTTP/0.9')) return 'http';
  const line = readFirstLine(bytes);
  // A known method, and the version at the end of the line (or a line still going on in the next segment).
  if (httpMethods.some((method) => startsWithText(bytes, method))) {
    const isLineCut = line.length === bytes.length || line.length === MAX_FIRST_LINE_BYTES;
    if (/ HTTP\/\d\.\d$/.test(line) || (isLineCut && !line.includes(' ', line.indexOf(' ') + 1))) return 'http';
  }
  // Other methods (UPnP SUBSCRIBE, WebDAV extensions, ...) when the line ends with an HTTP/1.x version.
  if (/^[A-Z][A-Z_-]{1,23} \S.* HTTP\/1\.[019]$/.test(line)) return 'http';
  // HTTP/0.9: "GET /path" and a line end, no version.
  if (isFromOriginator && /^GET \/\S* *$/.test(line) && bytes.includes(0x0a)) return 'http';
  if (startsWithText(bytes, 'SIP/2.0 ') || (sipMethods.some((method) => startsWithText(bytes, method)) && / sip:/i.test(line))) return 'sip';
  if (looksLikeDnsOverTcp(bytes)) return 'dns';

  if (isFromOriginator) {
    if (startsWithTextIgnoringCase(bytes, 'EHLO ') || startsWithTextIgnoringCase(bytes, 'HELO ')) return 'smtp';
    if (ftpCommands.some((command) => startsWithTextIgnoringCase(bytes, command))) return 'ftp';
    if (/^[A-Za-z0-9.]{1,20}(?: LOGIN | CAPABILITY| STARTTLS| AUTHENTICATE | SELECT )/i.test(line)) return 'imap';
    if (/^(NICK |USER \S+ \S+ \S+ :|CAP LS)/.test(line)) return 'irc';
    return null;
  }
  if (/^220[ -].*(SMTP|ESMTP|Postfix|Exim|Sendmail|mail)/i.test(line)) return 'smtp';
  if (/^220[ -].*FTP/i.test(line)) return 'ftp';
  if (/^\* (OK|PREAUTH)[ \]]/.test(line) && /IMAP/i.test(line)) return 'imap';
  if (/^\+OK/.test(line)) return 'pop3';
  if (/^:\S+ (NOTICE|001|020) /.test(line)) return 'irc';
  // A greeting whose 3-byte little-endian length starts with a printable byte.
  if (looksLikeMysqlGreeting(bytes)) return 'mysql';
  return null;
}

/** Identify a UDP service from one datagram's payload. */
export function identifyUdpService(bytes: Uint8Array): ServiceName | null {
  if (looksLikeDhcp(bytes)) return 'dhcp';
  if (looksLikeQuic(bytes)) return 'quic';
  if (startsWithText(bytes, 'SIP/2.0 ') || (sipMethods.some((method) => startsWithText(bytes, method)) && / sip:/i.test(readFirstLine(bytes)))) return 'sip';
  if (looksLikeDns(bytes)) return 'dns';
  if (looksLikeNtp(bytes)) return 'ntp';
  return null;
}
