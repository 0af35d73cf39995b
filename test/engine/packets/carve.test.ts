import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
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
