import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { CaptureError } from '../../src/main/capture/capture-error';
import { LiveCaptureSession, type LiveCaptureOptions, validateCaptureFilter } from '../../src/main/capture/live-capture-session';
import type { FlowRecord } from '../../src/shared/domain/flow';
import { ethernet, ipv4, tcp, toBytes, udp } from '../engine/decode/packet-bytes';
import { createFakeCaptureAddon, type FakePacket } from './fake-capture-addon';
import { readWrittenPackets, readWrittenStatistics } from './read-written-capture';

const folder = mkdtempSync(join(tmpdir(), 'tlcap-session-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let fileNumber = 0;

/** Build a TCP packet from 192.0.2.1:49152 to 198.51.100.2:80 with `payloadLength` bytes of payload. */
function tcpPacket(seconds: number, fraction: number, payloadLength = 0, flags = 0x02): FakePacket {
  const frame = toBytes(ethernet(0x0800, ipv4({ protocol: 6, payload: tcp({ flags, payload: new Array<number>(payloadLength).fill(0x61) }) })));
  return { seconds, fraction, data: frame };
}

function startSession(overrides: Partial<LiveCaptureOptions> = {}) {
  const addon = createFakeCaptureAddon();
  const flows: FlowRecord[] = [];
  const outputPath = join(folder, `capture-${++fileNumber}.pcapng`);
  const session = new LiveCaptureSession({
    device: 'eth9',
    outputPath,
    addon,
    counterIntervalMs: 60_000,
    onFlows: (batch) => flows.push(...batch),
    ...overrides,
  });
  const handle = addon.handles[0];
  if (handle === undefined) throw new Error('the session opened no handle');
  return { session, handle, flows, outputPath };
}

describe('LiveCaptureSession', () => {
  it('writes every packet with nanosecond times', async () => {
    const { session, handle, flows, outputPath } = startSession({ filter: 'tcp' });
    expect(handle.filter).toBe('tcp');
    expect(handle.options).toMatchObject({ snaplen: 262144, promiscuous: true, nanosecond: true });
    handle.deliver([tcpPacket(1_796_422_561, 553_894_097), tcpPacket(1_796_422_561, 600_000_001, 10)]);
    handle.deliver([tcpPacket(1_796_422_562, 5, 20)]);
    handle.statsValue = { received: 5, droppedByKernel: 2, droppedByInterface: 1, isValid: true };
    const result = await session.stop();

    expect(result.reason).toBe('stopped');
    expect(result.message).toBeNull();
    expect(result.files).toEqual([outputPath]);
    expect(result.counters).toMatchObject({ packets: 3, packetsWritten: 3, bytes: 54 * 3 + 30, droppedByKernel: 2, droppedByInterface: 1, libpcapReceived: 5 });
    expect(handle.isClosed).toBe(true);

    const written = await readWrittenPackets(outputPath);
    expect(written.warnings).toEqual([]);
    expect(written.ticksPerSecond).toEqual([1e9]);
    expect(written.packets.map((packet) => [packet.timestampUs, packet.timestampNsRemainder, packet.capturedLength])).toEqual([
      [1_796_422_561_553_894, 97, 54],
      [1_796_422_561_600_000, 1, 64],
      [1_796_422_562_000_000, 5, 74],
    ]);
    expect(readWrittenStatistics(outputPath)).toEqual([{ received: 5, droppedByInterface: 1, droppedByKernel: 2, delivered: 3 }]);

    // All three packets share one connection; it leaves the table at the end.
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({ originatorPackets: 3 });
    expect(result.summary).toMatchObject({ packets: 3, flows: 1, format: 'pcapng' });
    expect(result.summary.fileBytes).toBeGreaterThan(0);
  });

  it('points problems at the written block', async () => {
    const { session, handle, outputPath } = startSession();
    // A 10-byte frame is shorter than an Ethernet header.
    handle.deliver([tcpPacket(1, 0), { seconds: 2, fraction: 0, data: new Uint8Array(10) }]);
    const result = await session.stop();
    const written = await readWrittenPackets(outputPath);
    const problem = result.summary.decodeProblems.find((tally) => tally.code === 'truncated-link-header');
    expect(problem?.count).toBe(1);
    expect(problem?.examples[0]).toMatchObject({ packetNumber: 2, fileOffset: written.packets[1]?.fileOffset });
    expect(written.packets[1]?.fileOffset).toBeGreaterThan(0);
  });

  it('pauses analysis but keeps writing', async () => {
    const { session, handle, outputPath } = startSession();
    handle.deliver([tcpPacket(10, 0)]);
    session.pause();
    expect(session.isPaused).toBe(true);
    handle.deliver([tcpPacket(11, 0), tcpPacket(12, 0)]);
    session.resume();
    handle.deliver([tcpPacket(13, 0)]);
    const result = await session.stop();
    expect(result.counters).toMatchObject({ packets: 4, packetsWritten: 4, packetsNotAnalyzed: 2 });
    expect(result.summary.packets).toBe(2);
    expect((await readWrittenPackets(outputPath)).packets).toHaveLength(4);
  });

  it('stops at the packet count', async () => {
    const { session, handle, outputPath } = startSession({ stopAfterPackets: 2 });
    handle.deliver([tcpPacket(1, 0), tcpPacket(2, 0), tcpPacket(3, 0)]);
    const result = await session.finished;
    expect(result.reason).toBe('packet-count-reached');
    expect(result.counters.packets).toBe(2);
    expect((await readWrittenPackets(outputPath)).packets.map((packet) => packet.timestampUs)).toEqual([1_000_000, 2_000_000]);
  });

  it('stops after the duration', async () => {
    const { session, handle } = startSession({ stopAfterMs: 20 });
    handle.deliver([tcpPacket(1, 0)]);
    const result = await session.finished;
    expect(result.reason).toBe('duration-reached');
    expect(result.counters.packets).toBe(1);
  });

  it('finalizes the file when the interface disappears', async () => {
    const { session, handle, outputPath } = startSession();
    handle.deliver([tcpPacket(1, 0), tcpPacket(2, 0)]);
    handle.statsValue = { received: 2, droppedByKernel: 0, droppedByInterface: 0, isValid: true };
    handle.end('interface-removed', 'The interface disappeared');
    const result = await session.finished;
    expect(result.reason).toBe('interface-removed');
    expect(result.message).toBe('Capture on eth9 ended: The interface disappeared. The capture file was finalized.');
    expect((await readWrittenPackets(outputPath)).packets).toHaveLength(2);
    expect(readWrittenStatistics(outputPath)).toEqual([{ received: 2, droppedByInterface: 0, droppedByKernel: 0, delivered: 2 }]);
  });

  it('stops with a message on an internal error', async () => {
    const failing = { onFlowPacket: () => { throw new Error('analyzer bug'); } };
    const { session, handle, outputPath } = startSession({ analyzers: [failing] });
    handle.deliver([tcpPacket(1, 0), tcpPacket(2, 0)]);
    const result = await session.finished;
    expect(result.reason).toBe('internal-error');
    expect(result.message).toContain('Capture on eth9 stopped after an internal error at packet 1: analyzer bug');
    // The packet was written before the analyzer failed, and the file is whole.
    expect((await readWrittenPackets(outputPath)).packets).toHaveLength(1);
    expect(readWrittenStatistics(outputPath)).toHaveLength(1);
  });

  it('cuts packets to headers when asked', async () => {
    const { session, handle, outputPath } = startSession({ isHeadersOnly: true });
    const dns = toBytes(ethernet(0x0800, ipv4({ protocol: 17, payload: udp(5353, 53, new Array<number>(40).fill(0x62)) })));
    handle.deliver([tcpPacket(1, 0, 100, 0x18), { seconds: 2, fraction: 0, data: dns }]);
    const result = await session.stop();
    const written = await readWrittenPackets(outputPath);
    expect(written.packets.map((packet) => [packet.capturedLength, packet.originalLength])).toEqual([
      [54, 154],
      [42, 82],
    ]);
    expect(written.packets[0]?.hex).not.toContain('6161');
    // Flow byte counts come from the IP lengths, so the cut changes nothing there.
    expect(result.summary.wireBytes).toBe(154 + 82);
  });

  it('rotates ring files and deletes the oldest', async () => {
    const ringFolder = mkdtempSync(join(folder, 'ring-'));
    const outputPath = join(ringFolder, 'ring.pcapng');
    // Header blocks take about 150 bytes and each 74-byte packet block 104, so three packets fit in 500 bytes.
    const { session, handle } = startSession({ outputPath, ringFileBytes: 500, ringFiles: 2 });
    for (let second = 1; second <= 10; second++) handle.deliver([tcpPacket(second, 0, 20)]);
    const result = await session.stop();

    expect(result.files).toHaveLength(2);
    expect(result.deletedFiles.length).toBeGreaterThan(0);
    expect(readdirSync(ringFolder).sort()).toEqual(result.files.map((path) => path.slice(ringFolder.length + 1)).sort());
    for (const path of result.files) expect(path).toMatch(/ring_\d{5}_\d{14}\.pcapng$/);
    const last = await readWrittenPackets(result.files[1] ?? '');
    const previous = await readWrittenPackets(result.files[0] ?? '');
    expect(last.warnings).toEqual([]);
    expect([...previous.packets, ...last.packets].map((packet) => packet.timestampUs / 1e6).slice(-2)).toEqual([9, 10]);
    expect(readWrittenStatistics(result.files[0] ?? '')).toHaveLength(1);
    expect(result.deletedFiles.every((path) => !existsSync(path))).toBe(true);
  });
});

describe('opening errors', () => {
  function openError(code: string, message: string): CaptureError {
    try {
      new LiveCaptureSession({ device: 'eth9', outputPath: join(folder, 'never.pcapng'), addon: createFakeCaptureAddon({ openError: { code, message } }), executablePath: '/usr/bin/node' });
    } catch (error) {
      if (error instanceof CaptureError) return error;
      throw error;
    }
    throw new Error('expected a CaptureError');
  }

  it('explains missing permission with the fix', () => {
    const error = openError('permission-denied', 'eth9: You don\'t have permission to perform this capture on that device (socket: Operation not permitted)');
    expect(error.code).toBe('capture-permission-denied');
    if (process.platform === 'linux') expect(error.message).toContain('sudo setcap cap_net_raw,cap_net_admin=eip $(readlink -f /usr/bin/node)');
    expect(error.message).toContain('Operation not permitted');
  });

  it('names a missing interface', () => {
    const error = openError('no-such-device', 'eth9: No such device exists');
    expect(error.code).toBe('no-such-device');
    expect(error.message).toContain('--list-interfaces');
  });

  it('rejects an invalid filter with libpcap\'s message', () => {
    const addon = createFakeCaptureAddon();
    expect(() => new LiveCaptureSession({ device: 'eth9', outputPath: join(folder, 'bad-filter.pcapng'), addon, filter: 'bogus and' })).toThrow(
      'Invalid capture filter "bogus and": can\'t parse filter expression: syntax error',
    );
    expect(addon.handles[0]?.isClosed).toBe(true);
    expect(existsSync(join(folder, 'bad-filter.pcapng'))).toBe(false);
    expect(validateCaptureFilter(addon, 'bogus')).toBe("can't parse filter expression: syntax error");
    expect(validateCaptureFilter(addon, 'tcp port 80')).toBeNull();
  });
});
