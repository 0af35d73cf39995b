import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapngBuilder } from '../../support/capture-writer';
import { buildCarvedPcapng } from '../../../src/main/engine/packets/carve-pcapng';
import { readPacketsAt } from '../../../src/main/engine/packets/capture-random-reader';
import { carveAlertEvidence, carveFlows, carveTimeRange } from '../../../src/main/engine/packets/carve-selection';
import { ingestCaptureIntoCase } from '../../../src/main/engine/store/case-ingest';
import { readAllCaseFlows, readFlowPackets } from '../../../src/main/engine/store/case-queries';
import { CaseStore } from '../../../src/main/engine/store/case-store';
import type { Alert } from '../../../src/shared/domain/alert';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/captures');
const workFolder = mkdtempSync(join(tmpdir(), 'tideline-carve-'));
afterAll(() => rmSync(workFolder, { recursive: true, force: true }));

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const isTsharkPresent = hasTshark();

/** Per packet: epoch time (9 digits), wire length, captured length and the bytes, as tshark reads them. */
function readWithTshark(path: string, packetFilter?: string): string[] {
  const args = ['-r', path, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.protocols'];
  if (packetFilter !== undefined) args.push('-Y', packetFilter);
  const fields = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
  const hexArgs = ['-r', path, '-T', 'json', '-x'];
  if (packetFilter !== undefined) hexArgs.push('-Y', packetFilter);
  const frames = JSON.parse(execFileSync('tshark', hexArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 })) as Array<{ _source: { layers: { frame_raw: [string] } } }>;
  return fields.map((line, index) => `${line}\t${frames[index]?._source.layers.frame_raw[0] ?? ''}`);
}

async function ingest(name: string, source: string): Promise<CaseStore> {
  const store = await CaseStore.create({ casesFolder: join(workFolder, name), name, sources: [] });
  await ingestCaptureIntoCase(store, source);
  return store;
}

describe.skipIf(!isTsharkPresent)('carving round trip through tshark', () => {
  // NOTE: skipped without tshark, which reads the carved files as a third party would.
  it.each(['tcp-http-fin.pcap', 'icmp-echo-ipv4-nanosecond.pcap', 'ipv6-tcp.pcapng', 'vlan-tcp.pcap'])('%s: a flow carves to identical packets', async (name) => {
    const source = join(FIXTURES, name);
    const store = await ingest(name, source);
    const [flow] = await readAllCaseFlows(store);
    const rows = await readFlowPackets(store, flow!.uid);
    const out = join(workFolder, `${name}.carved.pcapng`);
    const result = await carveFlows(store, [flow!.uid], out);
    expect(result).toMatchObject({ ok: true, packets: rows.length });
    const numbers = rows.map((row) => row.packetNumber);
    expect(readWithTshark(out)).toEqual(readWithTshark(source, `frame.number in {${numbers.join(', ')}}`));
    const comment = execFileSync('capinfos', ['-k', out], { encoding: 'utf8' });
    expect(comment).toContain(`Tideline case ${name}`);
    await store.close();
  });

  it('carves a big-endian pcapng with an interface block after the first packet', async () => {
    const ethernet = (last: number): Uint8Array => Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x06, ...new Array<number>(28).fill(last)]);
    const rawIp = Uint8Array.from([0x45, 0, 0, 20, 0, 1, 0, 0, 64, 253, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    const bytes = new PcapngBuilder()
      .sectionHeader({ byteOrder: 'big' })
      .interfaceDescription({ linkType: 1, snaplen: 65535, timestampResolution: 3, timestampOffsetSeconds: 1_000n }) // milliseconds, +1000 s
      .enhancedPacket({ interfaceId: 0, ticks: 1_700_000_000_123n, data: ethernet(1) })
      .interfaceDescription({ linkType: 101, snaplen: 128, timestampResolution: 0x80 | 20 }) // raw IP, 2^-20 s ticks
      .enhancedPacket({ interfaceId: 1, ticks: 1_782_579_200n * 1_048_576n + 5n, data: rawIp, originalLength: 40 })
      .enhancedPacket({ interfaceId: 0, ticks: 1_700_000_000_999n, data: ethernet(3) })
      .build();
    const source = join(workFolder, 'late-interface.pcapng');
    writeFileSync(source, bytes);
    const store = await ingest('late', source);
    expect(store.manifest.sources[0]?.interfaces?.map((entry) => entry.timestampResolution)).toEqual([3, 0x80 | 20]);
    const out = join(workFolder, 'late.carved.pcapng');
    expect(await carveTimeRange(store, '', { startUs: 0, endUs: Number.MAX_SAFE_INTEGER }, out)).toMatchObject({ ok: true, packets: 3 });
    expect(readWithTshark(out)).toEqual(readWithTshark(source));
    await store.close();
  });

  it('carves from a gzip source, re-inflating it', async () => {
    const source = join(workFolder, 'udp-dns.pcap.gz');
    writeFileSync(source, gzipSync(readFileSync(join(FIXTURES, 'udp-dns.pcap'))));
    const store = await ingest('gz', source);
    const out = join(workFolder, 'gz.carved.pcapng');
    const result = await carveTimeRange(store, 'udp.port == 53', { startUs: 0, endUs: Number.MAX_SAFE_INTEGER }, out);
    expect(result).toMatchObject({ ok: true, packets: 2 });
    expect(readWithTshark(out)).toEqual(readWithTshark(join(FIXTURES, 'udp-dns.pcap')));
    await store.close();
  });

  it("carves an alert's evidence with the alert in the section comment", async () => {
    const source = join(workFolder, 'icmp-port-unreachable.pcap');
    copyFileSync(join(FIXTURES, 'icmp-port-unreachable.pcap'), source);
    const store = await ingest('alert', source);
    const alert: Alert = {
      id: 'alert-7', detector: 'failed-connection-scan', severity: 'low', score: 10, title: 'Port unreachable', reason: 'test',
      measurements: [], mitreTechnique: null, firstUs: 0, lastUs: 0, hosts: [], evidence: { flowUids: [], packetNumbers: [2], isTruncated: false },
    };
    const out = join(workFolder, 'alert.carved.pcapng');
    expect(await carveAlertEvidence(store, alert, out)).toMatchObject({ ok: true, packets: 1 });
    expect(readWithTshark(out)).toEqual(readWithTshark(source, 'frame.number == 2'));
    expect(execFileSync('capinfos', ['-k', out], { encoding: 'utf8' })).toContain('alert alert-7: Port unreachable');
    await store.close();
  });
});

describe('carving without tshark', () => {
  it('refuses an empty selection and a missing source', async () => {
    const source = join(workFolder, 'moved.pcap');
    copyFileSync(join(FIXTURES, 'tcp-refused.pcap'), source);
    const store = await ingest('missing', source);
    expect(await carveFlows(store, ['Cnone'], join(workFolder, 'none.pcapng'))).toMatchObject({ ok: false, code: 'nothing-selected' });
    rmSync(source);
    const [flow] = await readAllCaseFlows(store);
    expect(await carveFlows(store, [flow!.uid], join(workFolder, 'x.pcapng'))).toMatchObject({ ok: false, code: 'source-missing' });
    await store.close();
  });

  it('writes SHB, IDB with if_tsresol and EPB fields at their offsets', async () => {
    const read = await readPacketsAt(join(FIXTURES, 'icmp-echo-ipv4-nanosecond.pcap'), [{ packetNumber: 1, fileOffset: 24 }]);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const bytes = buildCarvedPcapng(read.layout, read.packets, { comment: 'c' });
    const view = new DataView(bytes.buffer);
    const shbLength = view.getUint32(4, true);
    // SHB: 16 fixed bytes + comment option (4 + 4) + userappl "Tideline" (4 + 8) + end (4) + 12 framing.
    expect(shbLength).toBe(16 + 8 + 12 + 4 + 12);
    const idb = shbLength;
    expect(view.getUint32(idb, true)).toBe(1);
    expect(view.getUint16(idb + 8, true)).toBe(read.layout.interfaces[0]!.linkType);
    // if_tsresol option: code 9, length 1, value 9 (nanoseconds, from the pcap magic).
    expect([view.getUint16(idb + 16, true), view.getUint16(idb + 18, true), bytes[idb + 20]]).toEqual([9, 1, 9]);
    const epb = idb + view.getUint32(idb + 4, true);
    const packet = read.packets[0]!;
    expect(view.getUint32(epb, true)).toBe(6);
    const ticks = (BigInt(view.getUint32(epb + 12, true)) << 32n) | BigInt(view.getUint32(epb + 16, true));
    expect(ticks).toBe(packet.timestampTicks);
    expect(view.getUint32(epb + 20, true)).toBe(packet.capturedLength);
    expect(view.getUint32(epb + 24, true)).toBe(packet.originalLength);
    expect(bytes.subarray(epb + 28, epb + 28 + packet.capturedLength)).toEqual(packet.data);
  });
});
