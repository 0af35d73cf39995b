/**
 * `tideline capture` inside network namespaces joined by a veth pair, with
 * dnsmasq and python3's HTTP server on side a and dig, curl and tcpreplay
 * traffic: compared with tcpdump, stopped under load, and with its interface
 * deleted. Skips with the reason when not root or when the addon is not built.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEPARATELY_STAMPED_SKEW_US } from './clock-skew';

import { ethernet, ipv4, toBytes, udp } from '../engine/decode/packet-bytes';
import { buildPcap } from '../support/capture-writer';
import {
  type BackgroundProcess,
  type LinkedNamespaces,
  createLinkedNamespaces,
  findLabSkipReason,
  holdKernelReceiveTimestamps,
  countWithCapinfos,
  readWithTshark,
  runCommand,
  startBackground,
  startTcpdump,
  startTideline,
  waitFor,
} from './capture-lab';
import { readWrittenPackets, readWrittenStatistics } from './read-written-capture';

const skipReason = findLabSkipReason(['tcpdump', 'tshark', 'capinfos', 'curl', 'python3', 'dig', 'dnsmasq', 'tcpreplay', 'ip']);
const folder = mkdtempSync(join(tmpdir(), 'tlcap-netns-'));
const tag = String(process.pid % 100_000);
const cleanup: BackgroundProcess[] = [];
let lab: LinkedNamespaces;

/** Numbers that `tideline capture` prints when it ends. */
function readCaptureReport(capture: BackgroundProcess) {
  const stdout = capture.stdout();
  const received = /packets received: (\d+) {2}written: (\d+)/.exec(stdout);
  const libpcap = /libpcap: received (\d+), dropped by kernel (\d+), dropped by interface (\d+)/.exec(stdout);
  const reason = /capture ended: (\S+)/.exec(stdout);
  if (received === null || libpcap === null || reason === null) {
    throw new Error(`tideline capture printed no report (exit ${capture.child.exitCode ?? capture.child.signalCode}):\n${stdout}\n${capture.stderr().slice(-3000)}`);
  }
  return {
    reason: reason[1],
    packets: Number(received[1]),
    written: Number(received[2]),
    libpcapReceived: Number(libpcap[1]),
    droppedByKernel: Number(libpcap[2]),
    droppedByInterface: Number(libpcap[3]),
  };
}

/** conn.log rows without the #open/#close lines. */
function readConnLogRows(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .sort();
}

async function startCapture(name: string, args: readonly string[]): Promise<{ process: BackgroundProcess; out: string }> {
  const out = join(folder, name);
  const capture = startTideline(lab.b, ['capture', '-i', lab.interfaceB, '--out', out, '--duration', '60', ...args]);
  cleanup.push(capture);
  await waitFor(() => capture.stderr().includes('capturing on'), 20_000, `tideline capture did not start: ${capture.stderr()}`);
  return { process: capture, out };
}

describe.skipIf(skipReason !== null)('live capture in network namespaces', () => {
  beforeAll(async () => {
    lab = createLinkedNamespaces(tag, 100 + (process.pid % 100));
    cleanup.push(await holdKernelReceiveTimestamps());
    const site = join(folder, 'site');
    mkdirSync(site);
    writeFileSync(join(site, 'small.txt'), 'y'.repeat(30_000));
    const http = startBackground(lab.a, 'python3', ['-u', '-m', 'http.server', '8080', '--bind', lab.addressA, '--directory', site]);
    cleanup.push(http);
    const dns = startBackground(lab.a, 'dnsmasq', [
      '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--bind-interfaces',
      `--listen-address=${lab.addressA}`, '--port=53', '--address=/lab.test/198.18.0.10', '--user=root',
      `--pid-file=${join(folder, 'dnsmasq.pid')}`, '--log-facility=-',
    ]);
    cleanup.push(dns);
    await waitFor(() => http.stdout().includes('Serving HTTP'), 10_000, `python3 http.server did not start: ${http.stderr()}`);
    await waitFor(() => dns.stderr().includes('started'), 10_000, `dnsmasq did not start: ${dns.stderr()}`);
  });

  afterAll(async () => {
    for (const process of cleanup.reverse()) await process.stop();
    lab?.remove();
    rmSync(folder, { recursive: true, force: true });
  });

  it('matches tcpdump and keeps only filtered traffic', async () => {
    const tcpdumpPath = join(folder, 'tcpdump.pcap');
    // IPv4 only: the IPv6 neighbour discovery after link setup would reach tcpdump before our capture starts.
    const tcpdump = await startTcpdump(lab.b, lab.interfaceB, 'ip', tcpdumpPath);
    const all = await startCapture('all', ['-f', 'ip']);
    const dnsOnly = await startCapture('dns-only', ['-f', 'udp port 53']);

    for (let i = 0; i < 3; i++) runCommand('ip', ['netns', 'exec', lab.b, 'dig', `@${lab.addressA}`, '+time=2', '+tries=1', 'lab.test']);
    for (let i = 0; i < 2; i++) runCommand('ip', ['netns', 'exec', lab.b, 'curl', '-sS', '-o', '/dev/null', `http://${lab.addressA}:8080/small.txt`]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await all.process.stop('SIGINT');
    await dnsOnly.process.stop('SIGINT');
    await tcpdump.stop('SIGINT');

    // Every packet, byte and microsecond agrees with tcpdump.
    const ours = await readWrittenPackets(join(all.out, 'capture.pcapng'));
    const theirs = await readWrittenPackets(tcpdumpPath);
    expect(ours.packets.length).toBeGreaterThanOrEqual(6 + 20);
    expect(ours.packets.map((packet) => packet.hex)).toEqual(theirs.packets.map((packet) => packet.hex));
    // NOTE: a TCP segment carries its sender's pacing time until it is delivered
    // locally, so for TCP arriving at b the kernel has no shared receive stamp and
    // tcpdump's socket and ours each read the clock (microseconds apart, more under load).
    // Every other packet, UDP both ways and TCP sent by b, has one kernel stamp.
    const addressA = lab.addressA.split('.').map((part) => Number(part).toString(16).padStart(2, '0')).join('');
    ours.packets.forEach((packet, index) => {
      const tcpdumpUs = theirs.packets[index]?.timestampUs ?? 0;
      const isTcpFromA = packet.hex.slice(46, 48) === '06' && packet.hex.slice(52, 60) === addressA;
      if (isTcpFromA) expect(Math.abs(packet.timestampUs - tcpdumpUs)).toBeLessThan(SEPARATELY_STAMPED_SKEW_US);
      else expect(packet.timestampUs).toBe(tcpdumpUs);
    });
    expect(readCaptureReport(all.process)).toMatchObject({ reason: 'stopped', packets: ours.packets.length, written: ours.packets.length });

    // The same conn.log as tideline analyze writes for tcpdump's file.
    const analyzeOut = join(folder, 'analyze');
    const analyze = startTideline(null, ['analyze', tcpdumpPath, '--out', analyzeOut, '--sort']);
    expect(await analyze.exited).toBe(0);
    // Rows agree field for field, except the duration of TCP flows (see the note above).
    const liveRows = readConnLogRows(join(all.out, 'conn.log')).map((row) => row.split('\t'));
    const fileRows = readConnLogRows(join(analyzeOut, 'conn.log')).map((row) => row.split('\t'));
    expect(liveRows.length).toBeGreaterThanOrEqual(5);
    expect(liveRows.map((row) => row.filter((_, column) => column !== 8))).toEqual(fileRows.map((row) => row.filter((_, column) => column !== 8)));
    liveRows.forEach((row, index) => {
      expect(Math.abs(Number(row[8]) - Number(fileRows[index]?.[8]))).toBeLessThan(0.00002);
    });
    // dns.log and http.log agree too; their ts come from UDP packets and from TCP sent by b.
    for (const log of ['dns.log', 'http.log']) expect(readConnLogRows(join(all.out, log))).toEqual(readConnLogRows(join(analyzeOut, log)));
    expect(readConnLogRows(join(all.out, 'dns.log'))).toHaveLength(3);
    // The detectors ran on the live packets as on the file: the same alerts, by detector and subject.
    const alertKeys = (path: string): string[] =>
      readConnLogRows(path).map((line) => {
        const alert = JSON.parse(line) as { detector: string; key: string };
        return `${alert.detector} ${alert.key}`;
      });
    expect(alertKeys(join(all.out, 'alerts.jsonl'))).toEqual(alertKeys(join(analyzeOut, 'alerts.jsonl')));

    // The filtered capture contains exactly tcpdump's DNS packets.
    const dnsFrames = readWithTshark(join(dnsOnly.out, 'capture.pcapng'));
    // Ethernet + 20-byte IPv4 header: protocol at byte 23, UDP ports at bytes 34-37.
    const isDns = (hex: string): boolean => hex.slice(46, 48) === '11' && (hex.slice(68, 72) === '0035' || hex.slice(72, 76) === '0035');
    const expectedDns = theirs.packets.filter((packet) => isDns(packet.hex));
    expect(dnsFrames.length).toBeGreaterThanOrEqual(6);
    expect(dnsFrames.map((frame) => frame.hex)).toEqual(expectedDns.map((packet) => packet.hex));
  });

  it('loses nothing received when stopped under load', async () => {
    // 100 000 UDP datagrams from a to b, port 9, sent 50 times over as fast as tcpreplay can; the capture stops midway.
    const frame = toBytes(ethernet(0x0800, ipv4({ protocol: 17, source: [10, 66, 0, 1], destination: [10, 66, 0, 2], payload: udp(40000, 9, new Array<number>(18).fill(0)) })));
    const replayPath = join(folder, 'load.pcap');
    writeFileSync(replayPath, buildPcap({ packets: Array.from({ length: 100_000 }, (_, index) => ({ timestampUs: index, data: frame })) }));
    const capture = await startCapture('load', ['-f', 'udp dst port 9', '-B', '1']);
    const replay = startBackground(lab.a, 'tcpreplay', ['-i', lab.interfaceA, '--topspeed', '--preload-pcap', '--loop=50', '-q', replayPath]);
    cleanup.push(replay);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(replay.child.exitCode).toBeNull();
    await capture.process.stop('SIGINT');
    await replay.stop();

    const report = readCaptureReport(capture.process);
    const path = join(capture.out, 'capture.pcapng');
    expect(report.reason).toBe('stopped');
    expect(report.packets).toBeGreaterThan(0);
    expect(report.written).toBe(report.packets);
    expect(countWithCapinfos(path)).toBe(report.packets);
    expect(readWrittenStatistics(path)).toEqual([
      { received: report.libpcapReceived, droppedByKernel: report.droppedByKernel, droppedByInterface: report.droppedByInterface, delivered: report.packets },
    ]);
    // On Linux ps_recv counts dropped packets too, and packets still in the kernel ring at stop.
    expect(report.libpcapReceived).toBeGreaterThanOrEqual(report.packets + report.droppedByKernel);
    const flowPackets = readConnLogRows(join(capture.out, 'conn.log')).reduce((sum, row) => sum + Number(row.split('\t')[16]), 0);
    expect(flowPackets).toBe(report.packets);
  });

  it('ends cleanly when the interface is deleted', async () => {
    const capture = await startCapture('deleted', []);
    runCommand('ip', ['netns', 'exec', lab.a, 'ping', '-c', '3', '-i', '0.2', lab.addressB]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    runCommand('ip', ['-n', lab.b, 'link', 'del', lab.interfaceB]);
    const exitCode = await Promise.race([capture.process.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 10_000))]);

    expect(exitCode).toBe(1);
    const report = readCaptureReport(capture.process);
    expect(['interface-removed', 'interface-down']).toContain(report.reason);
    expect(capture.process.stderr()).toContain(`Capture on ${lab.interfaceB} ended:`);
    const path = join(capture.out, 'capture.pcapng');
    expect(report.packets).toBeGreaterThanOrEqual(6);
    expect(readWithTshark(path)).toHaveLength(report.packets);
    expect(readWrittenStatistics(path)).toHaveLength(1);
  });
});

if (skipReason !== null) {
  describe('live capture in network namespaces', () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
}
