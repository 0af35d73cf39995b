import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = join(__dirname, '../../src/main/cli/main.ts');
const TSX = join(__dirname, '../../node_modules/.bin/tsx');

function runCli(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(TSX, [MAIN, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// A pcap with one Ethernet/IPv4/UDP packet 10.0.0.1:5000 -> 10.0.0.2:53 carrying 4 payload bytes.
function buildPcap(): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0); // magic, microseconds
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16); // snaplen
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const frame = Buffer.from(
    '020000000002' + '020000000001' + '0800' + // Ethernet
      '4500' + '0020' + '0001' + '0000' + '4011' + '0000' + '0a000001' + '0a000002' + // IPv4, total length 32
      '1388' + '0035' + '000c' + '0000' + // UDP 5000 -> 53, length 12
      'deadbeef',
    'hex',
  );
  const record = Buffer.alloc(16);
  record.writeUInt32LE(1700000000, 0);
  record.writeUInt32LE(5, 4);
  record.writeUInt32LE(frame.length, 8);
  record.writeUInt32LE(frame.length, 12);
  return Buffer.concat([header, record, frame]);
}

describe('tideline analyze', () => {
  it('writes conn.log and exits 0', () => {
    const directory = mkdtempSync(join(tmpdir(), 'tideline-cli-'));
    writeFileSync(join(directory, 'one.pcap'), buildPcap());
    const result = runCli(['analyze', 'one.pcap'], directory);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('packets: 1');
    expect(result.stdout).toContain('flows: 1');
    const rows = readFileSync(join(directory, 'one.pcap.tideline', 'conn.log'), 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(rows.length).toBe(1);
    expect(rows[0]?.split('\t').slice(2, 7)).toEqual(['10.0.0.1', '5000', '10.0.0.2', '53', 'udp']);
    expect(rows[0]?.split('\t')[11]).toBe('S0');
  });

  it('exits 1 naming a missing file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'tideline-cli-'));
    const result = runCli(['analyze', 'missing.pcap'], directory);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('missing.pcap');
    expect(result.stderr).toContain('not-found');
  });

  it('exits 2 on usage errors', () => {
    const directory = mkdtempSync(join(tmpdir(), 'tideline-cli-'));
    expect(runCli(['analyze'], directory).status).toBe(2);
    expect(runCli(['analyze', 'x.pcap', '--format', 'csv'], directory).status).toBe(2);
    expect(runCli(['frobnicate'], directory).status).toBe(2);
  });
});
