import { TcpEndpoint } from './tcp-endpoint';
import type { TransportName } from '../../../shared/domain/flow';
import { formatAddressBytes } from './address-text';
import { type FlowHandle, addServiceName } from './flow-hooks';

/** Zeek's history mask bits (Connection::CheckHistory); the responder's are shifted left by 16. */
export const HistoryMask = {
  syn: 0x1,
  fin: 0x2,
  rst: 0x4,
  finRst: 0x8,
  data: 0x10,
  ack: 0x20,
  multiFlag: 0x40,
} as const;

/** Per-direction counters; index 0 is the originator, 1 the responder. */
export interface DirectionCounters {
  packets: number;
  ipBytes: number;
  payloadBytes: number;
  /** UDP: sum of claimed payload lengths; ICMP: sum of message bodies. TCP uses the sequence span. */
  claimedBytes: number;
  /** True once this side sent a packet (Zeek's UDP_ACTIVE). */
  isActive: boolean;
}

function createCounters(): DirectionCounters {
  return { packets: 0, ipBytes: 0, payloadBytes: 0, claimedBytes: 0, isActive: false };
}

/**
 * Mutable state of one flow while it is in the flow table. The key bytes
 * are the only copy of packet data a flow keeps.
 */
export class FlowState implements FlowHandle {
  /** Canonical key bytes (see flow-key.ts); owned by this flow. */
  readonly keyBytes: Uint8Array;
  readonly keyHash: number;
  /** Next flow in the same hash bucket. */
  nextInBucket: FlowState | null = null;
  /** Doubly linked list of active flows, for expiry sweeps. */
  previousActive: FlowState | null = null;
  nextActive: FlowState | null = null;

  uid = '';
  readonly ipVersion: number;
  readonly protocol: number;
  readonly transport: TransportName;
  readonly vlan: number | null;
  readonly innerVlan: number | null;
  /** Originator and responder address bytes (4 or 16) and ports; swapped when Zeek's rules flip the flow. */
  originatorAddress: Uint8Array;
  responderAddress: Uint8Array;
  originatorPort: number;
  responderPort: number;
  /** ICMP: true when the message type has no reply type, so the responder port is the code. */
  readonly isIcmpOneWay: boolean;

  readonly startUs: number;
  /** Zeek's last_time: not advanced by TCP packets after both sides closed. */
  lastTimeUs: number;
  /** Timestamp of the last packet of any kind, for inactivity timeouts. */
  lastPacketUs: number;
  readonly firstPacketNumber: number;
  lastPacketNumber: number;

  counters: [DirectionCounters, DirectionCounters] = [createCounters(), createCounters()];
  history = '';
  historySeen = 0;
  tunnelParents: string[] = [];

  tcpEndpoints: [TcpEndpoint, TcpEndpoint] | null = null;
  /** TCP: when a SYN without reply expires (Zeek's attempt timer), or -1. */
  attemptDeadlineUs = -1;
  /** TCP: when a closed or reset connection leaves the table, or -1. */
  closeDeadlineUs = -1;
  missedBytes = 0;
  isFinished = false;

  /** Comma-separated services that analyzers set (see flow-hooks.ts). */
  service: string | null = null;
  analyzerState: unknown = undefined;
  private originatorText: string | null = null;
  private responderText: string | null = null;

  constructor(init: {
    keyBytes: Uint8Array;
    keyHash: number;
    ipVersion: number;
    protocol: number;
    transport: TransportName;
    vlan: number | null;
    innerVlan: number | null;
    originatorAddress: Uint8Array;
    responderAddress: Uint8Array;
    originatorPort: number;
    responderPort: number;
    isIcmpOneWay: boolean;
    timestampUs: number;
    packetNumber: number;
  }) {
    this.keyBytes = init.keyBytes;
    this.keyHash = init.keyHash;
    this.ipVersion = init.ipVersion;
    this.protocol = init.protocol;
    this.transport = init.transport;
    this.vlan = init.vlan;
    this.innerVlan = init.innerVlan;
    this.originatorAddress = init.originatorAddress;
    this.responderAddress = init.responderAddress;
    this.originatorPort = init.originatorPort;
    this.responderPort = init.responderPort;
    this.isIcmpOneWay = init.isIcmpOneWay;
    this.startUs = init.timestampUs;
    this.lastTimeUs = init.timestampUs;
    this.lastPacketUs = init.timestampUs;
    this.firstPacketNumber = init.packetNumber;
    this.lastPacketNumber = init.packetNumber;
    if (init.transport === 'tcp') this.tcpEndpoints = [new TcpEndpoint(), new TcpEndpoint()];
  }

  get originatorAddressText(): string {
    this.originatorText ??= formatAddressBytes(this.originatorAddress, 0, this.ipVersion === 6);
    return this.originatorText;
  }

  get responderAddressText(): string {
    this.responderText ??= formatAddressBytes(this.responderAddress, 0, this.ipVersion === 6);
    return this.responderText;
  }

  setService(name: string): void {
    this.service = addServiceName(this.service, name);
  }

  /**
   * Zeek's CheckHistory: record `letter` (upper case for the originator,
   * lower case for the responder) the first time `mask` is seen for that
   * side. Returns true when it had been seen before.
   */
  checkHistory(mask: number, letter: string, isOriginator: boolean): boolean {
    const bit = isOriginator ? mask : mask << 16;
    if ((this.historySeen & bit) !== 0) return true;
    this.historySeen |= bit;
    this.addHistory(letter, isOriginator);
    return false;
  }

  addHistory(letter: string, isOriginator: boolean): void {
    this.history += isOriginator ? letter.toUpperCase() : letter.toLowerCase();
  }

  /** Swap originator and responder, as Zeek's Connection::FlipRoles does, and record "^". */
  flipRoles(): void {
    [this.originatorAddress, this.responderAddress] = [this.responderAddress, this.originatorAddress];
    [this.originatorPort, this.responderPort] = [this.responderPort, this.originatorPort];
    [this.originatorText, this.responderText] = [this.responderText, this.originatorText];
    this.counters = [this.counters[1], this.counters[0]];
    if (this.tcpEndpoints !== null) this.tcpEndpoints = [this.tcpEndpoints[1], this.tcpEndpoints[0]];
    this.history += '^';
  }
}
