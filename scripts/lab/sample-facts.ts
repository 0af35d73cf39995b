/**
 * Facts about assets/sample.pcapng that tests and docs rely on, computed
 * with tshark: totals, flow count, hosts, DNS names, the port scan, the
 * beacon, and the key values of the DHCP lease, the SMB session, the QUIC
 * attempt and the malformed HTTP request that the application logs must
 * show. test/fixtures/sample.expected.json is this module's output for the
 * committed sample, and test/lab/sample-expectations.test.ts recomputes it.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { groupFlows, readCaptureFormat, readTsharkPackets, type TsharkFlow, type TsharkPacket } from './tshark-flows';

/** The roles the sample's story gives its hosts (see scripts/lab/make-sample.sh). */
export const SAMPLE_STORY = {
  scanner: '10.66.0.24',
  scanTarget: '10.66.1.50',
  beaconSource: '10.66.0.23',
  beaconDestination: '203.0.113.66',
  beaconPort: 443,
  dnsServer: '10.66.1.53',
  fileServer: '10.66.1.50',
  smbClient: '10.66.0.21',
  dhcpServer: '10.66.0.1',
  inventoryAgent: '10.66.0.22',
} as const;

/** The application logs `tideline analyze` writes for the sample, in the order it reports them. */
export const SAMPLE_LOGS = [
  'conn',
  'dns',
  'http',
  'dhcp',
  'weird',
  'ssl',
  'x509',
  'ssh',
  'smb_mapping',
  'smb_files',
  'quic',
] as const;

export interface NamedHost {
  name: string;
  addresses: string[];
  /** Source of the name: a DNS response, or the host name a DHCP client announced. */
  source: 'dns' | 'dhcp';
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
  /** Flows per service, by server port; the scanner's probes carry no data and name no service. */
  services: { dns: number; dhcp: number; quic: number; smb: number; ssh: number; how: string };
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
    /** Open ports whose listener sent data before the scanner reset (an SSH banner, say); Zeek does not count those as failed. */
    portsOpenWithData: number[];
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
  /** erin's lease: one DISCOVER, OFFER, REQUEST, ACK exchange. */
  dhcp: {
    clientMac: string;
    hostName: string;
    vendorClass: string;
    serverAddress: string;
    assignedAddress: string;
    leaseTimeSeconds: number;
    domain: string;
    transactionId: string;
    messageTypes: string[];
    how: string;
  };
  /** alice on the file server's shares. */
  smb: {
    client: string;
    server: string;
    dialect: string;
    user: string;
    /** Tree connects in order, with the share type in the server's response (Zeek's names) and the request's frame time (Zeek's ts, six decimals). */
    trees: { path: string; shareType: string; ts: string }[];
    /** Names opened with SMB2 CREATE on disk trees, in order, each once: the smb_files.log rows. */
    fileNames: string[];
    /** Frame time of the first CREATE request of each of fileNames (smb_files.log ts, six decimals). */
    fileRequestTimes: string[];
    /** Names opened on PIPE trees (RPC pipes on IPC$): Zeek's SMB::PIPE_OPEN, which it does not log by default. */
    pipeNames: string[];
    how: string;
  };
  /** erin's Chromium trying HTTP/3. */
  quic: {
    client: string;
    server: string;
    serverPort: number;
    /** As Zeek's quic.log writes it: "1" for QUIC version 1. */
    version: string;
    clientInitialDcid: string;
    serverName: string;
    alpn: string[];
    clientInitialPackets: number;
    serverPackets: number;
    how: string;
  };
  /** The HTTP requests whose first line is not an RFC 9112 request line, and the weird Zeek names for them. */
  weirds: { name: string; originator: string; responder: string; responderPort: number; firstLine: string; responseStatus: number; how: string }[];
  /** The capture's first HTTP request (alice's GET /index.html of www.example.com), for tests that follow one flow. */
  firstHttpRequest: { client: string; clientPort: number; server: string; serverPort: number; uri: string; packetNumber: number };
  /** Distinct User-Agent values of HTTP requests, as sent (tabs and control bytes included). */
  httpUserAgents: string[];
}

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_ACK = 0x10;

function runTsharkFields(path: string, filter: string, fields: string[], twoPass = false): string[][] {
  const args = ['-n', ...(twoPass ? ['-2'] : []), '-r', path, '-Y', filter, '-T', 'fields', '-E', 'separator=\t'];
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
  const dhcpNames = new Set<string>();
  for (const [name = '', a = '', aaaa = ''] of rows) {
    const addresses = byName.get(name) ?? new Set<string>();
    for (const address of [...a.split(','), ...aaaa.split(',')]) if (address !== '') addresses.add(address);
    byName.set(name, addresses);
  }
  // A DHCP client's host name (option 12) names the address its server acknowledged (yiaddr of the ACK).
  const dhcp = runTsharkFields(path, 'dhcp', ['dhcp.option.dhcp', 'dhcp.id', 'dhcp.option.hostname', 'dhcp.ip.your']);
  for (const [type = '', id = '', hostName = ''] of dhcp) {
    if (type !== '3' || hostName === '') continue;
    const ack = dhcp.find(([ackType, ackId]) => ackType === '5' && ackId === id);
    const assigned = ack?.[3] ?? '';
    if (assigned === '') continue;
    const name = hostName.toLowerCase();
    byName.set(name, (byName.get(name) ?? new Set<string>()).add(assigned));
    dhcpNames.add(name);
  }
  return [...byName.entries()]
    .map(([name, addresses]): NamedHost => ({
      name,
      addresses: [...addresses].sort(),
      source: dhcpNames.has(name) ? 'dhcp' : 'dns',
    }))
    .sort((left, right) => left.name.localeCompare(right.name));
}

function readTlsServerNames(path: string): string[] {
  const rows = runTsharkFields(path, 'tls.handshake.type == 1', ['tls.handshake.extensions_server_name']);
  return [...new Set(rows.map(([name = '']) => name).filter((name) => name !== ''))].sort();
}

const DHCP_MESSAGE_TYPES = ['', 'DISCOVER', 'OFFER', 'REQUEST', 'DECLINE', 'ACK', 'NAK', 'RELEASE', 'INFORM'];
const SMB_SHARE_TYPES: Record<string, string> = { '0x01': 'DISK', '0x02': 'PIPE', '0x03': 'PRINT' };
const SMB_DIALECTS: Record<string, string> = { '0x0210': '2.1', '0x0300': '3.0', '0x0302': '3.0.2', '0x0311': '3.1.1' };

function firstValue(rows: string[][], column: number, what: string): string {
  const value = rows.map((row) => row[column] ?? '').find((text) => text !== '');
  if (value === undefined) throw new Error(`sample: expected ${what} in tshark's output, found none`);
  return value;
}

function readDhcp(path: string): SampleFacts['dhcp'] {
  const rows = runTsharkFields(path, 'dhcp', [
    'dhcp.option.dhcp',
    'dhcp.hw.mac_addr',
    'dhcp.option.hostname',
    'dhcp.option.vendor_class_id',
    'dhcp.ip.your',
    'dhcp.option.dhcp_server_id',
    'dhcp.option.ip_address_lease_time',
    'dhcp.option.domain_name',
    'dhcp.id',
  ]);
  const ack = rows.find(([type]) => type === '5');
  if (ack === undefined) throw new Error(`${path}: expected a DHCP ACK, found message types ${rows.map(([type]) => type).join(',')}`);
  return {
    clientMac: firstValue(rows, 1, 'a DHCP client MAC'),
    hostName: firstValue(rows, 2, 'a DHCP host name'),
    vendorClass: firstValue(rows, 3, 'a DHCP vendor class'),
    serverAddress: ack[5] ?? '',
    assignedAddress: ack[4] ?? '',
    leaseTimeSeconds: Number(ack[6]),
    domain: ack[7] ?? '',
    transactionId: ack[8] ?? '',
    messageTypes: rows.map(([type = '']) => DHCP_MESSAGE_TYPES[Number(type)] ?? type),
    how:
      'From tshark: the ACK gives the assigned address (yiaddr), server identifier, lease time and domain; the ' +
      'client\'s DISCOVER and REQUEST give the MAC, host name and vendor class. Message types in capture order.',
  };
}

/** tshark's frame.time_epoch ("1796432813.507876000") as Zeek prints a time: six decimals. */
function toZeekTime(epoch: string): string {
  const match = /^(\d+)\.(\d{6})\d*$/.exec(epoch);
  if (match === null) throw new Error(`sample: expected an epoch time with at least six decimals from tshark, found "${epoch}"`);
  return `${match[1]}.${match[2]}`;
}

function readSmb(path: string): SampleFacts['smb'] {
  const trees = runTsharkFields(path, 'smb2.cmd == 3', [
    'tcp.stream',
    'smb2.msg_id',
    'smb2.flags.response',
    'smb2.tree',
    'smb2.share_type',
    'frame.time_epoch',
  ]);
  const requests = trees.filter(([, , response]) => response === '0' || response === 'False');
  const typeOf = new Map(trees.filter(([, , response]) => response === '1' || response === 'True').map(([stream, id, , , type = '']) => [`${stream ?? ''}/${id ?? ''}`, type]));
  // tshark tracks the tree of each request and shows its share type on the CREATE too.
  const creates = runTsharkFields(path, 'smb2.cmd == 5 && smb2.flags.response == 0', ['smb2.filename', 'smb2.share_type', 'frame.time_epoch']);
  const namesOn = (isPipe: boolean): string[] => [
    ...new Set(creates.filter(([name = '', type = '']) => name !== '' && (type === '0x02') === isPipe).map(([name = '']) => name)),
  ];
  const fileNames = namesOn(false);
  const negotiate = runTsharkFields(path, 'smb2.cmd == 0 && smb2.flags.response == 1', ['smb2.dialect']);
  const users = runTsharkFields(path, 'ntlmssp.messagetype == 3', ['ntlmssp.auth.username']);
  return {
    client: SAMPLE_STORY.smbClient,
    server: SAMPLE_STORY.fileServer,
    dialect: SMB_DIALECTS[firstValue(negotiate, 0, 'an SMB2 dialect')] ?? 'unknown',
    user: firstValue(users, 0, 'an NTLM user name'),
    trees: requests.map(([stream, id, , tree = '', , time = '']) => ({
      path: tree,
      shareType: SMB_SHARE_TYPES[typeOf.get(`${stream ?? ''}/${id ?? ''}`) ?? ''] ?? 'unknown',
      ts: toZeekTime(time),
    })),
    fileNames,
    fileRequestTimes: fileNames.map((name) => toZeekTime(creates.find(([created]) => created === name)?.[2] ?? '')),
    pipeNames: namesOn(true),
    how:
      'From tshark: SMB2 TREE_CONNECT requests paired with their responses by stream and message id for the ' +
      'share type (1 DISK, 2 PIPE), CREATE request file names split by the share type of their tree, the NEGOTIATE ' +
      'response dialect and the NTLM AUTHENTICATE user. ts: frame.time_epoch of the TREE_CONNECT and first CREATE ' +
      'request, which Zeek logs as the rows\' ts.',
  };
}

function readQuic(path: string, packets: readonly TsharkPacket[]): SampleFacts['quic'] {
  // Two passes: Chromium's ClientHello spans two Initial packets.
  const rows = runTsharkFields(
    path,
    'quic.long.packet_type == 0 && tls.handshake.type == 1',
    ['ip.src', 'ip.dst', 'udp.dstport', 'quic.version', 'quic.dcid', 'tls.handshake.extensions_server_name', 'tls.handshake.extensions_alpn_str'],
    true,
  );
  const [client = '', server = '', port = '', version = '', dcid = '', serverName = '', alpn = ''] = rows[0] ?? [];
  if (rows.length === 0) throw new Error(`${path}: expected a QUIC Initial with a ClientHello, found none`);
  const serverPort = Number(port);
  const isQuicFlow = (packet: TsharkPacket, from: string, to: string, toPort: number): boolean =>
    packet.ipProtocol === 17 && packet.source === from && packet.destination === to && packet.destinationPort === toPort;
  return {
    client,
    server,
    serverPort,
    version: String(Number.parseInt(version, 16)),
    clientInitialDcid: dcid,
    serverName,
    alpn: alpn.split(',').filter((name) => name !== ''),
    clientInitialPackets: packets.filter((packet) => isQuicFlow(packet, client, server, serverPort)).length,
    serverPackets: packets.filter((packet) => packet.ipProtocol === 17 && packet.source === server && packet.destination === client && packet.sourcePort === serverPort).length,
    how:
      'From tshark in two passes (it decrypts the Initials with keys from the DCID and reassembles the ClientHello): ' +
      'version, DCID, SNI and ALPN of the ClientHello. The office firewall drops UDP 443, so the server never answers.',
  };
}

/** RFC 9112 request-line: method token, one space, target, one space, HTTP-version. */
const REQUEST_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^ ]+ HTTP\/\d\.\d$/;

function readWeirds(path: string): SampleFacts['weirds'] {
  const payloads = runTsharkFields(path, 'tcp.port == 80 && tcp.len > 0', ['tcp.stream', 'ip.src', 'ip.dst', 'tcp.dstport', 'tcp.payload']);
  const statuses = new Map(runTsharkFields(path, 'http.response.code', ['tcp.stream', 'http.response.code']).map(([stream = '', code = '']) => [stream, Number(code)]));
  const seen = new Set<string>();
  const weirds: SampleFacts['weirds'] = [];
  for (const [stream = '', source = '', destination = '', port = '', hex = ''] of payloads) {
    if (port !== '80' || seen.has(stream)) continue;
    seen.add(stream);
    const text = Buffer.from(hex.replaceAll(':', ''), 'hex').toString('latin1');
    const firstLine = text.split(/\r?\n/)[0] ?? '';
    if (REQUEST_LINE.test(firstLine)) continue;
    weirds.push({
      name: 'bad_HTTP_request',
      originator: source,
      responder: destination,
      responderPort: 80,
      firstLine,
      responseStatus: statuses.get(stream) ?? 0,
      how:
        'First client payload of each TCP stream to port 80 (tshark tcp.payload) checked against the RFC 9112 ' +
        'request-line; Zeek\'s HTTP analyzer names a first line it cannot split into method and URI bad_HTTP_request.',
    });
  }
  return weirds;
}

function readFirstHttpRequest(path: string): SampleFacts['firstHttpRequest'] {
  const rows = runTsharkFields(path, 'http.request', ['frame.number', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport', 'http.request.uri']);
  const [packetNumber = '', client = '', clientPort = '', server = '', serverPort = '', uri = ''] = rows[0] ?? [];
  if (rows.length === 0) throw new Error(`${path}: expected an HTTP request, found none`);
  return { client, clientPort: Number(clientPort), server, serverPort: Number(serverPort), uri, packetNumber: Number(packetNumber) };
}

/** tshark writes a tab inside a field as the two characters "\t". */
function readHttpUserAgents(path: string): string[] {
  const rows = runTsharkFields(path, 'http.request', ['http.user_agent']);
  const agents = rows.map(([agent = '']) => agent.replaceAll('\\t', '\t')).filter((agent) => agent !== '');
  return [...new Set(agents)].sort();
}

function summarizeScan(packets: readonly TsharkPacket[]): SampleFacts['scan'] {
  const { scanner, scanTarget } = SAMPLE_STORY;
  const tried = new Set<number>();
  const open = new Set<number>();
  const withData = new Set<number>();
  const refused = new Set<number>();
  for (const packet of packets) {
    if (packet.ipProtocol !== 6) continue;
    const flags = packet.tcpFlags;
    if (packet.source === scanner && packet.destination === scanTarget && flags === TCP_SYN) tried.add(packet.destinationPort);
    if (packet.source !== scanTarget || packet.destination !== scanner) continue;
    if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) open.add(packet.sourcePort);
    if (flags & TCP_RST && !open.has(packet.sourcePort)) refused.add(packet.sourcePort);
    if (packet.payloadLength > 0) withData.add(packet.sourcePort);
  }
  const unanswered = [...tried].filter((port) => !open.has(port) && !refused.has(port));
  return {
    scanner,
    target: scanTarget,
    portsTried: tried.size,
    portsRefused: refused.size,
    portsOpen: [...open].sort((a, b) => a - b),
    portsOpenWithData: [...withData].filter((port) => open.has(port)).sort((a, b) => a - b),
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
      'One HTTPS POST per connection; intervals are between consecutive SYNs. The script sleeps 4 s plus 0-1.5 s of ' +
      'random jitter after each request, and the request itself adds a few milliseconds.',
  };
}

function countServices(flows: readonly TsharkFlow[]): SampleFacts['services'] {
  const notScan = flows.filter((flow) => flow.originatorAddress !== SAMPLE_STORY.scanner);
  const count = (transport: string, ports: number[]): number =>
    notScan.filter((flow) => flow.transport === transport && (ports.includes(flow.responderPort) || ports.includes(flow.originatorPort))).length;
  return {
    dns: count('udp', [53]) + count('tcp', [53]),
    dhcp: count('udp', [67]),
    quic: count('udp', [443]),
    smb: count('tcp', [445]),
    ssh: count('tcp', [22]),
    how: 'Flows with the service\'s port on either side, the scanner\'s probes left out (they carry no data).',
  };
}

function reasonConnectionStates(flows: readonly TsharkFlow[], scan: SampleFacts['scan']): SampleFacts['connectionStates'] {
  const oneWayUdp = flows.filter((flow) => flow.transport === 'udp' && flow.responderPackets === 0);
  const fromDhcpServer = oneWayUdp.filter((flow) => flow.originatorPort === 67 && flow.responderPort === 68).length;
  const states: Record<string, number> = {
    REJ: scan.portsRefused,
    S0: scan.portsUnanswered.length + oneWayUdp.length - fromDhcpServer,
    RSTO: scan.portsOpen.length,
    OTH: flows.filter((flow) => flow.transport === 'icmp').length,
    SHR: fromDhcpServer,
  };
  states.SF = flows.length - Object.values(states).reduce((sum, count) => sum + count, 0);
  return {
    states,
    how:
      'Refused probes are REJ and dropped ones S0. On an open port nmap completes the handshake, the listener closes ' +
      '(FIN) and nmap resets (RST): RSTO. ICMP flows are OTH. UDP flows with packets one way only are S0 (the QUIC ' +
      'Initials the firewall drops, the DHCP broadcasts from 0.0.0.0), except the DHCP server\'s unicast OFFER and ' +
      'ACK: Zeek turns that flow around so the client (port 68) is the originator, and only the responder sent: SHR. ' +
      'Every other flow (curl over HTTP/HTTPS, the beacons, SMB, the DNS queries) completes normally: SF.',
  };
}

/**
 * Throws when a TCP 5-tuple is used again after its connection closed. Zeek
 * and the engine count that as two connections; groupFlows counts one, so
 * the sample's facts would be off by one. The kernel picks ephemeral ports,
 * so a recording can hit this: record again.
 */
function checkNoPortReuse(path: string, packets: readonly TsharkPacket[]): void {
  const closed = new Set<string>();
  for (const packet of packets) {
    if (packet.ipProtocol !== 6) continue;
    const ends = [`${packet.source}:${packet.sourcePort}`, `${packet.destination}:${packet.destinationPort}`].sort().join(' ');
    if (packet.tcpFlags & TCP_FIN) closed.add(ends);
    else if (packet.tcpFlags === TCP_SYN && closed.has(ends)) {
      throw new Error(`${path}: packet ${packet.packetNumber} opens ${ends} again after it closed; record the sample again`);
    }
  }
}

/** Compute the sample's facts with tshark. Throws if tshark fails, the capture is empty or a TCP 5-tuple is reused. */
export function readSampleFacts(path: string, captureName: string): SampleFacts {
  const packets = readTsharkPackets(path);
  const first = packets[0];
  const last = packets[packets.length - 1];
  if (first === undefined || last === undefined) throw new Error(`${path}: expected packets, found none`);
  const ipPackets = packets.filter((packet) => packet.isIp);
  checkNoPortReuse(path, ipPackets);
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
    services: countServices(flows),
    connectionStates: reasonConnectionStates(flows, scan),
    hosts: {
      distinctAddresses: addresses.size,
      addresses: [...addresses].sort(),
      how: 'Distinct source and destination addresses of the outer IPv4/IPv6 headers, gateway and IPv6 addresses included.',
    },
    namedHosts: readNamedHosts(path),
    tlsServerNames: readTlsServerNames(path),
    scan,
    beacon: summarizeBeacon(ipPackets),
    dhcp: readDhcp(path),
    smb: readSmb(path),
    quic: readQuic(path, ipPackets),
    weirds: readWeirds(path),
    firstHttpRequest: readFirstHttpRequest(path),
    httpUserAgents: readHttpUserAgents(path),
  };
}
