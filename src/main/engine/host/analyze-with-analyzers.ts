/**
 * The engine's capture analysis with the application analyzers attached:
 * flows get their identified service, and DNS and HTTP records reach the
 * caller (for host names).
 */
import { analyzeCapture } from '../analyze-capture';
import { ApplicationAnalyzers } from '../analyzers/application-analyzers';
import type { AnalyzeCapture } from './analyzer';

/** Run `analyzeCapture` with a fresh set of application analyzers per capture. */
export const analyzeWithAnalyzers: AnalyzeCapture = (path, options = {}) => {
  const analyzers = new ApplicationAnalyzers({
    onDns: (record) => options.onDnsRecord?.(record),
    onHttp: (record) => options.onHttpRecord?.(record),
  });
  return analyzeCapture(path, {
    signal: options.signal,
    onProgress: (progress) => options.onProgress?.(progress),
    analyzers,
    onFlows: (flows) => {
      for (const flow of flows) analyzers.annotateFlowRecord(flow);
      options.onFlows?.(flows);
    },
  });
};
