import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlowCeiling } from '../../bench/ceiling/build-ceiling';
import { generateCapture, type GenerationSummary } from '../../bench/generator/traffic-mix';
import { addressToHex, hasTshark, readTsharkFields } from './tshark-fields';

const hasCompiler = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;

interface CeilingTotals {
  packets: number;
  bytes: number;
  ipPackets: number;
  ipv4Packets: number;
  nonIpPackets: number;
  truncatedPackets: number;
  flows: number;
}

/** Runs the ceiling with --dump; returns its per-flow lines (sorted) and totals. */
function runCeiling(binary: string, capturePath: string): { flowLines: string[]; totals: CeilingTotals } {
  const lines = execFileSync(binary, ['--dump', capturePath], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }).trim().split('\n');
  const totals = JSON.parse(lines.pop()!) as CeilingTotals;
  return { flowLines: lines.sort(), totals };
}

const ECHO_TYPES = new Set(['4:8', '4:0', '6:128', '6:129']);

/**
 * Computes the ceiling's per-flow output from tshark's dissection: the same
 * key rule (echo identifier as both ports, else ICMP type and code), the
 * originator being the source of a flow's first frame, frame.len as bytes.
 */
function computeFlowsWithTshark(capturePath: string): string[] {
  const frames = readTsharkFields(capturePath, [
    'frame.len', 'ip.src', 'ip.dst', 'ip.proto', 'ipv6.src', 'ipv6.dst', 'ipv6.nxt',
    'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport',
    'icmp.type', 'icmp.code', 'icmp.ident', 'icmpv6.type', 'icmpv6.code', 'icmpv6.echo.identifier',
  ]);
  const flows = new Map<string, { originator: string; counts: [number, number, number, number]; head: string }>();
  for (const frame of frames) {
    const version = frame['ip.src'] !== '' ? 4 : 6;
    const source = addressToHex(version === 4 ? frame['ip.src']! : frame['ipv6.src']!);
    const destination = addressToHex(version === 4 ? frame['ip.dst']! : frame['ipv6.dst']!);
    const protocol = version === 4 ? frame['ip.proto']! : frame['ipv6.nxt']!;
    let sourcePort = frame['tcp.srcport'] || frame['udp.srcport'] || '0';
    let destinationPort = frame['tcp.dstport'] || frame['udp.dstport'] || '0';
    const icmpType = version === 4 ? frame['icmp.type']! : frame['icmpv6.type']!;
    if (icmpType !== '') {
      const isEcho = ECHO_TYPES.has(`${version}:${icmpType}`);
      const identifier = version === 4 ? frame['icmp.ident']! : frame['icmpv6.echo.identifier']!;
      const code = version === 4 ? frame['icmp.code']! : frame['icmpv6.code']!;
      sourcePort = isEcho ? identifier : icmpType;
      destinationPort = isEcho ? identifier : code;
    }

    const sourceEnd = `${source} ${Number(sourcePort)}`;
    const destinationEnd = `${destination} ${Number(destinationPort)}`;
    const key = `${protocol} ${version} ${[sourceEnd, destinationEnd].sort().join(' ')}`;
    let flow = flows.get(key);
    if (flow === undefined) {
      flow = { originator: sourceEnd, counts: [0, 0, 0, 0], head: `${protocol} ${version} ${sourceEnd} ${destinationEnd}` };
      flows.set(key, flow);
    }
    const frameBytes = Number(frame['frame.len']);
    if (flow.originator === sourceEnd) {
      flow.counts[0] += 1;
      flow.counts[1] += frameBytes;
    } else {
      flow.counts[2] += 1;
      flow.counts[3] += frameBytes;
    }
  }
  return [...flows.values()].map((flow) => `${flow.head} ${flow.counts.join(' ')}`).sort();
}

describe.skipIf(!hasCompiler)('flow-ceiling', () => {
  let workDirectory = '';
  let binary = '';
  let summary: GenerationSummary;
  let pcapPath = '';

  beforeAll(() => {
    workDirectory = mkdtempSync(join(tmpdir(), 'tideline-ceiling-'));
    binary = buildFlowCeiling();
    pcapPath = join(workDirectory, 'mix.pcap');
    summary = generateCapture({ path: pcapPath, seed: 11, sizeBytes: 2 * 1024 * 1024, variant: 'mix', format: 'pcap' });
  });

  afterAll(() => {
    rmSync(workDirectory, { recursive: true, force: true });
  });

  it('counts every packet as IP', () => {
    const { totals } = runCeiling(binary, pcapPath);
    expect(totals.packets).toBe(summary.packets);
    expect(totals.ipPackets).toBe(summary.packets);
    expect(totals.nonIpPackets).toBe(0);
    expect(totals.truncatedPackets).toBe(0);
  });

  it.skipIf(!hasTshark)('matches per-flow counts computed from tshark', () => {
    const { flowLines, totals } = runCeiling(binary, pcapPath);
    const expected = computeFlowsWithTshark(pcapPath);
    expect(totals.flows).toBe(expected.length);
    expect(flowLines).toEqual(expected);
    const wireBytes = expected.reduce((sum, line) => {
      const fields = line.split(' ');
      return sum + Number(fields[7]) + Number(fields[9]);
    }, 0);
    expect(totals.bytes).toBe(wireBytes);
  });

  it('reads pcapng of the same packets identically', () => {
    const pcapngPath = join(workDirectory, 'mix.pcapng');
    generateCapture({ path: pcapngPath, seed: 11, sizeBytes: 2 * 1024 * 1024, variant: 'mix', format: 'pcapng' });
    const fromPcap = runCeiling(binary, pcapPath);
    const fromPcapng = runCeiling(binary, pcapngPath);
    expect(fromPcapng.totals).toEqual(fromPcap.totals);
    expect(fromPcapng.flowLines).toEqual(fromPcap.flowLines);
  });
});
