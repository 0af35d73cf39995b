/**
 * The detection engine of one loaded capture: fed finished flows and learned
 * names as they arrive, with the analyst's verdicts and allow-list kept in
 * JSON files in the user's data folder until the case store keeps them.
 *
 * A rebuild after an allow-list change replays flows and analyzer records
 * and takes over the packet-level state of the engine it replaces, since the
 * link-layer detectors apply the allow-list only when they evaluate.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { alertStatuses, type Alert, type AlertStatus } from '../../../shared/domain/alert';
import type { AllowList } from '../../../shared/domain/allow-list';
import { allowListSchema } from '../../../shared/domain/allow-list';
import type { FlowRecord } from '../../../shared/domain/flow';
import { AlertStateStore } from '../detectors/alert-state-store';
import type { DecodedPacket } from '../decode/decoded-packet';
import { DetectionEngine } from '../detectors/detection-engine';
import type { ProtocolObservation } from '../detectors/protocol/protocol-observation';
import { defaultDetectionSettings } from '../detectors/detection-settings';
import { parseAddress } from '../detectors/network-scope';
import { getDefaultCasesFolder } from '../store/case-paths';
import { getLogger } from '../logging';

const log = getLogger('engine.detection');

/** Records kept for replay after an allow-list change; later ones still reach the detectors but are not replayed. */
const maxReplayedRecords = 200_000;

/** The folder of the per-capture verdict and allow-list files: `alert-state` beside the cases folder. */
export function getDefaultAlertStateFolder(): string {
  return join(dirname(getDefaultCasesFolder()), 'alert-state');
}

/** File stem of one capture's state files: a hash of its absolute path. */
function stateStemOf(capturePath: string): string {
  return createHash('sha256').update(capturePath).digest('hex').slice(0, 24);
}

export class CaptureDetection {
  private engine: DetectionEngine;
  private allowList: AllowList = allowListSchema.parse({});
  private readonly verdicts: AlertStateStore;
  private readonly allowListPath: string;
  /** Analyzer records for the protocol detectors, replayed when the engine is rebuilt; at most `maxReplayedRecords`. */
  private readonly protocolRecords: ProtocolObservation[] = [];
  /** Names learned from DNS, HTTP and TLS, replayed when the engine is rebuilt. */
  private readonly names: { address: string; name: string }[] = [];
  private readonly nameKeys = new Set<string>();
  /** Verdicts on alerts whose ids the verdict file does not accept (decode problems), kept in the allow-list file. */
  private readonly otherVerdicts = new Map<string, AlertStatus>();
  private changeVersion = 0;
  /** True when an allow-list was read from disk and the engine has not been rebuilt with it yet. */
  private pendingRebuild = false;
  /** Settles when the verdicts and allow-list files were read. */
  readonly loaded: Promise<void>;

  constructor(capturePath: string, stateFolder: string = getDefaultAlertStateFolder()) {
    const stem = stateStemOf(capturePath);
    this.verdicts = new AlertStateStore(join(stateFolder, `${stem}.alert-state.json`));
    this.allowListPath = join(stateFolder, `${stem}.allow-list.json`);
    this.engine = new DetectionEngine(defaultDetectionSettings);
    this.loaded = this.load(capturePath);
  }

  /** Rises whenever the alerts may have changed. */
  get version(): number {
    return this.changeVersion;
  }

  /** Feed finished flows; provisional records of open flows are skipped. */
  addFlows(flows: readonly FlowRecord[]): void {
    for (const flow of flows) if (flow.isProvisional !== true) this.engine.addFlow(flow);
    this.changeVersion += 1;
  }

  /** Feed one analyzer record to the protocol-aware detectors. */
  observeRecord(record: ProtocolObservation): void {
    if (this.protocolRecords.length < maxReplayedRecords) this.protocolRecords.push(record);
    this.engine.observeRecord(record);
    this.changeVersion += 1;
  }

  /** Feed one decoded packet to the link-layer detectors; `data` is borrowed for the call. */
  observeDecodedPacket(decoded: DecodedPacket, data: Uint8Array, timestampUs: number, packetNumber: number): void {
    this.engine.observeDecodedPacket(decoded, data, timestampUs, packetNumber);
  }

  /** Learn that `address` answered to `name` (DNS answer, HTTP Host, TLS SNI), so domain allow-lists apply. */
  noteName(address: string, name: string): void {
    if (parseAddress(address) === null) return;
    const key = `${address} ${name}`;
    if (this.nameKeys.has(key)) return;
    this.nameKeys.add(key);
    this.names.push({ address, name });
    this.engine.noteName(address, name);
  }

  evaluate(): Alert[] {
    return this.engine.evaluate();
  }

  statusOf(alertId: string): AlertStatus {
    return this.verdicts.get(alertId)?.status ?? this.otherVerdicts.get(alertId) ?? 'open';
  }

  get currentAllowList(): AllowList {
    return this.allowList;
  }

  /** Set an alert's verdict and save the file. */
  async setStatus(alertId: string, status: AlertStatus): Promise<void> {
    this.changeVersion += 1;
    await mkdir(dirname(this.allowListPath), { recursive: true });
    // The verdict file accepts only detector ids ("A" and 16 hex digits); decode-problem alerts go beside the allow-list.
    if (!detectorAlertIdPattern.test(alertId)) {
      if (status === 'open') this.otherVerdicts.delete(alertId);
      else this.otherVerdicts.set(alertId, status);
      await this.saveStateFile();
      return;
    }
    this.verdicts.set(alertId, status);
    this.engine.setVerdicts(this.verdicts.statuses());
    await this.verdicts.save();
  }

  /**
   * Replace the allow-list, save it and run the detectors again over
   * `flows` (the capture's flows so far), since allow-listed flows never
   * reach the detectors.
   */
  async setAllowList(allowList: AllowList, flows: readonly FlowRecord[]): Promise<void> {
    this.allowList = allowList;
    this.rebuild(flows);
    await mkdir(dirname(this.allowListPath), { recursive: true });
    await this.saveStateFile();
  }

  /** Write the allow-list and the verdicts on alerts without a detector id, atomically. */
  private async saveStateFile(): Promise<void> {
    const body = { version: 1, allowList: this.allowList, otherVerdicts: Object.fromEntries(this.otherVerdicts) };
    const temporary = `${this.allowListPath}.tmp`;
    await writeFile(temporary, `${JSON.stringify(body, null, 2)}\n`);
    await rename(temporary, this.allowListPath);
  }

  private rebuild(flows: readonly FlowRecord[]): void {
    const previous = this.engine;
    this.engine = new DetectionEngine({ ...defaultDetectionSettings, allowList: this.allowList });
    this.engine.adoptPacketState(previous);
    for (const { address, name } of this.names) this.engine.noteName(address, name);
    this.engine.setVerdicts(this.verdicts.statuses());
    for (const record of this.protocolRecords) this.engine.observeRecord(record);
    this.addFlows(flows);
  }

  private async load(capturePath: string): Promise<void> {
    try {
      await this.readStateFiles(capturePath);
    } finally {
      // Alerts listed before the files were read carry no verdicts, so they must be evaluated again.
      this.changeVersion += 1;
    }
  }

  private async readStateFiles(capturePath: string): Promise<void> {
    try {
      await this.verdicts.load();
      this.engine.setVerdicts(this.verdicts.statuses());
    } catch (error) {
      log.warn({ capturePath, err: error }, 'alert verdicts not read; starting with none');
    }
    try {
      const text = await readFile(this.allowListPath, 'utf8');
      const json: unknown = JSON.parse(text);
      for (const [id, status] of parseOtherVerdicts(json)) this.otherVerdicts.set(id, status);
      const parsed = parseAllowListFile(json);
      if (parsed === null) {
        log.warn({ path: this.allowListPath }, 'allow-list file invalid; starting with an empty allow-list');
        return;
      }
      this.allowList = parsed;
      // Flows may already have arrived: the rebuild replays them through the new engine.
      this.pendingRebuild = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        log.warn({ path: this.allowListPath, err: error }, 'allow-list file not read; starting with an empty allow-list');
    }
  }

  /** Rebuild the engine with the allow-list read from disk, replaying `flows`; does nothing when none was read. */
  applyLoadedAllowList(flows: readonly FlowRecord[]): void {
    if (!this.pendingRebuild) return;
    this.pendingRebuild = false;
    this.rebuild(flows);
  }
}

/** Alert ids the detection engine makes, which the verdict file accepts. */
const detectorAlertIdPattern = /^A[0-9a-f]{16}$/;

/** Returns the valid entries of the file's `otherVerdicts` object; anything else is skipped. */
function parseOtherVerdicts(json: unknown): [string, AlertStatus][] {
  if (typeof json !== 'object' || json === null || !('otherVerdicts' in json)) return [];
  const verdicts = json.otherVerdicts;
  if (typeof verdicts !== 'object' || verdicts === null) return [];
  return Object.entries(verdicts).filter(
    (entry): entry is [string, AlertStatus] =>
      typeof entry[1] === 'string' && (alertStatuses as readonly string[]).includes(entry[1]),
  );
}

/** Returns the allow-list of a parsed allow-list file, or null when the file's shape is wrong. */
function parseAllowListFile(json: unknown): AllowList | null {
  if (typeof json !== 'object' || json === null || !('allowList' in json)) return null;
  const parsed = allowListSchema.safeParse(json.allowList);
  return parsed.success ? parsed.data : null;
}
