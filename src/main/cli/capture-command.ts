import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

import type { FlowRecord } from '../../shared/domain/flow';
import { loadCaptureAddon } from '../capture/capture-addon';
import type { CaptureCounters } from '../capture/capture-counters';
import { listCaptureDevices, type CaptureDevice } from '../capture/capture-devices';
import { CaptureError } from '../capture/capture-error';
import { LiveCaptureSession, type LiveCaptureResult } from '../capture/live-capture-session';
import { createAnalyzerLogFiles } from '../engine/analyzers/analyzer-log-files';
import { ApplicationAnalyzers } from '../engine/analyzers/application-analyzers';
import { AlertStateStore, alertStateFileName } from '../engine/detectors/alert-state-store';
import { DetectionEngine } from '../engine/detectors/detection-engine';
import { createProtocolRecordSinks } from '../engine/detectors/protocol';
import { writeDetectionOutputs } from '../engine/output/notice-log';
import {
  compareFlowsForLog,
  formatConnLogFooter,
  formatConnLogHeader,
  formatConnLogJsonLine,
  formatConnLogRow,
  isConnLogFlow,
} from '../engine/output/zeek-conn-log';
import { FILE_ERROR_EXIT_CODE, SUCCESS_EXIT_CODE, USAGE_EXIT_CODE } from './exit-codes';
import { formatCaptureSummary, formatUsageError, formatWrittenOutputs } from './format-summary';

const CAPTURE_HELP = `Usage: tideline capture -i IFACE [-f FILTER] [-w FILE] [--out DIR] [--duration S] [--count N]
       tideline capture --list-interfaces

Capture live traffic on a local interface and write every packet to a pcapng
file. As tideline analyze does, each flow goes to DIR/conn.log when it ends,
the application analyzers' records to dns.log, http.log and the rest, and
when the capture ends the detectors' alerts to alerts.jsonl and notice.log.
Counters go to stderr once a second; Ctrl-C stops.

  -i, --interface IFACE  interface to capture on (see --list-interfaces)
  -f, --filter FILTER    BPF capture filter in libpcap syntax, e.g. "tcp port 443"
  -w, --write FILE       pcapng file (default: DIR/capture.pcapng)
  --out DIR              folder for the logs and the default capture file, created if missing
                         (default: ./<FILE name>.tideline with -w, else ./tideline-capture-IFACE-TIME)
  --duration S           stop after S seconds
  --count N              stop after N packets
  -s, --snaplen BYTES    bytes kept of each packet (default 262144)
  -p, --no-promiscuous   do not put the interface into promiscuous mode
  -B, --buffer-size MIB  kernel capture buffer in MiB (default: libpcap's, 2 MiB on Linux)
  -b filesize:KB         ring buffer: start a new file after KB kilobytes (1000 bytes), as dumpcap -b
  -b files:N             ring buffer: keep only the newest N files
  --headers-only         privacy: cut each packet after its last transport header
  --format zeek|json     logs as Zeek TSV (default) or Zeek JSON lines
  --sort                 write conn.log rows in ts order when the capture ends; this
                         holds every flow in memory until then, and a capture killed
                         before its end leaves no conn.log rows
  -D, --list-interfaces  list capture interfaces with flags and addresses, then exit

Exit status: 0 the capture ended as asked, 1 it could not start or ended on an
error (permission, missing interface, disk full, interface gone), 2 invalid command line.
`;

export interface CaptureArguments {
  isHelp: boolean;
  isListInterfaces: boolean;
  device: string | null;
  filter: string | undefined;
  writeFile: string | null;
  outputDirectory: string | null;
  durationSeconds: number | undefined;
  count: number | undefined;
  snaplen: number | undefined;
  isPromiscuous: boolean;
  bufferSizeMib: number | undefined;
  ringFileKilobytes: number | null;
  ringFiles: number | null;
  isHeadersOnly: boolean;
  format: 'zeek' | 'json';
  isSorted: boolean;
}

/** Parse `capture` arguments. Returns the arguments or an error message for a usage error. */
export function parseCaptureArguments(argv: string[]): CaptureArguments | { error: string } {
  const parsed: CaptureArguments = {
    isHelp: false,
    isListInterfaces: false,
    device: null,
    filter: undefined,
    writeFile: null,
    outputDirectory: null,
    durationSeconds: undefined,
    count: undefined,
    snaplen: undefined,
    isPromiscuous: true,
    bufferSizeMib: undefined,
    ringFileKilobytes: null,
    ringFiles: null,
    isHeadersOnly: false,
    format: 'zeek',
    isSorted: false,
  };

  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i] ?? '';
    const [name, inlineValue] =
      argument.startsWith('--') && argument.includes('=') ? splitOnce(argument) : [argument, undefined];
    const takeValue = (): string | { error: string } => {
      const value = inlineValue ?? argv[++i];
      return value === undefined || value === '' ? { error: `${name} requires a value` } : value;
    };

    switch (name) {
      case '-h':
      case '--help':
        parsed.isHelp = true;
        return parsed;
      case '-D':
      case '--list-interfaces':
        parsed.isListInterfaces = true;
        continue;
      case '-p':
      case '--no-promiscuous':
        parsed.isPromiscuous = false;
        continue;
      case '--headers-only':
        parsed.isHeadersOnly = true;
        continue;
      case '--sort':
        parsed.isSorted = true;
        continue;
    }

    if (!isValueOption(name)) return { error: `unknown option or argument "${argument}"` };
    const value = takeValue();
    if (typeof value !== 'string') return value;
    const problem = applyValueOption(parsed, name, value);
    if (problem !== null) return { error: problem };
  }

  if (!parsed.isListInterfaces && parsed.device === null)
    return { error: 'missing interface: tideline capture -i IFACE (list them with --list-interfaces)' };
  return parsed;
}

const VALUE_OPTIONS = [
  '-i',
  '--interface',
  '-f',
  '--filter',
  '-w',
  '--write',
  '--out',
  '--duration',
  '--count',
  '-s',
  '--snaplen',
  '-B',
  '--buffer-size',
  '-b',
  '--format',
];

function isValueOption(name: string): boolean {
  return VALUE_OPTIONS.includes(name);
}

function applyValueOption(parsed: CaptureArguments, name: string, value: string): string | null {
  switch (name) {
    case '-i':
    case '--interface':
      parsed.device = value;
      return null;
    case '-f':
    case '--filter':
      parsed.filter = value;
      return null;
    case '-w':
    case '--write':
      parsed.writeFile = value;
      return null;
    case '--out':
      parsed.outputDirectory = value;
      return null;
    case '--duration':
      parsed.durationSeconds = Number(value);
      return Number.isFinite(parsed.durationSeconds) && parsed.durationSeconds > 0
        ? null
        : `--duration must be a positive number of seconds, found "${value}"`;
    case '--count':
      parsed.count = Number(value);
      return Number.isSafeInteger(parsed.count) && parsed.count > 0
        ? null
        : `--count must be a positive whole number, found "${value}"`;
    case '-s':
    case '--snaplen':
      parsed.snaplen = Number(value);
      return Number.isSafeInteger(parsed.snaplen) && parsed.snaplen >= 1 && parsed.snaplen <= 262144
        ? null
        : `--snaplen must be 1 to 262144 bytes, found "${value}"`;
    case '-B':
    case '--buffer-size':
      parsed.bufferSizeMib = Number(value);
      return Number.isFinite(parsed.bufferSizeMib) && parsed.bufferSizeMib > 0 && parsed.bufferSizeMib <= 2047
        ? null
        : `--buffer-size must be 1 to 2047 MiB, found "${value}"`;
    case '-b':
      return applyRingOption(parsed, value);
    case '--format':
      if (value !== 'zeek' && value !== 'json') return `--format must be "zeek" or "json", found "${value}"`;
      parsed.format = value;
      return null;
    default:
      return `unknown option or argument "${name}"`;
  }
}

function applyRingOption(parsed: CaptureArguments, value: string): string | null {
  const [key, amount] = splitOnce(value.replace(':', '='));
  const number = Number(amount);
  if (!Number.isSafeInteger(number) || number < 1) return `-b ${key}: needs a positive whole number, found "${amount}"`;
  if (key === 'filesize') parsed.ringFileKilobytes = number;
  else if (key === 'files') parsed.ringFiles = number;
  else return `-b accepts filesize:KB or files:N, found "${value}"`;
  return null;
}

function splitOnce(text: string): [string, string] {
  const index = text.indexOf('=');
  return index < 0 ? [text, ''] : [text.slice(0, index), text.slice(index + 1)];
}

/** Run `tideline capture` and return the exit status. */
export async function runCaptureCommand(argv: string[]): Promise<number> {
  const parsed = parseCaptureArguments(argv);
  if ('error' in parsed) {
    process.stderr.write(formatUsageError('capture', parsed.error));
    return USAGE_EXIT_CODE;
  }
  if (parsed.isHelp) {
    process.stdout.write(CAPTURE_HELP);
    return SUCCESS_EXIT_CODE;
  }

  try {
    if (parsed.isListInterfaces) {
      process.stdout.write(formatDeviceList(listCaptureDevices(loadCaptureAddon())));
      return SUCCESS_EXIT_CODE;
    }
    return await captureToFiles(parsed);
  } catch (error) {
    if (error instanceof CaptureError) {
      process.stderr.write(`tideline capture: ${error.message}\n`);
      return FILE_ERROR_EXIT_CODE;
    }
    throw error;
  }
}

async function captureToFiles(parsed: CaptureArguments): Promise<number> {
  const device = parsed.device ?? '';
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const outputDirectory = resolve(
    parsed.outputDirectory ??
      (parsed.writeFile !== null
        ? `${basename(parsed.writeFile)}.tideline`
        : `tideline-capture-${device.replace(/[^\w.-]/g, '_')}-${stamp}`),
  );
  const capturePath = resolve(parsed.writeFile ?? join(outputDirectory, 'capture.pcapng'));
  await mkdir(outputDirectory, { recursive: true });

  // The same logs as tideline analyze: conn.log plus the application analyzers' dns.log, http.log, ...
  // and the detectors' alerts, which read every record, flow and decoded packet.
  const openedAt = new Date();
  const analyzerLogs = createAnalyzerLogFiles(outputDirectory, parsed.format, openedAt);
  const detections = new DetectionEngine();
  const analyzers = new ApplicationAnalyzers(
    createProtocolRecordSinks((record) => detections.observeRecord(record), analyzerLogs.sinks),
  );
  const logPath = join(outputDirectory, 'conn.log');
  // Written with one system call per batch of flows, so rows reach the disk as flows end, even on a quiet link.
  const connLog = openSync(logPath, 'w');
  if (parsed.format === 'zeek') writeSync(connLog, formatConnLogHeader(openedAt));
  const formatRow = parsed.format === 'json' ? formatConnLogJsonLine : formatConnLogRow;
  // Without --sort each row is written when its flow ends, as Zeek does, so a killed capture keeps them.
  const sortedFlows: FlowRecord[] | null = parsed.isSorted ? [] : null;
  let flowCount = 0;
  const isTerminal = process.stderr.isTTY;
  const session = new LiveCaptureSession({
    device,
    filter: parsed.filter,
    snaplen: parsed.snaplen,
    promiscuous: parsed.isPromiscuous,
    bufferSizeBytes: parsed.bufferSizeMib === undefined ? undefined : Math.round(parsed.bufferSizeMib * 1024 * 1024),
    isHeadersOnly: parsed.isHeadersOnly,
    outputPath: capturePath,
    ringFileBytes: parsed.ringFileKilobytes === null ? null : parsed.ringFileKilobytes * 1000,
    ringFiles: parsed.ringFiles,
    stopAfterPackets: parsed.count,
    stopAfterMs: parsed.durationSeconds === undefined ? undefined : parsed.durationSeconds * 1000,
    counterIntervalMs: 1000,
    analyzers: [analyzers],
    onDecodedPacket(decoded, record) {
      detections.observeDecodedPacket(decoded, record.data, record.timestampUs, record.packetNumber);
    },
    onFlows(batch) {
      let rows = '';
      for (const flow of batch) {
        analyzers.annotateFlowRecord(flow);
        detections.addFlow(flow);
        // IP-level flows (packets with no usable transport header) are not conn.log rows, as in Zeek.
        if (!isConnLogFlow(flow)) continue;
        flowCount++;
        if (sortedFlows === null) rows += formatRow(flow);
        else sortedFlows.push(flow);
      }
      if (rows !== '') writeSync(connLog, rows);
    },
    onCounters(counters) {
      process.stderr.write(isTerminal ? `\r${formatCounters(counters)}\x1b[K` : `${formatCounters(counters)}\n`);
    },
  });
  for (const warning of session.warnings) process.stderr.write(`tideline capture: warning: ${warning}\n`);
  process.stderr.write(
    `capturing on ${device}${parsed.filter === undefined ? '' : ` with filter "${parsed.filter}"`}, writing ${capturePath}\n`,
  );

  // Listen with `on`, not `once`: a second Ctrl-C while the last packets are written must not kill the process.
  const stop = (): void => {
    void session.stop();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let result: LiveCaptureResult;
  try {
    result = await session.finished;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  if (isTerminal) process.stderr.write('\n');

  const analyzerLogCounts = analyzerLogs.close();
  const verdicts = new AlertStateStore(join(outputDirectory, alertStateFileName));
  await verdicts.load();
  detections.setVerdicts(verdicts.statuses());
  const alertCounts = await writeDetectionOutputs(outputDirectory, detections.evaluate(), parsed.format, openedAt);
  if (sortedFlows !== null) writeSync(connLog, sortedFlows.sort(compareFlowsForLog).map(formatRow).join(''));
  if (parsed.format === 'zeek') writeSync(connLog, formatConnLogFooter(new Date()));
  closeSync(connLog);

  process.stdout.write(formatCaptureResult(result));
  process.stdout.write(formatCaptureSummary(result.summary));
  process.stdout.write(
    formatWrittenOutputs({
      directory: outputDirectory,
      format: parsed.format,
      connFlows: flowCount,
      connFlowsBeforeFilter: flowCount,
      displayFilter: null,
      analyzerLogCounts,
      notices: alertCounts.notices,
      alerts: alertCounts.alerts,
    }),
  );
  if (result.message !== null) process.stderr.write(`tideline capture: ${result.message}\n`);
  const isError =
    result.reason !== 'stopped' && result.reason !== 'packet-count-reached' && result.reason !== 'duration-reached';
  return isError ? FILE_ERROR_EXIT_CODE : SUCCESS_EXIT_CODE;
}

/** Format the running counters as one line. */
export function formatCounters(counters: CaptureCounters): string {
  return (
    `${counters.packets} packets, ${counters.bytes} bytes, ` +
    `${counters.packetsPerSecond.toFixed(0)} packets/s, ${formatBitRate(counters.bitsPerSecond)}, ` +
    `dropped: ${counters.droppedByKernel} by kernel, ${counters.droppedByInterface} by interface`
  );
}

function formatBitRate(bitsPerSecond: number): string {
  if (bitsPerSecond >= 1e9) return `${(bitsPerSecond / 1e9).toFixed(2)} Gbit/s`;
  if (bitsPerSecond >= 1e6) return `${(bitsPerSecond / 1e6).toFixed(2)} Mbit/s`;
  if (bitsPerSecond >= 1e3) return `${(bitsPerSecond / 1e3).toFixed(1)} kbit/s`;
  return `${bitsPerSecond.toFixed(0)} bit/s`;
}

/** Format the end-of-capture report: why it ended, the files, and libpcap's counters. */
export function formatCaptureResult(result: LiveCaptureResult): string {
  const lines = [
    `capture ended: ${result.reason}`,
    `files: ${result.files.join(', ')}${result.deletedFiles.length > 0 ? ` (${result.deletedFiles.length} older ring files deleted)` : ''}`,
    `packets received: ${result.counters.packets}  written: ${result.counters.packetsWritten}  bytes: ${result.counters.bytes}`,
    `libpcap: received ${result.libpcapStats.received}, dropped by kernel ${result.libpcapStats.droppedByKernel}, dropped by interface ${result.libpcapStats.droppedByInterface}`,
  ];
  // libpcap reports the kernel's count for its socket, which includes packets it then skips in user space.
  if (result.libpcapStats.received > result.counters.packets + result.libpcapStats.droppedByKernel)
    lines.push(
      "libpcap's received count includes packets the kernel handed over that libpcap then skipped, such as the outgoing copy of each packet on a loopback interface",
    );
  if (result.counters.packetsNotAnalyzed > 0)
    lines.push(`packets not analysed while paused: ${result.counters.packetsNotAnalyzed}`);
  return `${lines.join('\n')}\n`;
}

/** Format the --list-interfaces table, one block per device. */
export function formatDeviceList(devices: CaptureDevice[]): string {
  const lines: string[] = [];
  devices.forEach((device, index) => {
    const flags = [
      device.isUp ? 'up' : 'down',
      device.isRunning ? 'running' : 'not running',
      device.isLoopback ? 'loopback' : null,
      device.isWireless ? 'wireless' : null,
      device.connectionStatus === 'unknown' ? null : device.connectionStatus,
      device.isDefaultRoute ? 'default route' : null,
    ].filter((flag): flag is string => flag !== null);
    lines.push(
      `${index + 1}. ${device.name}${device.description === null ? '' : ` (${device.description})`} [${flags.join(', ')}]`,
    );
    for (const address of device.addresses) {
      const netmask = address.netmask === null ? '' : ` netmask ${address.netmask}`;
      lines.push(`     ${address.family} ${address.address}${netmask}`);
    }
  });
  return `${lines.join('\n')}\n`;
}
