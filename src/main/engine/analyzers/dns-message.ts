/**
 * DNS message parser (RFC 1035, with EDNS from RFC 6891 and SVCB/HTTPS from
 * RFC 9460). Pure: bytes in, a plain object out. Every length and count from
 * the wire is checked against the bytes present before it is used, and
 * compression pointers must point backwards, at most MAX_COMPRESSION_HOPS
 * times per name.
 */
import { formatAddressBytes } from '../flows/address-text';

/** Pointers followed per name before the name is rejected: Zeek's default dns_max_compression_chain_depth. */
export const MAX_COMPRESSION_HOPS = 20;
/** Names longer than this (RFC 1035: 255 octets on the wire) are rejected. */
const MAX_NAME_LENGTH = 255;
/** Resource records decoded per message; further records are counted but not decoded. */
export const MAX_RECORDS_PER_MESSAGE = 512;

export const DnsSection = { answer: 1, authority: 2, additional: 3 } as const;
export type DnsSectionValue = (typeof DnsSection)[keyof typeof DnsSection];

export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

export interface DnsResourceRecord {
  section: DnsSectionValue;
  name: string;
  type: number;
  /** Class, or for OPT the requester's UDP payload size. */
  class: number;
  ttlSeconds: number;
  /** Data as Zeek's dns.log writes it (address, target name, "TXT 5 hello", ...); '' when Zeek logs nothing. */
  text: string;
}

export interface DnsMessage {
  id: number;
  isResponse: boolean;
  opcode: number;
  isAuthoritative: boolean;
  isTruncated: boolean;
  isRecursionDesired: boolean;
  isRecursionAvailable: boolean;
  /** Z, AD and CD bits as one 3-bit value, as Zeek's msg$Z counts them. */
  z: number;
  /** The header's 4-bit response code. */
  responseCode: number;
  questionCount: number;
  answerCount: number;
  authorityCount: number;
  additionalCount: number;
  questions: DnsQuestion[];
  records: DnsResourceRecord[];
  /** EDNS UDP payload size, or null without an OPT record. */
  ednsUdpPayloadSize: number | null;
}

/** Reason a message could not be decoded completely, named after Zeek's weird where one exists. */
export type DnsProblem =
  | 'DNS_truncated_len_lt_hdr_len'
  | 'DNS_truncated_quest_too_short'
  | 'DNS_truncated_ans_too_short'
  | 'DNS_truncated_RR_rdlength_lt_len'
  | 'DNS_label_len_gt_pkt'
  | 'DNS_label_forward_compress_offset'
  | 'DNS_label_too_long'
  | 'DNS_name_too_long'
  | 'DNS_max_compression_chain_depth_exceeded'
  | 'DNS_RR_length_mismatch'
  | 'DNS_too_many_records';

export interface DnsParseResult {
  /** The header and everything decoded before the first problem; null when the header itself is short. */
  message: DnsMessage | null;
  /** First problem met, or null. Decoding stopped there. */
  problem: DnsProblem | null;
  /** Byte offset in the message at which the problem was found. */
  problemOffset: number;
  /** Extra detail for weird.log's addl: the chain depth reached, as Zeek reports it; else null. */
  problemDetail: string | null;
}

interface NameResult {
  name: string;
  /** Offset just past the name where it was first read (after the first pointer, if any). */
  end: number;
  problem: DnsProblem | null;
  problemOffset: number;
  /** Compression pointers followed. */
  hops: number;
}

const nameScratch: NameResult = { name: '', end: 0, problem: null, problemOffset: 0, hops: 0 };

/**
 * Read a possibly compressed domain name starting at `offset`. Labels are
 * joined with '.', lower-cased (as Zeek logs them) and non-printable bytes
 * kept as characters for the log writer to escape. The root name is ''.
 * Returns a shared scratch object: copy what you keep before the next call.
 */
export function readDomainName(bytes: Uint8Array, offset: number, maxHops = MAX_COMPRESSION_HOPS): NameResult {
  const result = nameScratch;
  result.problem = null;
  result.problemOffset = 0;
  result.hops = 0;
  let position = offset;
  let end = -1;
  let hops = 0;
  let wireLength = 0;
  let name = '';

  for (;;) {
    if (position >= bytes.length) return failName(result, 'DNS_label_len_gt_pkt', position);
    const length = bytes[position] ?? 0;

    // Compression pointer: two bytes, 14-bit offset, must point before the label it replaces.
    if ((length & 0xc0) === 0xc0) {
      if (position + 1 >= bytes.length) return failName(result, 'DNS_label_len_gt_pkt', position);
      const target = ((length & 0x3f) << 8) | (bytes[position + 1] ?? 0);
      if (end < 0) end = position + 2;
      if (target >= position) return failName(result, 'DNS_label_forward_compress_offset', position);
      hops++;
      result.hops = hops;
      if (hops > maxHops) return failName(result, 'DNS_max_compression_chain_depth_exceeded', position);
      position = target;
      continue;
    }
    if ((length & 0xc0) !== 0) return failName(result, 'DNS_label_too_long', position);

    if (length === 0) {
      if (end < 0) end = position + 1;
      break;
    }
    if (position + 1 + length > bytes.length) return failName(result, 'DNS_label_len_gt_pkt', position);
    wireLength += length + 1;
    if (wireLength > MAX_NAME_LENGTH) return failName(result, 'DNS_name_too_long', position);
    if (name !== '') name += '.';
    for (let i = position + 1; i <= position + length; i++) {
      let code = bytes[i] ?? 0;
      if (code >= 0x41 && code <= 0x5a) code += 0x20;
      name += String.fromCharCode(code);
    }
    position += 1 + length;
  }

  result.name = name;
  result.end = end;
  return result;
}

function failName(result: NameResult, problem: DnsProblem, offset: number): NameResult {
  result.name = '';
  result.end = offset;
  result.problem = problem;
  result.problemOffset = offset;
  return result;
}

/**
 * Parse one DNS message (for TCP, without its 2-byte length prefix).
 * Never throws: a malformed message returns what was decoded before the
 * problem, with the problem's name and offset.
 */
export function parseDnsMessage(bytes: Uint8Array, maxCompressionHops = MAX_COMPRESSION_HOPS): DnsParseResult {
  if (bytes.length < 12) return { message: null, problem: 'DNS_truncated_len_lt_hdr_len', problemOffset: bytes.length, problemDetail: null };
  const fail = (message: DnsMessage, problem: DnsProblem, problemOffset: number, name?: NameResult): DnsParseResult => ({
    message,
    problem,
    problemOffset,
    problemDetail: problem === 'DNS_max_compression_chain_depth_exceeded' && name !== undefined ? String(name.hops) : null,
  });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = view.getUint16(2, false);
  const message: DnsMessage = {
    id: view.getUint16(0, false),
    isResponse: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    isAuthoritative: (flags & 0x0400) !== 0,
    isTruncated: (flags & 0x0200) !== 0,
    isRecursionDesired: (flags & 0x0100) !== 0,
    isRecursionAvailable: (flags & 0x0080) !== 0,
    z: (flags >> 4) & 0x7,
    responseCode: flags & 0xf,
    questionCount: view.getUint16(4, false),
    answerCount: view.getUint16(6, false),
    authorityCount: view.getUint16(8, false),
    additionalCount: view.getUint16(10, false),
    questions: [],
    records: [],
    ednsUdpPayloadSize: null,
  };

  // Questions: the count is a claim, so each one must fit in the bytes left.
  let offset = 12;
  for (let i = 0; i < message.questionCount; i++) {
    const name = readDomainName(bytes, offset, maxCompressionHops);
    if (name.problem !== null) return fail(message, name.problem, name.problemOffset, name);
    if (name.end + 4 > bytes.length) return fail(message, 'DNS_truncated_quest_too_short', name.end);
    if (message.questions.length < MAX_RECORDS_PER_MESSAGE) {
      message.questions.push({ name: name.name, type: view.getUint16(name.end, false), class: view.getUint16(name.end + 2, false) });
    }
    offset = name.end + 4;
  }

  const sections: [DnsSectionValue, number][] = [
    [DnsSection.answer, message.answerCount],
    [DnsSection.authority, message.authorityCount],
    [DnsSection.additional, message.additionalCount],
  ];
  for (const [section, count] of sections) {
    for (let i = 0; i < count; i++) {
      if (message.records.length >= MAX_RECORDS_PER_MESSAGE) return fail(message, 'DNS_too_many_records', offset);
      const name = readDomainName(bytes, offset, maxCompressionHops);
      if (name.problem !== null) return fail(message, name.problem, name.problemOffset, name);
      const ownerName = name.name;
      if (name.end + 10 > bytes.length) return fail(message, 'DNS_truncated_ans_too_short', name.end);
      const type = view.getUint16(name.end, false);
      const recordClass = view.getUint16(name.end + 2, false);
      const ttl = view.getUint32(name.end + 4, false);
      const dataLength = view.getUint16(name.end + 8, false);
      const dataStart = name.end + 10;
      if (dataStart + dataLength > bytes.length) return fail(message, 'DNS_truncated_RR_rdlength_lt_len', dataStart);

      const data = formatRecordData(bytes, view, type, dataStart, dataLength, maxCompressionHops);
      if (data.problem !== null) return { message, problem: data.problem, problemOffset: data.problemOffset, problemDetail: data.problemDetail };
      // The OPT record's extended rcode bits are not merged: Zeek logs the header's 4-bit rcode.
      if (type === DnsType.OPT) message.ednsUdpPayloadSize = recordClass;
      message.records.push({ section, name: ownerName, type, class: recordClass, ttlSeconds: ttl, text: data.text });
      offset = dataStart + dataLength;
    }
  }
  return { message, problem: null, problemOffset: 0, problemDetail: null };
}

/** Resource record type numbers this parser formats. */
export const DnsType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  WKS: 11,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  A6: 38,
  OPT: 41,
  DS: 43,
  SSHFP: 44,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  NSEC3: 50,
  NSEC3PARAM: 51,
  SVCB: 64,
  HTTPS: 65,
  SPF: 99,
} as const;

interface DataText {
  text: string;
  problem: DnsProblem | null;
  problemOffset: number;
  problemDetail: string | null;
}

/** Format record data the way Zeek's dns.log `answers` shows it. */
function formatRecordData(bytes: Uint8Array, view: DataView, type: number, start: number, length: number, maxHops: number): DataText {
  const end = start + length;
  const ok = (text: string): DataText => ({ text, problem: null, problemOffset: 0, problemDetail: null });
  const mismatch: DataText = { text: '', problem: 'DNS_RR_length_mismatch', problemOffset: start, problemDetail: null };
  const readNameInData = (offset: number): DataText => readNameInRecord(bytes.subarray(0, end), offset, maxHops);

  switch (type) {
    case DnsType.A:
      if (length !== 4) return mismatch;
      return ok(formatAddressBytes(bytes, start, false));
    case DnsType.AAAA:
      if (length !== 16) return mismatch;
      return ok(formatAddressBytes(bytes, start, true));
    case DnsType.NS:
    case DnsType.CNAME:
    case DnsType.PTR:
    case DnsType.SOA:
      return readNameInData(start);
    case DnsType.MX:
      if (length < 3) return mismatch;
      return readNameInData(start + 2);
    case DnsType.SRV:
      if (length < 7) return mismatch;
      return readNameInData(start + 6);
    case DnsType.TXT:
    case DnsType.SPF:
      return formatCharacterStrings(bytes, start, end, type === DnsType.TXT ? 'TXT' : 'SPF');
    case DnsType.SVCB:
    case DnsType.HTTPS: {
      if (length < 3) return mismatch;
      const priority = view.getUint16(start, false);
      const target = readNameInData(start + 2);
      if (target.problem !== null) return target;
      return ok(`${type === DnsType.HTTPS ? 'HTTPS' : 'SVCB'} ${priority} ${target.text === '' ? '.' : target.text}`);
    }
    case DnsType.OPT:
    case DnsType.HINFO:
    case DnsType.NSEC3:
    case DnsType.NSEC3PARAM:
    case DnsType.WKS:
      // Zeek logs the type name for NSEC3 and NSEC3PARAM and no text for the others.
      if (type === DnsType.NSEC3) return ok('NSEC3');
      if (type === DnsType.NSEC3PARAM) return ok('NSEC3PARAM');
      return ok('');
    case DnsType.DS:
      if (length < 4) return mismatch;
      return ok(`DS ${bytes[start + 2] ?? 0} ${bytes[start + 3] ?? 0}`);
    case DnsType.DNSKEY:
      if (length < 4) return mismatch;
      return ok(`DNSKEY ${bytes[start + 3] ?? 0}`);
    case DnsType.RRSIG: {
      if (length < 18) return mismatch;
      const signer = readNameInData(start + 18);
      if (signer.problem !== null) return signer;
      return ok(`RRSIG ${view.getUint16(start, false)} ${signer.text === '' ? '<Root>' : signer.text}`);
    }
    case DnsType.SSHFP: {
      if (length < 2) return mismatch;
      let hex = '';
      for (let i = start + 2; i < end; i++) hex += (bytes[i] ?? 0).toString(16).padStart(2, '0');
      return ok(`SSHFP: ${hex}`);
    }
    default:
      return ok(`<unknown type=${type}>`);
  }
}

function readNameInRecord(bytes: Uint8Array, offset: number, maxHops: number): DataText {
  const name = readDomainName(bytes, offset, maxHops);
  if (name.problem !== null) {
    const detail = name.problem === 'DNS_max_compression_chain_depth_exceeded' ? String(name.hops) : null;
    return { text: '', problem: name.problem, problemOffset: name.problemOffset, problemDetail: detail };
  }
  return { text: name.name, problem: null, problemOffset: 0, problemDetail: null };
}

/** Zeek's TXT form: "TXT <length> <text>" per string, joined with spaces. */
function formatCharacterStrings(bytes: Uint8Array, start: number, end: number, label: string): DataText {
  let text = '';
  let position = start;
  while (position < end) {
    const length = bytes[position] ?? 0;
    if (position + 1 + length > end) return { text: '', problem: 'DNS_RR_length_mismatch', problemOffset: position, problemDetail: null };
    let value = '';
    for (let i = position + 1; i <= position + length; i++) value += String.fromCharCode(bytes[i] ?? 0);
    if (text !== '') text += ' ';
    text += `${label} ${length} ${value}`;
    position += 1 + length;
  }
  return { text, problem: null, problemOffset: 0, problemDetail: null };
}

/** Zeek's names for query types (base/protocols/dns/consts.zeek in Zeek 6). */
const queryTypeNames: Record<number, string> = {
  1: 'A', 2: 'NS', 3: 'MD', 4: 'MF', 5: 'CNAME', 6: 'SOA', 7: 'MB', 8: 'MG', 9: 'MR', 10: 'NULL', 11: 'WKS',
  12: 'PTR', 13: 'HINFO', 14: 'MINFO', 15: 'MX', 16: 'TXT', 17: 'RP', 18: 'AFSDB', 19: 'X25', 20: 'ISDN', 21: 'RT',
  22: 'NSAP', 23: 'NSAP-PTR', 24: 'SIG', 25: 'KEY', 26: 'PX', 27: 'GPOS', 28: 'AAAA', 29: 'LOC', 30: 'NXT',
  31: 'EID', 32: 'NIMLOC', 33: 'SRV', 34: 'ATMA', 35: 'NAPTR', 36: 'KX', 37: 'CERT', 38: 'A6', 39: 'DNAME',
  40: 'SINK', 41: 'OPT', 42: 'APL', 43: 'DS', 44: 'SSHFP', 45: 'IPSECKEY', 46: 'RRSIG', 47: 'NSEC',
  48: 'DNSKEY', 49: 'DHCID', 50: 'NSEC3', 51: 'NSEC3PARAM', 52: 'TLSA', 53: 'SMIMEA', 55: 'HIP', 56: 'NINFO',
  57: 'RKEY', 58: 'TALINK', 59: 'CDS', 60: 'CDNSKEY', 61: 'OPENPGPKEY', 62: 'CSYNC', 63: 'ZONEMD', 64: 'SVCB',
  65: 'HTTPS', 99: 'SPF', 100: 'UINFO', 101: 'UID', 102: 'GID', 103: 'UNSPEC', 104: 'NID', 105: 'L32', 106: 'L64',
  107: 'LP', 108: 'EUI48', 109: 'EUI64', 249: 'TKEY', 250: 'TSIG', 251: 'IXFR', 252: 'AXFR', 253: 'MAILB',
  254: 'MAILA', 255: '*', 256: 'URI', 257: 'CAA', 32768: 'TA', 32769: 'DLV', 65281: 'WINS', 65282: 'WINS-R',
  65422: 'XPF', 65521: 'INTEGRITY',
};

/** Zeek's query type name, or "query-<n>" as Zeek writes an unknown one. */
export function getDnsQueryTypeName(type: number): string {
  return queryTypeNames[type] ?? `query-${type}`;
}

const classNames: Record<number, string> = { 1: 'C_INTERNET', 2: 'C_CSNET', 3: 'C_CHAOS', 4: 'C_HESIOD', 254: 'C_NONE', 255: 'C_ANY' };

/** Zeek's class name. mDNS sets the top bit (unicast response), which Zeek shows as "qclass-<n>". */
export function getDnsClassName(queryClass: number): string {
  return classNames[queryClass] ?? `qclass-${queryClass}`;
}

const responseCodeNames: Record<number, string> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 6: 'YXDOMAIN', 7: 'YXRRSET',
  8: 'NXRRSet', 9: 'NOTAUTH', 10: 'NOTZONE', 11: 'unassigned-11', 12: 'unassigned-12', 13: 'unassigned-13',
  14: 'unassigned-14', 15: 'unassigned-15', 16: 'BADVERS', 17: 'BADKEY', 18: 'BADTIME', 19: 'BADMODE',
  20: 'BADNAME', 21: 'BADALG', 22: 'BADTRUNC', 23: 'BADCOOKIE', 3842: 'BADSIG',
};

export function getDnsResponseCodeName(code: number): string {
  return responseCodeNames[code] ?? `rcode-${code}`;
}

const opcodeNames: Record<number, string> = { 0: 'query', 1: 'iquery', 2: 'server-status', 4: 'notify', 5: 'dynamic-update', 6: 'dso' };
const netbiosOpcodeNames: Record<number, string> = {
  0: 'netbios-query', 5: 'netbios-registration', 6: 'netbios-release', 7: 'netbios-wack', 8: 'netbios-refresh',
};

/** Zeek's opcode name; NetBIOS name service (UDP 137) has its own table. */
export function getDnsOpcodeName(opcode: number, isNetbios = false): string {
  if (isNetbios) return netbiosOpcodeNames[opcode] ?? `netbios-opcode-${opcode}`;
  return opcodeNames[opcode] ?? `opcode-${opcode}`;
}

/**
 * Decode a NetBIOS first-level encoded name (RFC 1001 section 14.1, each
 * byte as two letters 'A'..'P') the way Zeek's decode_netbios_name does.
 * The first 32 letters give 16 bytes. Of these, the first 15 are kept up to
 * the first byte that is neither printable nor below 3, which drops the
 * padding spaces and the suffix byte. Returns the name unchanged when it is
 * not encoded that way.
 */
export function decodeNetbiosName(name: string): string {
  const decoded: number[] = [];
  for (let i = 0; i < 32; i += 2) {
    const high = (name.charCodeAt(i) | 0x20) - 0x61;
    const low = (name.charCodeAt(i + 1) | 0x20) - 0x61;
    if (!(high >= 0 && high < 16 && low >= 0 && low < 16)) return name;
    decoded.push((high << 4) | low);
  }
  let result = '';
  for (let i = 0; i < 15; i++) {
    const byte = decoded[i] ?? 0;
    const isPrintable = byte > 0x20 && byte < 0x7f;
    if (!isPrintable && byte >= 3) break;
    result += String.fromCharCode(byte);
  }
  return result;
}
