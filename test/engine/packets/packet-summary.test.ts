import { describe, expect, it } from 'vitest';

import { createDecodedPacket } from '../../../src/main/engine/decode/decoded-packet';
import { decodePacket } from '../../../src/main/engine/decode/packet-decoder';
import { type PacketSummary, summarizePacket } from '../../../src/main/engine/packets/packet-summary';
import { type Bytes, MAC_A, MAC_B, ethernet, icmp, ipv4, ipv6, tcp, toBytes, udp } from '../decode/packet-bytes';

const LINKTYPE_ETHERNET = 1;
const client = [10, 0, 0, 5];
const server = [198, 51, 100, 80];

function summarize(frame: Bytes): PacketSummary {
  const data = toBytes(frame);
  const decoded = createDecodedPacket();
  decodePacket(data, LINKTYPE_ETHERNET, decoded);
  return summarizePacket(decoded, data);
}

describe('summarizePacket', () => {
  it.each<[string, Bytes, PacketSummary]>([
    [
      'a TCP SYN',
      ethernet(
        0x0800,
        ipv4({
          protocol: 6,
          source: client,
          destination: server,
          payload: tcp({ sourcePort: 40000, destinationPort: 443, flags: 0x02, window: 64240 }),
        }),
      ),
      { source: '10.0.0.5', destination: '198.51.100.80', protocol: 'TCP', info: '40000 → 443 [SYN] Win=64240 Len=0' },
    ],
    [
      'a TCP segment with data',
      ethernet(
        0x0800,
        ipv4({
          protocol: 6,
          source: server,
          destination: client,
          payload: tcp({ sourcePort: 443, destinationPort: 40000, flags: 0x18, window: 501, payload: [1, 2, 3] }),
        }),
      ),
      {
        source: '198.51.100.80',
        destination: '10.0.0.5',
        protocol: 'TCP',
        info: '443 → 40000 [ACK, PSH] Win=501 Len=3',
      },
    ],
    [
      'a UDP datagram',
      ethernet(
        0x0800,
        ipv4({ protocol: 17, source: client, destination: [10, 0, 0, 53], payload: udp(5353, 53, [0, 1, 2, 3, 4]) }),
      ),
      { source: '10.0.0.5', destination: '10.0.0.53', protocol: 'UDP', info: '5353 → 53 Len=5' },
    ],
    [
      'an ICMP echo request',
      ethernet(0x0800, ipv4({ protocol: 1, source: client, destination: server, payload: icmp(8, 0, [0x61, 0x62]) })),
      { source: '10.0.0.5', destination: '198.51.100.80', protocol: 'ICMP', info: 'echo-request' },
    ],
    [
      'an IPv6 UDP datagram',
      ethernet(
        0x86dd,
        ipv6({
          nextHeader: 17,
          source: [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1],
          destination: [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 2],
          payload: udp(1000, 2000, [9]),
        }),
      ),
      { source: '2001:db8::1', destination: '2001:db8::2', protocol: 'UDP', info: '1000 → 2000 Len=1' },
    ],
    [
      'an ARP request',
      ethernet(
        0x0806,
        [0, 1, 8, 0, 6, 4, 0, 1, ...MAC_A, 10, 0, 0, 5, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1],
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      ),
      { source: '02:00:00:00:00:0a', destination: 'ff:ff:ff:ff:ff:ff', protocol: 'ARP', info: 'ARP request' },
    ],
    [
      'an unknown EtherType',
      ethernet(0x88cc, [1, 2, 3, 4], MAC_B),
      { source: '02:00:00:00:00:0a', destination: '02:00:00:00:00:0b', protocol: 'EtherType 0x88cc', info: '' },
    ],
  ])('summarizes %s', (_name, frame, expected) => {
    expect(summarize(frame)).toEqual(expected);
  });

  it('names a truncated TCP header instead of ports', () => {
    const frame = ethernet(
      0x0800,
      ipv4({ protocol: 6, source: client, destination: server, payload: [0x9c, 0x40, 0x01] }),
    );
    const summary = summarize(frame);
    expect(summary.protocol).toBe('TCP');
    expect(summary.info).toBe('TCP without a complete header');
  });
});
