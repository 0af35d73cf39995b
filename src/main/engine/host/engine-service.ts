/**
 * The engine's request handlers, independent of the transport: the engine
 * process, the serve server's child and the tests all call `handle`.
 * Every argument is validated against the contract before a handler runs.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import { requests } from '../../../shared/contract/requests';
import type { AlertList } from '../../../shared/contract/requests';
import type { EngineRequestName, ParsedArgument, RequestHandlers } from '../../../shared/contract/types';
import { validateRequest } from '../../../shared/contract/validate';
import type { CaptureOverview } from '../../../shared/domain/aggregates';
import type { CaseIngestMarker, CaseManifest } from '../../../shared/domain/case';
import { alertSeverities, type Alert } from '../../../shared/domain/alert';
import type { HostGraph } from '../../../shared/domain/host';
import type { FlowFilter } from '../../../shared/domain/query';
import { fail, succeed, type Result } from '../../../shared/errors';
import { parseNetwork } from '../detectors/network-scope';
import { getLogger } from '../logging';
import type { AnalyzeCapture } from './analyzer';
import { CaptureSession, type EmitEvent } from './capture-session';
import { CaseHost } from './case-host';
import { checkDisplayFilter, completeFilterField } from '../filter/display-filter';
import { describeOpenError } from './error-mapping';
import { LiveCaptureHost, type LiveCaptureHostOptions } from './live-capture-host';
import { buildHostGraphFromIndex } from './host-graph';
import { findTopTalkers, sumProtocolMix, sumServiceMix } from './overview';
import { buildTimelineFromStore, buildTrafficIndexFromStore } from './store-timeline';
import { buildTimeline, defaultBucketCount } from './timeline';
import { TrafficIndex } from './traffic-index';

const log = getLogger('engine.host');

export interface EngineServiceOptions {
  analyze: AnalyzeCapture;
  emit: EmitEvent;
  hashFile?: (path: string, signal?: AbortSignal) => Promise<string>;
  /** Folder of the per-capture alert verdict and allow-list files; default in the user's data folder. */
  alertStateFolder?: string;
  /** Live capture settings (tests pass the fake addon and a temporary folder). */
  liveCapture?: Omit<LiveCaptureHostOptions, 'emit' | 'adoptSession'>;
  /** Folder of the cases; when given, every capture opened from a file is also ingested into a case there. */
  casesFolder?: string;
}

export class EngineService {
  private session: CaptureSession | null = null;
  /** Sessions fed from a reopened case, whose timeline the case store aggregates. */
  private readonly reopenedSessionIds = new Set<string>();
  private readonly options: EngineServiceOptions;
  private readonly handlers: RequestHandlers<EngineRequestName>;
  readonly live: LiveCaptureHost;
  /** Cases, packets, follow stream and carving; null when no cases folder was given. */
  readonly cases: CaseHost | null;

  constructor(options: EngineServiceOptions) {
    this.options = options;
    this.live = new LiveCaptureHost({
      ...options.liveCapture,
      emit: options.emit,
      adoptSession: (session) => {
        this.session?.cancel();
        this.session = session;
      },
    });
    this.cases = options.casesFolder === undefined ? null : new CaseHost({ casesFolder: options.casesFolder, emit: options.emit });
    this.handlers = this.createHandlers();
  }

  /** The capture being loaded or loaded last, or null. */
  get currentSession(): CaptureSession | null {
    return this.session;
  }

  /**
   * Validate and run one request. Returns the handler's result, or
   * `unknown-request`, `invalid-argument`, `unsupported` (a request the host
   * process handles itself) or `internal` when the handler threw.
   */
  async handle(name: string, argument: unknown): Promise<Result<unknown>> {
    const validated = validateRequest(name, argument);
    if (!validated.ok) {
      log.debug({ request: name, field: validated.error.details.field }, 'request rejected');
      return validated;
    }
    const requestName = name as keyof typeof requests;
    const filterError = checkDisplayFilterArgument(validated.value);
    if (filterError !== null) return filterError;
    if (requests[requestName].handledBy !== 'engine') {
      return fail('unsupported', `The engine does not handle ${name}; the host process answers it.`, { request: name });
    }

    const handler = this.handlers[requestName as EngineRequestName] as (
      value: unknown,
    ) => Promise<Result<unknown>> | Result<unknown>;
    try {
      return await handler(validated.value);
    } catch (error) {
      log.error({ request: name, err: error }, 'request handler failed');
      return fail(
        'internal',
        `The engine failed while handling ${name}: ${error instanceof Error ? error.message : String(error)}`,
        {
          request: name,
        },
      );
    }
  }

  /** Cancel any load and drop the capture. */
  dispose(): void {
    this.session?.cancel();
    this.session = null;
    void this.cases?.detach();
  }

  /** Reopen a case from its store: a session fed from the case's flows, no packet read. */
  private async openCase(caseId: string): Promise<Result<{ captureId: string; manifest: CaseManifest; marker: CaseIngestMarker }>> {
    return this.withCases(async (cases) => {
      // Cancel first: closing the current case waits for its capture's analysis to end.
      this.session?.cancel();
      const opened = await cases.openCase(caseId);
      if (!opened.ok) return opened;
      const { store, analyze, summaryPath, storedAlerts } = opened.value;
      const sha256 = store.manifest.sources[0]?.sha256 ?? '';
      const session = new CaptureSession({
        path: summaryPath,
        analyze,
        emit: this.options.emit,
        hashFile: () => Promise.resolve(sha256),
        alertStateFolder: this.options.alertStateFolder,
        storedAlerts,
      });
      this.session = session;
      this.reopenedSessionIds.clear();
      this.reopenedSessionIds.add(session.id);
      cases.adoptCase(session.id, store);
      return succeed({ captureId: session.id, manifest: store.manifest, marker: store.marker });
    });
  }

  private async withCases<T>(action: (cases: CaseHost) => Promise<Result<T>>): Promise<Result<T>> {
    if (this.cases === null) {
      return fail('unsupported', 'This engine keeps no cases (no cases folder was configured), so packets cannot be read back.');
    }
    return action(this.cases);
  }

  private createHandlers(): RequestHandlers<EngineRequestName> {
    return {
      'capture.open': (argument) => this.openCapture(argument.path),
      'capture.cancel': (argument) =>
        this.withSession(argument.captureId, (session) => succeed({ isCancelled: session.cancel() })),
      'capture.status': () => succeed(this.session?.status() ?? null),
      'flows.query': (argument) =>
        this.withSession(argument.captureId, (session) => succeed(session.store.query(argument))),
      'flows.get': (argument) =>
        this.withSession(argument.captureId, (session) => {
          const flow = session.store.get(argument.uid);
          if (flow === undefined)
            return fail('not-found', `Flow ${argument.uid} is not in the loaded capture.`, { uid: argument.uid });
          return succeed(flow);
        }),
      'aggregates.timeline': (argument) =>
        this.withSessionAsync(argument.captureId, async (session) => {
          const wantedBuckets = argument.bucketCount ?? defaultBucketCount;
          if (this.reopenedSessionIds.has(session.id) && this.cases !== null) {
            const store = await this.cases.storeOf(session.id);
            const timeline = store.ok ? await buildTimelineFromStore(store.value, argument.filter, wantedBuckets) : null;
            if (timeline !== null) return succeed(timeline);
          }
          return succeed(buildTimeline(session.store.select(argument.filter), wantedBuckets, argument.filter.timeRange));
        }),
      'aggregates.hostGraph': (argument) =>
        this.withSessionAsync(argument.captureId, async (session) => {
          let traffic: TrafficIndex | null = null;
          if (this.reopenedSessionIds.has(session.id) && this.cases !== null) {
            const store = await this.cases.storeOf(session.id);
            traffic = store.ok ? await buildTrafficIndexFromStore(store.value, argument.filter) : null;
          }
          return succeed(this.buildGraph(session, argument, traffic));
        }),
      'aggregates.overview': (argument) =>
        this.withSession(argument.captureId, (session) => succeed(this.buildOverview(session, argument.filter))),
      'alerts.list': (argument) =>
        this.withSession(argument.captureId, (session) => succeed(this.listAlerts(session, argument))),
      'alerts.setState': (argument) =>
        this.withSessionAsync(argument.captureId, async (session) => {
          if (!session.alerts().some((alert) => alert.id === argument.alertId)) {
            log.debug({ captureId: argument.captureId, alertId: argument.alertId }, 'verdict for unknown alert rejected');
            return fail('not-found', `Alert ${argument.alertId} is not among the capture's alerts; list them again.`, {
              alertId: argument.alertId,
            });
          }
          await session.detection.setStatus(argument.alertId, argument.state);
          return succeed({ alertId: argument.alertId, state: argument.state });
        }),
      'records.query': (argument) =>
        this.withSession(argument.captureId, (session) => {
          const displayFilter = argument.filter.displayFilter;
          if (displayFilter === undefined || displayFilter.trim() === '')
            return succeed(session.records.query(argument));
          // The display filter speaks of flow fields: keep the records of the flows it selects.
          const flowUids = new Set(session.store.select({ displayFilter }).map((flow) => flow.uid));
          return succeed(session.records.query(argument, flowUids));
        }),
      'records.forFlow': (argument) =>
        this.withSession(argument.captureId, (session) => succeed(session.records.forFlow(argument.uid))),
      'alerts.getAllowList': (argument) =>
        this.withSession(argument.captureId, (session) => succeed(session.detection.currentAllowList)),
      'alerts.setAllowList': (argument) =>
        this.withSessionAsync(argument.captureId, async (session) => {
          const invalid = findInvalidNetwork(argument.allowList.networks);
          if (invalid !== null) {
            log.debug({ captureId: argument.captureId, network: invalid.text }, 'allow-list network rejected');
            return fail('invalid-argument', `Invalid allow-list network "${invalid.text}": ${invalid.message}`, {
              field: 'allowList.networks',
            });
          }
          await session.detection.setAllowList(argument.allowList, session.finishedFlows());
          return succeed(session.detection.currentAllowList);
        }),
      'capture.listInterfaces': () => this.live.listInterfaces(),
      'capture.validateFilter': (argument) => this.live.validateFilter(argument.filter, argument.linkType),
      'capture.startLive': (argument) => this.live.startLive(argument),
      'capture.pauseLive': (argument) => this.live.setPaused(argument.captureId, true),
      'capture.resumeLive': (argument) => this.live.setPaused(argument.captureId, false),
      'capture.stopLive': (argument) => this.live.stopLive(argument.captureId),
      'cases.list': () => this.withCases(async (cases) => succeed(await cases.list())),
      'cases.open': (argument) => this.openCase(argument.caseId),
      'cases.delete': (argument) =>
        this.withCases(async (cases) => {
          const store = this.session === null ? null : await cases.storeOf(this.session.id);
          if (store?.ok === true && store.value.manifest.id === argument.caseId) this.dispose();
          return cases.delete(argument.caseId);
        }),
      'cases.getSettings': () => this.withCases(async (cases) => succeed(await cases.getNewCaseSettings())),
      'cases.setSettings': (argument) => this.withCases(async (cases) => succeed(await cases.setNewCaseSettings(argument))),
      'filter.check': (argument) => succeed(checkDisplayFilter(argument.text)),
      'filter.complete': (argument) => succeed(completeFilterField(argument.prefix)),
      'packets.list': (argument) =>
        this.withCases((cases) => cases.listPackets(argument.captureId, argument.uid, argument.offset, argument.limit)),
      'packets.detail': (argument) =>
        this.withCases((cases) => cases.packetDetail(argument.captureId, argument.sourceId, argument.packetNumber)),
      'stream.follow': (argument) =>
        this.withSessionAsync(argument.captureId, async (session) => {
          const flow = session.store.get(argument.uid);
          if (flow === undefined)
            return fail('not-found', `Flow ${argument.uid} is not in the loaded capture.`, { uid: argument.uid });
          return this.withCases((cases) => cases.follow(argument.captureId, flow, argument.capBytes));
        }),
      'export.carve': (argument) =>
        this.withSessionAsync(argument.captureId, (session) =>
          this.withCases((cases) =>
            cases.carve(argument.captureId, argument.path, argument.selection, (alertId) =>
              session.alerts().find((alert) => alert.id === alertId),
            ),
          ),
        ),
    };
  }

  private async openCapture(path: string): Promise<Result<{ captureId: string; path: string }>> {
    const absolutePath = resolve(path);
    try {
      const info = await stat(absolutePath);
      if (!info.isFile()) {
        return fail('read-failed', `${absolutePath} is not a regular file; choose a pcap or pcapng file.`, {
          path: absolutePath,
        });
      }
    } catch (error) {
      const described = describeOpenError(error, absolutePath);
      return fail(described.code, described.message, described.details);
    }

    this.session?.cancel();
    const session = new CaptureSession({
      path: absolutePath,
      analyze: this.options.analyze,
      emit: this.options.emit,
      hashFile: this.options.hashFile,
      alertStateFolder: this.options.alertStateFolder,
    });
    this.session = session;
    // The case stores the session's alerts once ingest ends, so a reopened case shows them as they were.
    // A file that could not be read as a capture (not a capture, gone, unreadable) gets no case.
    this.cases?.attachCapture(session.id, absolutePath, session.finished, () => session.alerts(), () => !session.isFileError);
    return succeed({ captureId: session.id, path: absolutePath });
  }

  private async withSessionAsync<T>(
    captureId: string,
    action: (session: CaptureSession) => Promise<Result<T>>,
  ): Promise<Result<T>> {
    const found = this.withSession(captureId, (session) => succeed(session));
    if (!found.ok) return found;
    return action(found.value);
  }

  private withSession<T>(captureId: string, action: (session: CaptureSession) => Result<T>): Result<T> {
    const session = this.session;
    if (session === null || session.id !== captureId) {
      return fail(
        'not-found',
        `Capture ${captureId} is not loaded in the engine (another capture replaced it, or the engine restarted). Open the file again.`,
        {
          captureId,
        },
      );
    }
    return action(session);
  }

  private buildOverview(session: CaptureSession, filter: FlowFilter | undefined): CaptureOverview {
    const flows = isEmptyFilter(filter) ? session.store.all() : session.store.select(filter);
    return {
      captureId: session.id,
      summary: session.finalSummary,
      sha256: session.fileSha256,
      topTalkers: findTopTalkers(trafficOf(session, filter).hosts.values(), undefined, (address) =>
        session.hostNames.namesOf(address),
      ),
      protocolMix: sumProtocolMix(flows),
      serviceMix: sumServiceMix(flows),
      flows: flows.length,
    };
  }

  /** The host graph for a request, reused while the flows and the request stay the same. */
  private buildGraph(
    session: CaptureSession,
    argument: ParsedArgument<'aggregates.hostGraph'>,
    storeTraffic: TrafficIndex | null = null,
  ): HostGraph {
    const key = JSON.stringify([argument.filter, argument.maxNodes]);
    const cached = session.graphCache;
    if (cached !== null && cached.key === key && cached.version === session.store.version) return cached.graph;

    // A reopened case passes the totals its store aggregated; otherwise they come from the flows in memory.
    const graph = buildHostGraphFromIndex(
      storeTraffic ?? trafficOf(session, argument.filter),
      argument.maxNodes,
      session.graphPositions,
      (address) => session.hostNames.namesOf(address),
    );
    for (const node of graph.nodes) session.graphPositions.set(node.id, { x: node.x, y: node.y });
    session.graphCache = { key, version: session.store.version, graph };
    return graph;
  }

  private listAlerts(session: CaptureSession, argument: ParsedArgument<'alerts.list'>): AlertList {
    const all = session.alerts();
    const minimum = alertSeverities.indexOf(argument.minimumSeverity ?? 'info');
    const alerts = all.filter(
      (alert) => alertSeverities.indexOf(alert.severity) >= minimum && alertMatchesFilter(alert, argument.filter),
    );
    return { alerts, totalAlerts: all.length };
  }
}

/**
 * A flow filter's display filter that does not parse, as an
 * `invalid-argument` error with its column and length; null otherwise.
 */
function checkDisplayFilterArgument(argument: unknown): Result<never> | null {
  if (typeof argument !== 'object' || argument === null) return null;
  const filter = (argument as { filter?: unknown }).filter;
  if (typeof filter !== 'object' || filter === null) return null;
  const text = (filter as { displayFilter?: unknown }).displayFilter;
  if (typeof text !== 'string' || text.trim() === '') return null;
  const checked = checkDisplayFilter(text);
  if (checked.ok) return null;
  const { message, column, length } = checked.error;
  return fail('invalid-argument', `Display filter error at column ${column + 1}: ${message}`, {
    field: 'filter.displayFilter',
    column,
    length,
  });
}

/** The first network that is not valid CIDR, with the parser's message, or null. */
function findInvalidNetwork(networks: readonly string[]): { text: string; message: string } | null {
  for (const text of networks) {
    try {
      parseNetwork(text);
    } catch (error) {
      return { text, message: error instanceof Error ? error.message : String(error) };
    }
  }
  return null;
}

/** True when the filter has no field set, so it selects every flow. */
function isEmptyFilter(filter: FlowFilter | undefined): boolean {
  return filter === undefined || Object.values(filter).every((value) => value === undefined);
}

/** Host and pair totals for `filter`: the store's running totals when nothing is filtered. */
function trafficOf(session: CaptureSession, filter: FlowFilter | undefined): TrafficIndex {
  return isEmptyFilter(filter) ? session.store.traffic : TrafficIndex.of(session.store.select(filter));
}

/**
 * Check whether an alert meets a filter: its time span overlaps the range,
 * it names a filtered host, and its text or evidence matches.
 */
export function alertMatchesFilter(alert: Alert, filter: FlowFilter): boolean {
  const range = filter.timeRange;
  if (
    range !== undefined &&
    (alert.lastUs < range.startUs || alert.firstUs >= Math.max(range.endUs, range.startUs + 1))
  )
    return false;
  if (filter.hosts !== undefined && !alert.hosts.some((host) => filter.hosts?.includes(host))) return false;
  if (filter.uids !== undefined) {
    const uids = new Set(filter.uids);
    if (!alert.evidence.flowUids.some((uid) => uids.has(uid))) return false;
  }
  const text = filter.text?.trim().toLowerCase() ?? '';
  if (text !== '' && !`${alert.title} ${alert.reason} ${alert.hosts.join(' ')}`.toLowerCase().includes(text))
    return false;
  return true;
}
