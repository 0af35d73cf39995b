/**
 * Runs the lab recording script for single scenarios in a temporary folder:
 * checks the capture it writes and that the namespaces are gone afterwards,
 * also when the script fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTsharkAvailable, readTsharkPackets } from '../../scripts/lab/tshark-flows';

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'lab', 'record-fixtures.sh');
const PREFIX = `tl-t${process.pid}-`;
const REQUIRED_TOOLS = ['ip', 'ethtool', 'tcpdump', 'dumpcap', 'tcprewrite', 'nft', 'ping', 'dnsmasq', 'socat', 'curl', 'dig'];

function canBuildLab(): boolean {
  if (process.getuid?.() !== 0 || !isTsharkAvailable()) return false;
  return REQUIRED_TOOLS.every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
}

function listLabNamespaces(): string[] {
  const result = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return result.stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(PREFIX));
}

function runScript(folder: string, scenario: string) {
  return spawnSync('bash', [SCRIPT, folder, scenario], {
    encoding: 'utf8',
    env: { ...process.env, LAB_PREFIX: PREFIX },
    timeout: 60_000,
  });
}

// NOTE: needs root, the lab's Debian packages and tshark; skipped otherwise.
describe.skipIf(!canBuildLab())('record-fixtures.sh', () => {
  const folder = mkdtempSync(join(tmpdir(), 'tideline-lab-test-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('records a refused connection', () => {
    const result = runScript(folder, 'tcp_refused');
    expect(result.status, result.stderr).toBe(0);
    const packets = readTsharkPackets(join(folder, 'tcp-refused.pcap'));
    expect(packets.map((packet) => packet.tcpFlags)).toEqual([0x002, 0x014]);
    expect(packets[0]?.destinationPort).toBe(9999);
    expect(packets[1]?.source).toBe('198.51.100.20');
  });

  it('removes its namespaces after success', () => {
    expect(listLabNamespaces()).toEqual([]);
  });

  it('removes its namespaces after failure', () => {
    const result = runScript(folder, 'no_such_scenario');
    expect(result.status).not.toBe(0);
    expect(listLabNamespaces()).toEqual([]);
  });
});
