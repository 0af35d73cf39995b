import { TcpEndpoint } from './tcp-endpoint';
import type { TransportName } from '../../../shared/domain/flow';
import { formatAddressBytes } from './address-text';
import { type FlowHandle, addServiceName } from './flow-hooks';
import { deriveFlowUid } from './flow-uid';
import { FLOW_KEY_LENGTH, FLOW_KEY_WORDS, KEY_BYTES_ENDPOINT_A, KEY_BYTES_ENDPOINT_B, writeFlowKeyBytes } from './flow-key';

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

/** Offsets of the two endpoints' address bytes in the byte form of a flow key (see flow-key.ts). */
export const KEY_ENDPOINT_A = KEY_BYTES_ENDPOINT_A;
export const KEY_ENDPOINT_B = KEY_BYTES_ENDPOINT_B;
/** Words of one key while its byte form is written (once per flow). */
const keyWordsScratch = new Int32Array(FLOW_KEY_WORDS);

/**
 * Mutable state of one flow while it is in the flow table. The key words
 * are the only copy of packet data a flow keeps: the addresses are read from
 * them. Counters are plain fields, and the uid, the address texts and the
 * tunnel parents are made only when asked for, so an active flow costs about
 * 1 KB (TCP) or less (see docs/memory.md).
 */
export class FlowState implements FlowHandle {
  readonly keyHash: number;
  // The canonical key's words (see flow-key.ts). Fields rather than an array, so
  // that a lookup finds them in the cache lines of the flow it already reads.
  private readonly keyWord0: number;
  private readonly keyWord1: number;
  private readonly keyWord2: number;
  private readonly keyWord3: number;
  private readonly keyWord4: number;
  private readonly keyWord5: number;
  private readonly keyWord6: number;
  private readonly keyWord7: number;
  private readonly keyWord8: number;
  private readonly keyWord9: number;
  private readonly keyWord10: number;
  /** Next flow in the same hash bucket. */
  nextInBucket: FlowState | null = null;
  /** Doubly linked list of the flows in the same expiry slot (see flow-table.ts). */
  previousInSlot: FlowState | null = null;
  nextInSlot: FlowState | null = null;
  /** Expiry slot the flow is linked into (capture time / slot width), or -1. */
  expirySlot = -1;
  /** Capture time after which the flow times out, as of its last packet. */
  deadlineUs = 0;
  /** True from creation until the flow leaves the table. */
  isInTable = false;

  readonly ipVersion: number;
  readonly protocol: number;
  readonly transport: TransportName;
  readonly vlan: number | null;
  readonly innerVlan: number | null;
  /** Offset in the key's byte form (`keyBytes`) of the originator's address (KEY_ENDPOINT_A or KEY_ENDPOINT_B); the responder has the other. */
  originatorKeyOffset: number;
  /** Ports, or ICMP type and counterpart; swapped when Zeek's rules flip the flow. */
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

  originatorPackets = 0;
  originatorIpBytes = 0;
  originatorPayloadBytes = 0;
  /** UDP: sum of claimed payload lengths; ICMP: sum of message bodies. TCP uses the sequence span. */
  originatorClaimedBytes = 0;
  /** True once this side sent a packet (Zeek's UDP_ACTIVE). */
  isOriginatorActive = false;
  responderPackets = 0;
  responderIpBytes = 0;
  responderPayloadBytes = 0;
  responderClaimedBytes = 0;
  isResponderActive = false;

  history = '';
  historySeen = 0;
  /** uids of the flows that carried this one, or null when none did. */
  tunnelParents: string[] | null = null;

  tcpEndpoints: [TcpEndpoint, TcpEndpoint] | null = null;
  /** TCP: when a SYN without reply expires (Zeek's attempt timer), or -1. */
  attemptDeadlineUs = -1;
  /** TCP: when a closed or reset connection leaves the table, or -1. */
  closeDeadlineUs = -1;
  missedBytes = 0;
  isFinished = false;
  /** An IP-level flow of packets without a transport header (see FlowRecord.isIpOnly). */
  isIpOnly = false;
  /** IP-level flows: capture time of the last packets added, which its timeout counts from. */
  ipOnlyUpdatedUs = 0;

  /** Comma-separated services that analyzers set (see flow-hooks.ts). */
  service: string | null = null;
  analyzerState: unknown = undefined;
  private uidText: string | null = null;
  private keyBytesCache: Uint8Array | null = null;
  private originatorText: string | null = null;
  private responderText: string | null = null;

  constructor(init: {
    /** The key's FLOW_KEY_WORDS words; copied. */
    key: Int32Array;
    keyHash: number;
    ipVersion: number;
    protocol: number;
    transport: TransportName;
    vlan: number | null;
    innerVlan: number | null;
    isSourceFirstInKey: boolean;
    originatorPort: number;
    responderPort: number;
    isIcmpOneWay: boolean;
    timestampUs: number;
    packetNumber: number;
  }) {
    this.keyHash = init.keyHash;
    const key = init.key;
    this.keyWord0 = key[0] as number;
    this.keyWord1 = key[1] as number;
    this.keyWord2 = key[2] as number;
    this.keyWord3 = key[3] as number;
    this.keyWord4 = key[4] as number;
    this.keyWord5 = key[5] as number;
    this.keyWord6 = key[6] as number;
    this.keyWord7 = key[7] as number;
    this.keyWord8 = key[8] as number;
    this.keyWord9 = key[9] as number;
    this.keyWord10 = key[10] as number;
    this.ipVersion = init.ipVersion;
    this.protocol = init.protocol;
    this.transport = init.transport;
    this.vlan = init.vlan;
    this.innerVlan = init.innerVlan;
    this.originatorKeyOffset = init.isSourceFirstInKey ? KEY_ENDPOINT_A : KEY_ENDPOINT_B;
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

  /**
   * The key's byte form (see writeFlowKeyBytes), made on first use, which
   * is when the flow ends for most flows; owned by this flow.
   */
  get keyBytes(): Uint8Array {
    if (this.keyBytesCache === null) {
      this.keyBytesCache = new Uint8Array(FLOW_KEY_LENGTH);
      this.copyKeyWords(keyWordsScratch);
      writeFlowKeyBytes(keyWordsScratch, this.keyBytesCache);
    }
    return this.keyBytesCache;
  }

  /** Compare this flow's key with `key` (FLOW_KEY_WORDS words), ports and addresses first. */
  hasKey(key: Int32Array): boolean {
    return (
      this.keyWord10 === key[10] &&
      this.keyWord2 === key[2] &&
      this.keyWord6 === key[6] &&
      this.keyWord0 === key[0] &&
      this.keyWord1 === key[1] &&
      this.keyWord3 === key[3] &&
      this.keyWord4 === key[4] &&
      this.keyWord5 === key[5] &&
      this.keyWord7 === key[7] &&
      this.keyWord8 === key[8] &&
      this.keyWord9 === key[9]
    );
  }

  /** Copy the key's FLOW_KEY_WORDS words into `out`. */
  copyKeyWords(out: Int32Array): void {
    out[0] = this.keyWord0;
    out[1] = this.keyWord1;
    out[2] = this.keyWord2;
    out[3] = this.keyWord3;
    out[4] = this.keyWord4;
    out[5] = this.keyWord5;
    out[6] = this.keyWord6;
    out[7] = this.keyWord7;
    out[8] = this.keyWord8;
    out[9] = this.keyWord9;
    out[10] = this.keyWord10;
  }

  /** Zeek-style uid from the key, first timestamp and first packet number; derived on first use. */
  get uid(): string {
    this.uidText ??= deriveFlowUid(this.keyBytes, this.startUs, this.firstPacketNumber);
    return this.uidText;
  }

  get addressLength(): number {
    return this.ipVersion === 6 ? 16 : 4;
  }

  /** Offset in `keyBytes` of the responder's address. */
  get responderKeyOffset(): number {
    return this.originatorKeyOffset === KEY_ENDPOINT_A ? KEY_ENDPOINT_B : KEY_ENDPOINT_A;
  }

  /** Originator address bytes (a view into the key). */
  get originatorAddress(): Uint8Array {
    return this.keyBytes.subarray(this.originatorKeyOffset, this.originatorKeyOffset + this.addressLength);
  }

  /** Responder address bytes (a view into the key). */
  get responderAddress(): Uint8Array {
    const offset = this.responderKeyOffset;
    return this.keyBytes.subarray(offset, offset + this.addressLength);
  }

  get originatorAddressText(): string {
    this.originatorText ??= formatAddressBytes(this.keyBytes, this.originatorKeyOffset, this.ipVersion === 6);
    return this.originatorText;
  }

  get responderAddressText(): string {
    this.responderText ??= formatAddressBytes(this.keyBytes, this.responderKeyOffset, this.ipVersion === 6);
    return this.responderText;
  }

  setService(name: string): void {
    this.service = addServiceName(this.service, name);
  }

  /** Count one packet of `ipLength` IP bytes and `payloadLength` payload bytes from one side. */
  countPacket(isOriginator: boolean, ipLength: number, payloadLength: number): void {
    if (isOriginator) {
      this.originatorPackets++;
      this.originatorIpBytes += ipLength;
      this.originatorPayloadBytes += payloadLength;
      this.isOriginatorActive = true;
    } else {
      this.responderPackets++;
      this.responderIpBytes += ipLength;
      this.responderPayloadBytes += payloadLength;
      this.isResponderActive = true;
    }
  }

  /** Count `packets` packets at once (fragments held until their first fragment arrived). */
  addPackets(isOriginator: boolean, packets: number, ipBytes: number, payloadBytes: number): void {
    if (isOriginator) {
      this.originatorPackets += packets;
      this.originatorIpBytes += ipBytes;
      this.originatorPayloadBytes += payloadBytes;
    } else {
      this.responderPackets += packets;
      this.responderIpBytes += ipBytes;
      this.responderPayloadBytes += payloadBytes;
    }
  }

  addClaimedBytes(isOriginator: boolean, byteCount: number): void {
    if (isOriginator) this.originatorClaimedBytes += byteCount;
    else this.responderClaimedBytes += byteCount;
  }

  /** Record that a tunnel flow with `uid` carried this flow. */
  addTunnelParent(uid: string): void {
    if (this.tunnelParents === null) this.tunnelParents = [uid];
    else if (!this.tunnelParents.includes(uid)) this.tunnelParents.push(uid);
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
    this.originatorKeyOffset = this.responderKeyOffset;
    const port = this.originatorPort;
    this.originatorPort = this.responderPort;
    this.responderPort = port;
    const text = this.originatorText;
    this.originatorText = this.responderText;
    this.responderText = text;

    const packets = this.originatorPackets;
    this.originatorPackets = this.responderPackets;
    this.responderPackets = packets;
    const ipBytes = this.originatorIpBytes;
    this.originatorIpBytes = this.responderIpBytes;
    this.responderIpBytes = ipBytes;
    const payloadBytes = this.originatorPayloadBytes;
    this.originatorPayloadBytes = this.responderPayloadBytes;
    this.responderPayloadBytes = payloadBytes;
    const claimedBytes = this.originatorClaimedBytes;
    this.originatorClaimedBytes = this.responderClaimedBytes;
    this.responderClaimedBytes = claimedBytes;
    const isActive = this.isOriginatorActive;
    this.isOriginatorActive = this.isResponderActive;
    this.isResponderActive = isActive;

    // A new array, so that a caller holding the old one keeps a consistent pair.
    if (this.tcpEndpoints !== null) this.tcpEndpoints = [this.tcpEndpoints[1], this.tcpEndpoints[0]];
    this.history += '^';
  }
}
