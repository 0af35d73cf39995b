/**
 * One disagreement between Tideline's output and a reference tool, with the
 * accepted-difference check that turns a known, explained one into a pass.
 */
import { acceptedDifferences, type AcceptedDifference } from './accepted-differences';

/** Which table of the reference a difference comes from. */
export type ReferenceTable = 'summary' | 'ip' | 'ipv6' | 'tcp' | 'udp' | 'conn.log';

export interface ConformanceDifference {
  /** Capture path relative to the public folder, as MANIFEST.tsv lists it. */
  capture: string;
  reference: 'tshark' | 'zeek';
  table: ReferenceTable;
  /** Address pair or flow with its direction, e.g. "10.0.0.1 -> 10.0.0.2" or "tcp 10.0.0.1:1025 -> 10.0.0.2:80". */
  key: string;
  /** Compared quantity: packets, ipBytes, presence, conn_state, history, ... */
  field: string;
  /** Value of the reference tool (tshark or Zeek). */
  expected: string | number | null;
  /** Value Tideline produced. */
  found: string | number | null;
}

/** Returns the allow-list entry that explains `difference`, or undefined when none does. */
export function findAcceptance(
  difference: ConformanceDifference,
  allowList: readonly AcceptedDifference[] = acceptedDifferences,
): AcceptedDifference | undefined {
  return allowList.find(
    (entry) =>
      entry.capture === difference.capture &&
      entry.table === difference.table &&
      entry.field === difference.field &&
      (entry.key === undefined || entry.key === difference.key) &&
      (entry.found === undefined || entry.found === difference.found),
  );
}

/** Formats one difference as a line a developer can act on. */
export function formatDifference(difference: ConformanceDifference): string {
  return (
    `${difference.capture} [${difference.reference} ${difference.table}] ${difference.key} ` +
    `${difference.field}: expected ${String(difference.expected)}, found ${String(difference.found)}`
  );
}
