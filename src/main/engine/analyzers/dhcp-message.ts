/**
 * DHCP (RFC 2131) message parser over a BOOTP datagram: the fixed header
 * and the options that dhcp.log reports, including option overload
 * (option 52) into the `file` and `sname` fields. Pure and bounds-checked.
 */
import { formatAddressBytes } from '../flows/address-text';

/** Options walked per area before the rest is ignored (a pad-only flood is cut here). */
const MAX_OPTIONS_PER_AREA = 255;

export const dhcpMessageTypeNames: Record<number, string> = {
  1: 'DISCOVER', 2: 'OFFER', 3: 'REQUEST', 4: 'DECLINE', 5: 'ACK', 6: 'NAK', 7: 'RELEASE', 8: 'INFORM',
  9: 'FORCERENEW', 10: 'LEASEQUERY', 11: 'LEASEUNASSIGNED', 12: 'LEASEUNKNOWN', 13: 'LEASEACTIVE',
  14: 'BULKLEASEQUERY', 15: 'LEASEQUERYDONE', 16: 'ACTIVELEASEQUERY', 17: 'LEASEQUERYSTATUS', 18: 'TLS',
};

export interface DhcpMessage {
  op: number;
  transactionId: number;
  clientAddress: string;
  yourAddress: string;
  /** chaddr as "aa:bb:cc:dd:ee:ff" when the hardware type is Ethernet, else hex of hlen bytes. */
  clientHardwareAddress: string;
  messageType: number | null;
  hostName: string | null;
  clientFqdn: string | null;
  domainName: string | null;
  requestedAddress: string | null;
  leaseTimeSeconds: number | null;
  serverIdentifier: string | null;
  vendorClass: string | null;
  message: string | null;
  /** Option 61 with hardware type 1: the MAC it carries. */
  clientIdMac: string | null;
  parameterRequestList: number[];
}

export interface DhcpParseResult {
  message: DhcpMessage | null;
  /** Zeek-style weird name, or null. */
  problem: string | null;
}

function readText(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i] ?? 0);
  return text;
}

function formatMacBytes(bytes: Uint8Array, start: number, length: number): string {
  const parts: string[] = [];
  for (let i = start; i < start + length; i++) parts.push((bytes[i] ?? 0).toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** Parse one DHCP message. Returns null with a problem when it is not a complete BOOTP message with the magic cookie. */
export function parseDhcpMessage(bytes: Uint8Array): DhcpParseResult {
  if (bytes.length < 240) return { message: null, problem: 'DHCP_truncated' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(236, false) !== 0x63825363) return { message: null, problem: 'DHCP_bad_magic_cookie' };
  const hardwareLength = Math.min(bytes[2] ?? 0, 16);
  const message: DhcpMessage = {
    op: bytes[0] ?? 0,
    transactionId: view.getUint32(4, false),
    clientAddress: formatAddressBytes(bytes, 12, false),
    yourAddress: formatAddressBytes(bytes, 16, false),
    clientHardwareAddress: formatMacBytes(bytes, 28, hardwareLength),
    messageType: null,
    hostName: null,
    clientFqdn: null,
    domainName: null,
    requestedAddress: null,
    leaseTimeSeconds: null,
    serverIdentifier: null,
    vendorClass: null,
    message: null,
    clientIdMac: null,
    parameterRequestList: [],
  };

  const overload = readOptions(bytes, 240, bytes.length, message);
  if (overload === -1) return { message, problem: 'DHCP_option_truncated' };
  // Option 52: 1 = options continue in `file` (108..235), 2 = in `sname` (44..107), 3 = both.
  if ((overload & 1) !== 0 && readOptions(bytes, 108, 236, message) === -1) return { message, problem: 'DHCP_option_truncated' };
  if ((overload & 2) !== 0 && readOptions(bytes, 44, 108, message) === -1) return { message, problem: 'DHCP_option_truncated' };
  return { message, problem: null };
}

/** Read options in [start, end) into `message`. Returns the overload value (0..3), or -1 when an option overruns. */
function readOptions(bytes: Uint8Array, start: number, end: number, message: DhcpMessage): number {
  let position = start;
  let overload = 0;
  for (let count = 0; count < MAX_OPTIONS_PER_AREA && position < end; count++) {
    const code = bytes[position] ?? 0;
    if (code === 255) break;
    if (code === 0) {
      position++;
      continue;
    }
    if (position + 2 > end) return -1;
    const length = bytes[position + 1] ?? 0;
    const valueStart = position + 2;
    const valueEnd = valueStart + length;
    if (valueEnd > end) return -1;
    applyOption(bytes, code, valueStart, length, message);
    if (code === 52 && length === 1) overload = (bytes[valueStart] ?? 0) & 3;
    position = valueEnd;
  }
  return overload;
}

function applyOption(bytes: Uint8Array, code: number, start: number, length: number, message: DhcpMessage): void {
  const end = start + length;
  switch (code) {
    case 53:
      if (length === 1) message.messageType = bytes[start] ?? null;
      break;
    case 12:
      message.hostName = readText(bytes, start, end);
      break;
    case 15:
      message.domainName = readText(bytes, start, end);
      break;
    case 50:
      if (length === 4) message.requestedAddress = formatAddressBytes(bytes, start, false);
      break;
    case 51:
      if (length === 4) message.leaseTimeSeconds = new DataView(bytes.buffer, bytes.byteOffset + start, 4).getUint32(0, false);
      break;
    case 54:
      if (length === 4) message.serverIdentifier = formatAddressBytes(bytes, start, false);
      break;
    case 55:
      for (let i = start; i < end; i++) message.parameterRequestList.push(bytes[i] ?? 0);
      break;
    case 56:
      message.message = readText(bytes, start, end);
      break;
    case 60:
      message.vendorClass = readText(bytes, start, end);
      break;
    case 61:
      if (length === 7 && bytes[start] === 1) message.clientIdMac = formatMacBytes(bytes, start + 1, 6);
      break;
    case 81:
      // Client FQDN (RFC 4702): flags, two obsolete rcode bytes, then the name (ASCII when the E bit is clear).
      if (length >= 3) message.clientFqdn = readFqdn(bytes, start + 3, end, ((bytes[start] ?? 0) & 0x04) !== 0);
      break;
    default:
      break;
  }
}

/** Read option 81's name: wire-format labels when `isWireFormat`, else plain text. */
function readFqdn(bytes: Uint8Array, start: number, end: number, isWireFormat: boolean): string {
  if (!isWireFormat) return readText(bytes, start, end);
  const labels: string[] = [];
  let position = start;
  while (position < end) {
    const length = bytes[position] ?? 0;
    if (length === 0 || length > 63 || position + 1 + length > end) break;
    labels.push(readText(bytes, position + 1, position + 1 + length));
    position += 1 + length;
  }
  return labels.join('.');
}
