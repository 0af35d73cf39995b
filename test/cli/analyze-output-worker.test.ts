/**
 * `tideline analyze` runs its logs and detectors in a worker thread when it
 * runs bundled (src/main/cli/analyze-output-worker.ts). These tests bundle
 * the command as the build does, run it with the worker
 * (TIDELINE_ANALYZE_THREADS=2, since the captures here are small) and with
 * TIDELINE_ANALYZE_THREADS=1 (one thread), and require the same files,
 * byte for byte apart from the #open and #close stamps, and the same summary.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../bench/generator/traffic-mix';

const root = join(import.meta.dirname, '..', '..');
const samplePath = join(root, 'assets', 'sample.pcapng');
let workDirectory = '';
let bundlePath = '';
let flowHeavyPath = '';

beforeAll(async () => {
  // Inside the repository, so the bundle's external packages resolve from node_modules.
  mkdirSync(join(root, 'out'), { recursive: true });
  workDirectory = mkdtempSync(join(root, 'out', 'output-worker-test-'));
  bundlePath = join(workDirectory, 'tideline.mjs');
  await build({
    entryPoints: [join(root, 'src/main/cli/main.ts')],
    outfile: bundlePath,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    external: ['./serve-command'],
    logLevel: 'warning',
  });
  // 17,078 packets and 4,671 flows: several batches of records and flows, and two of packets.
  flowHeavyPath = join(workDirectory, 'flow-heavy.pcap');
  generateCapture({ path: flowHeavyPath, seed: 3, sizeBytes: 6 * 1024 * 1024, variant: 'flow-heavy', format: 'pcap' });
}, 60_000);

afterAll(() => {
  rmSync(workDirectory, { recursive: true, force: true });
});

interface Run {
  stdout: string;
  files: Map<string, string>;
}

function analyze(capture: string, name: string, threads: 'worker' | 'single', extra: string[]): Run {
  const out = join(workDirectory, `${name}-${threads}`);
  const env = { ...process.env };
  // The test captures are small, so the worker is asked for explicitly.
  env['TIDELINE_ANALYZE_THREADS'] = threads === 'single' ? '1' : '2';
  const result = spawnSync(process.execPath, [bundlePath, 'analyze', capture, '--out', out, ...extra], {
    encoding: 'utf8',
    env,
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const files = new Map<string, string>();
  for (const file of readdirSync(out).sort()) {
    const text = readFileSync(join(out, file), 'utf8');
    files.set(file, text.replace(/^#(open|close)\t.*$/gm, '#$1'));
  }
  return { stdout: result.stdout.replaceAll(out, 'OUT'), files };
}

function expectSameRuns(capture: string, name: string, extra: string[] = []): Run {
  const worker = analyze(capture, name, 'worker', extra);
  const single = analyze(capture, name, 'single', extra);
  expect([...worker.files.keys()]).toEqual([...single.files.keys()]);
  for (const [file, text] of single.files) expect(worker.files.get(file), file).toBe(text);
  expect(worker.stdout).toBe(single.stdout);
  return worker;
}

describe('analyze output thread', () => {
  it('matches one thread on the sample', () => {
    const run = expectSameRuns(samplePath, 'sample');
    expect([...run.files.keys()]).toEqual([
      'alerts.jsonl',
      'conn.log',
      'dhcp.log',
      'dns.log',
      'http.log',
      'notice.log',
      'quic.log',
      'smb_files.log',
      'smb_mapping.log',
      'ssh.log',
      'ssl.log',
      'weird.log',
      'x509.log',
    ]);
    expect(run.files.get('alerts.jsonl')?.trim().split('\n')).toHaveLength(13);
    expect(run.stdout).toContain('packets: 1682 ');
    expect(run.stdout).toContain('flows: 266\n');
  });

  it('matches with JSON, --sort and --filter', () => {
    const run = expectSameRuns(samplePath, 'sample-json', [
      '--format',
      'json',
      '--sort',
      '--filter',
      'tcp.port == 443 || dns.qry.name contains "e"',
    ]);
    const rows = (run.files.get('conn.log') ?? '')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { ts: number });
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.map((row) => row.ts)).toEqual([...rows.map((row) => row.ts)].sort((a, b) => a - b));
  });

  it('matches over many batches', () => {
    const run = expectSameRuns(flowHeavyPath, 'flow-heavy');
    const connRows = (run.files.get('conn.log') ?? '')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    const dnsRows = (run.files.get('dns.log') ?? '').split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    // More flows and records than fit in one batch (1,024 events), more packets than one packet batch (16,384).
    expect(connRows.length + dnsRows.length).toBeGreaterThan(4 * 1024);
    expect(run.stdout).toContain('packets: 17078 ');
    expect(run.stdout).toContain('conn.log: OUT/conn.log (4671 flows, Zeek TSV)');
    expect(run.stdout).toContain('dns.log: OUT/dns.log (2570 records)');
    expect(run.files.get('alerts.jsonl')?.trim().split('\n')).toHaveLength(1839);
  });

  it('rejects a file that is not a capture', () => {
    for (const threads of ['worker', 'single'] as const) {
      const out = join(workDirectory, `not-capture-${threads}`);
      const env = { ...process.env, TIDELINE_ANALYZE_THREADS: threads === 'single' ? '1' : '2' };
      const result = spawnSync(process.execPath, [bundlePath, 'analyze', join(root, 'package.json'), '--out', out], {
        encoding: 'utf8',
        env,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('tideline analyze: cannot read');
      expect(readdirSync(out)).toEqual([]);
    }
  });
  it('reports an unwritable log and keeps conn.log', () => {
    for (const threads of ['1', '2']) {
      const out = join(workDirectory, `dns-log-folder-${threads}`);
      // A folder where dns.log should go: the first DNS record fails to open its log.
      mkdirSync(join(out, 'dns.log'), { recursive: true });
      const result = spawnSync(process.execPath, [bundlePath, 'analyze', samplePath, '--out', out], {
        encoding: 'utf8',
        env: { ...process.env, TIDELINE_ANALYZE_THREADS: threads },
      });
      expect(result.status, threads).toBe(1);
      expect(result.stderr, threads).toContain(`tideline analyze: cannot write the output in ${out} (EISDIR)`);
      expect(result.stderr, threads).not.toContain('unexpected failure');
      // conn.log is closed with what it had: its header.
      expect(readFileSync(join(out, 'conn.log'), 'utf8'), threads).toMatch(/^#fields\tts\tuid/m);
    }
  });

  it('keeps conn.log whole when the alerts cannot be written', () => {
    for (const threads of ['1', '2']) {
      const out = join(workDirectory, `alerts-folder-${threads}`);
      mkdirSync(join(out, 'alerts.jsonl'), { recursive: true });
      const result = spawnSync(process.execPath, [bundlePath, 'analyze', samplePath, '--out', out], {
        encoding: 'utf8',
        env: { ...process.env, TIDELINE_ANALYZE_THREADS: threads },
      });
      expect(result.status, threads).toBe(1);
      expect(result.stderr, threads).toContain('(EISDIR)');
      const conn = readFileSync(join(out, 'conn.log'), 'utf8');
      expect(
        conn.split('\n').filter((line) => line !== '' && !line.startsWith('#')),
        threads,
      ).toHaveLength(266);
      expect(conn, threads).toMatch(/^#close\t/m);
    }
  });

  it('checks the alert state file before reading', () => {
    const out = join(workDirectory, 'bad-alert-state');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'alert-state.json'), '{not json');
    const result = spawnSync(process.execPath, [bundlePath, 'analyze', samplePath, '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, TIDELINE_ANALYZE_THREADS: '2' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`alert state ${join(out, 'alert-state.json')}: not valid JSON`);
    expect(result.stderr).toContain('or move it away, then run again.');
    expect(readdirSync(out)).toEqual(['alert-state.json']);
  });

  it('warns about an unknown thread setting', () => {
    const out = join(workDirectory, 'threads-3');
    const result = spawnSync(process.execPath, [bundlePath, 'analyze', samplePath, '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, TIDELINE_ANALYZE_THREADS: '3' },
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('tideline analyze: ignoring TIDELINE_ANALYZE_THREADS=3: expected 1 or 2.\n');
  });
});
