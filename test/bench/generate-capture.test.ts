import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSize } from '../../bench/generate-capture';
import { generateCapture, type GenerationSummary } from '../../bench/generator/traffic-mix';
import { hasTshark, readTsharkFields } from './tshark-fields';

const CAPTURE_BYTES = 3 * 1024 * 1024;
let workDirectory = '';

function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

beforeAll(() => {
  workDirectory = mkdtempSync(join(tmpdir(), 'tideline-bench-'));
});

afterAll(() => {
  rmSync(workDirectory, { recursive: true, force: true });
});

describe('generateCapture determinism', () => {
  it('writes identical bytes for one seed', () => {
    const first = join(workDirectory, 'first.pcap');
    const second = join(workDirectory, 'second.pcap');
    const firstSummary = generateCapture({ path: first, seed: 7, sizeBytes: CAPTURE_BYTES, variant: 'mix', format: 'pcap' });
    const secondSummary = generateCapture({ path: second, seed: 7, sizeBytes: CAPTURE_BYTES, variant: 'mix', format: 'pcap' });
    expect(sha256Of(second)).toBe(sha256Of(first));
    expect(secondSummary).toEqual(firstSummary);
  });

  it('writes different bytes for another seed', () => {
    const first = join(workDirectory, 'seed-7.pcap');
    const other = join(workDirectory, 'seed-8.pcap');
    generateCapture({ path: first, seed: 7, sizeBytes: CAPTURE_BYTES, variant: 'mix', format: 'pcap' });
    generateCapture({ path: other, seed: 8, sizeBytes: CAPTURE_BYTES, variant: 'mix', format: 'pcap' });
    expect(sha256Of(other)).not.toBe(sha256Of(first));
  });

  it('stops at the requested size', () => {
    const path = join(workDirectory, 'size.pcap');
    const summary = generateCapture({ path, seed: 1, sizeBytes: CAPTURE_BYTES, variant: 'flow-heavy', format: 'pcap' });
    expect(summary.fileBytes).toBeGreaterThanOrEqual(CAPTURE_BYTES);
    // At most one record past the target: a 1522-byte QinQ frame plus its 16-byte header.
    expect(summary.fileBytes).toBeLessThanOrEqual(CAPTURE_BYTES + 1538);
    expect(readFileSync(path).length).toBe(summary.fileBytes);
  });
});

describe('parseSize', () => {
  it.each([
    ['1GiB', 1024 ** 3],
    ['128MiB', 128 * 1024 ** 2],
    ['500MB', 500e6],
    ['4096', 4096],
    ['1.5KiB', 1536],
  ])('parses %s', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'GiB', '1TiB', '-1MiB', '1 2MiB'])('rejects "%s"', (text) => {
    expect(() => parseSize(text)).toThrow(/Invalid size/);
  });
});

const MIX_FIELDS = [
  'frame.len',
  'frame.time_delta',
  'eth.type',
  'vlan.id',
  'ieee8021ad.id',
  'ip.version',
  'ipv6.version',
  'ip.checksum.status',
  'tcp.checksum.status',
  'udp.checksum.status',
  'icmp.checksum.status',
  'icmpv6.checksum.status',
  'tcp.flags',
  'tcp.len',
  'dns.qry.name',
  'dns.flags.response',
  'dns.flags.rcode',
  'dns.a',
  'dns.aaaa',
  'dns.cname',
  'tls.handshake.type',
  'tls.handshake.extensions_server_name',
  'tls.record.content_type',
  'tls.record.opaque_type',
  'http.request.method',
  'http.response.code',
  'icmp.type',
  'icmpv6.type',
  '_ws.malformed',
  '_ws.expert.severity',
];

describe.skipIf(!hasTshark)('generated mix read by tshark', () => {
  let frames: Array<Record<string, string>> = [];
  let summary: GenerationSummary;
  const count = (predicate: (frame: Record<string, string>) => boolean): number => frames.filter(predicate).length;

  beforeAll(() => {
    const path = join(workDirectory, 'mix.pcap');
    summary = generateCapture({ path, seed: 3, sizeBytes: CAPTURE_BYTES, variant: 'mix', format: 'pcap' });
    frames = readTsharkFields(path, MIX_FIELDS);
  });

  it('reads every packet', () => {
    expect(frames.length).toBe(summary.packets);
  });

  it('has valid checksums and no malformed frames', () => {
    const ipv4Frames = count((frame) => frame['ip.version'] === '4');
    // Checksum status: 0 bad, 1 good, 2 not checked.
    expect(count((frame) => frame['ip.checksum.status'] === '1')).toBe(ipv4Frames);
    expect(count((frame) => frame['tcp.checksum.status'] === '0')).toBe(0);
    expect(count((frame) => frame['udp.checksum.status'] === '0')).toBe(0);
    expect(count((frame) => frame['icmp.checksum.status'] === '0')).toBe(0);
    expect(count((frame) => frame['icmpv6.checksum.status'] === '0')).toBe(0);
    expect(count((frame) => frame['tcp.checksum.status'] === '1')).toBe(count((frame) => frame['tcp.flags'] !== ''));
    expect(count((frame) => frame['_ws.malformed'] !== '')).toBe(0);
  });

  it('has strictly increasing timestamps', () => {
    expect(count((frame) => Number(frame['frame.time_delta']) <= 0)).toBe(1); // only the first frame, whose delta is 0
  });

  it('has 802.1Q, QinQ, untagged, IPv4 and IPv6 frames', () => {
    expect(count((frame) => frame['vlan.id'] !== '' && frame['ieee8021ad.id'] === '')).toBeGreaterThan(0);
    expect(count((frame) => frame['ieee8021ad.id'] !== '' && frame['vlan.id'] !== '')).toBeGreaterThan(0);
    expect(count((frame) => frame['vlan.id'] === '' && frame['ieee8021ad.id'] === '')).toBeGreaterThan(frames.length / 2);
    expect(count((frame) => frame['ip.version'] === '4')).toBeGreaterThan(0);
    expect(count((frame) => frame['ipv6.version'] === '6')).toBeGreaterThan(0);
  });

  it('has TCP handshakes, teardowns, refusals and bare SYNs', () => {
    expect(count((frame) => frame['tcp.flags'] === '0x0002')).toBeGreaterThan(0);
    expect(count((frame) => frame['tcp.flags'] === '0x0012')).toBeGreaterThan(0);
    expect(count((frame) => frame['tcp.flags'] === '0x0011')).toBeGreaterThan(0);
    expect(count((frame) => frame['tcp.flags'] === '0x0014')).toBeGreaterThan(0);
    // More SYNs than SYN-ACKs: refused and unanswered attempts get none.
    expect(count((frame) => frame['tcp.flags'] === '0x0002')).toBeGreaterThan(count((frame) => frame['tcp.flags'] === '0x0012'));
  });

  it('has DNS queries, answers, CNAMEs and NXDOMAIN', () => {
    expect(count((frame) => frame['dns.flags.response'] === '0' && frame['dns.qry.name'] !== '')).toBeGreaterThan(0);
    expect(count((frame) => frame['dns.a'] !== '')).toBeGreaterThan(0);
    expect(count((frame) => frame['dns.aaaa'] !== '')).toBeGreaterThan(0);
    expect(count((frame) => frame['dns.cname'] !== '')).toBeGreaterThan(0);
    expect(count((frame) => frame['dns.flags.rcode'] === '3')).toBeGreaterThan(0);
  });

  it('has TLS hellos with SNI, application data and HTTP', () => {
    const clientHellos = frames.filter((frame) => frame['tls.handshake.type']!.split(',').includes('1'));
    expect(clientHellos.length).toBeGreaterThan(0);
    expect(clientHellos.every((frame) => frame['tls.handshake.extensions_server_name'] !== '')).toBe(true);
    expect(count((frame) => frame['tls.handshake.type']!.split(',').includes('2'))).toBeGreaterThan(0);
    expect(count((frame) => frame['tls.record.content_type']!.split(',').includes('20'))).toBeGreaterThan(0);
    // TLS 1.3 records after the handshake carry their type as opaque_type.
    expect(count((frame) => frame['tls.record.opaque_type']!.split(',').includes('23'))).toBeGreaterThan(0);
    expect(count((frame) => frame['http.request.method'] === 'GET')).toBeGreaterThan(0);
    expect(count((frame) => frame['http.response.code'] === '200')).toBeGreaterThan(0);
  });

  it('has ICMP and ICMPv6 echo', () => {
    expect(count((frame) => frame['icmp.type'] === '8')).toBeGreaterThan(0);
    expect(count((frame) => frame['icmp.type'] === '0')).toBeGreaterThan(0);
    expect(count((frame) => frame['icmpv6.type'] === '128')).toBeGreaterThan(0);
  });

  it('mixes small and full-size frames', () => {
    expect(count((frame) => Number(frame['frame.len']) <= 100)).toBeGreaterThan(frames.length / 5);
    expect(count((frame) => Number(frame['frame.len']) >= 1514)).toBeGreaterThan(frames.length / 5);
    expect(count((frame) => Number(frame['frame.len']) > 1522)).toBe(0);
    expect(count((frame) => Number(frame['frame.len']) < 60)).toBe(0);
  });
});

describe.skipIf(!hasTshark)('pcapng output', () => {
  it('holds the same packets as pcap', () => {
    const pcapPath = join(workDirectory, 'same.pcap');
    const pcapngPath = join(workDirectory, 'same.pcapng');
    const pcapSummary = generateCapture({ path: pcapPath, seed: 5, sizeBytes: 1024 * 1024, variant: 'flow-heavy', format: 'pcap' });
    const pcapngSummary = generateCapture({ path: pcapngPath, seed: 5, sizeBytes: 1024 * 1024, variant: 'flow-heavy', format: 'pcapng' });
    expect(pcapngSummary.packets).toBe(pcapSummary.packets);

    const fields = ['frame.time_epoch', 'frame.len', 'frame.protocols'];
    const fromPcap = readTsharkFields(pcapPath, fields);
    const fromPcapng = readTsharkFields(pcapngPath, fields);
    expect(fromPcapng.length).toBe(pcapSummary.packets);
    expect(fromPcapng).toEqual(fromPcap);
  });
});
