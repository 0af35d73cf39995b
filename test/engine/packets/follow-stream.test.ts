import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RawPacket } from '../../../src/main/engine/packets/capture-random-reader';
import { followCaseStream, followPackets } from '../../../src/main/engine/packets/follow-stream';
import { readPacketDetail } from '../../../src/main/engine/packets/packet-detail';
import { ingestCaptureIntoCase } from '../../../src/main/engine/store/case-ingest';
import { readAllCaseFlows } from '../../../src/main/engine/store/case-queries';
import { CaseStore } from '../../../src/main/engine/store/case-store';
import type { FlowRecord } from '../../../src/shared/domain/flow';
import type { FollowedStream } from '../../../src/shared/domain/packet-tree';
import { ByteWriter } from '../../support/capture-writer';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/captures');
const workFolder = mkdtempSync(join(tmpdir(), 'tideline-follow-'));
afterAll(() => rmSync(workFolder, { recursive: true, force: true }));

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Payload per direction as hex, joined in chunk order. */
function joinDirections(stream: FollowedStream): { originator: string; responder: string } {
  const join_ = (direction: string): string =>
    stream.chunks.filter((chunk) => chunk.direction === direction).map((chunk) => Buffer.from(chunk.bytesBase64, 'base64').toString('hex')).join('');
  return { originator: join_('originator'), responder: join_('responder') };
}

async function openCase(name: string, settings: { isPayloadKept?: boolean } = {}): Promise<{ store: CaseStore; source: string }> {
  const source = join(workFolder, name);
  copyFileSync(join(FIXTURES, name), source);
  const store = await CaseStore.create({ casesFolder: join(workFolder, `cases-${name}`), name, sources: [], settings });
  await ingestCaptureIntoCase(store, source);
  return { store, source };
}

describe.skipIf(!hasTshark())('follow stream against tshark', () => {
  it.each(['tcp-http-fin.pcap', 'ipv6-tcp.pcapng', 'vlan-tcp.pcap', 'udp-dns.pcap'])('%s gives the bytes of tshark follow', async (name) => {
    const { store, source } = await openCase(name);
    const [flow] = await readAllCaseFlows(store);
    const result = await followCaseStream(store, flow!);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const kind = flow!.transport;
    const text = execFileSync('tshark', ['-r', source, '-q', '-z', `follow,${kind},raw,0`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    // tshark prints the first node's data flush left and the second node's after a tab.
    const lines = text.split('\n').filter((line) => /^\t?[0-9a-f]+$/.test(line));
    const expected = {
      originator: lines.filter((line) => !line.startsWith('\t')).join(''),
      responder: lines.filter((line) => line.startsWith('\t')).map((line) => line.slice(1)).join(''),
    };
    expect(joinDirections(result.value)).toEqual(expected);
    expect(result.value.originatorBytes).toBe(expected.originator.length / 2);
    expect(result.value.isTruncated).toBe(false);
    await store.close();
  });
});

describe('follow stream', () => {
  const flow = {
    uid: 'Ct', transport: 'tcp', originatorAddress: '10.0.0.1', originatorPort: 40000, responderAddress: '10.0.0.2', responderPort: 80,
  } as FlowRecord;

  /** Raw IPv4 + TCP packet (link type 101) from 10.0.0.1:40000 to 10.0.0.2:80. */
  function segment(packetNumber: number, sequence: number, flags: number, text: string): RawPacket {
    const payload = Array.from(text, (c) => c.charCodeAt(0));
    const data = new ByteWriter('big')
      .u8(0x45).u8(0).u16(40 + payload.length).u16(0).u16(0).u8(64).u8(6).u16(0) // IPv4 header
      .raw([10, 0, 0, 1]).raw([10, 0, 0, 2])
      .u16(40000).u16(80).u32(sequence).u32(0).u8(0x50).u8(flags).u16(1024).u16(0).u16(0) // TCP header
      .raw(payload)
      .toBytes();
    return { packetNumber, fileOffset: 0, interfaceId: 0, linkType: 101, timestampTicks: BigInt(packetNumber), timestampUs: packetNumber, capturedLength: data.length, originalLength: data.length, data };
  }

  it('places out-of-order segments and drops retransmitted bytes', () => {
    const packets = [
      segment(1, 99, 0x02, ''), // SYN: data starts at 100
      segment(2, 100, 0x18, 'GET '),
      segment(3, 108, 0x18, 'HTTP'), // arrives before the bytes at 104
      segment(4, 104, 0x18, '/ab '),
      segment(5, 100, 0x18, 'GET /a'), // retransmission overlapping 100-105
      segment(6, 112, 0x18, '/1.1'),
    ];
    const stream = followPackets(flow, packets);
    expect(joinDirections(stream).originator).toBe(Buffer.from('GET /ab HTTP/1.1').toString('hex'));
    expect(stream.chunks.map((chunk) => chunk.packetNumber)).toEqual([2, 4, 3, 6]);
    expect(stream.note).toBeNull();
  });

  it('continues after a gap it cannot fill and says so', () => {
    const stream = followPackets(flow, [segment(1, 99, 0x02, ''), segment(2, 100, 0x18, 'ab'), segment(3, 110, 0x18, 'cd')]);
    // The gap stays open until the stream ends; bytes after it are held, not shown out of order.
    expect(joinDirections(stream).originator).toBe(Buffer.from('ab').toString('hex'));
    expect(stream.originatorBytes).toBe(2);
  });

  it('cuts at the cap with a note', () => {
    const stream = followPackets(flow, [segment(1, 99, 0x02, ''), segment(2, 100, 0x18, 'abcdef')], 4);
    expect(joinDirections(stream).originator).toBe(Buffer.from('abcd').toString('hex'));
    expect(stream.isTruncated).toBe(true);
    expect(stream.note).toBe('Cut at 4 bytes; carve the flow to see all of it.');
  });

  it('says payloads were not kept when the source is gone from a headers-only case', async () => {
    const { store, source } = await openCase('tcp-orig-abort-rst.pcap', { isPayloadKept: false });
    rmSync(source);
    const [tcpFlow] = await readAllCaseFlows(store);
    const result = await followCaseStream(store, tcpFlow!);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('payloads were not kept');
    await store.close();
  });
});

describe('packet detail from a case', () => {
  it('reads packet 4 by its offset and decodes it', async () => {
    const { store } = await openCase('tcp-http-fin.pcap');
    const result = await readPacketDetail(store, 0, 4);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.packetNumber).toBe(4);
    expect(result.value.layers.map((layer) => layer.label.split(',')[0])).toEqual([
      'Frame 4: 153 bytes on wire', 'Ethernet II', 'Internet Protocol Version 4', 'Transmission Control Protocol', 'Hypertext Transfer Protocol',
    ]);
    expect(Buffer.from(result.value.bytesBase64, 'base64').length).toBe(result.value.capturedLength);
    expect(await readPacketDetail(store, 0, 999)).toMatchObject({ ok: false, code: 'unknown-packet' });
    await store.close();
  });
});
