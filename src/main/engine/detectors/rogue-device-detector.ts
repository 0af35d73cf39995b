/**
 * Rogue devices, from link-layer observations (see packet-observation.ts):
 * - a MAC address first seen after the opening period (a device joining);
 * - one IPv4 address claimed in ARP by several MAC addresses (ARP spoofing,
 *   or a failover pair, which belongs on the allow-list);
 * - DHCP replies from more than one server, or from a server not in
 *   `knownDhcpServers` when that list is set.
 */
import type { Alert } from '../../../shared/domain/alert';
import { buildAlert, formatDuration, techniques } from './alert-factory';
import { BoundedMap } from './bounded-map';
import { type CaptureSpan, type Detector, type DetectorContext, computeOpeningEndUs } from './detector';
import { type PacketObservation, formatIpv4, formatMac } from './packet-observation';

interface Sighting {
  firstUs: number;
  lastUs: number;
  firstPacketNumber: number;
  packetNumbers: number[];
  count: number;
  /** IPv4 the MAC used first (integer), 0 when none seen. */
  ipv4: number;
}

const maxPacketNumbersKept = 50;
const maxMacsPerAddress = 16;

export class RogueDeviceDetector implements Detector {
  readonly name = 'rogue-device';
  private macs: BoundedMap<number, Sighting>;
  /** IPv4 -> MAC -> ARP claims. */
  private arpClaims: BoundedMap<number, Map<number, Sighting>>;
  /** DHCP server IPv4 -> its replies and MAC. */
  private dhcpServers = new Map<number, Sighting & { mac: number }>();

  constructor(private readonly context: DetectorContext) {
    this.macs = new BoundedMap(context.settings.limits.maxKeysPerDetector);
    this.arpClaims = new BoundedMap(context.settings.limits.maxKeysPerDetector);
  }

  get evictions(): number {
    return this.macs.evictions + this.arpClaims.evictions;
  }

  /** Take over `previous`'s sightings: the allow-list applies only when alerts are evaluated, so they carry over unchanged. */
  adoptPacketState(previous: Detector): void {
    if (!(previous instanceof RogueDeviceDetector)) return;
    this.macs = previous.macs;
    this.arpClaims = previous.arpClaims;
    this.dhcpServers = previous.dhcpServers;
  }

  observePacket(packet: PacketObservation): void {
    if (packet.sourceMac !== 0) {
      // get() first: the creating closure is made only for a new MAC, not for every packet.
      const mac =
        this.macs.get(packet.sourceMac) ?? this.macs.getOrCreate(packet.sourceMac, () => createSighting(packet));
      note(mac, packet);
      if (mac.ipv4 === 0) mac.ipv4 = packet.sourceIpv4 !== 0 ? packet.sourceIpv4 : packet.arpSenderIpv4;
    }
    if (packet.arpOperation !== 0 && packet.arpSenderIpv4 !== 0 && packet.arpSenderMac !== 0) {
      const claims = this.arpClaims.getOrCreate(packet.arpSenderIpv4, () => new Map());
      let claim = claims.get(packet.arpSenderMac);
      if (claim === undefined) {
        if (claims.size >= maxMacsPerAddress) return;
        claim = createSighting(packet);
        claims.set(packet.arpSenderMac, claim);
      }
      note(claim, packet);
    }
    if (packet.isDhcpServerReply && packet.sourceIpv4 !== 0) {
      let server = this.dhcpServers.get(packet.sourceIpv4);
      if (server === undefined) {
        if (this.dhcpServers.size >= 64) return;
        server = { ...createSighting(packet), mac: packet.sourceMac };
        this.dhcpServers.set(packet.sourceIpv4, server);
      }
      note(server, packet);
    }
  }

  evaluate(span: CaptureSpan): Alert[] {
    return [...this.evaluateNewDevices(span), ...this.evaluateArp(), ...this.evaluateDhcp()];
  }

  private evaluateNewDevices(span: CaptureSpan): Alert[] {
    const openingEndUs = computeOpeningEndUs(span, this.context.settings);
    const alerts: Alert[] = [];
    for (const [mac, sighting] of this.macs) {
      if (sighting.firstUs <= openingEndUs) continue;
      const macText = formatMac(mac);
      const ipText = sighting.ipv4 === 0 ? null : formatIpv4(sighting.ipv4);
      if (ipText !== null && this.context.scope.isHostAllowed(ipText)) continue;
      alerts.push(
        buildAlert(
          {
            detector: 'new-device',
            key: macText,
            score: 35,
            maxSeverity: 'low',
            title: `New device ${macText}${ipText === null ? '' : ` (${ipText})`}`,
            reason:
              `MAC ${macText}${ipText === null ? '' : ` using ${ipText}`} first sent a frame ${formatDuration(sighting.firstUs - span.firstUs)} ` +
              `into the capture, after the opening period of ${formatDuration(openingEndUs - span.firstUs)}; it sent ${sighting.count} frames.`,
            measurements: [
              {
                name: 'first seen after capture start',
                value: (sighting.firstUs - span.firstUs) / 1_000_000,
                threshold: (openingEndUs - span.firstUs) / 1_000_000,
                unit: 'seconds',
              },
            ],
            technique: techniques.hardwareAdditions,
            firstUs: sighting.firstUs,
            lastUs: sighting.lastUs,
            hosts: ipText === null ? [macText] : [ipText, macText],
            packetNumbers: sighting.packetNumbers,
          },
          this.context.settings.limits.maxEvidence,
        ),
      );
    }
    return alerts;
  }

  private evaluateArp(): Alert[] {
    const alerts: Alert[] = [];
    for (const [address, claims] of this.arpClaims) {
      if (claims.size < 2) continue;
      const ipText = formatIpv4(address);
      if (this.context.scope.isHostAllowed(ipText)) continue;
      const entries = [...claims.entries()].sort((a, b) => a[1].firstUs - b[1].firstUs);
      const macs = entries.map(([mac]) => formatMac(mac));
      const claimText = entries
        .map(([mac, claim]) => `${formatMac(mac)} (${claim.count} ARP packets from packet ${claim.firstPacketNumber})`)
        .join(', ');
      alerts.push(
        buildAlert(
          {
            detector: 'arp-spoofing',
            key: ipText,
            score: 70 + 5 * Math.min(4, claims.size - 2),
            title: `${ipText} claimed by ${claims.size} MAC addresses in ARP`,
            reason:
              `ARP senders claimed ${ipText} from ${claims.size} different MAC addresses: ${claimText}; the threshold is 2. ` +
              `The later claim may be poisoning caches to intercept traffic to ${ipText}.`,
            measurements: [
              { name: 'MAC addresses claiming the address', value: claims.size, threshold: 2, unit: 'MACs' },
            ],
            technique: techniques.arpCachePoisoning,
            firstUs: Math.min(...entries.map(([, claim]) => claim.firstUs)),
            lastUs: Math.max(...entries.map(([, claim]) => claim.lastUs)),
            hosts: [ipText, ...macs],
            packetNumbers: entries.flatMap(([, claim]) => claim.packetNumbers),
          },
          this.context.settings.limits.maxEvidence,
        ),
      );
    }
    return alerts;
  }

  /** One alert naming every unexpected DHCP server, so a flood of forged servers reads as one finding. */
  private evaluateDhcp(): Alert[] {
    const known = new Set(this.context.settings.rogueDevice.knownDhcpServers);
    const servers = [...this.dhcpServers.entries()].sort((a, b) => a[1].firstUs - b[1].firstUs);
    const rogue = (known.size > 0 ? servers.filter(([ip]) => !known.has(formatIpv4(ip))) : servers.slice(1)).filter(
      ([ip]) => !this.context.scope.isHostAllowed(formatIpv4(ip)),
    );
    if (rogue.length === 0) return [];
    const rogueSet = new Set(rogue.map(([ip]) => ip));
    const expected = servers.filter(([ip]) => !rogueSet.has(ip)).map(([ip]) => formatIpv4(ip));
    const [firstIp, first] = rogue[0] as [number, Sighting & { mac: number }];
    const basis =
      known.size > 0
        ? `not among the known DHCP servers (${[...known].join(', ')})`
        : `${expected.join(', ')} answered first`;
    const listed = rogue
      .slice(0, 10)
      .map(
        ([ip, server]) =>
          `${formatIpv4(ip)} (MAC ${formatMac(server.mac)}, ${server.count} repl${server.count === 1 ? 'y' : 'ies'} from packet ${server.firstPacketNumber})`,
      )
      .join(', ');
    const title =
      rogue.length === 1 ? `Second DHCP server ${formatIpv4(firstIp)}` : `${rogue.length} unexpected DHCP servers`;
    return [
      buildAlert(
        {
          detector: 'rogue-dhcp-server',
          key: formatIpv4(firstIp),
          score: 75 + 5 * Math.min(4, Math.log2(rogue.length)),
          title,
          reason:
            `${servers.length} DHCP servers answered in the capture; the threshold is 1 server. Unexpected: ${listed}` +
            `${rogue.length > 10 ? ` and ${rogue.length - 10} more` : ''}; ${basis}.`,
          measurements: [{ name: 'DHCP servers answering', value: servers.length, threshold: 1, unit: 'servers' }],
          technique: techniques.dhcpSpoofing,
          firstUs: first.firstUs,
          lastUs: Math.max(...rogue.map(([, server]) => server.lastUs)),
          hosts: [...rogue.map(([ip]) => formatIpv4(ip)), ...expected],
          packetNumbers: rogue.flatMap(([, server]) => server.packetNumbers),
        },
        this.context.settings.limits.maxEvidence,
      ),
    ];
  }
}

function createSighting(packet: PacketObservation): Sighting {
  return {
    firstUs: packet.timestampUs,
    lastUs: packet.timestampUs,
    firstPacketNumber: packet.packetNumber,
    packetNumbers: [],
    count: 0,
    ipv4: 0,
  };
}

function note(sighting: Sighting, packet: PacketObservation): void {
  sighting.count++;
  sighting.lastUs = Math.max(sighting.lastUs, packet.timestampUs);
  if (sighting.packetNumbers.length < maxPacketNumbersKept) sighting.packetNumbers.push(packet.packetNumber);
}
