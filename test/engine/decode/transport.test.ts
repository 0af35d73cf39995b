import { describe, expect, it } from 'vitest';
import { decode, layerOf } from './decode-test-helpers';
import { ethernet, icmp, ipv4, ipv6, IPV4_A, IPV4_B, tcp, udp, uint16, uint32, type Bytes } from './packet-bytes';

const RAW_IP = 101;

describe('TCP', () => {
  it('reads ports, numbers, flags and window', () => {
    const segment = tcp({ sourcePort: 50000, destinationPort: 443, sequence: 0xfffffff0, acknowledgement: 0x80000001, flags: 0x12, window: 1024 });
    const layer = layerOf(decode(ipv4({ protocol: 6, payload: segment }), RAW_IP), 0);
    expect(layer.hasTransport).toBe(true);
    expect(layer.transportOffset).toBe(20);
    expect(layer.sourcePort).toBe(50000);
    expect(layer.destinationPort).toBe(443);
    expect(layer.tcpSequence).toBe(0xfffffff0);
    expect(layer.tcpAcknowledgement).toBe(0x80000001);
    expect(layer.tcpFlags).toBe(0x12);
    expect(layer.tcpWindow).toBe(1024);
  });

  it('skips options and measures payload by IP length', () => {
    // MSS option (4 bytes) + NOP NOP + SACK-permitted, 5 payload bytes, then 7 bytes of Ethernet padding.
    const segment = tcp({ options: [2, 4, 5, 0xb4, 1, 1, 4, 2], payload: [1, 2, 3, 4, 5] });
    const frame = [...ethernet(0x0800, ipv4({ protocol: 6, payload: segment })), ...new Array<number>(7).fill(0)];
    const layer = layerOf(decode(frame, 1), 0);
    expect(layer.payloadOffset).toBe(14 + 20 + 28);
    expect(layer.payloadLength).toBe(5);
    expect(layer.claimedPayloadLength).toBe(5);
  });

  it('rejects a data offset below 5', () => {
    const out = decode(ipv4({ protocol: 6, payload: tcp({ dataOffset: 4 }) }), RAW_IP);
    expect(out.problem).toBe('invalid-tcp-header-length');
    expect(out.problemOffset).toBe(32);
    expect(layerOf(out, 0).hasTransport).toBe(false);
  });

  it('rejects a data offset beyond the IP length', () => {
    // Data offset 15 = 60 bytes, but the IP packet holds only 20 bytes of TCP.
    const out = decode(ipv4({ protocol: 6, payload: tcp({ dataOffset: 15 }) }), RAW_IP);
    expect(out.problem).toBe('invalid-tcp-header-length');
    expect(out.isTruncated).toBe(false);
  });

  it('keeps ports when options are cut', () => {
    // Data offset 8 (12 option bytes) claimed by the IP length, but the capture ends after 4 option bytes.
    const packet = ipv4({ protocol: 6, payload: tcp({ options: new Array<number>(12).fill(1) }) });
    const out = decode(packet.slice(0, 44), RAW_IP);
    expect(out.problem).toBe('truncated-tcp-header');
    expect(out.isTruncated).toBe(true);
    expect(layerOf(out, 0).destinationPort).toBe(80);
    expect(layerOf(out, 0).payloadLength).toBe(0);
  });
});

describe('UDP', () => {
  it('reads ports and payload', () => {
    const layer = layerOf(decode(ipv6({ nextHeader: 17, payload: udp(53, 40000, [1, 2, 3]) }), RAW_IP), 0);
    expect(layer.sourcePort).toBe(53);
    expect(layer.destinationPort).toBe(40000);
    expect(layer.payloadOffset).toBe(48);
    expect(layer.payloadLength).toBe(3);
    expect(layer.claimedPayloadLength).toBe(3);
  });

  it.each([
    ['below the header', 7],
    ['beyond the IP payload', 100],
  ])('rejects a length %s', (_name, length) => {
    const out = decode(ipv4({ protocol: 17, payload: udp(1, 2, [1, 2, 3], length) }), RAW_IP);
    expect(out.problem).toBe('invalid-udp-length');
    expect(out.problemOffset).toBe(24);
    expect(layerOf(out, 0).sourcePort).toBe(1);
    expect(layerOf(out, 0).payloadLength).toBe(3);
  });
});

describe('ICMP', () => {
  it('reads echo type and code', () => {
    const layer = layerOf(decode(ipv4({ protocol: 1, payload: icmp(8, 0, [0x61, 0x62]) }), RAW_IP), 0);
    expect(layer.hasTransport).toBe(true);
    expect(layer.icmpType).toBe(8);
    expect(layer.icmpCode).toBe(0);
  });

  it('quotes the IP header of a port unreachable', () => {
    // The quoted datagram: IPv4/UDP from B:5353 to A:53, with its first 8 transport bytes only.
    const quoted = ipv4({ protocol: 17, source: IPV4_B, destination: IPV4_A, payload: udp(5353, 53, new Array<number>(100).fill(0)) }).slice(0, 28);
    const out = decode(ipv4({ protocol: 1, payload: icmp(3, 3, quoted) }), RAW_IP);
    expect(out.problem).toBeNull();
    expect(out.isTruncated).toBe(false);
    expect(out.layerCount).toBe(2);
    expect(layerOf(out, 0).icmpType).toBe(3);
    expect(layerOf(out, 0).icmpCode).toBe(3);
    const quote = layerOf(out, 1);
    expect(quote.isIcmpQuote).toBe(true);
    expect(quote.ipOffset).toBe(28);
    expect(quote.ipLength).toBe(128);
    expect(quote.sourcePort).toBe(5353);
    expect(quote.destinationPort).toBe(53);
    expect(quote.hasTransport).toBe(true);
  });

  it('quotes a TCP sequence number in time exceeded', () => {
    const quoted = ipv4({ protocol: 6, payload: tcp({ sequence: 77 }) }).slice(0, 28);
    const quote = layerOf(decode(ipv4({ protocol: 1, payload: icmp(11, 0, quoted) }), RAW_IP), 1);
    expect(quote.tcpSequence).toBe(77);
    expect(quote.destinationPort).toBe(80);
  });

  it('does not quote an echo reply', () => {
    const body = ipv4({ protocol: 17, payload: udp(1, 2, []) });
    expect(decode(ipv4({ protocol: 1, payload: icmp(0, 0, body) }), RAW_IP).layerCount).toBe(1);
  });

  it('quotes IPv6 in ICMPv6 packet too big', () => {
    // Type 2 carries the MTU (1280) in the rest-of-header field.
    const quoted = ipv6({ nextHeader: 6, payload: tcp({ destinationPort: 8443, payload: new Array<number>(2000).fill(0) }) }).slice(0, 48);
    const out = decode(ipv6({ nextHeader: 58, payload: icmp(2, 0, quoted, uint32(1280)) }), RAW_IP);
    expect(out.problem).toBeNull();
    expect(out.layerCount).toBe(2);
    expect(layerOf(out, 0).icmpType).toBe(2);
    expect(layerOf(out, 1).isIcmpQuote).toBe(true);
    expect(layerOf(out, 1).ipLength).toBe(2060);
    expect(layerOf(out, 1).destinationPort).toBe(8443);
  });

  it('reads ICMPv6 neighbour solicitation without a quote', () => {
    const out = decode(ipv6({ nextHeader: 58, payload: icmp(135, 0, new Array<number>(16).fill(0)) }), RAW_IP);
    expect(out.layerCount).toBe(1);
    expect(layerOf(out, 0).icmpType).toBe(135);
  });
});

describe('SCTP', () => {
  it('reads ports', () => {
    // Common header: ports 2905 -> 2905, verification tag, checksum.
    const sctp: Bytes = [...uint16(2905), ...uint16(2906), ...uint32(1), ...uint32(0)];
    const layer = layerOf(decode(ipv4({ protocol: 132, payload: sctp }), RAW_IP), 0);
    expect(layer.hasTransport).toBe(true);
    expect(layer.sourcePort).toBe(2905);
    expect(layer.destinationPort).toBe(2906);
  });
});
