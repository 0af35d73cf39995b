/**
 * A live capture started from the page under `tideline serve`, on loopback,
 * checked against tcpdump capturing the same traffic at the same time:
 * flow packet counts and start times in the view, and the written pcapng
 * read back by tshark (packet count, bytes and timestamps).
 *
 * Needs root (to open `lo`), the built capture addon, tcpdump, tshark, curl
 * and python3; it skips with the reason otherwise. Traffic goes to
 * 127.0.0.1 only: a python http.server and a few curl requests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect, test, type Page } from '@playwright/test';

import { SEPARATELY_STAMPED_SKEW_US } from '../capture/clock-skew';
import { repositoryRoot, samplePath } from './sample-facts';

const launcher = join(repositoryRoot, 'bin', 'tideline.mjs');
const addonPath = join(repositoryRoot, 'src', 'main', 'capture', 'native', 'build', 'Release', 'tideline_capture.node');
const requestCount = 5;
/**
 * NOTE: on loopback, Linux stamps a packet once only while some socket has
 * asked for receive timestamps. Otherwise, and for TCP segments that carry
 * their sender's pacing time, each packet socket (tcpdump's and ours) reads
 * the clock itself, so the two stamps differ by microseconds, more under load.
 * Times therefore match within SEPARATELY_STAMPED_SKEW_US.
 */
const clockSkewUs = SEPARATELY_STAMPED_SKEW_US;

function findSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'live capture on lo needs root (or CAP_NET_RAW); run as root';
  if (!existsSync(addonPath)) return `the capture addon is not built (${addonPath}); run "npm run build:capture"`;
  for (const tool of ['tcpdump', 'tshark', 'curl', 'python3']) {
    if (spawnSync('which', [tool]).status !== 0) return `${tool} is not installed`;
  }
  return null;
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Start a process and resolve once `pattern` appears in its output. */
function startAndWaitFor(
  command: string,
  args: string[],
  pattern: RegExp,
  env?: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`${command} printed nothing matching ${pattern} within 30 s:\n${output}`)),
      30_000,
    );
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${output}`));
    });
  });
}

async function stopProcess(child: ChildProcess | null, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child === null || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
}

interface TsharkPacket {
  epochUs: number;
  sourcePort: number;
  destinationPort: number;
  frameLength: number;
}

/** Packets of a capture file as tshark reads them; microsecond timestamps from the seconds text. */
function readPackets(path: string): TsharkPacket[] {
  const result = spawnSync(
    'tshark',
    ['-r', path, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'frame.len'],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`tshark -r ${path} failed: ${result.stderr}`);
  return result.stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [time = '', source = '', destination = '', length = ''] = line.split('\t');
      const [seconds = '0', fraction = ''] = time.split('.');
      return {
        epochUs: Number(seconds) * 1_000_000 + Number(fraction.padEnd(9, '0').slice(0, 6)),
        sourcePort: Number(source),
        destinationPort: Number(destination),
        frameLength: Number(length),
      };
    });
}

/** Frame bytes in hex, one string per packet, from tshark's JSON with raw bytes. */
function readFrameBytes(path: string): string[] {
  const result = spawnSync('tshark', ['-r', path, '-T', 'json', '-x'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`tshark -T json -x -r ${path} failed: ${result.stderr}`);
  const packets = JSON.parse(result.stdout) as { _source: { layers: { frame_raw: [string, ...unknown[]] } } }[];
  return packets.map((packet) => packet._source.layers.frame_raw[0]);
}

/** Microseconds since the epoch from the page's "YYYY-MM-DD HH:MM:SS.ffffffZ". */
function parseUtcMicroseconds(text: string): number {
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d{6})Z$/.exec(text);
  if (match === null) throw new Error(`not a UTC timestamp with microseconds: "${text}"`);
  return Date.parse(`${match[1]}T${match[2]}Z`) * 1000 + Number(match[3]);
}

async function readCounter(page: Page, key: string): Promise<string> {
  return (await page.locator(`[data-counter="${key}"] dd`).textContent()) ?? '';
}

test('live capture on loopback matches tcpdump', async ({ page }) => {
  const skipReason = findSkipReason();
  test.skip(skipReason !== null, skipReason ?? '');
  test.setTimeout(120_000);

  const folder = mkdtempSync(join(tmpdir(), 'tideline-live-e2e-'));
  const port = await findFreePort();
  const filter = `tcp port ${port}`;
  let serve: ChildProcess | null = null;
  let web: ChildProcess | null = null;
  let tcpdump: ChildProcess | null = null;
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  try {
    web = (
      await startAndWaitFor(
        'python3',
        ['-u', '-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', folder],
        /Serving HTTP/,
      )
    ).child;
    const started = await startAndWaitFor(
      process.execPath,
      [launcher, 'serve', samplePath, '--port', '0'],
      /https?:\/\/\S+\?token=\S+/,
      {
        ...process.env,
        TIDELINE_DATA_DIR: join(folder, 'data'),
      },
    );
    serve = started.child;

    // Pick lo, set the filter and start.
    await page.goto(started.match[0]);
    await page.getByRole('button', { name: 'Live capture', exact: true }).click();
    await page.locator('input[name="capture-interface"][value="lo"]').check();
    await page.locator('#capture-filter').fill(filter);
    await page.locator('#capture-filter').press('Tab');
    await expect(page.getByText('Filter compiles.')).toBeVisible();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(page.getByTestId('live-status')).toHaveText('Capturing on lo');

    // tcpdump on the same interface and filter, then the traffic.
    const tcpdumpFile = join(folder, 'tcpdump.pcap');
    tcpdump = (await startAndWaitFor('tcpdump', ['-i', 'lo', '-U', '-w', tcpdumpFile, filter], /listening on lo/))
      .child;
    for (let index = 0; index < requestCount; index += 1) {
      const curl = spawnSync('curl', ['-s', '-o', '/dev/null', '-m', '5', `http://127.0.0.1:${port}/`]);
      expect(curl.status).toBe(0);
      // Spread the requests so the rate strip shows them as separate bars.
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await expect.poll(() => readCounter(page, 'packets')).not.toBe('0');
    await expect(page.locator('[aria-label="Live flows"] tbody tr')).toHaveCount(requestCount);
    // A live capture has no size, so the status bar counts packets instead of a load percentage.
    await expect(page.getByTestId('status-phase')).toHaveText('Capturing');
    await expect(page.locator('.status-bar')).not.toContainText('Loading');
    await expect(page.getByTestId('status-packets')).not.toHaveText('0 packets');
    if (process.env.TIDELINE_UPDATE_SCREENSHOTS === '1')
      await page.screenshot({ path: join(repositoryRoot, 'docs', 'screenshots', 'live-capture.png') });
    await stopProcess(tcpdump, 'SIGINT');
    tcpdump = null;

    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(page.getByTestId('live-status')).toHaveAttribute('data-phase', 'ended');

    // The drop counters are on screen, and none were dropped at this rate.
    expect(await readCounter(page, 'kernel-drops')).toBe('0');
    expect(await readCounter(page, 'interface-drops')).toBe('0');

    // tcpdump's view: per client port, the packets and the first packet's time.
    const reference = readPackets(tcpdumpFile);
    const byClient = new Map<number, { packets: number; firstUs: number }>();
    for (const packet of reference) {
      const client = packet.sourcePort === port ? packet.destinationPort : packet.sourcePort;
      const entry = byClient.get(client) ?? { packets: 0, firstUs: packet.epochUs };
      entry.packets += 1;
      byClient.set(client, entry);
    }
    expect(byClient.size).toBe(requestCount);

    // The flows the page shows after stop, final records.
    const rows = page.locator('[aria-label="Live flows"] tbody tr');
    await expect(rows).toHaveCount(requestCount);
    await expect(rows.first()).not.toContainText('open');
    const shown = await rows.evaluateAll((elements) =>
      elements.map((row) => Array.from(row.querySelectorAll('td')).map((cell) => cell.textContent?.trim() ?? '')),
    );
    const flows = shown.map(([start = '', originator = '', responder = '', , packets = '']) => ({
      start,
      clientPort: Number(originator.split(':').pop()),
      responder,
      packets: Number(packets.replace(/\D/g, '')),
    }));
    for (const flow of flows) {
      const expected = byClient.get(flow.clientPort);
      expect(expected, `client port ${flow.clientPort} in tcpdump`).toBeDefined();
      expect(flow.responder).toBe(`127.0.0.1:${port}`);
      expect(flow.packets).toBe(expected?.packets);
      expect(Math.abs(parseUtcMicroseconds(flow.start) - (expected?.firstUs ?? 0))).toBeLessThan(clockSkewUs);
    }

    // The written file through tshark: same packets, bytes and microsecond times as tcpdump's.
    const captureFolder = (await page.getByTestId('live-folder').textContent()) ?? '';
    expect(readdirSync(captureFolder)).toEqual(['capture.pcapng']);
    const written = join(captureFolder, 'capture.pcapng');
    const writtenPackets = readPackets(written);
    expect(writtenPackets).toHaveLength(reference.length);
    expect(writtenPackets.map((packet) => packet.frameLength)).toEqual(reference.map((packet) => packet.frameLength));
    writtenPackets.forEach((packet, index) => {
      expect(Math.abs(packet.epochUs - (reference[index]?.epochUs ?? 0))).toBeLessThan(clockSkewUs);
    });
    expect(readFrameBytes(written)).toEqual(readFrameBytes(tcpdumpFile));
    expect(pageErrors).toEqual([]);
  } finally {
    await stopProcess(tcpdump, 'SIGINT');
    await stopProcess(web);
    await stopProcess(serve);
    rmSync(folder, { recursive: true, force: true });
  }
});

test('an unprivileged user gets the capture fix and keeps the app', async ({ page }) => {
  const skipReason =
    findSkipReason() ?? (spawnSync('which', ['useradd']).status === 0 ? null : 'useradd is not installed');
  test.skip(skipReason !== null, skipReason ?? '');
  test.setTimeout(60_000);

  const folder = mkdtempSync(join(tmpdir(), 'tideline-live-e2e-user-'));
  chmodSync(folder, 0o777);
  const user = `tlcap-e2e${process.pid}`;
  const created = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user], {
    encoding: 'utf8',
  });
  if (created.status !== 0) throw new Error(`useradd ${user} failed: ${created.stderr}`);
  let serve: ChildProcess | null = null;
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  try {
    const started = await startAndWaitFor(
      'runuser',
      ['-u', user, '--', process.execPath, launcher, 'serve', samplePath, '--port', '0'],
      /https?:\/\/\S+\?token=\S+/,
      { ...process.env, HOME: folder, TIDELINE_DATA_DIR: join(folder, 'data') },
    );
    serve = started.child;
    await page.goto(started.match[0]);
    await page.getByRole('button', { name: 'Live capture', exact: true }).click();
    await page.locator('input[name="capture-interface"][value="lo"]').check();
    await page.getByRole('button', { name: 'Start', exact: true }).click();

    const error = page.getByTestId('live-error');
    await expect(error).toContainText('No permission to capture');
    await expect(error).toContainText('may not capture on lo');
    await expect(error).toContainText('setcap cap_net_raw,cap_net_admin=eip');
    await expect(error).not.toContainText(/run (tideline )?as root/i);
    await expect(page.getByTestId('live-status')).toHaveAttribute('data-phase', 'idle');

    // The saved capture the server opened is still there.
    await page.getByRole('button', { name: /^Flows/ }).click();
    await expect(page.getByTestId('flow-count')).not.toHaveAttribute('data-total', '0');
    expect(pageErrors).toEqual([]);
  } finally {
    // runuser passes SIGTERM on to the server, which stops its engine.
    await stopProcess(serve);
    spawnSync('userdel', [user]);
    rmSync(folder, { recursive: true, force: true });
  }
});
