import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { CaptureSummary } from '../../shared/domain/capture-summary';
import { analyzeCapture } from '../engine/analyze-capture';
import { ApplicationAnalyzers } from '../engine/analyzers/application-analyzers';
import { CaptureFileError } from '../engine/source/capture-file-error';
import { type AnalyzeOutputPort, createAnalyzeOutputPort } from './analyze-output-worker';
import type { AnalyzeOutputCounts } from './analyze-outputs';
import { AlertStateStore, alertStateFileName } from '../engine/detectors/alert-state-store';
import { FILE_ERROR_EXIT_CODE, SUCCESS_EXIT_CODE, USAGE_EXIT_CODE } from './exit-codes';
import { formatCaptureSummary, formatUsageError, formatWrittenOutputs } from './format-summary';
import { parseAnalyzeArguments } from './parse-analyze-arguments';
import { createProgressBar } from './progress-bar';

const ANALYZE_HELP = `Usage: tideline analyze FILE [--out DIR] [--format zeek|json] [--sort] [--filter EXPR]

Read a pcap or pcapng capture (gzip-compressed too) and write its flows to
DIR/conn.log with Zeek's conn.log fields plus community_id, and what the
application analyzers found to dns.log, http.log, dhcp.log, ssl.log,
x509.log, ssh.log, smb_mapping.log, smb_files.log, quic.log and weird.log
(a log with no records is not written, as in Zeek), and the detectors'
alerts to notice.log (when there are alerts) and alerts.jsonl.

  --out DIR      folder for the logs, created if missing
                 (default: ./<file name>.tideline in the current directory)
  --format zeek  Zeek TSV log (default)
  --format json  Zeek JSON lines
  --sort         write conn.log rows in ts order; this holds every flow in
                 memory until the end. Without it, rows are written as flows
                 end, as Zeek does, and memory follows the active flows.
  --filter EXPR  keep in conn.log only the flows that match a Wireshark
                 display filter over flow fields and the flow's DNS, HTTP
                 and TLS records, e.g. 'tcp.port == 80', 'conn_state == "REJ"',
                 'ip.addr == 10.0.0.0/8 && orig_bytes > 1000',
                 'dns.qry.name contains "example"', 'tls.sni == "www.example.com"'.
                 The other logs and the alerts still cover every flow.

Environment:
  TIDELINE_ANALYZE_THREADS=1  write logs and run detectors in the main thread
  TIDELINE_ANALYZE_THREADS=2  run them in a worker thread, beside the engine
                 Unset: a worker for capture files of 256 MiB or more on
                 disk, where it is faster, at the cost of a second heap
                 (about 60 to 100 MiB more peak memory).

Exit status: 0 success, 1 the file could not be read or the output folder
could not be written, 2 invalid command line.
`;

/** File system errors that mean the output folder cannot be written (not a bug in Tideline). */
const OUTPUT_WRITE_ERROR_CODES = new Set([
  'EACCES',
  'EPERM',
  'EISDIR',
  'ENOTDIR',
  'ENOENT',
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'EIO',
]);

function isOutputWriteError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && OUTPUT_WRITE_ERROR_CODES.has((error as NodeJS.ErrnoException).code ?? '');
}

/** Prints why the output could not be written and returns the exit status for it. */
function reportOutputWriteError(outputDirectory: string, error: NodeJS.ErrnoException): number {
  process.stderr.write(
    `tideline analyze: cannot write the output in ${outputDirectory} (${error.code}): ${error.message}\n`,
  );
  return FILE_ERROR_EXIT_CODE;
}

/** Returns the capture's size in bytes, or 0 when it cannot be read (analyzeCapture then reports why). */
function captureFileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Run `tideline analyze` and return the exit status. */
export async function runAnalyzeCommand(argv: string[]): Promise<number> {
  const parsed = parseAnalyzeArguments(argv);
  if ('error' in parsed) {
    process.stderr.write(formatUsageError('analyze', parsed.error));
    return USAGE_EXIT_CODE;
  }
  if (parsed.isHelp) {
    process.stdout.write(ANALYZE_HELP);
    return SUCCESS_EXIT_CODE;
  }

  const outputDirectory = resolve(parsed.outputDirectory ?? `${basename(parsed.file)}.tideline`);
  const progressBar = process.stderr.isTTY ? createProgressBar(process.stderr) : null;
  // Logs stream to their files during the analysis, so the folder must exist first.
  await mkdir(outputDirectory, { recursive: true });
  // The analyst's verdicts are applied at the end: check their file now rather than after the whole capture.
  const verdictsPath = join(outputDirectory, alertStateFileName);
  try {
    await new AlertStateStore(verdictsPath).load();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`tideline analyze: ${message}. Fix ${verdictsPath} or move it away, then run again.\n`);
    return FILE_ERROR_EXIT_CODE;
  }
  // Logs, conn.log and the detectors run apart from the engine (in a worker thread when bundled).
  let outputs: AnalyzeOutputPort;
  try {
    outputs = createAnalyzeOutputPort(
      {
        outputDirectory,
        format: parsed.format,
        isSorted: parsed.isSorted,
        displayFilter: parsed.displayFilter,
        openedAtMs: Date.now(),
      },
      captureFileBytes(parsed.file),
    );
  } catch (error) {
    if (isOutputWriteError(error)) return reportOutputWriteError(outputDirectory, error);
    throw error;
  }
  const analyzers = new ApplicationAnalyzers(outputs.sinks);

  let summary: CaptureSummary;
  try {
    const result = await analyzeCapture(parsed.file, {
      analyzers,
      onDecodedPacket(decoded, record) {
        outputs.observeDecodedPacket(decoded, record.data, record.timestampUs, record.packetNumber);
      },
      onFlows(batch) {
        for (const flow of batch) {
          analyzers.annotateFlowRecord(flow);
          outputs.addFlow(flow);
        }
      },
      onProgress: progressBar === null ? undefined : (progress) => progressBar.update(progress),
    });
    summary = result.summary;
  } catch (error) {
    progressBar?.finish();
    const isUnreadable = error instanceof CaptureFileError;
    // When the output side failed first, its error is the one that stopped the analysis.
    const outputFailure = await outputs.abandon(isUnreadable);
    if (isUnreadable) {
      process.stderr.write(`tideline analyze: cannot read ${parsed.file} (${error.code}): ${error.message}\n`);
      return FILE_ERROR_EXIT_CODE;
    }
    const reported = outputFailure ?? error;
    if (isOutputWriteError(reported)) return reportOutputWriteError(outputDirectory, reported);
    throw reported;
  }
  progressBar?.finish();
  let counts: AnalyzeOutputCounts;
  try {
    counts = await outputs.finish();
  } catch (error) {
    const outputFailure = await outputs.abandon(false);
    const reported = outputFailure ?? error;
    if (isOutputWriteError(reported)) return reportOutputWriteError(outputDirectory, reported);
    throw reported;
  }

  process.stdout.write(formatCaptureSummary(summary));
  process.stdout.write(
    formatWrittenOutputs({
      directory: outputDirectory,
      format: parsed.format,
      connFlows: counts.connFlows,
      connFlowsBeforeFilter: counts.connFlowsBeforeFilter,
      displayFilter: parsed.displayFilter,
      analyzerLogCounts: counts.analyzerLogCounts,
      notices: counts.notices,
      alerts: counts.alerts,
    }),
  );
  return SUCCESS_EXIT_CODE;
}
