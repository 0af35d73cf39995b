/**
 * NTLMSSP messages (MS-NLMP section 2.2) inside SPNEGO/GSS-API tokens: a
 * bounded ASN.1 walk to the OCTET STRING that contains the NTLMSSP token, then
 * the AUTHENTICATE user, domain and workstation, or the CHALLENGE's names.
 */
import { ByteCursor, decodeLatin1, decodeUtf16Le } from './byte-cursor';
import { readDerElement } from './der-reader';

const NTLMSSP_SIGNATURE = [0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00]; // "NTLMSSP\0"
const MAX_ASN1_DEPTH = 8;
const MAX_ASN1_ELEMENTS = 64;
const NEGOTIATE_UNICODE = 0x00000001;

function startsWithSignature(bytes: Uint8Array, offset: number): boolean {
  if (offset + 8 > bytes.length) return false;
  for (let i = 0; i < 8; i++) if (bytes[offset + i] !== NTLMSSP_SIGNATURE[i]) return false;
  return true;
}

/**
 * Finds the NTLMSSP token in a security buffer: the buffer itself (raw
 * NTLMSSP) or an OCTET STRING inside the SPNEGO ASN.1 (GSS-API [APPLICATION
 * 0], negTokenInit/negTokenResp). Returns a view, or null.
 */
export function findNtlmsspToken(buffer: Uint8Array): Uint8Array | null {
  if (startsWithSignature(buffer, 0)) return buffer;
  const budget = { elements: 0 };
  return walkForToken(buffer, 0, buffer.length, 0, budget);
}

function walkForToken(
  bytes: Uint8Array,
  start: number,
  end: number,
  depth: number,
  budget: { elements: number },
): Uint8Array | null {
  if (depth > MAX_ASN1_DEPTH) return null;
  let offset = start;
  while (offset < end && budget.elements++ < MAX_ASN1_ELEMENTS) {
    const element = readDerElement(bytes, offset, end);
    if (element === null) return null;
    if (element.tag === 0x04 && startsWithSignature(bytes, element.contentStart)) {
      return bytes.subarray(element.contentStart, element.contentEnd);
    }
    // Constructed elements (and context tags) are walked into; primitives are skipped.
    if (element.tag & 0x20) {
      const found = walkForToken(bytes, element.contentStart, element.contentEnd, depth + 1, budget);
      if (found !== null) return found;
    }
    offset = element.contentEnd;
  }
  return null;
}

export interface NtlmAuthenticate {
  userName: string;
  domain: string;
  workstation: string;
}

export interface NtlmChallenge {
  netbiosComputerName: string | null;
  dnsComputerName: string | null;
  dnsTreeName: string | null;
}

/** Reads a security buffer descriptor (length, max length, offset) and returns its bytes, or null when out of bounds. */
function readField(token: Uint8Array, cursor: ByteCursor): Uint8Array | null {
  const length = cursor.readUint16Le();
  cursor.readUint16Le();
  const offset = cursor.readUint32Le();
  if (cursor.isShort || offset > token.length || length > token.length - offset) return null;
  return token.subarray(offset, offset + length);
}

/** Message type of an NTLMSSP token (1 NEGOTIATE, 2 CHALLENGE, 3 AUTHENTICATE), or 0. */
export function readNtlmMessageType(token: Uint8Array): number {
  if (!startsWithSignature(token, 0) || token.length < 12) return 0;
  return new ByteCursor(token, 8).readUint32Le();
}

/** Parses an AUTHENTICATE message (type 3); null when a field points outside the token. */
export function parseNtlmAuthenticate(token: Uint8Array): NtlmAuthenticate | null {
  if (readNtlmMessageType(token) !== 3) return null;
  const cursor = new ByteCursor(token, 12);
  readField(token, cursor); // LmChallengeResponse
  readField(token, cursor); // NtChallengeResponse
  const domain = readField(token, cursor);
  const user = readField(token, cursor);
  const workstation = readField(token, cursor);
  readField(token, cursor); // EncryptedRandomSessionKey
  const flags = cursor.readUint32Le();
  if (domain === null || user === null || workstation === null) return null;
  const decode = cursor.isShort || (flags & NEGOTIATE_UNICODE) !== 0 ? decodeUtf16Le : decodeLatin1;
  return { userName: decode(user), domain: decode(domain), workstation: decode(workstation) };
}

/** Parses a CHALLENGE message (type 2): the AV pairs of its target info (MS-NLMP section 2.2.2.1). */
export function parseNtlmChallenge(token: Uint8Array): NtlmChallenge | null {
  if (readNtlmMessageType(token) !== 2) return null;
  const cursor = new ByteCursor(token, 12);
  readField(token, cursor); // TargetName
  cursor.skip(4 + 8 + 8); // NegotiateFlags, ServerChallenge, Reserved
  const targetInfo = readField(token, cursor);
  const result: NtlmChallenge = { netbiosComputerName: null, dnsComputerName: null, dnsTreeName: null };
  if (targetInfo === null) return result;
  const pairs = new ByteCursor(targetInfo);
  for (let count = 0; pairs.remaining() >= 4 && count < 32; count++) {
    const id = pairs.readUint16Le();
    const value = pairs.borrowBytes(pairs.readUint16Le());
    if (id === 0 || pairs.isShort) break;
    if (id === 1) result.netbiosComputerName = decodeUtf16Le(value);
    else if (id === 3) result.dnsComputerName = decodeUtf16Le(value);
    else if (id === 5) result.dnsTreeName = decodeUtf16Le(value);
  }
  return result;
}
