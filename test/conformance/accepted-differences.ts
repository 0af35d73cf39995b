/**
 * Differences from tshark or Zeek that the conformance suite accepts, each
 * with the frame and field that show the reference tool wrong, or the frame
 * that is malformed. docs/conformance.md lists the same entries for readers.
 *
 * An entry matches a difference by capture, table and field; `key` narrows it
 * to one pair or flow, and `found` to the one value Tideline is expected to
 * produce, so a later change in the engine's output fails again.
 */
import type { ReferenceTable } from './conformance-difference';

export interface AcceptedDifference {
  /** Capture path as MANIFEST.tsv lists it. */
  capture: string;
  table: ReferenceTable;
  /** Pair or flow key as the difference prints it; absent for every key of the table. */
  key?: string;
  field: string;
  /** The value Tideline produces; absent to accept any value. */
  found?: string | number | null;
  /** Frame and field showing the reference wrong, or the malformed frame. */
  reason: string;
}

export const acceptedDifferences: readonly AcceptedDifference[] = [];
