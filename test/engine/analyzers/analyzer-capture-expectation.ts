/**
 * Runs the application analyzers over one capture and returns what the
 * analyzer fixtures pin down: each log's TSV rows (header lines left out)
 * and each flow's service and unusual-port mark. Shared by the fixture test
 * and scripts/lab/analyzers-write-expected.ts.
 */
import { analyzeCapture } from '../../../src/main/engine/analyze-capture';
import { DHCP_LOG_COLUMNS, DNS_LOG_COLUMNS, HTTP_LOG_COLUMNS, WEIRD_LOG_COLUMNS } from '../../../src/main/engine/analyzers/analyzer-log-columns';
import { ApplicationAnalyzers } from '../../../src/main/engine/analyzers/application-analyzers';
import { ZeekLogWriter, type ZeekLogColumn } from '../../../src/main/engine/output/zeek-log-writer';

export interface AnalyzerCaptureExpectation {
  logs: Record<'dns' | 'http' | 'dhcp' | 'weird', string[]>;
  flows: { uid: string; transport: string; responderPort: number; service: string | null; isServiceOnUnusualPort: boolean | null }[];
}

function createRowCollector<Row>(columns: readonly ZeekLogColumn<Row>[], rows: string[]): ZeekLogWriter<Row> {
  return new ZeekLogWriter('rows', columns, 'zeek', () => ({
    write(text) {
      for (const line of text.split('\n')) if (line !== '' && !line.startsWith('#')) rows.push(line);
    },
    end: () => undefined,
  }));
}

export async function describeAnalyzerCapture(file: string): Promise<AnalyzerCaptureExpectation> {
  const logs: AnalyzerCaptureExpectation['logs'] = { dns: [], http: [], dhcp: [], weird: [] };
  const dns = createRowCollector(DNS_LOG_COLUMNS, logs.dns);
  const http = createRowCollector(HTTP_LOG_COLUMNS, logs.http);
  const dhcp = createRowCollector(DHCP_LOG_COLUMNS, logs.dhcp);
  const weird = createRowCollector(WEIRD_LOG_COLUMNS, logs.weird);
  const analyzers = new ApplicationAnalyzers({
    onDns: (record) => dns.write(record),
    onHttp: (record) => http.write(record),
    onDhcp: (record) => dhcp.write(record),
    onWeird: (record) => weird.write(record),
  });
  const flows: AnalyzerCaptureExpectation['flows'] = [];
  await analyzeCapture(file, {
    analyzers,
    onFlows(batch) {
      for (const flow of batch) {
        analyzers.annotateFlowRecord(flow);
        flows.push({
          uid: flow.uid,
          transport: flow.transport,
          responderPort: flow.responderPort,
          service: flow.service,
          isServiceOnUnusualPort: flow.isServiceOnUnusualPort ?? null,
        });
      }
    },
  });
  flows.sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  return { logs, flows };
}
