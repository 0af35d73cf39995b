/**
 * The hosts and names of the generated network.
 *
 * Internal clients sit in 10.0.0.0/8 (IPv6 2001:db8:a::/48), 16 subnets of
 * which 11 are untagged, 4 carry an 802.1Q tag and 1 is QinQ, so the VLAN
 * share of frames follows the share of traffic from those subnets. External
 * servers sit in 198.18.0.0/15 (RFC 2544 benchmarking) and 2001:db8:ff::/48,
 * resolvers and ping targets in the RFC 5737 documentation ranges. Names end
 * in the reserved .example and .test top-level domains (RFC 2606).
 */
import type { ConversationPath, Host } from './frame-builder';
import type { SeededRandom } from './prng';

const CLIENT_COUNT = 5000;
const SERVER_COUNT = 30000;
const SUBNET_COUNT = 16;
const ROUTER_MAC = new Uint8Array([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);

const NAME_SYLLABLES = ['al', 'bor', 'cen', 'dal', 'eri', 'fon', 'gar', 'hel', 'ist', 'jun', 'kor', 'lum', 'mar', 'nex', 'or', 'pol', 'quin', 'ros', 'sil', 'tor', 'ul', 'ver', 'wen', 'xan', 'yor', 'zel'];
const NAME_PREFIXES = ['www', 'api', 'cdn', 'static', 'img', 'login', 'mail', 'update', 'telemetry', 'assets', 'auth', 'media'];
const NAME_SUFFIXES = ['example', 'test', 'example.com', 'example.net', 'example.org'];

export interface ClientHost {
  ipv4: Host;
  ipv6: Host;
  vlan: number;
  innerVlan: number;
}

export interface ServerHost {
  ipv4: Host;
  ipv6: Host;
  name: string;
}

function createHost(mac: Uint8Array, address: Uint8Array): Host {
  return { mac, address };
}

function createClient(index: number): ClientHost {
  const subnet = 1 + (index % SUBNET_COUNT);
  const hostInSubnet = Math.floor(index / SUBNET_COUNT);
  const third = 1 + Math.floor(hostInSubnet / 200);
  const fourth = 1 + (hostInSubnet % 200);
  const mac = new Uint8Array([0x02, 0x00, 0x0a, subnet, third, fourth]);
  const ipv6 = new Uint8Array(16);
  ipv6.set([0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0a, 0x00, subnet, 0, 0, 0, 0, 0, 0, third, fourth]);

  // Subnets 1-11 are untagged, 12-15 on VLAN 112-115, and 16 in QinQ (service VLAN 1000, customer VLAN 116).
  const vlan = subnet <= 11 ? 0 : subnet <= 15 ? 100 + subnet : 1000;
  const innerVlan = subnet === 16 ? 116 : 0;
  return {
    ipv4: createHost(mac, new Uint8Array([10, subnet, third, fourth])),
    ipv6: createHost(mac, ipv6),
    vlan,
    innerVlan,
  };
}

function createServerName(index: number, random: SeededRandom): string {
  const syllableCount = 2 + random.nextInt(2);
  let label = '';
  for (let i = 0; i < syllableCount; i++) label += random.pick(NAME_SYLLABLES);
  return `${random.pick(NAME_PREFIXES)}${index % 7 === 0 ? String(index % 10) : ''}.${label}.${random.pick(NAME_SUFFIXES)}`;
}

function createServer(index: number, random: SeededRandom): ServerHost {
  const number = index + 1;
  const ipv6 = new Uint8Array(16);
  ipv6.set([0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, number >>> 8, number & 0xff]);
  return {
    ipv4: createHost(ROUTER_MAC, new Uint8Array([198, 18 + (number >>> 16), (number >>> 8) & 0xff, number & 0xff])),
    ipv6: createHost(ROUTER_MAC, ipv6),
    name: createServerName(index, random),
  };
}

export class HostDirectory {
  private readonly clients: ClientHost[] = [];
  private readonly servers: ServerHost[] = [];
  /** The internal resolver and one outside resolver in 192.0.2.0/24. */
  readonly resolvers: ServerHost[];
  private readonly pingTargets: ServerHost[] = [];

  constructor(private readonly random: SeededRandom) {
    for (let i = 0; i < CLIENT_COUNT; i++) this.clients.push(createClient(i));
    for (let i = 0; i < SERVER_COUNT; i++) this.servers.push(createServer(i, random));
    this.resolvers = [
      { ipv4: createHost(ROUTER_MAC, new Uint8Array([10, 0, 0, 53])), ipv6: createHost(ROUTER_MAC, this.ipv6Of(0x0053)), name: 'ns1.corp.example' },
      { ipv4: createHost(ROUTER_MAC, new Uint8Array([192, 0, 2, 53])), ipv6: createHost(ROUTER_MAC, this.ipv6Of(0x0253)), name: 'resolver.example' },
    ];
    for (let i = 1; i <= 254; i++) {
      const address = i % 2 === 0 ? [203, 0, 113, i] : [198, 51, 100, i];
      this.pingTargets.push({ ipv4: createHost(ROUTER_MAC, new Uint8Array(address)), ipv6: createHost(ROUTER_MAC, this.ipv6Of(0x1000 + i)), name: '' });
    }
  }

  pickClient(): ClientHost {
    return this.clients[this.random.nextSkewedIndex(this.clients.length, 2)]!;
  }

  /** Picks a server, popular ones far more often, as traffic concentrates on a few services. */
  pickServer(): ServerHost {
    return this.servers[this.random.nextSkewedIndex(this.servers.length, 3)]!;
  }

  pickResolver(): ServerHost {
    return this.random.nextBoolean(0.8) ? this.resolvers[0]! : this.resolvers[1]!;
  }

  pickPingTarget(): ServerHost {
    return this.random.pick(this.pingTargets);
  }

  /** Returns the path between a client and a server, over IPv6 when `isIpv6`. */
  createPath(client: ClientHost, server: ServerHost, isIpv6: boolean): ConversationPath {
    return {
      client: isIpv6 ? client.ipv6 : client.ipv4,
      server: isIpv6 ? server.ipv6 : server.ipv4,
      isIpv6,
      vlan: client.vlan,
      innerVlan: client.innerVlan,
      serverHopLimit: 64 - this.random.nextIntBetween(4, 20),
    };
  }

  private ipv6Of(suffix: number): Uint8Array {
    const address = new Uint8Array(16);
    address.set([0x20, 0x01, 0x0d, 0xb8, 0x00, 0x53]);
    address[14] = suffix >>> 8;
    address[15] = suffix & 0xff;
    return address;
  }
}
