/**
 * SMB lateral movement and insider scanning, from SMB tree connects and
 * file opens:
 * - admin share use: a file created or written on ADMIN$ or a drive share
 *   (C$), or any named file opened there when the source does not say
 *   whether it was a write (Zeek's smb_files.log does not); PsExec and
 *   similar tools copy their service binary this way;
 * - remote execution: an RPC pipe for service control or task scheduling
 *   (svcctl, atsvc, psexesvc, ...) opened on IPC$;
 * - share enumeration: one client connecting to many distinct shares, or to
 *   shares on many servers, inside one window (or opening srvsvc, the pipe
 *   of NetShareEnum, on many servers).
 */
import type { Alert } from '../../../../shared/domain/alert';
import { type FlowReference, buildAlert } from '../alert-factory';
import { BoundedMap } from '../bounded-map';
import type { CaptureSpan, DetectorContext } from '../detector';
import type { ProtocolDetectionSettings } from '../protocol-settings';
import type { FlowIndex } from './flow-index';
import type {
  ObservedConnection,
  ProtocolDetector,
  ProtocolObservation,
  SmbFileObservation,
} from './protocol-observation';
import { toPrintable } from './printable';
import { protocolTechniques } from './techniques';

/** Pipes that start services or tasks on the server (MS-SCMR svcctl, MS-TSCH atsvc, PsExec and RemCom helpers). */
const executionPipes = new Set(['svcctl', 'atsvc', 'psexesvc', 'remcom_communicaton', 'scerpc', 'ntsvcs']);

interface PairFinding {
  client: string;
  server: string;
  /** Share, file or pipe names, in order seen. */
  items: Set<string>;
  writes: number;
  unknownWrites: number;
  uids: Set<string>;
  firstUs: number;
  lastUs: number;
}

interface ClientShares {
  /** Tree connects in time order: time, server, share path. */
  connects: { timeUs: number; server: string; path: string; uid: string }[];
}

const maxItems = 64;

export class SmbLateralDetector implements ProtocolDetector {
  readonly name = 'smb-lateral';
  private readonly adminWrites: BoundedMap<string, PairFinding>;
  private readonly executions: BoundedMap<string, PairFinding>;
  private readonly clients: BoundedMap<string, ClientShares>;

  constructor(
    private readonly context: DetectorContext,
    private readonly settings: ProtocolDetectionSettings,
    private readonly flows: FlowIndex,
  ) {
    const maxKeys = context.settings.limits.maxKeysPerDetector;
    this.adminWrites = new BoundedMap(maxKeys);
    this.executions = new BoundedMap(maxKeys);
    this.clients = new BoundedMap(maxKeys);
  }

  get evictions(): number {
    return this.adminWrites.evictions + this.executions.evictions + this.clients.evictions;
  }

  observeRecord(record: ProtocolObservation): void {
    if (record.kind === 'smb-tree') {
      this.addConnect(record, record.path);
      return;
    }
    if (record.kind !== 'smb-file') return;
    if (record.pipe !== null && executionPipes.has(record.pipe)) {
      this.addPairItem(this.executions, record, record.pipe, null);
      return;
    }
    if (record.pipe === 'srvsvc') this.addConnect(record, `${record.treePath ?? `\\\\${record.server}\\IPC$`}|srvsvc`);
    if (record.treePath !== null && isAdminShare(record.treePath) && record.name !== '' && record.isWrite !== false) {
      this.addPairItem(this.adminWrites, record, `${shareOf(record.treePath)}\\${record.name}`, record.isWrite);
    }
  }

  evaluate(_span: CaptureSpan): Alert[] {
    const alerts: Alert[] = [];
    for (const [key, finding] of this.adminWrites) alerts.push(this.buildAdminShare(key, finding));
    for (const [key, finding] of this.executions) alerts.push(this.buildExecution(key, finding));
    for (const [client, state] of this.clients) {
      const alert = this.buildEnumeration(client, state);
      if (alert !== null) alerts.push(alert);
    }
    return alerts;
  }

  private addConnect(record: ObservedConnection, path: string): void {
    const state = this.clients.getOrCreate(record.client, () => ({ connects: [] }));
    if (state.connects.length >= this.settings.limits.maxItemsPerKey) return;
    state.connects.push({
      timeUs: record.timestampUs,
      server: record.server,
      path: path.toUpperCase(),
      uid: record.uid,
    });
  }

  private addPairItem(
    map: BoundedMap<string, PairFinding>,
    record: SmbFileObservation,
    item: string,
    isWrite: boolean | null,
  ): void {
    const key = `${record.client}>${record.server}`;
    const finding = map.getOrCreate(key, () => ({
      client: record.client,
      server: record.server,
      items: new Set(),
      writes: 0,
      unknownWrites: 0,
      uids: new Set(),
      firstUs: record.timestampUs,
      lastUs: record.timestampUs,
    }));
    if (finding.items.size < maxItems) finding.items.add(item);
    if (isWrite === true) finding.writes++;
    else if (isWrite === null) finding.unknownWrites++;
    if (finding.uids.size < maxItems) finding.uids.add(record.uid);
    finding.firstUs = Math.min(finding.firstUs, record.timestampUs);
    finding.lastUs = Math.max(finding.lastUs, record.timestampUs);
  }

  private evidence(uids: Iterable<string>): FlowReference[] {
    return this.flows.collect(uids);
  }

  private buildAdminShare(key: string, finding: PairFinding): Alert {
    const items = [...finding.items];
    const verb =
      finding.writes > 0
        ? `wrote ${finding.writes} file${finding.writes === 1 ? '' : 's'}`
        : `opened ${items.length} file${items.length === 1 ? '' : 's'}`;
    return buildAlert(
      {
        detector: 'smb-admin-share-write',
        key,
        score: finding.writes > 0 ? 80 : 65,
        title: `${finding.client} ${finding.writes > 0 ? 'wrote to' : 'opened files on'} an admin share of ${finding.server}`,
        reason:
          `${finding.client} ${verb} on administrative shares of ${finding.server}: ${items
            .slice(0, 6)
            .map((item) => toPrintable(item))
            .join(', ')}. ` +
          (finding.writes > 0 ? '' : 'The record does not say whether the open wrote data. ') +
          `Copying a program to ADMIN$ or C$ is how PsExec-style tools stage remote execution; the threshold is one file.`,
        measurements: [
          { name: 'files on admin shares', value: items.length, threshold: 1, unit: 'files' },
          { name: 'creates or writes', value: finding.writes, threshold: 1, unit: 'files' },
        ],
        technique: protocolTechniques.smbAdminShares,
        firstUs: finding.firstUs,
        lastUs: finding.lastUs,
        hosts: [finding.client, finding.server],
        flows: this.evidence(finding.uids),
      },
      this.context.settings.limits.maxEvidence,
    );
  }

  private buildExecution(key: string, finding: PairFinding): Alert {
    const pipes = [...finding.items];
    const isTask = pipes.includes('atsvc');
    return buildAlert(
      {
        detector: 'smb-remote-execution',
        key,
        score: 85,
        title: `Remote ${isTask ? 'task scheduling' : 'service control'} from ${finding.client} on ${finding.server}`,
        reason:
          `${finding.client} opened the RPC pipe${pipes.length === 1 ? '' : 's'} ${pipes.join(', ')} on IPC$ of ${finding.server}. ` +
          `svcctl creates and starts services, atsvc schedules tasks: both run programs on the server. The threshold is one open.`,
        measurements: [{ name: 'execution pipes opened', value: pipes.length, threshold: 1, unit: 'pipes' }],
        technique: isTask ? protocolTechniques.scheduledTask : protocolTechniques.serviceExecution,
        firstUs: finding.firstUs,
        lastUs: finding.lastUs,
        hosts: [finding.client, finding.server],
        flows: this.evidence(finding.uids),
      },
      this.context.settings.limits.maxEvidence,
    );
  }

  /** Busiest window of tree connects, by distinct shares and servers relative to their thresholds; one pass with counts. */
  private buildEnumeration(client: string, state: ClientShares): Alert | null {
    const settings = this.settings.smb;
    const connects = [...state.connects].sort((a, b) => a.timeUs - b.timeUs);
    const windowUs = settings.windowSeconds * 1_000_000;
    const shareCounts = new Map<string, number>();
    const serverCounts = new Map<string, number>();
    let best = { shares: 0, servers: 0, start: 0, end: -1, level: 0 };
    let start = 0;
    for (let end = 0; end < connects.length; end++) {
      const entering = connects[end] as (typeof connects)[number];
      addCount(shareCounts, `${entering.server}|${entering.path}`, 1);
      addCount(serverCounts, entering.server, 1);
      while (entering.timeUs - (connects[start] as (typeof connects)[number]).timeUs > windowUs) {
        const leaving = connects[start] as (typeof connects)[number];
        addCount(shareCounts, `${leaving.server}|${leaving.path}`, -1);
        addCount(serverCounts, leaving.server, -1);
        start++;
      }
      const level = Math.max(shareCounts.size / settings.distinctShares, serverCounts.size / settings.distinctServers);
      if (level > best.level) best = { shares: shareCounts.size, servers: serverCounts.size, start, end, level };
    }
    const isManyShares = best.shares >= settings.distinctShares;
    const isManyServers = best.servers >= settings.distinctServers;
    if (!isManyShares && !isManyServers) return null;
    const window = connects.slice(best.start, best.end + 1);
    const servers = [...new Set(window.map((connect) => connect.server))];
    const shareNames = [...new Set(window.map((connect) => connect.path.split('|')[0] ?? ''))];
    const score =
      50 +
      10 * Math.min(3, Math.max(best.shares / settings.distinctShares, best.servers / settings.distinctServers) - 1) +
      (isManyServers ? 10 : 0);
    return buildAlert(
      {
        detector: 'smb-share-enumeration',
        key: client,
        score,
        maxSeverity: 'high',
        title: `Share enumeration by ${client} across ${servers.length} server${servers.length === 1 ? '' : 's'}`,
        reason:
          `${client} connected to ${best.shares} distinct shares on ${best.servers} servers within ${settings.windowSeconds} s ` +
          `(thresholds ${settings.distinctShares} shares or ${settings.distinctServers} servers): ${shareNames
            .slice(0, 8)
            .map((share) => toPrintable(share))
            .join(', ')}.`,
        measurements: [
          { name: 'distinct shares in window', value: best.shares, threshold: settings.distinctShares, unit: 'shares' },
          {
            name: 'distinct servers in window',
            value: best.servers,
            threshold: settings.distinctServers,
            unit: 'hosts',
          },
        ],
        technique: protocolTechniques.networkShareDiscovery,
        firstUs: window[0]?.timeUs ?? 0,
        lastUs: window[window.length - 1]?.timeUs ?? 0,
        hosts: [client, ...servers],
        flows: this.evidence(window.map((connect) => connect.uid)),
      },
      this.context.settings.limits.maxEvidence,
    );
  }
}

/** Add `delta` to the count of `key`, deleting the key at 0. */
function addCount(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}

function shareOf(treePath: string): string {
  return treePath.split('\\').pop() ?? treePath;
}

function isAdminShare(treePath: string): boolean {
  const share = shareOf(treePath).toUpperCase();
  return share === 'ADMIN$' || /^[A-Z]\$$/.test(share);
}
