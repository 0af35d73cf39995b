/**
 * A fake of the page's API for store and component tests: an in-memory
 * engine over a list of flows that filters, sorts and pages them as the
 * contract describes, records every request, and lets a test send events.
 */
import {
  fail,
  succeed,
  allowListSchema,
  type Alert,
  type AllowList,
  type RecordRow,
  type CaptureOverview,
  type EventName,
  type EventPayload,
  type FlowFilter,
  type FlowQuery,
  type FlowRecord,
  type HostGraph,
  type LiveCaptureCounters,
  type LiveCaptureDevice,
  type LiveCaptureStarted,
  type Result,
  type OpenedCapture,
  type Settings,
  type TidelineApi,
  type Timeline,
} from '../../src/shared/contract';
import type { ApiConnection } from '../../src/renderer/api';
import type { CarvedFile, PacketList } from '../../src/shared/contract/case-contract';
import type { CaseListEntry } from '../../src/shared/domain/case';
import type { FilterFieldInfo, FilterSyntaxError } from '../../src/shared/domain/filter';
import type { FollowedStream, PacketDetail } from '../../src/shared/domain/packet-tree';

export interface RecordedRequest {
  method: string;
  argument: unknown;
}

/** Returns a flow with every field set; `overrides` sets the ones a test cares about. */
export function makeFlow(overrides: Partial<FlowRecord> & { uid: string }): FlowRecord {
  return {
    communityId: `1:${overrides.uid}`,
    startUs: 1_700_000_000_000_000,
    endUs: 1_700_000_000_500_000,
    firstPacketNumber: 1,
    lastPacketNumber: 4,
    originatorAddress: '10.0.0.1',
    originatorPort: 40000,
    responderAddress: '10.0.0.2',
    responderPort: 80,
    transport: 'tcp',
    ipProtocol: 6,
    vlan: null,
    innerVlan: null,
    service: null,
    originatorBytes: 100,
    responderBytes: 200,
    missedBytes: 0,
    originatorPackets: 2,
    responderPackets: 2,
    originatorIpBytes: 180,
    responderIpBytes: 280,
    originatorPayloadBytes: 100,
    responderPayloadBytes: 200,
    connectionState: 'SF',
    history: 'ShADadFf',
    tunnelParents: [],
    isFinished: true,
    ...overrides,
  };
}

function matchesFilter(flow: FlowRecord, filter: FlowFilter): boolean {
  if (filter.timeRange && (flow.endUs < filter.timeRange.startUs || flow.startUs >= filter.timeRange.endUs))
    return false;
  if (filter.hosts && !filter.hosts.includes(flow.originatorAddress) && !filter.hosts.includes(flow.responderAddress))
    return false;
  if (filter.uids && !filter.uids.includes(flow.uid)) return false;
  if (filter.text) {
    const needle = filter.text.toLowerCase();
    const haystack = [
      flow.uid,
      flow.originatorAddress,
      flow.responderAddress,
      String(flow.responderPort),
      flow.transport,
    ]
      .join(' ')
      .toLowerCase();
    if (!haystack.includes(needle)) return false;
  }
  return true;
}

function sortValue(flow: FlowRecord, column: FlowQuery['sort']['column']): string | number | null {
  if (column === 'durationUs') return flow.endUs - flow.startUs;
  if (column === 'totalBytes') return flow.originatorIpBytes + flow.responderIpBytes;
  return flow[column];
}

export class FakeEngine {
  readonly requests: RecordedRequest[] = [];
  flows: FlowRecord[] = [];
  alerts: Alert[] = [];
  allowList: AllowList = { hosts: [], networks: [], domains: [], pairs: [] };
  records: RecordRow[] = [];
  timeline: Timeline = { bucketUs: 1_000_000, buckets: [] };
  hostGraph: HostGraph = { nodes: [], edges: [], hiddenHosts: 0, hiddenBytes: 0 };
  settings: Settings = { timeZone: 'utc', theme: 'light' };
  captureId = 'capture-1';
  mode: 'desktop' | 'serve' = 'serve';
  /** What app.info answers for `canOpenInWireshark`; paths app.openInWireshark was asked for. */
  canOpenInWireshark = false;
  /** What cases.getSettings answers; cases.setSettings changes it. */
  newCaseSettings: { isPayloadKept: boolean; diskCapBytes: number | null } = { isPayloadKept: true, diskCapBytes: null };
  openedInWireshark: string[] = [];
  /** Interfaces that capture.listInterfaces returns. */
  devices: LiveCaptureDevice[] = [];
  /** Answer of capture.startLive when set; else a started capture on the requested device. */
  liveStartResult: Result<LiveCaptureStarted> | null = null;
  /** Cases that cases.list returns; cases.delete removes from here. */
  cases: CaseListEntry[] = [];
  /** Field names filter.complete filters by prefix. */
  filterFields: FilterFieldInfo[] = [];
  /** Replaces the fake's one filter rule when set: returns the syntax error for a text, or null when it parses. */
  filterRule: ((text: string) => FilterSyntaxError | null) | null = null;
  /** packets.list answers per flow uid; a missing uid has no packets. */
  packetLists = new Map<string, PacketList>();
  /** packets.detail answers per packet number. */
  packetDetails = new Map<number, PacketDetail>();
  /** stream.follow's answer, or a not-found error when null. */
  followedStream: FollowedStream | null = null;
  /** export.carve's answer. */
  carvedFile: CarvedFile = { path: '/cases/c/exports/x.pcapng', packets: 0, bytes: 0, exportName: 'x.pcapng', bytesBase64: null };
  /** When set, flows.query waits for this promise before it returns. */
  flowQueryGate: Promise<void> | null = null;
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  /** Sends an event to every listener, as the engine would. */
  emit<TName extends EventName>(name: TName, payload: EventPayload<TName>): void {
    for (const listener of this.listeners.get(name) ?? []) listener(payload);
  }

  requestsOf(method: string): unknown[] {
    return this.requests.filter((request) => request.method === method).map((request) => request.argument);
  }

  private record(method: string, argument: unknown): void {
    this.requests.push({ method, argument });
  }

  private answer<T>(method: string, argument: unknown, result: T): Promise<T> {
    this.record(method, argument);
    return Promise.resolve(result);
  }

  private listen(name: string) {
    return (listener: (payload: never) => void) => {
      const set = this.listeners.get(name) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      this.listeners.set(name, set);
      return () => set.delete(listener as (payload: unknown) => void);
    };
  }

  queryFlows(query: FlowQuery) {
    const matching = this.flows.filter((flow) => matchesFilter(flow, query.filter));
    const column = query.sort.column;
    const sign = query.sort.direction === 'ascending' ? 1 : -1;
    matching.sort((a, b) => {
      const left = sortValue(a, column);
      const right = sortValue(b, column);
      return left === right ? 0 : (left ?? '') < (right ?? '') ? -sign : sign;
    });
    return {
      total: matching.length,
      offset: query.offset,
      rows: matching.slice(query.offset, query.offset + query.limit),
    };
  }

  buildApi(): TidelineApi {
    const overview = (): CaptureOverview => ({
      captureId: this.captureId,
      summary: null,
      sha256: 'ab'.repeat(32),
      topTalkers: [],
      protocolMix: [],
      serviceMix: [],
      flows: this.flows.length,
    });
    return {
      captureOpen: (argument) =>
        this.answer(
          'captureOpen',
          argument,
          argument.path.endsWith('missing.pcap')
            ? fail<OpenedCapture>('file-not-found', `File not found: ${argument.path}`)
            : succeed({ captureId: this.captureId, path: argument.path }),
        ),
      captureCancel: (argument) => this.answer('captureCancel', argument, succeed({ isCancelled: true })),
      captureStatus: () => this.answer('captureStatus', {}, succeed(null)),
      flowsQuery: async (argument) => {
        this.record('flowsQuery', argument);
        if (this.flowQueryGate) await this.flowQueryGate;
        return succeed(this.queryFlows(argument));
      },
      flowsGet: (argument) => {
        const flow = this.flows.find((candidate) => candidate.uid === argument.uid);
        return this.answer(
          'flowsGet',
          argument,
          flow ? succeed(flow) : fail<FlowRecord>('not-found', `No flow ${argument.uid}`),
        );
      },
      aggregatesTimeline: (argument) => this.answer('aggregatesTimeline', argument, succeed(this.timeline)),
      aggregatesHostGraph: (argument) => this.answer('aggregatesHostGraph', argument, succeed(this.hostGraph)),
      aggregatesOverview: (argument) => this.answer('aggregatesOverview', argument, succeed(overview())),
      alertsList: (argument) =>
        this.answer('alertsList', argument, succeed({ alerts: this.alerts, totalAlerts: this.alerts.length })),
      alertsSetState: (argument) => {
        this.alerts = this.alerts.map((alert) =>
          alert.id === argument.alertId ? { ...alert, status: argument.state } : alert,
        );
        return this.answer('alertsSetState', argument, succeed({ alertId: argument.alertId, state: argument.state }));
      },
      recordsQuery: (argument) => {
        const rows = this.records.filter((row) => row.type === argument.type);
        return this.answer(
          'recordsQuery',
          argument,
          succeed({ total: rows.length, offset: argument.offset, rows: rows.slice(argument.offset, argument.offset + argument.limit) }),
        );
      },
      recordsForFlow: (argument) =>
        this.answer('recordsForFlow', argument, succeed(this.records.filter((row) => row.uids.includes(argument.uid)))),
      alertsGetAllowList: (argument) => this.answer('alertsGetAllowList', argument, succeed(this.allowList)),
      alertsSetAllowList: (argument) => {
        this.allowList = allowListSchema.parse(argument.allowList);
        return this.answer('alertsSetAllowList', argument, succeed(this.allowList));
      },
      recentList: () => this.answer('recentList', {}, succeed([])),
      recentAdd: (argument) => this.answer('recentAdd', argument, succeed([{ path: argument.path, openedAtMs: 0 }])),
      recentClear: () => this.answer('recentClear', {}, succeed([])),
      settingsGet: () => this.answer('settingsGet', {}, succeed(this.settings)),
      settingsSet: (argument) => {
        this.settings = { ...this.settings, ...argument };
        return this.answer('settingsSet', argument, succeed(this.settings));
      },
      dialogOpenCapture: () => this.answer('dialogOpenCapture', {}, fail('unsupported', 'No dialog in tests')),
      appInfo: () =>
        this.answer(
          'appInfo',
          {},
          succeed({
            mode: this.mode,
            version: '0.0.0',
            canShowFileDialog: this.mode === 'desktop',
            canOpenInWireshark: this.canOpenInWireshark,
          }),
        ),
      appOpenInWireshark: (argument) => {
        if (!this.canOpenInWireshark) return this.answer('appOpenInWireshark', argument, fail('unsupported', 'No Wireshark in tests'));
        this.openedInWireshark.push(argument.path);
        return this.answer('appOpenInWireshark', argument, succeed({ path: argument.path }));
      },
      captureListInterfaces: () => this.answer('captureListInterfaces', {}, succeed(this.devices)),
      captureValidateFilter: (argument) =>
        this.answer(
          'captureValidateFilter',
          argument,
          succeed({ message: argument.filter.includes('bogus') ? 'syntax error in filter expression' : null }),
        ),
      captureStartLive: (argument) =>
        this.answer(
          'captureStartLive',
          argument,
          this.liveStartResult ??
            succeed({
              captureId: this.captureId,
              device: argument.device,
              linkType: 1,
              isNanosecond: true,
              warnings: [],
              folder: '/data/captures/live',
              files: ['/data/captures/live/capture.pcapng'],
            }),
        ),
      capturePauseLive: (argument) => this.answer('capturePauseLive', argument, succeed({ isPaused: true })),
      captureResumeLive: (argument) => this.answer('captureResumeLive', argument, succeed({ isPaused: false })),
      captureStopLive: (argument) =>
        this.answer(
          'captureStopLive',
          argument,
          succeed({
            captureId: argument.captureId,
            reason: 'stopped' as const,
            message: null,
            files: ['/data/captures/live/capture.pcapng'],
            counters: zeroLiveCounters(),
          }),
        ),
      casesList: () => this.answer('casesList', {}, succeed(this.cases)),
      casesOpen: (argument) => {
        const found = this.cases.find((entry) => entry.id === argument.caseId);
        return this.answer(
          'casesOpen',
          argument,
          found === undefined || found.marker === null
            ? fail('not-found', `Case ${argument.caseId} cannot be opened`)
            : succeed({
                captureId: this.captureId,
                manifest: {
                  formatVersion: 1,
                  id: found.id,
                  name: found.name,
                  createdUs: found.createdUs,
                  sources: found.sources,
                  settings: { isPayloadKept: true, diskCapBytes: null, databaseMemoryBytes: 1, databaseThreads: 1 },
                },
                marker: found.marker,
              }),
        );
      },
      casesGetSettings: () => this.answer('casesGetSettings', {}, succeed(this.newCaseSettings)),
      casesSetSettings: (argument) => {
        this.newCaseSettings = { ...this.newCaseSettings, ...argument };
        return this.answer('casesSetSettings', argument, succeed(this.newCaseSettings));
      },
      casesDelete: (argument) => {
        this.cases = this.cases.filter((entry) => entry.id !== argument.caseId);
        return this.answer('casesDelete', argument, succeed({ caseId: argument.caseId }));
      },
      filterCheck: (argument) => {
        if (this.filterRule !== null) {
          const error = this.filterRule(argument.text);
          return this.answer('filterCheck', argument, succeed(error === null ? { ok: true as const } : { ok: false as const, error }));
        }
        // The fake's one rule: `===` is not an operator, as in the real language.
        const column = argument.text.indexOf('===');
        return this.answer(
          'filterCheck',
          argument,
          succeed(
            column < 0
              ? { ok: true as const }
              : { ok: false as const, error: { message: 'unexpected "="', column: column + 2, length: 1 } },
          ),
        );
      },
      filterComplete: (argument) =>
        this.answer(
          'filterComplete',
          argument,
          succeed(this.filterFields.filter((field) => field.name.startsWith(argument.prefix))),
        ),
      packetsList: (argument) =>
        this.answer(
          'packetsList',
          argument,
          succeed(this.packetLists.get(argument.uid) ?? { total: 0, offset: 0, rows: [] }),
        ),
      packetsDetail: (argument) => {
        const detail = this.packetDetails.get(argument.packetNumber);
        return this.answer(
          'packetsDetail',
          argument,
          detail === undefined ? fail<PacketDetail>('not-found', `No packet ${argument.packetNumber}`) : succeed(detail),
        );
      },
      streamFollow: (argument) =>
        this.answer(
          'streamFollow',
          argument,
          this.followedStream === null
            ? fail<FollowedStream>('not-found', `No stream for ${argument.uid}`)
            : succeed(this.followedStream),
        ),
      exportCarve: (argument) => this.answer('exportCarve', argument, succeed(this.carvedFile)),
      onCaseIngest: this.listen('case.ingest'),
      onCaptureLiveCounters: this.listen('capture.liveCounters'),
      onCaptureLiveEnded: this.listen('capture.liveEnded'),
      onCaptureStarted: this.listen('capture.started'),
      onCaptureProgress: this.listen('capture.progress'),
      onCaptureBatch: this.listen('capture.batch'),
      onCaptureDone: this.listen('capture.done'),
      onCaptureFailed: this.listen('capture.failed'),
      onEngineCrashed: this.listen('engine.crashed'),
      onEngineRestarted: this.listen('engine.restarted'),
      onSettingsChanged: this.listen('settings.changed'),
    };
  }

  connection(): ApiConnection {
    return { api: this.buildApi(), mode: 'serve', onConnectionChange: () => () => undefined };
  }
}

/** Counters of a capture that saw nothing yet. */
export function zeroLiveCounters(): LiveCaptureCounters {
  return {
    packets: 0,
    bytes: 0,
    libpcapReceived: 0,
    droppedByKernel: 0,
    droppedByInterface: 0,
    packetsPerSecond: 0,
    bitsPerSecond: 0,
    packetsWritten: 0,
    packetsNotAnalyzed: 0,
    elapsedMs: 0,
  };
}

/** Waits until every pending promise callback and Vue watcher has run. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 5; round += 1) await new Promise((resolve) => setTimeout(resolve, 0));
}
