/**
 * Helpers for live-capture integration tests: skip reasons, network
 * namespaces joined by a veth pair (all named tlcap-*), background programs
 * stopped by process id, and the tideline command line run in a namespace.
 * Traffic stays on loopback or inside the namespaces created here.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));
const ADDON = fileURLToPath(new URL('../../src/main/capture/native/build/Release/tideline_capture.node', import.meta.url));
const TSX_LOADER = new URL('../../node_modules/tsx/dist/esm/index.mjs', import.meta.url).href;
const CLI_ENTRY = fileURLToPath(new URL('../../src/main/cli/main.ts', import.meta.url));

/** Why live-capture tests cannot run here, or null when they can. */
export function findLabSkipReason(tools: readonly string[]): string | null {
  if (process.platform !== 'linux') return 'live capture lab tests need Linux network namespaces';
  if (process.getuid?.() !== 0) return 'live capture lab tests need root (namespaces, veth pairs, capture)';
  if (!existsSync(ADDON)) return `the capture addon is not built (${ADDON}); run: node src/main/capture/native/build-addon.mjs`;
  for (const tool of tools) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  return null;
}

/** Run a command to completion; throws with its stderr when it fails. */
export function runCommand(command: string, args: readonly string[], timeoutMs = 20_000): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}`);
  return result.stdout;
}

export interface LinkedNamespaces {
  /** Namespace names. Side a has address 10.66.<subnet>.1 and side b 10.66.<subnet>.2. */
  a: string;
  b: string;
  interfaceA: string;
  interfaceB: string;
  addressA: string;
  addressB: string;
  remove(): void;
}

/** Two namespaces joined by a veth pair, with loopback up in each. */
export function createLinkedNamespaces(tag: string, subnet: number): LinkedNamespaces {
  const a = `tlcap-${tag}-a`;
  const b = `tlcap-${tag}-b`;
  // Interface names are limited to 15 bytes.
  const interfaceA = `tlcap${tag}a`.slice(0, 15);
  const interfaceB = `tlcap${tag}b`.slice(0, 15);
  const namespaces: LinkedNamespaces = {
    a,
    b,
    interfaceA,
    interfaceB,
    addressA: `10.66.${subnet}.1`,
    addressB: `10.66.${subnet}.2`,
    remove() {
      spawnSync('ip', ['netns', 'del', a]);
      spawnSync('ip', ['netns', 'del', b]);
    },
  };
  namespaces.remove();
  try {
    runCommand('ip', ['netns', 'add', a]);
    runCommand('ip', ['netns', 'add', b]);
    runCommand('ip', ['link', 'add', interfaceA, 'netns', a, 'type', 'veth', 'peer', 'name', interfaceB, 'netns', b]);
    for (const [space, name, address] of [[a, interfaceA, namespaces.addressA], [b, interfaceB, namespaces.addressB]] as const) {
      runCommand('ip', ['-n', space, 'addr', 'add', `${address}/24`, 'dev', name]);
      runCommand('ip', ['-n', space, 'link', 'set', name, 'up']);
      runCommand('ip', ['-n', space, 'link', 'set', 'lo', 'up']);
    }
  } catch (error) {
    namespaces.remove();
    throw error;
  }
  return namespaces;
}

/** A background program; `stop` sends a signal and waits for its exit. */
export interface BackgroundProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Start `command` (inside `namespace` when given) in the background. */
export function startBackground(namespace: string | null, command: string, args: readonly string[], options: { user?: string } = {}): BackgroundProcess {
  let argv = [command, ...args];
  if (options.user !== undefined) argv = ['runuser', '-u', options.user, '--', ...argv];
  if (namespace !== null) argv = ['ip', 'netns', 'exec', namespace, ...argv];
  const child = spawn(argv[0] ?? '', argv.slice(1), { cwd: REPOSITORY, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, signal);
      return exited;
    },
  };
}

/**
 * Start `tideline` from source (inside `namespace` when given). The tsx loader
 * runs inside the one node process, so signals reach the command itself rather
 * than a wrapper that may kill a busy child.
 */
export function startTideline(namespace: string | null, args: readonly string[], options: { user?: string } = {}): BackgroundProcess {
  return startBackground(namespace, process.execPath, ['--import', TSX_LOADER, CLI_ENTRY, ...args], options);
}

/** Start tcpdump writing nanosecond pcap to `path`, and wait until it listens. */
export async function startTcpdump(namespace: string | null, device: string, filter: string, path: string): Promise<BackgroundProcess> {
  const tcpdump = startBackground(namespace, 'tcpdump', ['-i', device, '-n', '-U', '--immediate-mode', '--time-stamp-precision=nano', '-w', path, filter]);
  await waitFor(() => tcpdump.stderr().includes('listening on'), 10_000, `tcpdump on ${device} did not start: ${tcpdump.stderr()}`);
  return tcpdump;
}

/**
 * Make the kernel stamp each packet once, before packet sockets receive it.
 * Without a socket that requested SO_TIMESTAMPNS, Linux leaves the stamp unset
 * and each packet socket (tcpdump's, ours) reads the clock itself, so two
 * captures of one packet differ by about a microsecond. Holding one such UDP
 * socket open turns the shared stamp on. TCP segments arriving with their
 * sender's pacing time are the exception: they still get one clock read per socket.
 */
export async function holdKernelReceiveTimestamps(): Promise<BackgroundProcess> {
  const script = [
    'import socket, sys, time',
    's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
    "s.setsockopt(socket.SOL_SOCKET, getattr(socket, 'SO_TIMESTAMPNS', 35), 1)",  // 35 is SO_TIMESTAMPNS on Linux.
    "print('ready', flush=True)",
    'time.sleep(600)',
  ].join('\n');
  const holder = startBackground(null, 'python3', ['-c', script]);
  await waitFor(() => holder.stdout().includes('ready'), 10_000, `python3 timestamp holder did not start: ${holder.stderr()}`);
  return holder;
}

export async function waitFor(condition: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Frames as tshark reads them from `path`: epoch time text (nanosecond digits) and the raw bytes in hex. */
export function readWithTshark(path: string): { time: string; capturedLength: number; originalLength: number; hex: string }[] {
  const result = spawnSync('tshark', ['-r', path, '-T', 'json', '-x'], { encoding: 'utf8', timeout: 60_000, maxBuffer: 512 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`tshark -r ${path} failed (${result.status ?? result.signal}): ${result.stderr}`);
  type Frame = { _source: { layers: { frame_raw?: [string, ...unknown[]]; frame: Record<string, string> } } };
  const frames = JSON.parse(result.stdout === '' ? '[]' : result.stdout) as Frame[];
  return frames.map((frame) => ({
    time: frame._source.layers.frame['frame.time_epoch'] ?? '',
    capturedLength: Number(frame._source.layers.frame['frame.cap_len']),
    originalLength: Number(frame._source.layers.frame['frame.len']),
    hex: frame._source.layers.frame_raw?.[0] ?? '',
  }));
}

/** Number of packets in `path` as Wireshark's file reader counts them (capinfos, without dissecting each packet). */
export function countWithCapinfos(path: string): number {
  const output = runCommand('capinfos', ['-M', '-c', path], 120_000);
  const match = /Number of packets:\s+(\d+)/.exec(output);
  if (match === null) throw new Error(`capinfos printed no packet count for ${path}: ${output}`);
  return Number(match[1]);
}
