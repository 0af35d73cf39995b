/**
 * Differences from tshark or Zeek that the conformance suite accepts, each
 * with the frame and field that show the reference tool wrong, or the frame
 * that is malformed. docs/conformance.md lists the same entries for readers.
 *
 * An entry matches a difference by capture, table and field; `key` narrows it
 * to one pair or flow, and `found` to the one value Tideline is expected to
 * produce, so a later change in the engine's output fails again.
 */
import type { ReferenceTable } from './conformance-difference';

export interface AcceptedDifference {
  /** Capture path as MANIFEST.tsv lists it. */
  capture: string;
  table: ReferenceTable;
  /** Pair or flow key as the difference prints it; absent for every key of the table. */
  key?: string;
  field: string;
  /** The value Tideline produces; absent to accept any value. */
  found?: string | number | null;
  /** Frame and field showing the reference wrong, or the malformed frame. */
  reason: string;
}

/**
 * tshark reassembles IP fragments and puts the transport fields on the frame
 * that completes the datagram only, with that frame's IP length, so its
 * tcp/udp tables count one packet per datagram. Tideline counts every
 * fragment as a packet of its flow, with each fragment's IP length, and the
 * ip/ipv6 tables, which tshark counts per frame, stay exact for these captures.
 */
const TEREDO_OFF_PORT =
  'frames 29-57 are Teredo between 192.168.2.16:3797 and 83.170.1.38:32900 (RFC 4380 lets a session leave port 3544); Zeek decodes them by payload and logs the inner flows in its conn.log baseline, while tshark 4.0 decodes Teredo on port 3544 only and so misses the IPv6 inside';

const FRAGMENTS = 'tshark counts a fragmented datagram once, in its flow table, on the frame that completes it';

/**
 * Senders in amp.dns.RRSIG.fragmented.pcap whose responses to 10.10.10.10:22
 * never complete a datagram: each has first fragments, sometimes a middle
 * one, never the last.
 */
const INCOMPLETE_RRSIG_SOURCES = [
  '36.91.140.93',
  '36.91.157.217',
  '36.92.120.241',
  '188.14.127.103',
  '36.67.199.213',
  '36.89.97.41',
  '36.89.97.42',
  '36.89.97.43',
  '36.91.127.18',
  '36.91.142.137',
  '36.91.151.137',
  '94.26.102.30',
];

const INCOMPLETE_DATAGRAMS =
  'the datagrams never complete: frames 4 and 5 (ids 0xbe37, 0xbe3f) are first fragments (offset 0, more fragments set) whose later fragments never arrive, and frames 1660-1661 (id 0x5c36) are a first and a middle fragment without the last; tshark passes only reassembled datagrams to UDP, so it lists no UDP conversation, although each first fragment carries an intact UDP header 53 -> 22 (tshark -o ip.defragment:FALSE decodes it); Tideline keys the flow from that header and counts every fragment in it';

export const acceptedDifferences: readonly AcceptedDifference[] = [
  // Fragments: tshark's transport tables count datagrams, Tideline counts fragments.
  ...fragmentEntries(
    'pcapplusplus/Packet++Test__PacketExamples__ipv6_opt_fragments.pcap',
    'udp 2607:f010:3f9::1001:6363 -> 2607:f010:3f9::11:0:6363',
    4,
    5579,
    'frames 1-4 are the four IPv6 fragments of one UDP datagram, reassembled in frame 4',
  ),
  ...fragmentEntries(
    'pcapplusplus/Pcap++Test__PcapExamples__ip4_fragments.pcap',
    'udp 10.118.213.212:789 -> 10.118.213.211:2049',
    50,
    70520,
    'six NFS datagrams sent as IPv4 fragments (ids 0x1ea0-0x1ea5, 50 frames), each counted once on the frame that completes it (6, 12, 18, 28, 40, 53)',
  ),
  ...fragmentEntries(
    'pcapplusplus/Pcap++Test__PcapExamples__ip6_fragments.pcap',
    'udp fe80::21f:f3ff:fecd:f617:5353 -> ff02::fb:5353',
    20,
    3153,
    'two mDNS datagrams sent as IPv6 fragments, frames 1-7 completed in frame 7 and frames 8-20 in frame 20',
  ),
  ...fragmentEntries(
    'pcapplusplus/Pcap++Test__PcapExamples__ip6_fragments.pcap',
    'udp fe80::2c23:b96c:78d:e116:60245 -> ff02::c:3702',
    16,
    2557,
    'two WS-Discovery datagrams sent as IPv6 fragments, frames 21-29 completed in frame 29 and frames 30-36 in frame 36',
  ),
  ...fragmentEntries(
    'stopddos/amp.TCP.reflection.SYNACK.pcap',
    'udp 113.9.163.216:161 -> 10.10.10.10:51767',
    2,
    1678,
    'an SNMP response in two IPv4 fragments, frames 3658 and 3659 (IP lengths 1452 and 226), completed in frame 3659',
  ),
  ...fragmentEntries(
    'suricata-verify/defrag__bug-6887-defrag-ppp-ipv6-tcp__frag-ppp-ipv6-tcp.pcap',
    'tcp ::1:12345 -> ::1:8080',
    3,
    1164,
    'frames 1-3 are three IPv6 fragments of one TCP segment over PPP, reassembled in frame 3',
  ),
  ...fragmentEntries(
    'zeek/ipv4__fragmented-1.pcap',
    'udp 164.1.123.163:123 -> 164.1.123.61:137',
    3,
    498,
    'frames 1-2 are the two fragments of one datagram and frame 3 repeats the first fragment; tshark marks frame 3 malformed and gives only it udp fields',
  ),
  // The two captures below also hold fragments whose first fragment never came: those count in IP-level flows
  // (their address pairs match tshark exactly) and in no UDP flow, so `found` is left open here.
  {
    capture: 'zeek/ipv6-fragmented-dns.pcap',
    table: 'udp',
    field: 'packets',
    reason: `${FRAGMENTS}: a DNS response in IPv6 fragments (frames 4, 6, 7, 8), reassembled in frame 8`,
  },
  {
    capture: 'zeek/ipv6-fragmented-dns.pcap',
    table: 'udp',
    field: 'ipBytes',
    reason: `${FRAGMENTS}: a DNS response in IPv6 fragments (frames 4, 6, 7, 8), reassembled in frame 8`,
  },
  {
    capture: 'stopddos/amp.dns.RRSIG.fragmented.pcap',
    table: 'udp',
    field: 'packets',
    reason: `${FRAGMENTS}: DNS responses of three IPv4 fragments each (e.g. frames 91-93, id 0x7a23), and only the frame completing each datagram carries udp.stream`,
  },
  {
    capture: 'stopddos/amp.dns.RRSIG.fragmented.pcap',
    table: 'udp',
    field: 'ipBytes',
    reason: `${FRAGMENTS}: DNS responses of three IPv4 fragments each (e.g. frames 91-93, id 0x7a23), and only the frame completing each datagram carries udp.stream`,
  },

  // Malformed frames.
  {
    capture: 'pcapplusplus/Packet++Test__PacketExamples__tcp-malformed.pcap',
    table: 'tcp',
    key: 'tcp 172.19.42.74:49671 <-> 87.240.131.240:25014',
    field: 'presence',
    found: 'no flow',
    reason:
      'frames 1 and 2 are malformed: the TCP data offset claims a 28-byte header but the IP length leaves 20 bytes for it (tshark: "Short segment", Malformed Packet); like Zeek, Tideline keys no TCP flow on such a header and counts the packets in an IP-level flow, so the address pair matches',
  },
  {
    capture: 'libpcap/filter__ipv6_ext_headers.pcap',
    table: 'udp',
    key: 'udp 2001:db8::1:12345 <-> 2001:db8::2:54321',
    field: 'presence',
    found: 'no flow',
    reason:
      'frame 1 chains 57 IPv6 extension headers (routing, fragment and destination options repeated 19 times), against RFC 8200 section 4.1, which allows each at most once (destination options twice); the decoder stops at its chain limit (ipv6-extension-chain-too-long) and the IPv6 pair still counts',
  },

  // Datagrams that never complete: tshark gives their first fragment no UDP fields.
  ...INCOMPLETE_RRSIG_SOURCES.map(
    (source): AcceptedDifference => ({
      capture: 'stopddos/amp.dns.RRSIG.fragmented.pcap',
      table: 'udp',
      key: `udp 10.10.10.10:22 <-> ${source}:53`,
      field: 'presence',
      reason: INCOMPLETE_DATAGRAMS,
    }),
  ),

  // Records that are not packets.
  {
    capture: 'pcapng-test-generator/le__basic__test017.pcapng',
    table: 'summary',
    key: 'capture',
    field: 'packets',
    found: 0,
    reason:
      "the file holds only a Section Header and four Custom Blocks (CB, DCB, CB, DCB, per the generator's description); tshark 4.0 numbers each Custom Block as a frame (frames 1-4), but none holds a packet",
  },

  // tshark and Zeek disagree; Tideline follows tshark.
  {
    capture: 'zeek/tunnels__Teredo.pcap',
    table: 'conn.log',
    key: 'unknown_transport fe80::708d:fe83:4114:a512:0 -> 2001:0:4137:9e50:8000:f12a:b9c8:2815:0',
    field: 'presence',
    found: 'OTH ',
    reason:
      'frame 31 is a Teredo bubble (IPv6 next header 59, payload length 0, RFC 4380 section 2.8): Zeek treats it as tunnel signalling and logs no connection, while tshark counts it in flows.ipv6, and Tideline keeps it as a flow so that pair matches',
  },
  // Teredo off port 3544: Zeek follows it by payload, tshark 4.0 does not decode it.
  ...teredoEntries('2001:0:4137:9e50:8000:f12a:b9c8:2815 -> 2001:4860:0:2001::68', 12, 2371),
  ...teredoEntries('2001:4860:0:2001::68 -> 2001:0:4137:9e50:8000:f12a:b9c8:2815', 13, 11243),
  ...teredoEntries('2001:0:4137:9e50:8000:f12a:b9c8:2815 -> fe80::708d:fe83:4114:a512', 1, 40),
  {
    capture: 'zeek/tunnels__Teredo.pcap',
    table: 'tcp',
    key: 'tcp 2001:0:4137:9e50:8000:f12a:b9c8:2815:1286 <-> 2001:4860:0:2001::68:80',
    field: 'presence',
    reason: `${TEREDO_OFF_PORT}; this TCP connection is the one Zeek's conn.log baseline lists`,
  },
  {
    capture: 'zeek/tunnels__Teredo.pcap',
    table: 'conn.log',
    key: 'unknown_transport 2001:0:4137:9e50:8000:f12a:b9c8:2815:0 -> 2001:4860:0:2001::68:0',
    field: 'presence',
    found: 'OTH ',
    reason:
      'frame 29 is a Teredo bubble (IPv6 next header 59, payload length 0) on port 32900: Zeek treats it as tunnel signalling and logs no connection; Tideline keeps it as a flow so the IPv6 pair counts every frame',
  },
];

/** The packets and ipBytes entries of one IPv6 pair carried by Teredo on port 32900. */
function teredoEntries(key: string, packets: number, ipBytes: number): AcceptedDifference[] {
  const capture = 'zeek/tunnels__Teredo.pcap';
  return [
    { capture, table: 'ipv6', key, field: 'packets', found: packets, reason: TEREDO_OFF_PORT },
    { capture, table: 'ipv6', key, field: 'ipBytes', found: ipBytes, reason: TEREDO_OFF_PORT },
  ];
}

/** The packets and ipBytes entries of one fragmented flow, pinned to the counts Tideline produces. */
function fragmentEntries(
  capture: string,
  key: string,
  packets: number,
  ipBytes: number,
  frames: string,
): AcceptedDifference[] {
  const table = key.startsWith('tcp ') ? 'tcp' : 'udp';
  return [
    { capture, table, key, field: 'packets', found: packets, reason: `${FRAGMENTS}: ${frames}` },
    { capture, table, key, field: 'ipBytes', found: ipBytes, reason: `${FRAGMENTS}: ${frames}` },
  ];
}
