/**
 * Follow stream: a TCP or UDP conversation's payload per direction, in
 * order. TCP bytes are placed by sequence number, so a retransmission
 * appears once and segments that arrived out of order are put back in
 * place; each chunk names the packet that first delivered its bytes.
 *
 * The payload is read from the source capture through the packet index,
 * since a case keeps no packet bytes.
 */
import type { FlowRecord } from '../../../shared/domain/flow';
import type { FollowedStream, StreamChunk } from '../../../shared/domain/packet-tree';
import { createDecodedPacket } from '../decode/decoded-packet';
import { decodePacket } from '../decode/packet-decoder';
import { formatAddressBytes } from '../flows/address-text';
import type { CaseStore } from '../store/case-store';
import { readFlowPackets } from '../store/case-queries';
import { type RawPacket, readPacketsAt } from './capture-random-reader';

/** Payload bytes returned per stream unless the caller asks otherwise. */
export const DEFAULT_FOLLOW_CAP_BYTES = 4 * 1024 * 1024;
/** Out-of-order TCP segments held per direction while waiting for a gap to fill. */
const MAX_PENDING_SEGMENTS = 4096;

export type FollowResult =
  | { ok: true; value: FollowedStream }
  | { ok: false; code: 'not-tcp-or-udp' | 'no-packets' | 'source-missing' | 'not-a-packet' | 'unsupported'; message: string };

/** Follow the flow `flow` of the case, reading its packets from the source capture. */
export async function followCaseStream(store: CaseStore, flow: FlowRecord, capBytes = DEFAULT_FOLLOW_CAP_BYTES): Promise<FollowResult> {
  if (flow.transport !== 'tcp' && flow.transport !== 'udp') {
    return { ok: false, code: 'not-tcp-or-udp', message: `Flow ${flow.uid} is ${flow.transport}; follow stream works on TCP and UDP.` };
  }
  const rows = await readFlowPackets(store, flow.uid);
  if (rows.length === 0) return { ok: false, code: 'no-packets', message: `Flow ${flow.uid} has no packets in the packet index.` };
  const source = store.manifest.sources.find((candidate) => candidate.id === rows[0]!.sourceId);
  if (source === undefined) return { ok: false, code: 'source-missing', message: `Source ${rows[0]!.sourceId} is not in the case manifest.` };
  const read = await readPacketsAt(source.path, rows, source.interfaces);
  if (!read.ok) {
    if (read.code !== 'source-missing' || store.manifest.settings.isPayloadKept) return read;
    return { ...read, message: `${read.message} This case keeps headers and metadata only, so payloads were not kept.` };
  }
  return { ok: true, value: followPackets(flow, read.packets, capBytes) };
}

interface DirectionState {
  /** Relative sequence number of the next byte expected; null until the first segment. */
  nextSequence: number | null;
  initialSequence: number;
  pending: Array<{ sequence: number; bytes: Uint8Array; packetNumber: number; timestampUs: number }>;
  bytes: number;
  gapBytes: number;
}

/**
 * Follow `flow` over its packets (in capture order). Pure: takes the raw
 * packets, returns chunks in the order their bytes were first delivered.
 */
export function followPackets(flow: FlowRecord, packets: readonly RawPacket[], capBytes = DEFAULT_FOLLOW_CAP_BYTES): FollowedStream {
  const decoded = createDecodedPacket();
  const chunks: StreamChunk[] = [];
  const states: Record<'originator' | 'responder', DirectionState> = {
    originator: { nextSequence: null, initialSequence: 0, pending: [], bytes: 0, gapBytes: 0 },
    responder: { nextSequence: null, initialSequence: 0, pending: [], bytes: 0, gapBytes: 0 },
  };
  let total = 0;
  let isTruncated = false;

  const emit = (direction: 'originator' | 'responder', bytes: Uint8Array, packetNumber: number, timestampUs: number): void => {
    if (bytes.length === 0) return;
    const room = capBytes - total;
    if (room <= 0) {
      isTruncated = true;
      return;
    }
    const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
    if (kept.length < bytes.length) isTruncated = true;
    total += kept.length;
    states[direction].bytes += kept.length;
    chunks.push({ direction, bytesBase64: Buffer.from(kept).toString('base64'), packetNumber, timestampUs });
  };

  for (const packet of packets) {
    if (isTruncated) break;
    decodePacket(packet.data, packet.linkType, decoded);
    const layer = findFlowLayer(decoded, packet.data, flow);
    if (layer === null) continue;
    const payload = packet.data.subarray(layer.payloadOffset, layer.payloadOffset + layer.payloadLength);
    if (flow.transport === 'udp') {
      emit(layer.direction, payload, packet.packetNumber, packet.timestampUs);
      continue;
    }
    placeTcpSegment(states[layer.direction], layer.sequence, layer.flags, payload, packet, (bytes, packetNumber, timestampUs) => emit(layer.direction, bytes, packetNumber, timestampUs));
  }

  const gaps = states.originator.gapBytes + states.responder.gapBytes;
  const notes: string[] = [];
  if (isTruncated) notes.push(`Cut at ${capBytes} bytes; carve the flow to see all of it.`);
  if (gaps > 0) notes.push(`${gaps} bytes were never captured; the stream continues after each gap.`);
  return {
    uid: flow.uid,
    transport: flow.transport === 'udp' ? 'udp' : 'tcp',
    chunks,
    originatorBytes: states.originator.bytes,
    responderBytes: states.responder.bytes,
    isTruncated,
    note: notes.length === 0 ? null : notes.join(' '),
  };
}

/**
 * Deliver the new bytes of a segment in sequence order: bytes before the
 * next expected one are retransmissions and dropped; a segment past it waits
 * until the gap fills, or is delivered after a gap once MAX_PENDING is hit
 * or the stream ends (FIN).
 */
function placeTcpSegment(
  state: DirectionState,
  rawSequence: number,
  flags: number,
  payload: Uint8Array,
  packet: RawPacket,
  deliver: (bytes: Uint8Array, packetNumber: number, timestampUs: number) => void,
): void {
  const isSyn = (flags & 0x02) !== 0;
  if (state.nextSequence === null) {
    state.initialSequence = isSyn ? (rawSequence + 1) >>> 0 : rawSequence;
    state.nextSequence = 0;
  }
  if (payload.length === 0) return;
  const sequence = ((rawSequence + (isSyn ? 1 : 0) - state.initialSequence) >>> 0);
  const expected = state.nextSequence ?? 0;
  // In-order segment with nothing waiting: deliver its new bytes directly (the common case).
  if (state.pending.length === 0 && sequence <= expected) {
    const skip = expected - sequence;
    if (skip >= payload.length) return;
    deliver(payload.subarray(skip), packet.packetNumber, packet.timestampUs);
    state.nextSequence = sequence + payload.length;
    return;
  }
  insertPending(state.pending, { sequence, bytes: payload.slice(), packetNumber: packet.packetNumber, timestampUs: packet.timestampUs });
  for (;;) {
    const first = state.pending[0];
    if (first === undefined) return;
    const next = state.nextSequence;
    if (first.sequence > next && state.pending.length < MAX_PENDING_SEGMENTS) return;
    state.pending.shift();
    if (first.sequence > next) {
      // Too much waiting: give up on the gap and continue after it.
      state.gapBytes += first.sequence - next;
      state.nextSequence = first.sequence;
    }
    const skip = state.nextSequence - first.sequence;
    if (skip >= first.bytes.length) continue;
    deliver(first.bytes.subarray(skip), first.packetNumber, first.timestampUs);
    state.nextSequence = first.sequence + first.bytes.length;
  }
}

type PendingSegment = DirectionState['pending'][number];

/** Insert keeping the list sorted by sequence, then packet number (binary search, no full sort). */
function insertPending(pending: PendingSegment[], segment: PendingSegment): void {
  let low = 0;
  let high = pending.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    const other = pending[middle]!;
    if (other.sequence < segment.sequence || (other.sequence === segment.sequence && other.packetNumber < segment.packetNumber)) low = middle + 1;
    else high = middle;
  }
  pending.splice(low, 0, segment);
}

interface FlowLayer {
  direction: 'originator' | 'responder';
  payloadOffset: number;
  payloadLength: number;
  sequence: number;
  flags: number;
}

/** The packet's network layer that belongs to `flow` (matched by addresses and ports), or null. */
function findFlowLayer(decoded: ReturnType<typeof createDecodedPacket>, data: Uint8Array, flow: FlowRecord): FlowLayer | null {
  const protocol = flow.transport === 'tcp' ? 6 : 17;
  for (let i = 0; i < decoded.layerCount; i++) {
    const layer = decoded.layers[i];
    if (layer === undefined || !layer.hasTransport || layer.protocol !== protocol || layer.isIcmpQuote) continue;
    const isIpv6 = layer.ipVersion === 6;
    const source = formatAddressBytes(data, layer.sourceAddressOffset, isIpv6);
    const destination = formatAddressBytes(data, layer.destinationAddressOffset, isIpv6);
    const base = { payloadOffset: layer.payloadOffset, payloadLength: layer.payloadLength, sequence: layer.tcpSequence, flags: layer.tcpFlags };
    if (source === flow.originatorAddress && destination === flow.responderAddress && layer.sourcePort === flow.originatorPort && layer.destinationPort === flow.responderPort) {
      return { direction: 'originator', ...base };
    }
    if (source === flow.responderAddress && destination === flow.originatorAddress && layer.sourcePort === flow.responderPort && layer.destinationPort === flow.originatorPort) {
      return { direction: 'responder', ...base };
    }
  }
  return null;
}
