/**
 * TLS oddities towards external servers, per internal client and server:
 * - a ClientHello without SNI (browsers and libraries send one for every
 *   name; malware that connects to a bare address often does not);
 * - a self-signed host certificate (subject equal to issuer);
 * - a host certificate outside its validity period at connection time;
 * - a rare client fingerprint: a JA3 or JA4 used by at most
 *   `rareFingerprintMaxHosts` internal hosts while at least
 *   `rareFingerprintMinHosts` internal hosts used TLS.
 * Certificates arrive as their own records (x509.log rows, once per
 * fingerprint), so sessions are joined to them in `evaluate`.
 */
import type { Alert } from '../../../../shared/domain/alert';
import { buildAlert } from '../alert-factory';
import { BoundedMap } from '../bounded-map';
import type { CaptureSpan, DetectorContext } from '../detector';
import type { ProtocolDetectionSettings } from '../protocol-settings';
import type { FlowIndex } from './flow-index';
import type {
  CertificateObservation,
  ProtocolDetector,
  ProtocolObservation,
  TlsObservation,
} from './protocol-observation';
import { toPrintable } from './printable';
import { protocolTechniques } from './techniques';

type Oddity = 'no-sni' | 'self-signed' | 'expired' | 'rare-fingerprint';

interface PairSessions {
  client: string;
  server: string;
  sessions: TlsObservation[];
}

const maxSessionsPerPair = 200;
const oddityScores: Record<Oddity, number> = { 'no-sni': 35, 'self-signed': 55, expired: 50, 'rare-fingerprint': 40 };

export class TlsOddityDetector implements ProtocolDetector {
  readonly name = 'tls-oddities';
  private readonly pairs: BoundedMap<string, PairSessions>;
  private readonly certificates: BoundedMap<string, CertificateObservation>;
  /** Fingerprint (JA3 or JA4) -> internal hosts that sent it. */
  private readonly fingerprintHosts: BoundedMap<string, Set<string>>;
  private readonly tlsHosts = new Set<string>();

  constructor(
    private readonly context: DetectorContext,
    private readonly settings: ProtocolDetectionSettings,
    private readonly flows: FlowIndex,
  ) {
    const maxKeys = context.settings.limits.maxKeysPerDetector;
    this.pairs = new BoundedMap(maxKeys);
    this.certificates = new BoundedMap(maxKeys);
    this.fingerprintHosts = new BoundedMap(maxKeys);
  }

  get evictions(): number {
    return this.pairs.evictions + this.certificates.evictions + this.fingerprintHosts.evictions;
  }

  observeRecord(record: ProtocolObservation): void {
    if (record.kind === 'certificate') {
      if (record.fingerprint !== '') this.certificates.getOrCreate(record.fingerprint, () => record);
      return;
    }
    if (record.kind !== 'tls' || !this.context.scope.isInternal(record.client)) return;
    if (record.hasClientHello && this.tlsHosts.size < this.context.settings.limits.maxKeysPerDetector)
      this.tlsHosts.add(record.client);
    for (const fingerprint of [record.ja3, record.ja4]) {
      if (fingerprint === null) continue;
      const hosts = this.fingerprintHosts.getOrCreate(fingerprint, () => new Set());
      if (hosts.size <= this.settings.tls.rareFingerprintMaxHosts + 1) hosts.add(record.client);
    }
    if (this.context.scope.isInternal(record.server)) return;
    const key = `${record.client}>${record.server}`;
    const pair = this.pairs.getOrCreate(key, () => ({ client: record.client, server: record.server, sessions: [] }));
    if (pair.sessions.length < maxSessionsPerPair) pair.sessions.push(record);
  }

  evaluate(_span: CaptureSpan): Alert[] {
    const alerts: Alert[] = [];
    for (const [key, pair] of this.pairs) {
      const found = new Map<Oddity, { sessions: TlsObservation[]; detail: string }>();
      for (const session of pair.sessions) {
        for (const [oddity, detail] of this.findOddities(session)) {
          const entry = found.get(oddity) ?? { sessions: [], detail };
          entry.sessions.push(session);
          found.set(oddity, entry);
        }
      }
      for (const [oddity, entry] of found)
        alerts.push(this.build(`${key} ${oddity}`, pair, oddity, entry.sessions, entry.detail));
    }
    return alerts;
  }

  private findOddities(session: TlsObservation): [Oddity, string][] {
    const settings = this.settings.tls;
    const oddities: [Oddity, string][] = [];
    if (settings.reportMissingServerName && session.hasClientHello && session.serverName === null) {
      oddities.push(['no-sni', 'the ClientHello carried no server name (SNI)']);
    }
    const fingerprint = session.certificateFingerprints[0];
    const certificate = fingerprint === undefined ? undefined : this.certificates.get(fingerprint);
    if (certificate !== undefined) {
      if (certificate.isSelfSigned)
        oddities.push([
          'self-signed',
          `the host certificate is self-signed (subject and issuer "${toPrintable(certificate.subject)}")`,
        ]);
      const after = certificate.notValidAfterUs;
      const before = certificate.notValidBeforeUs;
      if (after !== null && session.timestampUs > after) {
        oddities.push([
          'expired',
          `the host certificate expired ${new Date(after / 1000).toISOString()}, before the connection`,
        ]);
      } else if (before !== null && session.timestampUs < before) {
        oddities.push([
          'expired',
          `the host certificate is valid only from ${new Date(before / 1000).toISOString()}, after the connection`,
        ]);
      }
    }
    if (this.tlsHosts.size >= settings.rareFingerprintMinHosts) {
      for (const [label, value] of [
        ['JA3', session.ja3],
        ['JA4', session.ja4],
      ] as const) {
        if (value === null) continue;
        const hosts = this.fingerprintHosts.get(value)?.size ?? 0;
        if (hosts > 0 && hosts <= settings.rareFingerprintMaxHosts) {
          oddities.push([
            'rare-fingerprint',
            `the client's ${label} ${value} was sent by ${hosts} of ${this.tlsHosts.size} internal TLS clients (rare at ${settings.rareFingerprintMaxHosts} or fewer)`,
          ]);
          break;
        }
      }
    }
    return oddities;
  }

  private build(key: string, pair: PairSessions, oddity: Oddity, sessions: TlsObservation[], detail: string): Alert {
    const names = [
      ...new Set(sessions.map((session) => session.serverName).filter((name): name is string => name !== null)),
    ];
    const target = `${pair.server}${
      names.length > 0
        ? ` (${names
            .slice(0, 3)
            .map((name) => toPrintable(name))
            .join(', ')})`
        : ''
    }`;
    const titles: Record<Oddity, string> = {
      'no-sni': `TLS without server name from ${pair.client} to ${pair.server}`,
      'self-signed': `Self-signed certificate on ${pair.server} used by ${pair.client}`,
      expired: `Certificate outside its validity on ${pair.server} used by ${pair.client}`,
      'rare-fingerprint': `Rare TLS client fingerprint from ${pair.client} to ${pair.server}`,
    };
    const rareHosts =
      oddity === 'rare-fingerprint'
        ? Math.min(...sessions.map((session) => this.fingerprintHosts.get(session.ja3 ?? session.ja4 ?? '')?.size ?? 1))
        : 0;
    const measurements: Alert['measurements'] =
      oddity === 'rare-fingerprint'
        ? [
            {
              name: 'internal hosts with this fingerprint',
              value: rareHosts,
              threshold: this.settings.tls.rareFingerprintMaxHosts,
              unit: 'hosts',
            },
            {
              name: 'internal TLS clients',
              value: this.tlsHosts.size,
              threshold: this.settings.tls.rareFingerprintMinHosts,
              unit: 'hosts',
            },
          ]
        : [{ name: 'sessions', value: sessions.length, threshold: 1, unit: 'sessions' }];
    return buildAlert(
      {
        detector: `tls-${oddity}`,
        key,
        score: oddityScores[oddity] + Math.min(10, sessions.length - 1),
        maxSeverity: 'medium',
        title: titles[oddity],
        reason: `${pair.client} made ${sessions.length} TLS session${sessions.length === 1 ? '' : 's'} to external ${target} in which ${detail}.`,
        measurements,
        technique: protocolTechniques.encryptedChannel,
        firstUs: Math.min(...sessions.map((session) => session.timestampUs)),
        lastUs: Math.max(...sessions.map((session) => session.timestampUs)),
        hosts: [pair.client, pair.server],
        flows: this.flows.collect(sessions.map((session) => session.uid)),
        // A certificate oddity was raised by the packet carrying the Certificate message, the others by the ClientHello.
        packetNumbers:
          oddity === 'self-signed' || oddity === 'expired'
            ? packetsOf(sessions, (session) => session.certificatePacketNumber)
            : packetsOf(sessions, (session) => session.clientHelloPacketNumber),
      },
      this.context.settings.limits.maxEvidence,
    );
  }
}

/** Collect the packet that `pick` returns for each session (its ClientHello or Certificate), skipping unknown ones. */
function packetsOf(sessions: readonly TlsObservation[], pick: (session: TlsObservation) => number | null | undefined): number[] {
  const packets: number[] = [];
  for (const session of sessions) {
    const packet = pick(session);
    if (packet !== undefined && packet !== null) packets.push(packet);
  }
  return packets;
}
