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
import { alertSeverities, type Alert } from '../../../shared/domain/alert';
import type { HostGraph } from '../../../shared/domain/host';
import type { FlowFilter } from '../../../shared/domain/query';
import { fail, succeed, type Result } from '../../../shared/errors';
import { parseNetwork } from '../detectors/network-scope';
import { getLogger } from '../logging';
import type { AnalyzeCapture } from './analyzer';
import { CaptureSession, type EmitEvent } from './capture-session';
import { describeLoadError } from './error-mapping';
import { LiveCaptureHost, type LiveCaptureHostOptions } from './live-capture-host';
import { buildHostGraphFromIndex } from './host-graph';
import { findTopTalkers, sumProtocolMix, sumServiceMix } from './overview';
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
}

export class EngineService {
  private session: CaptureSession | null = null;
  private readonly options: EngineServiceOptions;
  private readonly handlers: RequestHandlers<EngineRequestName>;
  readonly live: LiveCaptureHost;

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
        this.withSession(argument.captureId, (session) =>
          succeed(
            buildTimeline(
              session.store.select(argument.filter),
              argument.bucketCount ?? defaultBucketCount,
              argument.filter.timeRange,
            ),
          ),
        ),
      'aggregates.hostGraph': (argument) =>
        this.withSession(argument.captureId, (session) => succeed(this.buildGraph(session, argument))),
      'aggregates.overview': (argument) =>
        this.withSession(argument.captureId, (session) => succeed(this.buildOverview(session, argument.filter))),
      'alerts.list': (argument) =>
        this.withSession(argument.captureId, (session) => succeed(this.listAlerts(session, argument))),
      'alerts.setState': (argument) =>
        this.withSessionAsync(argument.captureId, async (session) => {
          await session.detection.setStatus(argument.alertId, argument.state);
          return succeed({ alertId: argument.alertId, state: argument.state });
        }),
      'records.query': (argument) =>
        this.withSession(argument.captureId, (session) => succeed(session.records.query(argument))),
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
      const described = describeLoadError(error, absolutePath);
      return fail(described.code, `Cannot open ${absolutePath}: ${described.message}`, described.details);
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
  private buildGraph(session: CaptureSession, argument: ParsedArgument<'aggregates.hostGraph'>): HostGraph {
    const key = JSON.stringify([argument.filter, argument.maxNodes]);
    const cached = session.graphCache;
    if (cached !== null && cached.key === key && cached.version === session.store.version) return cached.graph;

    const graph = buildHostGraphFromIndex(
      trafficOf(session, argument.filter),
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
