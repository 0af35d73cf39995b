/**
 * The output side of `tideline analyze`: everything that happens to the
 * analyzers' records, the finished flows and the link-layer packet facts
 * once the engine has produced them. Records go to their Zeek logs, to the
 * protocol-aware detectors and, under --filter, to the filter's record
 * lookup. Flows go to the detectors and to conn.log. Packets go to the
 * detectors that read the link layer. `finish` writes notice.log and
 * alerts.jsonl and closes every file.
 *
 * This class runs either beside the engine in one thread or alone in the
 * output worker (analyze-output-worker.ts). Both feed it the same calls in
 * the same order, so the files are the same either way.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowRecord } from '../../shared/domain/flow';
import { createAnalyzerLogFiles, openFileSink } from '../engine/analyzers/analyzer-log-files';
import type { ApplicationAnalyzerSinks } from '../engine/analyzers/application-analyzers';
import { AlertStateStore, alertStateFileName } from '../engine/detectors/alert-state-store';
import { DetectionEngine } from '../engine/detectors/detection-engine';
import type { DecodedPacket } from '../engine/decode/decoded-packet';
import type { PacketObservation } from '../engine/detectors/packet-observation';
import { createProtocolRecordSinks } from '../engine/detectors/protocol';
import { RecordLookup, compileDisplayFilterToPredicate } from '../engine/filter/display-filter';
import { writeDetectionOutputs } from '../engine/output/notice-log';
import {
  compareFlowsForLog,
  formatConnLogFooter,
  formatConnLogHeader,
  formatConnLogJsonLine,
  formatConnLogRow,
  isConnLogFlow,
} from '../engine/output/zeek-conn-log';

/** Settings of the output side, as plain data so that a worker can receive them. */
export interface AnalyzeOutputOptions {
  outputDirectory: string;
  format: 'zeek' | 'json';
  /** --sort: hold conn.log rows and write them in ts order at the end. */
  isSorted: boolean;
  /** --filter: the display filter conn.log rows must match; null keeps every flow. */
  displayFilter: string | null;
  /** When the analysis started, in milliseconds since the epoch: the logs' #open stamp. */
  openedAtMs: number;
}

/** Counts that `finish` returns for the command's summary. */
export interface AnalyzeOutputCounts {
  connFlows: number;
  connFlowsBeforeFilter: number;
  /** Record count per analyzer log name (only logs with records). */
  analyzerLogCounts: Record<string, number>;
  notices: number;
  alerts: number;
}

/**
 * The analyzer sink methods, every one of ApplicationAnalyzerSinks. The
 * output worker sends a record as its method's index in this list.
 */
export const ANALYZER_SINK_NAMES = [
  'onDns',
  'onHttp',
  'onDhcp',
  'onWeird',
  'onSsl',
  'onX509',
  'onSsh',
  'onSmbMapping',
  'onSmbFiles',
  'onSmbPipeOpen',
  'onQuic',
] as const satisfies readonly (keyof ApplicationAnalyzerSinks)[];

export type AnalyzerSinkName = (typeof ANALYZER_SINK_NAMES)[number];

// Fails to compile when ApplicationAnalyzerSinks gains a method the list above lacks.
const everySinkListed: Exclude<keyof ApplicationAnalyzerSinks, AnalyzerSinkName> extends never ? true : never = true;
void everySinkListed;

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

export class AnalyzeOutputs {
  /** Sinks for the analyzers' records: their logs, the detectors and the filter's lookup. */
  readonly sinks: ApplicationAnalyzerSinks;
  private readonly options: AnalyzeOutputOptions;
  private readonly openedAt: Date;
  private readonly analyzerLogs: ReturnType<typeof createAnalyzerLogFiles>;
  private readonly detections = new DetectionEngine();
  private readonly connLogPath: string;
  private readonly connLog: ReturnType<typeof openFileSink>;
  private readonly formatRow: (flow: FlowRecord) => string;
  private readonly matchesFilter: ((flow: FlowRecord) => boolean) | null;
  /** With --sort every row waits here; otherwise rows go out in the order flows leave the flow table. */
  private readonly sortedFlows: FlowRecord[] | null;
  private isConnLogClosed = false;
  private connFlows = 0;
  private connFlowsBeforeFilter = 0;

  /** Opens conn.log; `options.outputDirectory` must exist. */
  constructor(options: AnalyzeOutputOptions) {
    this.options = options;
    this.openedAt = new Date(options.openedAtMs);
    this.analyzerLogs = createAnalyzerLogFiles(options.outputDirectory, options.format, this.openedAt);
    // Record fields of --filter (dns.qry.name, http.host, tls.sni) read the records of each flow from here.
    const recordLookup = options.displayFilter === null ? null : new RecordLookup();
    this.sinks = createProtocolRecordSinks(
      (record) => this.detections.observeRecord(record),
      recordLookup === null ? this.analyzerLogs.sinks : withRecordLookup(this.analyzerLogs.sinks, recordLookup),
    );
    // NOTE: the filter runs when a flow leaves the flow table. The analyzers write a flow's DNS, HTTP and
    // TLS records while its packets pass or when it ends, before its FlowRecord, so they are known by then.
    const compiled =
      options.displayFilter === null
        ? null
        : compileDisplayFilterToPredicate(options.displayFilter, recordLookup ?? undefined);
    this.matchesFilter = compiled === null || !compiled.ok ? null : compiled.predicate;
    this.sortedFlows = options.isSorted ? [] : null;
    this.formatRow = options.format === 'json' ? formatConnLogJsonLine : formatConnLogRow;
    this.connLogPath = join(options.outputDirectory, 'conn.log');
    this.connLog = openFileSink(this.connLogPath);
    if (options.format === 'zeek') this.connLog.write(formatConnLogHeader(this.openedAt));
  }

  /** Feeds one packet's link-layer facts, in packet order. */
  observePacket(packet: PacketObservation): void {
    this.detections.observePacket(packet);
  }

  /** Feeds one decoded packet (`data` borrowed for the call) to the link-layer detectors, as the engine's loop sees it. */
  observeDecodedPacket(decoded: DecodedPacket, data: Uint8Array, timestampUs: number, packetNumber: number): void {
    this.detections.observeDecodedPacket(decoded, data, timestampUs, packetNumber);
  }

  /** Adds one finished flow, already annotated by the analyzers. */
  addFlow(flow: FlowRecord): void {
    this.detections.addFlow(flow);
    if (!isConnLogFlow(flow)) return;
    this.connFlowsBeforeFilter++;
    if (this.matchesFilter !== null && !this.matchesFilter(flow)) return;
    this.connFlows++;
    if (this.sortedFlows === null) this.connLog.write(this.formatRow(flow));
    else this.sortedFlows.push(flow);
  }

  /** Closes the analyzer logs, writes the alerts and finishes conn.log. */
  async finish(): Promise<AnalyzeOutputCounts> {
    const analyzerLogCounts = this.analyzerLogs.close();
    let alertCounts: { notices: number; alerts: number };
    try {
      const verdicts = new AlertStateStore(join(this.options.outputDirectory, alertStateFileName));
      await verdicts.load();
      this.detections.setVerdicts(verdicts.statuses());
      alertCounts = await writeDetectionOutputs(
        this.options.outputDirectory,
        this.detections.evaluate(),
        this.options.format,
        this.openedAt,
      );
    } finally {
      // conn.log is finished even when the alerts fail (an unreadable alert-state.json, a full disk).
      this.finishConnLog();
    }
    return {
      connFlows: this.connFlows,
      connFlowsBeforeFilter: this.connFlowsBeforeFilter,
      analyzerLogCounts,
      notices: alertCounts.notices,
      alerts: alertCounts.alerts,
    };
  }

  private finishConnLog(): void {
    if (this.sortedFlows !== null) {
      this.sortedFlows.sort(compareFlowsForLog);
      for (const flow of this.sortedFlows) this.connLog.write(this.formatRow(flow));
    }
    if (this.options.format === 'zeek') this.connLog.write(formatConnLogFooter(new Date()));
    this.endConnLog();
  }

  /**
   * Closes every file after a failed analysis. `removeConnLog` is set when the
   * capture could not be read, since a conn.log with a header and no rows
   * would look like a capture without flows.
   */
  abandon(removeConnLog: boolean): void {
    try {
      this.analyzerLogs.close();
    } finally {
      this.endConnLog();
      if (removeConnLog) rmSync(this.connLogPath, { force: true });
    }
  }

  /** Closes conn.log once; `finish` and `abandon` may both reach it. */
  private endConnLog(): void {
    if (this.isConnLogClosed) return;
    this.isConnLogClosed = true;
    this.connLog.end();
  }
}
