import { rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { CaptureSummary } from '../../shared/domain/capture-summary';
import type { FlowRecord } from '../../shared/domain/flow';
import { analyzeCapture } from '../engine/analyze-capture';
import { createAnalyzerLogFiles, openFileSink } from '../engine/analyzers/analyzer-log-files';
import { ApplicationAnalyzers } from '../engine/analyzers/application-analyzers';
import {
  compareFlowsForLog,
  formatConnLogFooter,
  formatConnLogHeader,
  formatConnLogJsonLine,
  formatConnLogRow,
  isConnLogFlow,
} from '../engine/output/zeek-conn-log';
import { AlertStateStore, alertStateFileName } from '../engine/detectors/alert-state-store';
import { DetectionEngine } from '../engine/detectors/detection-engine';
import { createProtocolRecordSinks } from '../engine/detectors/protocol';
import { writeDetectionOutputs } from '../engine/output/notice-log';
import { CaptureFileError } from '../engine/source/capture-file-error';
import { FILE_ERROR_EXIT_CODE, SUCCESS_EXIT_CODE, USAGE_EXIT_CODE } from './exit-codes';
import { formatCaptureSummary, formatUsageError, formatWrittenOutputs } from './format-summary';
import { parseAnalyzeArguments } from './parse-analyze-arguments';
import { RecordLookup, compileDisplayFilterToPredicate } from '../engine/filter/display-filter';
import type { ApplicationAnalyzerSinks } from '../engine/analyzers/application-analyzers';
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
`;

/** `sinks` that also add each DNS, HTTP and TLS record to `lookup`. */
function withRecordLookup(sinks: ApplicationAnalyzerSinks, lookup: RecordLookup): ApplicationAnalyzerSinks {
  return {
    ...sinks,
    onDns(record) {
      sinks.onDns?.(record);
      lookup.add({ type: 'dns', uid: record.uid, timestampUs: record.timestampUs, data: record });
    },
    onHttp(record) {
      sinks.onHttp?.(record);
      lookup.add({ type: 'http', uid: record.uid, timestampUs: record.timestampUs, data: record });
    },
    onSsl(row) {
      sinks.onSsl?.(row);
      const uid = row['uid'];
      if (typeof uid === 'string') lookup.addZeekRow('tls', [uid], row);
    },
  };
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
  const openedAt = new Date();
  const progressBar = process.stderr.isTTY ? createProgressBar(process.stderr) : null;
  // Logs stream to their files during the analysis, so the folder must exist first.
  await mkdir(outputDirectory, { recursive: true });
  const analyzerLogs = createAnalyzerLogFiles(outputDirectory, parsed.format, openedAt);
  const detections = new DetectionEngine();
  // Record fields of --filter (dns.qry.name, http.host, tls.sni) read the records of each flow from here.
  const recordLookup = parsed.displayFilter === null ? null : new RecordLookup();
  // Each analyzer record goes to its log, to the protocol-aware detectors and to the filter's lookup.
  const analyzers = new ApplicationAnalyzers(
    createProtocolRecordSinks(
      (record) => detections.observeRecord(record),
      recordLookup === null ? analyzerLogs.sinks : withRecordLookup(analyzerLogs.sinks, recordLookup),
    ),
  );

  const logPath = join(outputDirectory, 'conn.log');
  const connLog = openFileSink(logPath);
  if (parsed.format === 'zeek') connLog.write(formatConnLogHeader(openedAt));
  const formatRow = parsed.format === 'json' ? formatConnLogJsonLine : formatConnLogRow;
  // With --sort every row waits here; otherwise rows go out in the order flows leave the flow table.
  const sortedFlows: FlowRecord[] | null = parsed.isSorted ? [] : null;
  let flowCount = 0;
  let flowCountBeforeFilter = 0;
  // NOTE: the filter runs when a flow leaves the flow table. The analyzers write a flow's DNS, HTTP and
  // TLS records while its packets pass or when it ends, before its FlowRecord, so they are known by then.
  const compiledFilter =
    parsed.displayFilter === null ? null : compileDisplayFilterToPredicate(parsed.displayFilter, recordLookup ?? undefined);
  const matchesFilter = compiledFilter === null || !compiledFilter.ok ? null : compiledFilter.predicate;

  let summary: CaptureSummary;
  try {
    const result = await analyzeCapture(parsed.file, {
      analyzers,
      onDecodedPacket(decoded, record) {
        detections.observeDecodedPacket(decoded, record.data, record.timestampUs, record.packetNumber);
      },
      onFlows(batch) {
        for (const flow of batch) {
          analyzers.annotateFlowRecord(flow);
          detections.addFlow(flow);
          if (!isConnLogFlow(flow)) continue;
          flowCountBeforeFilter++;
          if (matchesFilter !== null && !matchesFilter(flow)) continue;
          flowCount++;
          if (sortedFlows === null) connLog.write(formatRow(flow));
          else sortedFlows.push(flow);
        }
      },
      onProgress: progressBar === null ? undefined : (progress) => progressBar.update(progress),
    });
    summary = result.summary;
  } catch (error) {
    progressBar?.finish();
    analyzerLogs.close();
    connLog.end();
    if (error instanceof CaptureFileError) {
      // A conn.log with a header and no rows would look like a capture without flows.
      rmSync(logPath, { force: true });
      process.stderr.write(`tideline analyze: cannot read ${parsed.file} (${error.code}): ${error.message}\n`);
      return FILE_ERROR_EXIT_CODE;
    }
    throw error;
  }
  progressBar?.finish();
  const analyzerLogCounts = analyzerLogs.close();
  const verdicts = new AlertStateStore(join(outputDirectory, alertStateFileName));
  await verdicts.load();
  detections.setVerdicts(verdicts.statuses());
  const alertCounts = await writeDetectionOutputs(outputDirectory, detections.evaluate(), parsed.format, openedAt);

  if (sortedFlows !== null) {
    sortedFlows.sort(compareFlowsForLog);
    for (const flow of sortedFlows) connLog.write(formatRow(flow));
  }
  if (parsed.format === 'zeek') connLog.write(formatConnLogFooter(new Date()));
  connLog.end();

  process.stdout.write(formatCaptureSummary(summary));
  process.stdout.write(
    formatWrittenOutputs({
      directory: outputDirectory,
      format: parsed.format,
      connFlows: flowCount,
      connFlowsBeforeFilter: flowCountBeforeFilter,
      displayFilter: parsed.displayFilter,
      analyzerLogCounts,
      notices: alertCounts.notices,
      alerts: alertCounts.alerts,
    }),
  );
  return SUCCESS_EXIT_CODE;
}
