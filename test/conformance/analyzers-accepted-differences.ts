/**
 * Differences between the analyzers' logs and tshark or Zeek that are
 * accepted, per capture path (relative to the public captures folder). Each
 * names the item as the conformance test prints it and the reason; see
 * docs/conformance-analyzers.md.
 */
export interface AcceptedAnalyzerDifference {
  /** Prefix of the missing item line, e.g. "dns frame 12". */
  item: string;
  reason: string;
}

export const acceptedAnalyzerDifferences: Record<string, AcceptedAnalyzerDifference[]> = {};
