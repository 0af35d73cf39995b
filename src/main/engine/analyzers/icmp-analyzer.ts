/**
 * ICMP and ICMPv6 facts per flow: the type and code names, echo payload
 * sizes, and signs of a tunnel inside echo messages. Ordinary ping sends
 * 32 to 64 bytes of a fixed or counting pattern, so a payload far larger or
 * with near-random bytes is suspicious.
 */
import type { IcmpSummary } from '../../../shared/domain/records';

/** Echo payload size above which the flow is marked (ping's default is 56 bytes, Windows 32). */
export const LARGE_ECHO_PAYLOAD_BYTES = 512;
/** Entropy, in bits per byte, above which an echo payload of at least MIN_ENTROPY_BYTES looks random. */
export const HIGH_ENTROPY_BITS_PER_BYTE = 6.5;
/** Shorter payloads cannot reach the threshold: n bytes hold at most log2(n) bits per byte. */
const MIN_ENTROPY_BYTES = 128;

const icmpv4Types: Record<number, string> = {
  0: 'echo-reply', 3: 'destination-unreachable', 4: 'source-quench', 5: 'redirect', 8: 'echo-request',
  9: 'router-advertisement', 10: 'router-solicitation', 11: 'time-exceeded', 12: 'parameter-problem',
  13: 'timestamp-request', 14: 'timestamp-reply', 15: 'information-request', 16: 'information-reply',
  17: 'address-mask-request', 18: 'address-mask-reply',
};
const icmpv4UnreachableCodes: Record<number, string> = {
  0: 'network-unreachable', 1: 'host-unreachable', 2: 'protocol-unreachable', 3: 'port-unreachable',
  4: 'fragmentation-needed', 5: 'source-route-failed', 6: 'network-unknown', 7: 'host-unknown',
  9: 'network-prohibited', 10: 'host-prohibited', 11: 'network-tos-unreachable', 12: 'host-tos-unreachable',
  13: 'communication-prohibited', 14: 'host-precedence-violation', 15: 'precedence-cutoff',
};
const icmpv6Types: Record<number, string> = {
  1: 'destination-unreachable', 2: 'packet-too-big', 3: 'time-exceeded', 4: 'parameter-problem',
  128: 'echo-request', 129: 'echo-reply', 130: 'multicast-listener-query', 131: 'multicast-listener-report',
  132: 'multicast-listener-done', 133: 'router-solicitation', 134: 'router-advertisement',
  135: 'neighbor-solicitation', 136: 'neighbor-advertisement', 137: 'redirect', 143: 'multicast-listener-report-v2',
};
const icmpv6UnreachableCodes: Record<number, string> = {
  0: 'no-route', 1: 'administratively-prohibited', 2: 'beyond-scope', 3: 'address-unreachable',
  4: 'port-unreachable', 5: 'source-policy-failed', 6: 'reject-route',
};
const timeExceededCodes: Record<number, string> = { 0: 'ttl-exceeded', 1: 'fragment-reassembly-exceeded' };

export function getIcmpTypeName(isIpv6: boolean, type: number): string {
  return (isIpv6 ? icmpv6Types[type] : icmpv4Types[type]) ?? `type-${type}`;
}

/** Return the code's name for the types that define codes, or null for other types. */
export function getIcmpCodeName(isIpv6: boolean, type: number, code: number): string | null {
  const unreachableType = isIpv6 ? 1 : 3;
  const timeExceededType = isIpv6 ? 3 : 11;
  if (type === unreachableType) return (isIpv6 ? icmpv6UnreachableCodes[code] : icmpv4UnreachableCodes[code]) ?? `code-${code}`;
  if (type === timeExceededType) return timeExceededCodes[code] ?? `code-${code}`;
  return null;
}

/** Shannon entropy of `bytes` in bits per byte (0 for an empty array). */
export function computeEntropyBitsPerByte(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  const counts = new Uint32Array(256);
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    counts[byte] = (counts[byte] ?? 0) + 1;
  }
  let entropy = 0;
  for (let i = 0; i < 256; i++) {
    const count = counts[i] ?? 0;
    if (count === 0) continue;
    const probability = count / bytes.length;
    entropy -= probability * Math.log2(probability);
  }
  return entropy;
}

export class IcmpFlowAnalyzer {
  readonly summary: IcmpSummary;

  constructor(uid: string, private readonly isIpv6: boolean, type: number, code: number) {
    this.summary = {
      uid,
      type,
      code,
      typeName: getIcmpTypeName(isIpv6, type),
      codeName: getIcmpCodeName(isIpv6, type, code),
      echoMessages: 0,
      echoPayloadMaxBytes: 0,
      echoPayloadTotalBytes: 0,
      echoPayloadMaxEntropyBitsPerByte: null,
      isTunnelSuspected: false,
    };
  }

  /** Count one message; `body` is everything after the 8-byte ICMP header (borrowed). */
  addMessage(type: number, body: Uint8Array): void {
    const isEcho = this.isIpv6 ? type === 128 || type === 129 : type === 0 || type === 8;
    if (!isEcho) return;
    const summary = this.summary;
    summary.echoMessages++;
    summary.echoPayloadTotalBytes += body.length;
    if (body.length > summary.echoPayloadMaxBytes) summary.echoPayloadMaxBytes = body.length;
    if (body.length >= MIN_ENTROPY_BYTES) {
      const entropy = Math.round(computeEntropyBitsPerByte(body) * 1000) / 1000;
      if (summary.echoPayloadMaxEntropyBitsPerByte === null || entropy > summary.echoPayloadMaxEntropyBitsPerByte) {
        summary.echoPayloadMaxEntropyBitsPerByte = entropy;
      }
      if (entropy > HIGH_ENTROPY_BITS_PER_BYTE) summary.isTunnelSuspected = true;
    }
    if (body.length > LARGE_ECHO_PAYLOAD_BYTES) summary.isTunnelSuspected = true;
  }
}
