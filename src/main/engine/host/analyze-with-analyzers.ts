/**
 * The engine's capture analysis with the application analyzers attached:
 * flows get their identified service, DNS and HTTP records reach the caller
 * (for host names), and open flows reach it as provisional records while the
 * file loads.
 */
import { analyzeCapture } from '../analyze-capture';
import { DHCP_LOG_COLUMNS, DNS_LOG_COLUMNS, HTTP_LOG_COLUMNS, WEIRD_LOG_COLUMNS } from '../analyzers/analyzer-log-columns';
import { ApplicationAnalyzers, type ApplicationAnalyzerSinks } from '../analyzers/application-analyzers';
import { createProtocolRecordSinks } from '../detectors/protocol';
import type { ZeekLogColumn } from '../output/zeek-log-writer';
import type { RecordValue } from '../../../shared/domain/record-table';
import { ActiveFlowTracker } from './active-flows';
import { activeFlowIntervalMs, type AnalyzeCapture, type AnalyzeOptions } from './analyzer';

/** Run `analyzeCapture` with a fresh set of application analyzers per capture. */
export const analyzeWithAnalyzers: AnalyzeCapture = (path, options = {}) => {
  const analyzers = new ApplicationAnalyzers(createAnalyzeSinks(options));
  const onActiveFlows = options.onActiveFlows;
  const tracker = onActiveFlows === undefined ? null : new ActiveFlowTracker();
  let lastActiveMs = -Infinity;
  return analyzeCapture(path, {
    signal: options.signal,
    onDecodedPacket: options.onDecodedPacket,
    onProgress: (progress) => {
      const nowMs = Date.now();
      if (tracker !== null && onActiveFlows !== undefined && nowMs - lastActiveMs >= activeFlowIntervalMs) {
        lastActiveMs = nowMs;
        const flows = tracker.takeChanged();
        if (flows.length > 0) onActiveFlows(flows);
      }
      options.onProgress?.(progress);
    },
    // The tracker runs after the application analyzers, so it reads the service they set.
    analyzers: tracker === null ? analyzers : [analyzers, tracker],
    onFlows: (flows) => {
      for (const flow of flows) analyzers.annotateFlowRecord(flow);
      options.onFlows?.(flows);
    },
  });
};

/**
 * Create the analyzer sinks that hand a capture's records to `options`: DNS,
 * HTTP and DHCP records, every record as a Zeek log row, TLS server names,
 * and the protocol observations of the protocol-aware detectors. A reopened case
 * replays its stored records through the same sinks.
 */
export function createAnalyzeSinks(options: AnalyzeOptions): ApplicationAnalyzerSinks {
  const onRecord = options.onRecord;
  const onProtocolRecord = options.onProtocolRecord;
  const sinks: ApplicationAnalyzerSinks = {
    onDns: (record) => {
      options.onDnsRecord?.(record);
      onRecord?.('dns', rowOf(DNS_LOG_COLUMNS, record));
    },
    onHttp: (record) => {
      options.onHttpRecord?.(record);
      onRecord?.('http', rowOf(HTTP_LOG_COLUMNS, record));
    },
    onDhcp: (record) => {
      options.onDhcpRecord?.(record);
      onRecord?.('dhcp', rowOf(DHCP_LOG_COLUMNS, record));
    },
    onSsl: (row) => {
      const name = row['server_name'];
      const address = row['id.resp_h'];
      if (typeof name === 'string' && typeof address === 'string') options.onServerName?.(address, name);
      onRecord?.('tls', row);
    },
    onWeird: (record) => onRecord?.('weird', rowOf(WEIRD_LOG_COLUMNS, record)),
    onX509: (row) => onRecord?.('x509', row),
    onSsh: (row) => onRecord?.('ssh', row),
    onSmbMapping: (row) => onRecord?.('smb_mapping', row),
    onSmbFiles: (row) => onRecord?.('smb_files', row),
    onQuic: (row) => onRecord?.('quic', row),
  };
  // The protocol-aware detectors read the same records, mapped by createProtocolRecordSinks.
  return onProtocolRecord === undefined ? sinks : createProtocolRecordSinks(onProtocolRecord, sinks);
}

/** A typed record as its Zeek log row, keyed by the log's field names. */
export function rowOf<Row>(columns: readonly ZeekLogColumn<Row>[], record: Row): Record<string, RecordValue> {
  const row: Record<string, RecordValue> = {};
  for (const column of columns) {
    const value = column.read(record);
    // Number vectors (DHCP's requested options) travel as text like every set and vector.
    if (value === undefined) row[column.name] = null;
    else if (Array.isArray(value)) row[column.name] = value.map(String);
    else row[column.name] = value as RecordValue;
  }
  return row;
}
