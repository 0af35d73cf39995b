/**
 * Internal networks and allow-lists: which addresses are "ours" and which
 * hosts, networks, names and pairs the analyst told the detectors to ignore.
 * Addresses are the text the flow table writes (dotted IPv4, RFC 5952 IPv6).
 */
import type { DetectionSettings } from './detection-settings';

interface Network {
  /** 4 or 16 bytes. */
  bytes: Uint8Array;
  prefixLength: number;
}

/** Parse IPv4 or IPv6 text into bytes; null when it is neither. */
export function parseAddress(text: string): Uint8Array | null {
  if (text.includes(':')) return parseIpv6(text);
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    if (!/^\d{1,3}$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes[i] = value;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' || halves[0] === undefined ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' && halves[1] !== undefined ? halves[1].split(':') : [];
  const groups =
    halves.length === 2 ? [...head, ...new Array<string>(8 - head.length - tail.length).fill('0'), ...tail] : head;
  if (groups.length !== 8) return null;
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const group = groups[i] as string;
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  }
  return bytes;
}

/** Parse "a.b.c.d/n" or "x::/n" (a bare address is a /32 or /128). Throws naming the bad text. */
export function parseNetwork(text: string): Network {
  const [addressText = '', prefixText] = text.split('/');
  const bytes = parseAddress(addressText);
  if (bytes === null) throw new Error(`network "${text}": expected an IPv4 or IPv6 address before "/"`);
  const maxPrefix = bytes.length * 8;
  const prefixLength = prefixText === undefined ? maxPrefix : Number(prefixText);
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > maxPrefix) {
    throw new Error(`network "${text}": prefix length must be 0 to ${maxPrefix}, found "${prefixText}"`);
  }
  return { bytes, prefixLength };
}

function isInNetwork(address: Uint8Array, network: Network): boolean {
  if (address.length !== network.bytes.length) return false;
  let bits = network.prefixLength;
  for (let i = 0; bits > 0; i++) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((address[i] as number) & mask) !== ((network.bytes[i] as number) & mask)) return false;
    bits -= 8;
  }
  return true;
}

/** Answers "is this address internal" and "is this allow-listed", caching per address. */
export class NetworkScope {
  private readonly internal: Network[];
  private readonly allowedNetworks: Network[];
  private readonly allowedHosts: Set<string>;
  private readonly allowedPairs: Set<string>;
  private readonly allowedDomains: string[];
  private readonly internalCache = new Map<string, boolean>();
  /** Names seen for an address (DNS answers, TLS SNI), for domain allow-listing. */
  private readonly namesByAddress = new Map<string, Set<string>>();
  private static readonly maxCachedAddresses = 200_000;

  constructor(settings: Pick<DetectionSettings, 'internalNetworks' | 'allowList'>) {
    this.internal = settings.internalNetworks.map(parseNetwork);
    this.allowedNetworks = settings.allowList.networks.map(parseNetwork);
    this.allowedHosts = new Set(settings.allowList.hosts);
    this.allowedPairs = new Set(settings.allowList.pairs.map(([a, b]) => pairKey(a, b)));
    this.allowedDomains = settings.allowList.domains.map((domain) => domain.toLowerCase().replace(/^\.+/, ''));
  }

  isInternal(address: string): boolean {
    const cached = this.internalCache.get(address);
    if (cached !== undefined) return cached;
    const bytes = parseAddress(address);
    const isInternal = bytes !== null && this.internal.some((network) => isInNetwork(bytes, network));
    if (this.internalCache.size >= NetworkScope.maxCachedAddresses) this.internalCache.clear();
    this.internalCache.set(address, isInternal);
    return isInternal;
  }

  /** Remember that `address` answered to `name` (DNS A/AAAA answer, TLS SNI, HTTP Host). */
  noteName(address: string, name: string): void {
    if (this.allowedDomains.length === 0) return;
    let names = this.namesByAddress.get(address);
    if (names === undefined) {
      if (this.namesByAddress.size >= NetworkScope.maxCachedAddresses) return;
      names = new Set();
      this.namesByAddress.set(address, names);
    }
    if (names.size < 16) names.add(name.toLowerCase());
  }

  isHostAllowed(address: string): boolean {
    if (this.allowedHosts.has(address)) return true;
    if (this.allowedNetworks.length > 0) {
      const bytes = parseAddress(address);
      if (bytes !== null && this.allowedNetworks.some((network) => isInNetwork(bytes, network))) return true;
    }
    const names = this.namesByAddress.get(address);
    if (names === undefined) return false;
    for (const name of names) {
      if (this.isNameAllowed(name)) return true;
    }
    return false;
  }

  /** True when `name` is an allow-listed domain or a name under one. */
  isNameAllowed(name: string): boolean {
    if (this.allowedDomains.length === 0) return false;
    const lowerName = name.toLowerCase().replace(/\.$/, '');
    return this.allowedDomains.some((domain) => lowerName === domain || lowerName.endsWith(`.${domain}`));
  }

  /** True when either host, or the pair in either direction, is allow-listed. */
  isPairAllowed(a: string, b: string): boolean {
    return this.allowedPairs.has(pairKey(a, b)) || this.isHostAllowed(a) || this.isHostAllowed(b);
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}
