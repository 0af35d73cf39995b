import { describe, expect, it } from 'vitest';

import type { LiveCaptureResult } from '../../src/main/capture/live-capture-session';
import {
  formatCaptureResult,
  formatCounters,
  formatDeviceList,
  parseCaptureArguments,
} from '../../src/main/cli/capture-command';

describe('parseCaptureArguments', () => {
  it('reads every option', () => {
    const parsed = parseCaptureArguments([
      '-i',
      'eth0',
      '-f',
      'tcp port 80',
      '-w',
      'x.pcapng',
      '--out',
      'dir',
      '--duration',
      '2.5',
      '--count',
      '100',
      '-s',
      '128',
      '-p',
      '-B',
      '16',
      '-b',
      'filesize:1000',
      '-b',
      'files:5',
      '--headers-only',
      '--format=json',
      '--sort',
    ]);
    expect(parsed).toMatchObject({
      device: 'eth0',
      filter: 'tcp port 80',
      writeFile: 'x.pcapng',
      outputDirectory: 'dir',
      durationSeconds: 2.5,
      count: 100,
      snaplen: 128,
      isPromiscuous: false,
      bufferSizeMib: 16,
      ringFileKilobytes: 1000,
      ringFiles: 5,
      isHeadersOnly: true,
      format: 'json',
      isSorted: true,
    });
  });

  it('lists interfaces without -i', () => {
    expect(parseCaptureArguments(['--list-interfaces'])).toMatchObject({ isListInterfaces: true, device: null });
  });

  it.each([
    [[], 'missing interface: tideline capture -i IFACE (list them with --list-interfaces)'],
    [['-i'], '-i requires a value'],
    [['-i', 'lo', '--count', '0'], '--count must be a positive whole number, found "0"'],
    [['-i', 'lo', '--duration', 'soon'], '--duration must be a positive number of seconds, found "soon"'],
    [['-i', 'lo', '-s', '300000'], '--snaplen must be 1 to 262144 bytes, found "300000"'],
    [['-i', 'lo', '-b', 'duration:5'], '-b accepts filesize:KB or files:N, found "duration:5"'],
    [['-i', 'lo', '-b', 'files:x'], '-b files: needs a positive whole number, found "x"'],
    [['-i', 'lo', '--format', 'csv'], '--format must be "zeek" or "json", found "csv"'],
    [['-i', 'lo', 'extra'], 'unknown option or argument "extra"'],
    [['-i', 'lo', '--bogus'], 'unknown option or argument "--bogus"'],
  ])('rejects %j', (argv, message) => {
    expect(parseCaptureArguments(argv)).toEqual({ error: message });
  });
});

describe('formatting', () => {
  it('prints counters with rates and drops', () => {
    const line = formatCounters({
      packets: 1200,
      bytes: 900_000,
      libpcapReceived: 1210,
      droppedByKernel: 7,
      droppedByInterface: 1,
      packetsPerSecond: 400.4,
      bitsPerSecond: 2_400_000,
      packetsWritten: 1200,
      packetsNotAnalyzed: 0,
      elapsedMs: 3000,
    });
    expect(line).toBe('1200 packets, 900000 bytes, 400 packets/s, 2.40 Mbit/s, dropped: 7 by kernel, 1 by interface');
  });

  it('lists devices with flags and addresses', () => {
    const text = formatDeviceList([
      {
        name: 'eth0',
        description: null,
        isUp: true,
        isRunning: true,
        isLoopback: false,
        isWireless: false,
        connectionStatus: 'connected',
        addresses: [
          { family: 'ipv4', address: '10.66.0.2', netmask: '255.255.0.0', broadcast: null, destination: null },
        ],
        isDefaultRoute: true,
        flags: 0x16,
      },
    ]);
    expect(text).toBe('1. eth0 [up, running, connected, default route]\n     ipv4 10.66.0.2 netmask 255.255.0.0\n');
  });
});

describe('formatCaptureResult', () => {
  const result = (received: number): LiveCaptureResult =>
    ({
      reason: 'duration-reached',
      message: null,
      files: ['/tmp/live/capture.pcapng'],
      deletedFiles: [],
      counters: { packets: 121, packetsWritten: 121, bytes: 20_000, packetsNotAnalyzed: 0 },
      libpcapStats: { received, droppedByKernel: 0, droppedByInterface: 0, isValid: true },
    }) as unknown as LiveCaptureResult;

  it('explains a libpcap count above the packets received', () => {
    const lines = formatCaptureResult(result(242)).trim().split('\n');
    expect(lines[2]).toBe('packets received: 121  written: 121  bytes: 20000');
    expect(lines[3]).toBe('libpcap: received 242, dropped by kernel 0, dropped by interface 0');
    expect(lines[4]).toMatch(/^libpcap's received count includes packets .* loopback interface$/);
  });

  it('adds no explanation when the counts agree', () => {
    expect(formatCaptureResult(result(121)).trim().split('\n')).toHaveLength(4);
  });
});
