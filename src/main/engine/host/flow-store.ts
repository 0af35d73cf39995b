/**
 * The flows of one capture, held in the engine process's memory until a
 * case store exists. Answers paged, sorted, filtered queries; the renderer
 * only ever receives one page.
 *
 * NOTE: memory grows with the number of flows (about 1 KiB per flow as
 * JavaScript objects), so a capture with tens of millions of flows does not
 * fit. The case store (an embedded database on disk) will lift this.
 */
import type { FlowRecord } from '../../../shared/domain/flow';
import type { FlowFilter, FlowPage, FlowQuery } from '../../../shared/domain/query';
import type { RecordLookup } from '../filter/display-filter';
import { compileFlowFilter } from './flow-filter';
import { compareFlowsBy } from './flow-sort';
import { TrafficIndex } from './traffic-index';

interface SortedView {
  key: string;
  version: number;
  flows: FlowRecord[];
}

export class FlowStore {
  private readonly flows: FlowRecord[] = [];
  private readonly indexByUid = new Map<string, number>();
  /** Host and pair totals over every flow, for unfiltered overviews and graphs. */
  readonly traffic = new TrafficIndex();
  /** Rises on every change, so cached views know they are stale. */
  private changeVersion = 0;
  /** The last sorted and filtered view, reused while the table scrolls through it. */
  private cachedView: SortedView | null = null;
  /** Analyzer record columns that display filters over record fields read; none until a session sets it. */
  records: RecordLookup | null = null;

  get size(): number {
    return this.flows.length;
  }

  get version(): number {
    return this.changeVersion;
  }

  /**
   * Add flows, replacing any earlier record with the same uid (a flow the
   * engine reported again after it grew). Returns how many uids were new.
   */
  upsert(flows: readonly FlowRecord[]): number {
    let added = 0;
    for (const flow of flows) {
      const index = this.indexByUid.get(flow.uid);
      if (index === undefined) {
        this.indexByUid.set(flow.uid, this.flows.length);
        this.flows.push(flow);
        added += 1;
      } else {
        this.traffic.remove(this.flows[index] as FlowRecord);
        this.flows[index] = flow;
      }
      this.traffic.add(flow);
    }
    if (flows.length > 0) this.changeVersion += 1;
    return added;
  }

  get(uid: string): FlowRecord | undefined {
    const index = this.indexByUid.get(uid);
    return index === undefined ? undefined : this.flows[index];
  }

  /** All flows in arrival order. The array is the store's own: callers must not change it. */
  all(): readonly FlowRecord[] {
    return this.flows;
  }

  /** Flows that meet `filter`, in arrival order (a new array). */
  select(filter: FlowFilter | undefined): FlowRecord[] {
    const predicate = compileFlowFilter(filter, this.records ?? undefined);
    return this.flows.filter(predicate);
  }

  /** One page of flows that meet the query's filter, in the query's order. */
  query(query: FlowQuery): FlowPage {
    const view = this.sortedView(query);
    return {
      total: view.length,
      offset: query.offset,
      rows: view.slice(query.offset, query.offset + query.limit),
    };
  }

  private sortedView(query: FlowQuery): FlowRecord[] {
    // Records of a flow can arrive after the flow, so a record filter's view is stale when they change too.
    const key = JSON.stringify([query.filter, query.sort, this.records?.version ?? 0]);
    const cached = this.cachedView;
    if (cached !== null && cached.key === key && cached.version === this.changeVersion) return cached.flows;

    const flows = this.select(query.filter);
    flows.sort(compareFlowsBy(query.sort));
    this.cachedView = { key, version: this.changeVersion, flows };
    return flows;
  }
}
