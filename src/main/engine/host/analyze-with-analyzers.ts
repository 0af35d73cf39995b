/**
 * The engine's capture analysis with the application analyzers attached:
 * flows get their identified service, DNS and HTTP records reach the caller
 * (for host names), and open flows reach it as provisional records while the
 * file loads.
 */
import { analyzeCapture } from '../analyze-capture';
import { ApplicationAnalyzers } from '../analyzers/application-analyzers';
import { ActiveFlowTracker } from './active-flows';
import { activeFlowIntervalMs, type AnalyzeCapture } from './analyzer';

/** Run `analyzeCapture` with a fresh set of application analyzers per capture. */
export const analyzeWithAnalyzers: AnalyzeCapture = (path, options = {}) => {
  const analyzers = new ApplicationAnalyzers({
    onDns: (record) => options.onDnsRecord?.(record),
    onHttp: (record) => options.onHttpRecord?.(record),
    onSsl: (row) => {
      const name = row['server_name'];
      const address = row['id.resp_h'];
      if (typeof name === 'string' && typeof address === 'string') options.onServerName?.(address, name);
    },
  });
  const onActiveFlows = options.onActiveFlows;
  const tracker = onActiveFlows === undefined ? null : new ActiveFlowTracker();
  let lastActiveMs = -Infinity;
  return analyzeCapture(path, {
    signal: options.signal,
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
