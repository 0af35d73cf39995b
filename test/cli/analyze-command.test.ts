import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCount, formatWrittenOutputs } from '../../src/main/cli/format-summary';
import { buildPcap, type PcapPacket } from '../support/capture-writer';

const MAIN = join(__dirname, '../../src/main/cli/main.ts');
const TSX = join(__dirname, '../../node_modules/.bin/tsx');

function runCli(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(TSX, [MAIN, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function makeDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'tideline-cli-'));
}

/** Ethernet + IPv4 + TCP (20-byte header, checksums zero) from 10.0.0.1:40000 or the reverse to 10.0.0.2:8081. */
function tcpFrame(fromClient: boolean, flags: number, seq: number, ack: number, payloadLength = 0): Uint8Array {
  const frame = new Uint8Array(14 + 20 + 20 + payloadLength);
  const view = new DataView(frame.buffer);
  view.setUint16(12, 0x0800); // EtherType IPv4
  frame[14] = 0x45; // version 4, IHL 5
  view.setUint16(16, 40 + payloadLength); // total length
  frame[22] = 64; // TTL
  frame[23] = 6; // protocol TCP
  frame.set(fromClient ? [10, 0, 0, 1, 10, 0, 0, 2] : [10, 0, 0, 2, 10, 0, 0, 1], 26); // source, destination
  view.setUint16(34, fromClient ? 40000 : 8081); // source port
  view.setUint16(36, fromClient ? 8081 : 40000); // destination port
  view.setUint32(38, seq); // sequence number
  view.setUint32(42, ack); // acknowledgement number
  frame[46] = 0x50; // data offset 5
  frame[47] = flags;
  view.setUint16(48, 1024); // window
  return frame;
}

// A complete connection: handshake, 10 bytes each way, FIN both ways, last ACK.
function connectionPackets(): PcapPacket[] {
  const frames = [
    tcpFrame(true, 0x02, 100, 0),
    tcpFrame(false, 0x12, 500, 101),
    tcpFrame(true, 0x10, 101, 501),
    tcpFrame(true, 0x18, 101, 501, 10),
    tcpFrame(false, 0x18, 501, 111, 10),
    tcpFrame(true, 0x11, 111, 511),
    tcpFrame(false, 0x11, 511, 112),
    tcpFrame(true, 0x10, 112, 512),
  ];
  return frames.map((data, index) => ({ timestampUs: 1_700_000_000_000_000 + index * 1000, data }));
}

function readRows(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split('\t'));
}

describe('tideline analyze', () => {
  it('writes conn.log into the default folder', () => {
    const directory = makeDirectory();
    writeFileSync(join(directory, 'one.pcap'), buildPcap({ packets: connectionPackets() }));
    const result = runCli(['analyze', 'one.pcap'], directory);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('packets: 8');
    expect(result.stdout).toContain('flows: 1');
    expect(result.stdout).toContain('EN10MB (1): 8');

    const rows = readRows(join(directory, 'one.pcap.tideline', 'conn.log'));
    expect(rows.length).toBe(1);
    expect(rows[0]?.slice(2, 7)).toEqual(['10.0.0.1', '40000', '10.0.0.2', '8081', 'tcp']);
    expect(rows[0]?.slice(8, 12)).toEqual(['0.006000', '10', '10', 'SF']);
    expect(rows[0]?.[15]).toBe('ShADdFf');
  });

  it('writes JSON lines into --out', () => {
    const directory = makeDirectory();
    writeFileSync(join(directory, 'one.pcap'), buildPcap({ packets: connectionPackets() }));
    const result = runCli(['analyze', 'one.pcap', '--out', 'logs', '--format=json'], directory);
    expect(result.status).toBe(0);
    const lines = readFileSync(join(directory, 'logs', 'conn.log'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.length).toBe(1);
    const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(record.ts).toBe(1_700_000_000);
    expect(record.conn_state).toBe('SF');
    expect(record.orig_pkts).toBe(5);
    expect(record.resp_ip_bytes).toBe(130);
  });

  // A UDP flow on port 9999 (60 s timeout) starts first, then an unanswered SYN (5 s attempt timeout).
  function twoFlowPackets(): PcapPacket[] {
    const udp = new Uint8Array(14 + 20 + 8 + 4);
    const view = new DataView(udp.buffer);
    view.setUint16(12, 0x0800); // EtherType IPv4
    udp[14] = 0x45; // version 4, IHL 5
    view.setUint16(16, 32); // total length
    udp[23] = 17; // protocol UDP
    udp.set([10, 0, 0, 3, 10, 0, 0, 4], 26); // source, destination
    view.setUint16(34, 40001); // source port
    view.setUint16(36, 9999); // destination port
    view.setUint16(38, 12); // UDP length
    return [
      { timestampUs: 1_700_000_000_000_000, data: udp },
      { timestampUs: 1_700_000_001_000_000, data: tcpFrame(true, 0x02, 100, 0) },
    ];
  }

  it('writes rows as flows end unless --sort', () => {
    const directory = makeDirectory();
    writeFileSync(join(directory, 'two.pcap'), buildPcap({ packets: twoFlowPackets() }));
    expect(runCli(['analyze', 'two.pcap', '--out', 'streamed'], directory).status).toBe(0);
    expect(runCli(['analyze', 'two.pcap', '--out', 'sorted', '--sort'], directory).status).toBe(0);

    // The SYN's flow times out first, so it leaves the table first.
    const streamed = readRows(join(directory, 'streamed', 'conn.log'));
    expect(streamed.map((row) => row[6])).toEqual(['tcp', 'udp']);
    const sorted = readRows(join(directory, 'sorted', 'conn.log'));
    expect(sorted.map((row) => row[6])).toEqual(['udp', 'tcp']);
    expect(sorted.map((row) => row[0])).toEqual(['1700000000.000000', '1700000001.000000']);
  });

  it('leaves no conn.log for an unreadable file', () => {
    const directory = makeDirectory();
    writeFileSync(join(directory, 'notes.txt'), 'plain text, not a capture\n');
    expect(runCli(['analyze', 'notes.txt', '--out', 'logs'], directory).status).toBe(1);
    expect(existsSync(join(directory, 'logs', 'conn.log'))).toBe(false);
  });

  it('exits 0 and reports a cut-off record', () => {
    const directory = makeDirectory();
    const bytes = buildPcap({ packets: connectionPackets() });
    writeFileSync(join(directory, 'cut.pcap'), bytes.subarray(0, bytes.length - 20));
    const result = runCli(['analyze', 'cut.pcap'], directory);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('packets: 7');
    expect(result.stdout).toContain('truncated-file: 1');
  });

  it('exits 1 naming a missing file', () => {
    const result = runCli(['analyze', 'missing.pcap'], makeDirectory());
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('missing.pcap');
    expect(result.stderr).toContain('not-found');
  });

  it('exits 1 on a file that is not a capture', () => {
    const directory = makeDirectory();
    writeFileSync(join(directory, 'notes.txt'), 'plain text, not a capture\n');
    const result = runCli(['analyze', 'notes.txt'], directory);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('notes.txt');
    expect(result.stderr).toContain('not-a-capture');
  });

  it('exits 2 on usage errors', () => {
    const directory = makeDirectory();
    expect(runCli(['analyze'], directory).status).toBe(2);
    expect(runCli(['analyze', 'x.pcap', '--format', 'csv'], directory).status).toBe(2);
    expect(runCli(['analyze', 'a.pcap', 'b.pcap'], directory).status).toBe(2);
    expect(runCli(['frobnicate'], directory).status).toBe(2);
  });

  it('prints a usage error with its caret and a pointer to --help, not the whole help', () => {
    const result = runCli(['analyze', 'x.pcap', '--filter', 'tcp.port == == 80'], makeDirectory());
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')).toEqual([
      'tideline analyze: --filter is invalid at column 13: Expected a value after "tcp.port", found "==".',
      '  tcp.port == == 80',
      '              ^',
      'Run "tideline analyze --help" for the options.',
      '',
    ]);
    const format = runCli(['analyze', 'x.pcap', '--format', 'csv'], makeDirectory());
    expect(format.stderr.trim().split('\n')).toHaveLength(2);
  });

  it('lists every file written, with singular counts', () => {
    expect(formatCount(1, 'record')).toBe('1 record');
    expect(formatCount(0, 'record')).toBe('0 records');
    const outputs = {
      directory: '/out',
      format: 'zeek' as const,
      connFlows: 38,
      connFlowsBeforeFilter: 266,
      displayFilter: 'tcp.port == 443',
      analyzerLogCounts: { dns: 13, x509: 1 },
      notices: 1,
      alerts: 1,
    };
    expect(formatWrittenOutputs(outputs).split('\n')).toEqual([
      "conn.log: /out/conn.log (38 of 266 flows match the filter 'tcp.port == 443', Zeek TSV)",
      'dns.log: /out/dns.log (13 records)',
      'x509.log: /out/x509.log (1 record)',
      'notice.log: /out/notice.log (1 notice)',
      'alerts.jsonl: /out/alerts.jsonl (1 alert)',
      '',
    ]);
    const plain = formatWrittenOutputs({ ...outputs, format: 'json', displayFilter: null, connFlows: 1, notices: 0, alerts: 0 });
    expect(plain).toContain('conn.log: /out/conn.log (1 flow, Zeek JSON lines)\n');
    expect(plain).not.toContain('notice.log');
    expect(plain).toContain('alerts.jsonl: /out/alerts.jsonl (0 alerts)');
  });

  it('prints help and version', () => {
    const directory = makeDirectory();
    const help = runCli(['--help'], directory);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('analyze FILE [--out DIR] [--format zeek|json] [--sort] [--filter EXPR]');
    expect(help.stdout).toContain('--filter EXPR');
    expect(help.stdout).toContain('--sort');
    expect(help.stdout).toContain('notice.log and alerts.jsonl');
    expect(help.stdout).not.toContain('write its flows as conn.log');
    expect(runCli(['--version'], directory).stdout).toMatch(/^tideline \d+\.\d+\.\d+/);
  });
});
