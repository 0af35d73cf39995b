/**
 * DNS tunnelling per client and registered domain (Public Suffix List, via
 * tldts). Tunnels such as iodine and dnscat2 encode data in the subdomain.
 * So one client sends many distinct, long, random-looking names under one
 * domain, often for TXT, NULL or CNAME records, and gets large answers.
 *
 * Five signals, each a 0-1 sub-score of equal weight:
 * - distinct subdomains in the busiest window, against `uniqueSubdomains`;
 * - share of queries with a label of `longLabelCharacters` or more;
 * - mean character entropy of subdomain parts long enough to measure;
 * - share of TXT, NULL and CNAME queries;
 * - mean DNS payload per response packet of the client's flows for the domain.
 * A signal scores 1 at its threshold and scales linearly below it. The
 * alert needs `minQueries` and a score of at least `alertScore`.
 */
import type { Alert } from '../../../../shared/domain/alert';
import { type FlowReference, buildAlert, roundForReading } from '../alert-factory';
import { BoundedMap } from '../bounded-map';
import type { CaptureSpan, DetectorContext } from '../detector';
import type { ProtocolDetectionSettings } from '../protocol-settings';
import { clampUnit } from '../robust-statistics';
import { computeCharacterEntropy, findLongestLabel, splitDnsName } from './dns-names';
import type { FlowIndex } from './flow-index';
import { toPrintable } from './printable';
import { protocolTechniques } from './techniques';
import type { DnsObservation, ProtocolDetector, ProtocolObservation } from './protocol-observation';

/** DNS RR types that carry arbitrary data or a name back (RFC 1035): CNAME 5, NULL 10, TXT 16. */
const dataRecordTypes = new Set([5, 10, 16]);

interface ClientDomain {
  client: string;
  domain: string;
  queries: number;
  longLabelQueries: number;
  dataTypeQueries: number;
  entropySum: number;
  entropyCount: number;
  /** Window index -> distinct subdomains in it (capped). */
  windows: Map<number, Set<string>>;
  uids: Set<string>;
  servers: Set<string>;
  packets: number[];
  firstUs: number;
  lastUs: number;
  longestName: string;
}

export class DnsTunnelDetector implements ProtocolDetector {
  readonly name = 'dns-tunnel';
  private readonly keys: BoundedMap<string, ClientDomain>;

  constructor(
    private readonly context: DetectorContext,
    private readonly settings: ProtocolDetectionSettings,
    private readonly flows: FlowIndex,
  ) {
    this.keys = new BoundedMap(context.settings.limits.maxKeysPerDetector);
  }

  get evictions(): number {
    return this.keys.evictions;
  }

  observeRecord(record: ProtocolObservation): void {
    if (record.kind !== 'dns' || record.query === null || record.query === '') return;
    if (record.serverPort === 5353 || record.serverPort === 5355 || record.serverPort === 137) return;
    this.add(record, record.query);
  }

  evaluate(_span: CaptureSpan): Alert[] {
    const alerts: Alert[] = [];
    for (const [key, entry] of this.keys) {
      const alert = this.judge(key, entry);
      if (alert !== null) alerts.push(alert);
    }
    return alerts;
  }

  private add(record: DnsObservation, query: string): void {
    const settings = this.settings.dnsTunnel;
    const maxItems = this.settings.limits.maxItemsPerKey;
    const { registeredDomain, subdomain } = splitDnsName(query);
    const key = `${record.client}>${registeredDomain}`;
    const entry = this.keys.getOrCreate(key, () => ({
      client: record.client,
      domain: registeredDomain,
      queries: 0,
      longLabelQueries: 0,
      dataTypeQueries: 0,
      entropySum: 0,
      entropyCount: 0,
      windows: new Map(),
      uids: new Set(),
      servers: new Set(),
      packets: [],
      firstUs: record.timestampUs,
      lastUs: record.timestampUs,
      longestName: query,
    }));
    entry.queries++;
    entry.firstUs = Math.min(entry.firstUs, record.timestampUs);
    entry.lastUs = Math.max(entry.lastUs, record.timestampUs);
    if (query.length > entry.longestName.length) entry.longestName = query;
    if (findLongestLabel(subdomain) >= settings.longLabelCharacters) entry.longLabelQueries++;
    if (record.queryType !== null && dataRecordTypes.has(record.queryType)) entry.dataTypeQueries++;
    const letters = subdomain.replace(/\./g, '');
    if (letters.length >= settings.minEntropyCharacters) {
      entry.entropySum += computeCharacterEntropy(letters);
      entry.entropyCount++;
    }

    const windowIndex = Math.floor(record.timestampUs / (settings.windowSeconds * 1_000_000));
    let names = entry.windows.get(windowIndex);
    if (names === undefined) {
      names = new Set();
      if (entry.windows.size < maxItems) entry.windows.set(windowIndex, names);
    }
    if (subdomain !== '' && names.size < maxItems) names.add(subdomain);
    if (entry.uids.size < maxItems) entry.uids.add(record.uid);
    if (entry.servers.size < 16) entry.servers.add(record.server);
    if (entry.packets.length < maxItems) {
      if (record.queryPacketNumber !== null) entry.packets.push(record.queryPacketNumber);
      if (record.responsePacketNumber !== null) entry.packets.push(record.responsePacketNumber);
    }
  }

  private judge(key: string, entry: ClientDomain): Alert | null {
    const settings = this.settings.dnsTunnel;
    if (entry.queries < settings.minQueries) return null;
    if (this.context.scope.isHostAllowed(entry.client)) return null;

    const peakSubdomains = Math.max(0, ...[...entry.windows.values()].map((names) => names.size));
    const longShare = entry.longLabelQueries / entry.queries;
    const meanEntropy = entry.entropyCount === 0 ? 0 : entry.entropySum / entry.entropyCount;
    const dataShare = entry.dataTypeQueries / entry.queries;
    const flows = this.flows.collect(entry.uids);
    const responsePackets = flows.reduce((sum, flow) => sum + flow.responderPackets, 0);
    const responseBytes = flows.reduce((sum, flow) => sum + flow.responderBytes, 0);
    const meanResponseBytes = responsePackets === 0 ? 0 : responseBytes / responsePackets;

    const parts: [string, number][] = [
      ['distinct subdomains', clampUnit(peakSubdomains / settings.uniqueSubdomains)],
      ['long labels', clampUnit(longShare / settings.longLabelShare)],
      ['subdomain entropy', clampUnit(meanEntropy / settings.subdomainEntropyBitsPerCharacter)],
      ['TXT/NULL/CNAME share', clampUnit(dataShare / settings.unusualTypeShare)],
      ['response size', clampUnit(meanResponseBytes / settings.largeMessageBytes)],
    ];
    const weight = 1 / parts.length;
    const subScores = parts.map(([name, value]) => ({ name, value, weight }));
    const score = 100 * subScores.reduce((sum, part) => sum + part.value * part.weight, 0);
    if (score < settings.alertScore) return null;

    const crossed = [
      peakSubdomains >= settings.uniqueSubdomains
        ? `${peakSubdomains} distinct subdomains in one ${settings.windowSeconds}-s window (threshold ${settings.uniqueSubdomains})`
        : null,
      longShare >= settings.longLabelShare
        ? `${Math.round(longShare * 100)}% of queries with a label of ${settings.longLabelCharacters}+ characters (threshold ${Math.round(settings.longLabelShare * 100)}%)`
        : null,
      meanEntropy >= settings.subdomainEntropyBitsPerCharacter
        ? `subdomain entropy ${roundForReading(meanEntropy)} bits per character (threshold ${settings.subdomainEntropyBitsPerCharacter})`
        : null,
      dataShare >= settings.unusualTypeShare
        ? `${Math.round(dataShare * 100)}% TXT/NULL/CNAME queries (threshold ${Math.round(settings.unusualTypeShare * 100)}%)`
        : null,
      meanResponseBytes >= settings.largeMessageBytes
        ? `${Math.round(meanResponseBytes)} B per response packet (threshold ${settings.largeMessageBytes} B)`
        : null,
    ].filter((text): text is string => text !== null);

    const evidence: FlowReference[] = flows;
    return buildAlert(
      {
        detector: this.name,
        key,
        score,
        title: `DNS tunnelling from ${entry.client} via ${toPrintable(entry.domain)}`,
        reason:
          `${entry.client} sent ${entry.queries} queries under ${toPrintable(entry.domain)}` +
          (crossed.length > 0 ? `: ${crossed.join('; ')}` : '') +
          `. Longest name ${entry.longestName.length} characters ("${toPrintable(entry.longestName, 80)}"). ` +
          `Score ${Math.round(score)} from five equal parts, alert threshold ${settings.alertScore}.`,
        measurements: [
          {
            name: 'distinct subdomains in busiest window',
            value: peakSubdomains,
            threshold: settings.uniqueSubdomains,
            unit: 'names',
          },
          {
            name: 'share of queries with a long label',
            value: longShare,
            threshold: settings.longLabelShare,
            unit: 'fraction',
          },
          {
            name: 'mean subdomain entropy',
            value: meanEntropy,
            threshold: settings.subdomainEntropyBitsPerCharacter,
            unit: 'bits/character',
          },
          {
            name: 'share of TXT/NULL/CNAME queries',
            value: dataShare,
            threshold: settings.unusualTypeShare,
            unit: 'fraction',
          },
          {
            name: 'mean bytes per response packet',
            value: meanResponseBytes,
            threshold: settings.largeMessageBytes,
            unit: 'bytes',
          },
          { name: 'queries', value: entry.queries, threshold: settings.minQueries, unit: 'queries' },
        ],
        technique: protocolTechniques.dns,
        firstUs: entry.firstUs,
        lastUs: entry.lastUs,
        hosts: [entry.client, ...entry.servers],
        flows: evidence,
        packetNumbers: entry.packets,
        subScores,
      },
      this.context.settings.limits.maxEvidence,
    );
  }
}
