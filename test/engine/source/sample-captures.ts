/**
 * Captures built byte by byte that several source tests share.
 */
import { buildPcap, PcapngBuilder, type BuildPcapOptions } from '../../support/capture-writer';

export const frameA = Uint8Array.from([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]);
export const frameB = Uint8Array.from({ length: 64 }, (_, index) => 255 - index);
const ipv6Loopback = Uint8Array.from([...new Array<number>(15).fill(0), 1]);
const ipv6Documentation = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x2a]);

/** Two sections in different byte orders with interfaces at us, ns, 2^-10 with an offset. */
export function buildTwoSections(): PcapngBuilder {
  return (
    new PcapngBuilder()
      .sectionHeader({ byteOrder: 'little', comment: 'first section' })
      .interfaceDescription({
        linkType: 1,
        snaplen: 65535,
        name: 'eth0',
        description: 'uplink',
        filter: 'tcp port 80',
        os: 'Linux 6.1',
        comment: 'mirror port',
        fcsLength: 4,
      })
      .interfaceDescription({ linkType: 113, snaplen: 0, timestampResolution: 9 })
      .enhancedPacket({
        interfaceId: 0,
        ticks: 1_700_000_000_123_456n,
        data: frameA,
        originalLength: 60,
        comment: 'login',
      })
      .enhancedPacket({ interfaceId: 1, ticks: 1_700_000_000_123_456_789n, data: frameB })
      .nameResolution({
        ipv4: [{ address: [192, 0, 2, 1], names: ['www.example.com', 'example.com'] }],
        ipv6: [
          { address: ipv6Documentation, names: ['v6.example.com'] },
          { address: ipv6Loopback, names: ['localhost'] },
        ],
        comment: 'resolver cache',
      })
      .interfaceStatistics({ interfaceId: 0, ticks: 1_700_000_002_000_000n, packetsReceived: 2n })
      .decryptionSecrets({ secretsType: 0x544c534b, data: new TextEncoder().encode('CLIENT_RANDOM 00 11\n') })
      .custom({ privateEnterpriseNumber: 32473, data: Uint8Array.of(1, 2, 3) })
      .custom({ isCopiable: false, privateEnterpriseNumber: 32473, data: Uint8Array.of(4) })
      .block(0x00000009, new TextEncoder().encode('__REALTIME_TIMESTAMP=1700000000000000\nMESSAGE=tideline test\n')) // systemd journal export entry
      .sectionHeader({ byteOrder: 'big' })
      // 2^-10 second ticks and a one-hour offset.
      .interfaceDescription({ linkType: 101, snaplen: 4, timestampResolution: 0x8a, timestampOffsetSeconds: 3600n })
      .enhancedPacket({
        interfaceId: 0,
        ticks: (1_700_000_000n << 10n) + 512n,
        data: frameA.subarray(0, 4),
        originalLength: 7,
      })
      .obsoletePacket({
        interfaceId: 0,
        ticks: (1_700_000_000n << 10n) + 1n,
        data: frameA.subarray(0, 3),
        dropsCount: 9,
      })
      // SPB data stops at interface 0's snaplen of 4, as the format requires.
      .simplePacket({ data: frameB.subarray(0, 4), originalLength: 10 })
  );
}

/** A big-endian nanosecond pcap with one record above snaplen, so chunked runs also compare warnings. */
export const samplePcapOptions: BuildPcapOptions = {
  byteOrder: 'big',
  resolution: 'ns',
  linkType: 1,
  snaplen: 32,
  packets: [
    { timestampUs: 1_600_000_000_000_001, timestampNs: 5, data: frameA },
    { timestampUs: 1_600_000_000_500_000, data: frameB },
    { timestampUs: 1_600_000_001_000_000, timestampNs: 999, data: new Uint8Array(0), originalLength: 0 },
    { timestampUs: 1_600_000_002_000_000, data: frameA, originalLength: 1 },
  ],
};

export function buildSamplePcap(): Uint8Array {
  return buildPcap(samplePcapOptions);
}
