/**
 * The real addon on loopback: live capture against tcpdump taken at the same
 * time, filters, tshark round trip, a full disk and an unprivileged user.
 * Skips with the reason when not root or when the addon is not built.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEPARATELY_STAMPED_SKEW_US } from './clock-skew';

import { loadCaptureAddon } from '../../src/main/capture/capture-addon';
import { CaptureError } from '../../src/main/capture/capture-error';
import { LiveCaptureSession, validateCaptureFilter } from '../../src/main/capture/live-capture-session';
import { analyzeCapture } from '../../src/main/engine/analyze-capture';
import type { FlowRecord } from '../../src/shared/domain/flow';
import { type BackgroundProcess, findLabSkipReason, readWithTshark, runCommand, startBackground, startTcpdump, startTideline, waitFor } from './capture-lab';
import { readWrittenPackets, readWrittenStatistics } from './read-written-capture';

const skipReason = findLabSkipReason(['tcpdump', 'tshark', 'curl', 'python3', 'useradd']);
const folder = mkdtempSync(join(tmpdir(), 'tlcap-loopback-'));
chmodSync(folder, 0o755);
const port = 20000 + Math.floor(Math.random() * 20000);
let server: BackgroundProcess | null = null;


/** Flow facts that must agree between live capture and the file analysis of tcpdump's capture. */
function flowCounts(flows: readonly FlowRecord[]): string[] {
  return flows
    .map((flow) =>
      [flow.originatorPort, flow.responderPort, flow.originatorPackets, flow.responderPackets, flow.originatorBytes, flow.responderBytes, flow.originatorIpBytes, flow.responderIpBytes, flow.history, flow.connectionState].join(' '),
    )
    .sort();
}

function fetchFromServer(path: string, times: number): void {
  for (let i = 0; i < times; i++) runCommand('curl', ['-sS', '-o', '/dev/null', `http://127.0.0.1:${port}/${path}`]);
}

describe.skipIf(skipReason !== null)('live capture on loopback', () => {
  beforeAll(async () => {
    const site = join(folder, 'site');
    mkdirSync(site);
    writeFileSync(join(site, 'small.txt'), 'x'.repeat(20_000));
    writeFileSync(join(site, 'large.bin'), Buffer.alloc(4_000_000, 7));
    server = startBackground(null, 'python3', ['-u', '-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', site]);
    await waitFor(() => server?.stdout().includes('Serving HTTP') === true, 10_000, `python3 http.server did not start: ${server?.stderr()}`);
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('matches tcpdump taken at the same time', async () => {
    const filter = `tcp port ${port}`;
    const tcpdumpPath = join(folder, 'tcpdump.pcap');
    const outputPath = join(folder, 'live.pcapng');
    const tcpdump = await startTcpdump(null, 'lo', filter, tcpdumpPath);
    const liveFlows: FlowRecord[] = [];
    const session = new LiveCaptureSession({ device: 'lo', filter, outputPath, onFlows: (flows) => liveFlows.push(...flows) });
    expect(session.isNanosecond).toBe(true);

    fetchFromServer('small.txt', 3);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const result = await session.stop();
    await tcpdump.stop('SIGINT');

    const ours = await readWrittenPackets(outputPath);
    const theirs = await readWrittenPackets(tcpdumpPath);
    expect(ours.warnings).toEqual([]);
    // Three HTTP exchanges of at least 10 packets each.
    expect(ours.packets.length).toBeGreaterThanOrEqual(30);
    expect(ours.packets.length).toBe(theirs.packets.length);
    // NOTE: TCP marks each segment with a pacing delivery time, so on loopback the
    // kernel has no shared receive stamp and every packet socket reads the clock
    // itself: tcpdump's and our stamps differ by a few microseconds, more under load. The
    // namespace test, where veth clears that mark, requires equal microseconds.
    ours.packets.forEach((packet, index) => {
      expect(Math.abs(packet.timestampUs - (theirs.packets[index]?.timestampUs ?? 0))).toBeLessThan(SEPARATELY_STAMPED_SKEW_US);
    });
    expect(ours.packets.map((packet) => packet.hex)).toEqual(theirs.packets.map((packet) => packet.hex));
    expect(result.counters.packets).toBe(ours.packets.length);
    expect(result.counters.packetsWritten).toBe(ours.packets.length);

    // The same flows, packet for packet and byte for byte, as analysing tcpdump's file.
    const fileFlows: FlowRecord[] = [];
    await analyzeCapture(tcpdumpPath, { onFlows: (flows) => fileFlows.push(...flows) });
    expect(liveFlows).toHaveLength(3);
    expect(flowCounts(liveFlows)).toEqual(flowCounts(fileFlows));

    // tshark reads the same frames, bytes and nanosecond times.
    const frames = readWithTshark(outputPath);
    expect(frames).toHaveLength(ours.packets.length);
    expect(frames.map((frame) => frame.hex)).toEqual(ours.packets.map((packet) => packet.hex));
    expect(frames.map((frame) => frame.time)).toEqual(
      ours.packets.map((packet) => {
        const seconds = Math.floor(packet.timestampUs / 1e6);
        const nanoseconds = (packet.timestampUs - seconds * 1e6) * 1000 + packet.timestampNsRemainder;
        return `${seconds}.${String(nanoseconds).padStart(9, '0')}`;
      }),
    );
    expect(readWrittenStatistics(outputPath)).toEqual([
      { received: result.libpcapStats.received, droppedByKernel: result.libpcapStats.droppedByKernel, droppedByInterface: result.libpcapStats.droppedByInterface, delivered: ours.packets.length },
    ]);
  });

  it('keeps only traffic that matches the filter', async () => {
    const outputPath = join(folder, 'filtered.pcapng');
    const session = new LiveCaptureSession({ device: 'lo', filter: `tcp dst port ${port} and tcp[tcpflags] & tcp-syn != 0`, outputPath });
    fetchFromServer('small.txt', 2);
    spawnSync('ping', ['-c', '2', '-i', '0.2', '127.0.0.1']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const result = await session.stop();
    // Only the two SYNs toward the server pass, nothing of the ping or the rest of each exchange.
    expect(result.counters.packets).toBe(2);
    const frames = readWithTshark(outputPath);
    expect(frames).toHaveLength(2);
  });

  it('rejects an invalid filter with libpcap\'s message', () => {
    const addon = loadCaptureAddon();
    expect(validateCaptureFilter(addon, 'tcp port')).toBe("can't parse filter expression: syntax error");
    expect(validateCaptureFilter(addon, 'tcp port 99999')).toBe('illegal port number 99999 > 65535');
    expect(validateCaptureFilter(addon, 'udp port 53 or icmp')).toBeNull();
    let caught: unknown = null;
    try {
      new LiveCaptureSession({ device: 'lo', filter: 'host and', outputPath: join(folder, 'never.pcapng') });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CaptureError);
    expect((caught as CaptureError).code).toBe('invalid-filter');
    expect((caught as CaptureError).message).toBe('Invalid capture filter "host and": can\'t parse filter expression: syntax error');
  });

  it('stops cleanly when the disk is full', async () => {
    const mountPoint = join(folder, 'small-disk');
    mkdirSync(mountPoint);
    runCommand('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint]);
    try {
      const outputPath = join(mountPoint, 'full.pcapng');
      const session = new LiveCaptureSession({ device: 'lo', filter: `tcp port ${port}`, outputPath });
      // 4 MB through loopback is far more than the 256 KiB the file system holds.
      fetchFromServer('large.bin', 1);
      const result = await Promise.race([session.finished, new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000))]);
      if (result === null) await session.stop();
      expect(result?.reason).toBe('disk-full');
      expect(result?.message).toContain('The disk is full');
      const frames = readWithTshark(outputPath);
      expect(frames.length).toBeGreaterThan(0);
      expect(frames.length).toBe(result?.counters.packetsWritten);
    } finally {
      runCommand('umount', [mountPoint]);
    }
  });

  it('tells an unprivileged user how to allow capture', async () => {
    const savedPath = join(folder, 'saved.pcapng');
    const saved = new LiveCaptureSession({ device: 'lo', filter: `tcp port ${port}`, outputPath: savedPath });
    fetchFromServer('small.txt', 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await saved.stop();
    chmodSync(savedPath, 0o644);

    const user = `tlcap-u${process.pid}`;
    runCommand('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user]);
    try {
      const output = join(folder, 'unprivileged');
      mkdirSync(output);
      chmodSync(output, 0o777);
      const capture = startTideline(null, ['capture', '-i', 'lo', '--count', '1', '--out', output], { user });
      expect(await capture.exited).toBe(1);
      expect(capture.stderr()).toContain('may not capture on lo');
      expect(capture.stderr()).toContain('setcap cap_net_raw,cap_net_admin=eip');

      // A saved capture still opens for the same user.
      const analyze = startTideline(null, ['analyze', savedPath, '--out', output], { user });
      expect(await analyze.exited).toBe(0);
      expect(analyze.stdout()).toContain('flows: 1');
    } finally {
      spawnSync('userdel', [user]);
    }
  });
});

if (skipReason !== null) {
  describe('live capture on loopback', () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
}
