/**
 * Facts about assets/sample.pcapng that tests and docs rely on, computed
 * with tshark: totals, flow count, hosts, DNS names, the port scan and the
 * beacon. test/fixtures/sample.expected.json is this module's output for the
 * committed sample, and test/lab/sample-expectations.test.ts recomputes it.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { groupFlows, readCaptureFormat, readTsharkPackets, type TsharkPacket } from './tshark-flows';

/** The roles the sample's story gives its hosts (see scripts/lab/make-sample.sh). */
export const SAMPLE_STORY = {
  scanner: '10.66.0.24',
  scanTarget: '10.66.1.50',
  beaconSource: '10.66.0.23',
  beaconDestination: '203.0.113.66',
  beaconPort: 443,
  dnsServer: '10.66.1.53',
} as const;

export interface NamedHost {
  name: string;
  addresses: string[];
}

export interface SampleFacts {
  capture: string;
  format: 'pcap' | 'pcapng';
  fileBytes: number;
  packets: number;
  ipPackets: number;
  nonIpPackets: number;
  capturedBytes: number;
  wireBytes: number;
  firstTimestamp: string;
  lastTimestamp: string;
  firstUs: number;
  lastUs: number;
  spanUs: number;
  flows: { total: number; tcp: number; udp: number; icmp: number; how: string };
  /** Flows per Zeek conn_state, reasoned from the story and the scan's counts. */
  connectionStates: { states: Record<string, number>; how: string };
  hosts: { distinctAddresses: number; addresses: string[]; how: string };
  namedHosts: NamedHost[];
  tlsServerNames: string[];
  scan: {
    scanner: string;
    target: string;
    portsTried: number;
    portsRefused: number;
    portsOpen: number[];
    portsUnanswered: number[];
    how: string;
  };
  beacon: {
    source: string;
    destination: string;
    destinationPort: number;
    connections: number;
    meanIntervalMs: number;
    minIntervalMs: number;
    maxIntervalMs: number;
    how: string;
  };
}

const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_ACK = 0x10;

function runTsharkFields(path: string, filter: string, fields: string[]): string[][] {
  const args = ['-n', '-r', path, '-Y', filter, '-T', 'fields', '-E', 'separator=\t'];
  for (const field of fields) args.push('-e', field);
  const result = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`tshark failed on ${path} with status ${String(result.status)}: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
}

function readNamedHosts(path: string): NamedHost[] {
  const rows = runTsharkFields(path, 'dns.flags.response == 1', ['dns.qry.name', 'dns.a', 'dns.aaaa']);
  const byName = new Map<string, Set<string>>();
  for (const [name = '', a = '', aaaa = ''] of rows) {
    const addresses = byName.get(name) ?? new Set<string>();
    for (const address of [...a.split(','), ...aaaa.split(',')]) if (address !== '') addresses.add(address);
    byName.set(name, addresses);
  }
  return [...byName.entries()]
    .map(([name, addresses]) => ({ name, addresses: [...addresses].sort() }))
    .sort((left, right) => left.name.localeCompare(right.name));
}

function readTlsServerNames(path: string): string[] {
  const rows = runTsharkFields(path, 'tls.handshake.type == 1', ['tls.handshake.extensions_server_name']);
  return [...new Set(rows.map(([name = '']) => name).filter((name) => name !== ''))].sort();
}

function summarizeScan(packets: readonly TsharkPacket[]): SampleFacts['scan'] {
  const { scanner, scanTarget } = SAMPLE_STORY;
  const tried = new Set<number>();
  const open = new Set<number>();
  const refused = new Set<number>();
  for (const packet of packets) {
    if (packet.ipProtocol !== 6) continue;
    const flags = packet.tcpFlags;
    if (packet.source === scanner && packet.destination === scanTarget && flags === TCP_SYN) tried.add(packet.destinationPort);
    if (packet.source !== scanTarget || packet.destination !== scanner) continue;
    if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) open.add(packet.sourcePort);
    if (flags & TCP_RST && !open.has(packet.sourcePort)) refused.add(packet.sourcePort);
  }
  const unanswered = [...tried].filter((port) => !open.has(port) && !refused.has(port));
  return {
    scanner,
    target: scanTarget,
    portsTried: tried.size,
    portsRefused: refused.size,
    portsOpen: [...open].sort((a, b) => a - b),
    portsUnanswered: unanswered.sort((a, b) => a - b),
    how:
      'Ports are destination ports of pure SYNs from the scanner to the target. Refused: the target answered RST ' +
      '(Zeek REJ) without a SYN-ACK. Open: SYN-ACK. Unanswered: neither, because nftables drops them (Zeek S0).',
  };
}

function summarizeBeacon(packets: readonly TsharkPacket[]): SampleFacts['beacon'] {
  const { beaconSource, beaconDestination, beaconPort } = SAMPLE_STORY;
  const starts = packets
    .filter(
      (packet) =>
        packet.source === beaconSource &&
        packet.destination === beaconDestination &&
        packet.destinationPort === beaconPort &&
        packet.tcpFlags === TCP_SYN,
    )
    .map((packet) => packet.timestampUs);
  const intervals = starts.slice(1).map((start, index) => (start - (starts[index] as number)) / 1000);
  const mean = intervals.reduce((sum, value) => sum + value, 0) / Math.max(intervals.length, 1);
  return {
    source: beaconSource,
    destination: beaconDestination,
    destinationPort: beaconPort,
    connections: starts.length,
    meanIntervalMs: Math.round(mean),
    minIntervalMs: Math.round(Math.min(...intervals)),
    maxIntervalMs: Math.round(Math.max(...intervals)),
    how:
      'One HTTPS POST per connection; intervals are between consecutive SYNs. The script sleeps 5 s plus 0-1.5 s of ' +
      'random jitter after each request, and the request itself adds a few milliseconds.',
  };
}

function reasonConnectionStates(total: number, icmp: number, scan: SampleFacts['scan']): SampleFacts['connectionStates'] {
  const states: Record<string, number> = {
    REJ: scan.portsRefused,
    S0: scan.portsUnanswered.length,
    RSTO: scan.portsOpen.length,
    OTH: icmp,
  };
  states.SF = total - Object.values(states).reduce((sum, count) => sum + count, 0);
  return {
    states,
    how:
      'Refused probes are REJ and dropped ones S0. On an open port nmap completes the handshake, the listener closes ' +
      '(FIN) and nmap resets (RST): RSTO. ICMP flows are OTH. Every other flow (curl over HTTP/HTTPS, the beacons, ' +
      'the DNS queries) completes normally: SF.',
  };
}

/** Compute the sample's facts with tshark. Throws if tshark fails or the capture is empty. */
export function readSampleFacts(path: string, captureName: string): SampleFacts {
  const packets = readTsharkPackets(path);
  const first = packets[0];
  const last = packets[packets.length - 1];
  if (first === undefined || last === undefined) throw new Error(`${path}: expected packets, found none`);
  const ipPackets = packets.filter((packet) => packet.isIp);
  const flows = groupFlows(packets);
  const scan = summarizeScan(ipPackets);
  const addresses = new Set<string>();
  for (const packet of ipPackets) {
    addresses.add(packet.source);
    addresses.add(packet.destination);
  }
  return {
    capture: captureName,
    format: readCaptureFormat(path).format,
    fileBytes: statSync(path).size,
    packets: packets.length,
    ipPackets: ipPackets.length,
    nonIpPackets: packets.length - ipPackets.length,
    capturedBytes: packets.reduce((sum, packet) => sum + packet.capturedLength, 0),
    wireBytes: packets.reduce((sum, packet) => sum + packet.wireLength, 0),
    firstTimestamp: first.epochText,
    lastTimestamp: last.epochText,
    firstUs: first.timestampUs,
    lastUs: last.timestampUs,
    spanUs: last.timestampUs - first.timestampUs,
    flows: {
      total: flows.length,
      tcp: flows.filter((flow) => flow.transport === 'tcp').length,
      udp: flows.filter((flow) => flow.transport === 'udp').length,
      icmp: flows.filter((flow) => flow.transport === 'icmp').length,
      how:
        'Zeek-style connections: TCP and UDP per 5-tuple (every curl, dig and nmap probe uses a new source port), ' +
        'ICMP per address pair and type/counterpart (each ping run is one flow), split after Zeek\'s inactivity ' +
        'timeouts (TCP 300 s, UDP and ICMP 60 s). ARP frames make no flow. Computed by groupFlows in ' +
        'scripts/lab/tshark-flows.ts over tshark\'s per-packet fields.',
    },
    connectionStates: reasonConnectionStates(flows.length, flows.filter((flow) => flow.transport === 'icmp').length, scan),
    hosts: {
      distinctAddresses: addresses.size,
      addresses: [...addresses].sort(),
      how: 'Distinct source and destination addresses of the outer IPv4/IPv6 headers, gateway and IPv6 addresses included.',
    },
    namedHosts: readNamedHosts(path),
    tlsServerNames: readTlsServerNames(path),
    scan,
    beacon: summarizeBeacon(ipPackets),
  };
}
