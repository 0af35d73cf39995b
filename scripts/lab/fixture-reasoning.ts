/**
 * What happened in each lab capture, and the Zeek conn_state and history
 * that follow from it. These are written by hand from the scenario the lab
 * script ran and the packets it recorded; counts come from tshark instead
 * (see tshark-flows.ts). Flows are listed in order of their first packet.
 *
 * Zeek's meanings (base/protocols/conn/main.zeek): SF normal establish and
 * termination; S0 attempt with no reply; REJ attempt rejected (RST to the
 * SYN); RSTO / RSTR established, then the originator / responder sent a RST;
 * OTH no SYN seen, which is what Zeek reports for every ICMP flow. UDP flows
 * are SF when both sides sent, S0 when only the originator did. History
 * letters: S SYN, h SYN-ACK, A pure ACK, D payload, F FIN, R RST, upper case
 * for the originator and each letter once per direction; ICMP has none.
 * Services: Zeek's HTTP, DNS and syslog analyzers recognise these payloads
 * whatever the port, since every exchange here is complete.
 */

export interface FlowReasoning {
  connectionState: string;
  history: string;
  /** Zeek's service column as its analyzers would fill it from the payload, or null for none. */
  service: string | null;
  how: string;
}

export interface CaptureReasoning {
  scenario: string;
  flows: FlowReasoning[];
}

const FIN_AFTER_REQUEST =
  'lab-peer.py request sends a 43-byte request, the server answers 89 bytes, the client ACKs, waits 0.2 s and closes with FIN; ' +
  'the server reads EOF and closes too. Handshake S h A, data D a d A, then F f A: SF with history ShADadFf.';

export const FIXTURE_REASONING: Record<string, CaptureReasoning> = {
  'tcp-http-fin.pcap': {
    scenario: 'curl fetches /index.txt from python3 -m http.server (HTTP/1.0) on 198.51.100.20 port 80.',
    flows: [
      {
        connectionState: 'SF',
        history: 'ShADadFf',
        service: 'http',
        how:
          'Three-way handshake (S h A), GET (D), server ACK (a), headers and body (d), client ACKs (A). Both ends close ' +
          'after the body: curl because Content-Length is complete, the HTTP/1.0 server because it always does. In this ' +
          'recording the client\'s FIN came first (F, then f); the order is a race and may flip when re-recorded. ' +
          'Both FINs after a full handshake: SF.',
      },
    ],
  },
  'tcp-orig-abort-rst.pcap': {
    scenario: 'Client reads the reply, then closes with SO_LINGER 0, so its kernel sends RST instead of FIN.',
    flows: [
      {
        connectionState: 'RSTO',
        history: 'ShADadR',
        service: 'http',
        how: 'Established (S h A), request D, ACK a, reply d, ACK A, then the originator\'s RST (R): RSTO, "originator aborted".',
      },
    ],
  },
  'tcp-server-reset-after-data.pcap': {
    scenario: 'Server sends its reply, waits 0.2 s for the ACK, then closes with SO_LINGER 0 and resets the connection.',
    flows: [
      {
        connectionState: 'RSTR',
        history: 'ShADadr',
        service: 'http',
        how: 'Established (S h A), request D and ACK a, reply d and ACK A, then the responder\'s RST (r): RSTR.',
      },
    ],
  },
  'tcp-refused.pcap': {
    scenario: 'Client connects to port 9999 on the server, where nothing listens; the kernel answers RST-ACK.',
    flows: [
      {
        connectionState: 'REJ',
        history: 'Sr',
        service: null,
        how: 'One SYN (S) answered by RST-ACK from the responder (r) and no SYN-ACK: REJ, "connection attempt rejected".',
      },
    ],
  },
  'tcp-syn-unanswered.pcap': {
    scenario:
      'An nftables rule in the server namespace drops SYNs to port 8443; the client retries until its 3.5 s timeout.',
    flows: [
      {
        connectionState: 'S0',
        history: 'S',
        service: null,
        how:
          'Only SYNs from the originator (the kernel retransmits the same SYN), nothing from the responder: S0. ' +
          'Retransmitted SYNs carry no payload, so no T letter; S is recorded once.',
      },
    ],
  },
  'udp-dns.pcap': {
    scenario: 'dig asks dnsmasq on 198.51.100.20 for intranet.lab.example A and gets 10.66.0.80.',
    flows: [
      {
        connectionState: 'SF',
        history: 'Dd',
        service: 'dns',
        how: 'One query with payload from the originator (D) and one response from the responder (d): both sides active, SF.',
      },
    ],
  },
  'udp-one-way.pcap': {
    scenario: 'One syslog datagram to socat UDP-RECV on port 514, which never replies.',
    flows: [
      {
        connectionState: 'S0',
        history: 'D',
        service: 'syslog',
        how: 'Payload from the originator only (D), nothing back: S0 for UDP.',
      },
    ],
  },
  'icmp-echo-ipv4-nanosecond.pcap': {
    scenario: 'ping -c 3 from 10.66.0.10 to 198.51.100.20, captured with nanosecond timestamps.',
    flows: [
      {
        connectionState: 'OTH',
        history: '',
        service: null,
        how:
          'Zeek keys ICMP by type and counterpart, so requests (8) and replies (0) of one ping form one flow 8 -> 0; ' +
          'ICMP flows are OTH with no history. Bytes are the ICMP payload after the 8-byte header, 56 per packet.',
      },
    ],
  },
  'icmp-echo-ipv6.pcap': {
    scenario: 'ping -6 -c 3 from 2001:db8:66::10 to 2001:db8:51::20.',
    flows: [
      {
        connectionState: 'OTH',
        history: '',
        service: null,
        how: 'ICMPv6 echo request 128 pairs with reply 129 in one flow; OTH, no history, 56 payload bytes per packet.',
      },
    ],
  },
  'icmp-port-unreachable.pcap': {
    scenario: 'One UDP datagram to closed port 33434; the server answers ICMP port unreachable quoting it.',
    flows: [
      {
        connectionState: 'S0',
        history: 'D',
        service: null,
        how:
          'The datagram alone, payload from the originator only: S0. The ICMP error does not count as a reply of this flow, ' +
          'and its quoted IP and UDP headers must not create a second UDP flow.',
      },
      {
        connectionState: 'OTH',
        history: '',
        service: null,
        how:
          'The unreachable message is its own ICMP flow from the server: type 3 has no counterpart, so Zeek puts the code (3) in ' +
          'the responder-port position. Bytes: 33 = quoted IPv4 header 20 + UDP header 8 + 5 payload bytes.',
      },
    ],
  },
  'ipv6-tcp.pcapng': {
    scenario: 'lab-peer.py request over IPv6, recorded by dumpcap as pcapng.',
    flows: [{ connectionState: 'SF', history: 'ShADadFf', service: 'http', how: FIN_AFTER_REQUEST }],
  },
  'vlan-tcp.pcap': {
    scenario:
      'lab-peer.py request between 10.66.100.10 and 10.66.100.20 in VLAN 100. This kernel has no 802.1Q devices, so the ' +
      'exchange ran untagged and tcprewrite --enet-vlan=add --enet-vlan-tag=100 inserted the tag (record-fixtures.sh).',
    flows: [{ connectionState: 'SF', history: 'ShADadFf', service: 'http', how: FIN_AFTER_REQUEST }],
  },
};
