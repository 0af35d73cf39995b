/** Comparators for the flow table's sortable columns. */
import type { FlowRecord } from '../../../shared/domain/flow';
import type { FlowSort, FlowSortColumn } from '../../../shared/domain/query';

type FlowComparator = (left: FlowRecord, right: FlowRecord) => number;

/** Value of a column for sorting: numbers compare as numbers, the rest as strings. */
function sortValueOf(flow: FlowRecord, column: FlowSortColumn): number | string {
  switch (column) {
    case 'durationUs':
      return flow.endUs - flow.startUs;
    case 'totalBytes':
      return flow.originatorIpBytes + flow.responderIpBytes;
    case 'service':
      return flow.service ?? '';
    default:
      return flow[column];
  }
}

/**
 * Build a comparator for `sort`. Ties fall back to start time, then uid, so
 * a page boundary never moves between two identical queries.
 */
export function compareFlowsBy(sort: FlowSort): FlowComparator {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return (left, right) => {
    const a = sortValueOf(left, sort.column);
    const b = sortValueOf(right, sort.column);
    if (a !== b) {
      if (typeof a === 'number' && typeof b === 'number') return sign * (a - b);
      return sign * (String(a) < String(b) ? -1 : 1);
    }
    if (left.startUs !== right.startUs) return left.startUs - right.startUs;
    return left.uid < right.uid ? -1 : left.uid > right.uid ? 1 : 0;
  };
}
