import type { ConnectionState } from '../../../shared/domain/flow';
import type { FlowState } from './flow-state';
import { HistoryMask } from './flow-state';
import type { FlowTimeouts } from './flow-timeouts';
import { TcpEndpoint, TcpEndpointState, isScaledLetterDue } from './tcp-endpoint';

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;
/** Zeek's TOO_LARGE_SEQ_DELTA: SYN/RST sequence jumps beyond this are not trusted. */
const TOO_LARGE_SEQUENCE_DELTA = 1048576;

/** The fields of one TCP segment that the tracker reads. */
export interface TcpSegment {
  flags: number;
  sequence: number;
  acknowledgement: number;
  window: number;
  /** Payload length the IP and TCP headers claim. */
  payloadLength: number;
}

/**
 * Update a TCP flow with one segment, following the order of Zeek's
 * TCPSessionAdapter::Process: endpoint set-up, history, window, last time,
 * acknowledgements, sequence span, state machine, gap detection, close.
 */
export function trackTcpSegment(
  flow: FlowState,
  isOriginator: boolean,
  segment: TcpSegment,
  timestampUs: number,
  timeouts: FlowTimeouts,
): void {
  const endpoints = flow.tcpEndpoints;
  if (endpoints === null) return;
  const { flags, sequence, payloadLength } = segment;
  const endpoint = isOriginator ? endpoints[0] : endpoints[1];
  const peer = isOriginator ? endpoints[1] : endpoints[0];
  const isSyn = (flags & SYN) !== 0;
  const isFin = (flags & FIN) !== 0;
  const isRst = (flags & RST) !== 0;
  const isAck = (flags & ACK) !== 0;

  // SYN and FIN each take one sequence number; a RST's payload is not stream data.
  let segmentLength = payloadLength + (isSyn ? 1 : 0) + (isFin ? 1 : 0);
  if (isRst) segmentLength -= payloadLength;

  initializeEndpoint(endpoint, isSyn, sequence, segmentLength);
  const relativeSequence = endpoint.toRelative(sequence);

  // TODO: Zeek's C/c (bad TCP checksum) letters need the decoder to verify
  // TCP checksums, which it does not yet, so they never appear.
  updateHistory(flow, isOriginator, endpoint, flags, relativeSequence, payloadLength);
  if (
    segment.window === 0 &&
    !isRst &&
    peer.state !== TcpEndpointState.closed &&
    endpoint.state !== TcpEndpointState.reset
  ) {
    if (isScaledLetterDue(++endpoint.zeroWindowCount)) flow.addHistory('w', isOriginator);
  }

  if (!endpoints[0].didClose || !endpoints[1].didClose) flow.lastTimeUs = timestampUs;
  if (isFin) endpoint.finCount++;

  // Acknowledgements move the peer's acknowledged end (not from RSTs, which are not trusted).
  let relativeAck = 0;
  if (isAck) {
    if (peer.state === TcpEndpointState.inactive) {
      peer.initializeSequence((segment.acknowledgement - 1) >>> 0, 0);
      relativeAck = 1;
    } else {
      relativeAck = peer.toRelative(segment.acknowledgement, Math.max(peer.acknowledgedEnd, peer.lastEnd));
      if (relativeAck < 0) relativeAck = 0;
      else if (!isRst && relativeAck > peer.acknowledgedEnd) peer.acknowledgedEnd = relativeAck;
    }
  }

  const deltaLast = updateLastSequence(
    flow,
    isOriginator,
    endpoint,
    flags,
    relativeSequence + segmentLength,
    payloadLength,
  );
  const closeRequest = updateStateMachine(
    flow,
    isOriginator,
    endpoint,
    peer,
    segment,
    deltaLast,
    timestampUs,
    timeouts,
  );

  // Payload goes into the reassembly view. A SYN's data starts after the SYN octet.
  if (payloadLength > 0 && !isRst && relativeSequence >= 0) {
    const dataStart = relativeSequence + (isSyn ? 1 : 0);
    endpoint.addData(dataStart, dataStart + payloadLength);
  }
  if (isFin) endpoint.finEnd = relativeSequence + segmentLength;
  if (isAck) acknowledgePeerData(flow, isOriginator, peer, endpoint, relativeAck);

  if (closeRequest) closeEndpoint(flow, endpoint, peer, timeouts);
}

/**
 * Zeek's TCP_Reassembler::AckReceived: acknowledged bytes that were never
 * seen are a content gap, counted in missed_bytes while both sides are
 * established or closing cleanly (report_gaps_for_partial is off by default).
 */
function acknowledgePeerData(
  flow: FlowState,
  isOriginator: boolean,
  peer: TcpEndpoint,
  endpoint: TcpEndpoint,
  relativeAck: number,
): void {
  let acknowledgedEnd = relativeAck;
  // An acknowledged FIN octet is not data.
  if (peer.finEnd >= 0 && acknowledgedEnd >= peer.finEnd) acknowledgedEnd = peer.finEnd - 1;
  if (acknowledgedEnd <= peer.contiguousEnd) return;

  // A partial connection's faked ISN makes the first one or two octets look missing.
  const isPartial = peer.state === TcpEndpointState.partial || endpoint.state === TcpEndpointState.partial;
  if (acknowledgedEnd <= 2 && isPartial) return;

  const missing = peer.acknowledgeData(acknowledgedEnd);
  if (missing === 0 || !isCleanState(peer) || !isCleanState(endpoint)) return;
  flow.missedBytes += missing;
  if (isScaledLetterDue(++peer.gapCount)) flow.addHistory('g', !isOriginator);
}

function isCleanState(endpoint: TcpEndpoint): boolean {
  return (
    endpoint.state === TcpEndpointState.established ||
    (endpoint.state === TcpEndpointState.closed && endpoint.previousState === TcpEndpointState.established)
  );
}

function initializeEndpoint(endpoint: TcpEndpoint, isSyn: boolean, sequence: number, segmentLength: number): void {
  switch (endpoint.state) {
    case TcpEndpointState.inactive:
      // A partial connection starts its numbering as if a SYN had been seen.
      if (isSyn) endpoint.initializeSequence(sequence, segmentLength);
      else endpoint.initializeSequence((sequence - 1) >>> 0, 1);
      break;
    case TcpEndpointState.synSent:
    case TcpEndpointState.synAckSent:
      if (isSyn && sequence >>> 0 !== endpoint.initialSequence) endpoint.initializeSequence(sequence, segmentLength);
      break;
    case TcpEndpointState.established:
    case TcpEndpointState.partial:
      if (isSyn) endpoint.initializeSequence(sequence, segmentLength);
      break;
    case TcpEndpointState.reset:
      if (isSyn && endpoint.previousState === TcpEndpointState.inactive)
        endpoint.initializeSequence(sequence, segmentLength);
      break;
    default:
      break;
  }
}

function updateHistory(
  flow: FlowState,
  isOriginator: boolean,
  endpoint: TcpEndpoint,
  flags: number,
  relativeSequence: number,
  payloadLength: number,
): void {
  const isSyn = (flags & SYN) !== 0;
  const isFin = (flags & FIN) !== 0;
  const isRst = (flags & RST) !== 0;
  const controlBits = (isSyn ? 1 : 0) + (isFin ? 1 : 0) + (isRst ? 1 : 0);

  if (controlBits > 1) {
    if (isFin && isRst) flow.checkHistory(HistoryMask.finRst, 'i', isOriginator);
    else flow.checkHistory(HistoryMask.multiFlag, 'q', isOriginator);
    return;
  }

  if (controlBits === 1) {
    // SYN, FIN and RST repeat in the history when their sequence number changes.
    if (isSyn) {
      const letter = (flags & ACK) !== 0 ? 'h' : 's';
      if (flow.checkHistory(HistoryMask.syn, letter, isOriginator) && relativeSequence !== endpoint.lastSynSequence) {
        flow.addHistory(letter, isOriginator);
      }
      endpoint.lastSynSequence = relativeSequence;
    }
    if (isFin) {
      const finSequence = relativeSequence + payloadLength;
      if (flow.checkHistory(HistoryMask.fin, 'f', isOriginator) && finSequence !== endpoint.lastFinSequence) {
        flow.addHistory('f', isOriginator);
      }
      endpoint.lastFinSequence = finSequence;
    }
    if (isRst) {
      if (flow.checkHistory(HistoryMask.rst, 'r', isOriginator) && relativeSequence !== endpoint.lastRstSequence) {
        flow.addHistory('r', isOriginator);
      }
      endpoint.lastRstSequence = relativeSequence;
    }
    return;
  }

  if (payloadLength > 0) flow.checkHistory(HistoryMask.data, 'd', isOriginator);
  else if ((flags & ACK) !== 0) flow.checkHistory(HistoryMask.ack, 'a', isOriginator);
}

/** Apply Zeek's update_last_seq and return how far the segment's end moved past the highest end seen. */
function updateLastSequence(
  flow: FlowState,
  isOriginator: boolean,
  endpoint: TcpEndpoint,
  flags: number,
  segmentEnd: number,
  payloadLength: number,
): number {
  const delta = segmentEnd - endpoint.lastEnd;
  const isUntrustedJump = (flags & (SYN | RST)) !== 0 && Math.abs(delta) > TOO_LARGE_SEQUENCE_DELTA;

  if (isUntrustedJump) return delta;
  if ((flags & FIN) !== 0 && endpoint.lastEnd === 1) endpoint.lastEnd = segmentEnd;
  else if (endpoint.state === TcpEndpointState.reset) return delta;
  else if (delta > 0) endpoint.lastEnd = segmentEnd;
  else if (payloadLength > 0 && isScaledLetterDue(++endpoint.retransmissionCount)) flow.addHistory('t', isOriginator);
  return delta;
}

/** Apply Zeek's per-state transitions and return true when this segment closes the endpoint (FIN or RST). */
function updateStateMachine(
  flow: FlowState,
  isOriginator: boolean,
  endpoint: TcpEndpoint,
  peer: TcpEndpoint,
  segment: TcpSegment,
  deltaLast: number,
  timestampUs: number,
  timeouts: FlowTimeouts,
): boolean {
  const flags = segment.flags;
  const isSyn = (flags & SYN) !== 0;
  const isFin = (flags & FIN) !== 0;
  const isRst = (flags & RST) !== 0;
  const isAck = (flags & ACK) !== 0;
  void deltaLast;

  switch (endpoint.state) {
    case TcpEndpointState.inactive:
      return updateInactive(flow, isOriginator, endpoint, peer, segment, timestampUs, timeouts);

    case TcpEndpointState.synSent:
    case TcpEndpointState.synAckSent:
      if (isFin) endpoint.setState(TcpEndpointState.closed);
      if (isRst) endpoint.setState(TcpEndpointState.reset);
      return isFin || isRst;

    case TcpEndpointState.established:
    case TcpEndpointState.partial:
      if (isSyn && endpoint.state === TcpEndpointState.partial && peer.state === TcpEndpointState.inactive && !isAck) {
        endpoint.setState(TcpEndpointState.synSent);
      }
      if (isFin && !isRst) {
        endpoint.setState(TcpEndpointState.closed);
        // A FIN followed by a RST from the peer was a normal close after all.
        if (peer.state === TcpEndpointState.reset && peer.previousState === TcpEndpointState.closed) {
          peer.setState(TcpEndpointState.closed);
        }
      }
      if (isRst) endpoint.setState(TcpEndpointState.reset);
      return isFin || isRst;

    case TcpEndpointState.closed:
      // A RST after this side's FIN counts only while the peer has not closed too.
      if (isRst && peer.state !== TcpEndpointState.closed) {
        endpoint.setState(TcpEndpointState.reset);
        return !endpoint.didClose;
      }
      return false;

    default:
      return false;
  }
}

function updateInactive(
  flow: FlowState,
  isOriginator: boolean,
  endpoint: TcpEndpoint,
  peer: TcpEndpoint,
  segment: TcpSegment,
  timestampUs: number,
  timeouts: FlowTimeouts,
): boolean {
  const flags = segment.flags;
  const isSyn = (flags & SYN) !== 0;
  const isFin = (flags & FIN) !== 0;
  const isRst = (flags & RST) !== 0;
  const isAck = (flags & ACK) !== 0;
  let currentEndpoint = endpoint;
  let currentPeer = peer;

  if (isSyn) {
    if (isOriginator) {
      endpoint.setState(isAck ? TcpEndpointState.synAckSent : TcpEndpointState.synSent);
      flow.attemptDeadlineUs = timestampUs + timeouts.tcpAttemptUs;
    } else {
      const isReversedHandshake =
        !isAck && peer.state === TcpEndpointState.synAckSent && segment.sequence >>> 0 === endpoint.initialSequence;
      if (isReversedHandshake) {
        // The SYN-ACK was seen before its SYN, so the sender of this SYN is the real originator.
        flow.flipRoles();
        const endpoints = flow.tcpEndpoints;
        if (endpoints !== null) {
          currentEndpoint = endpoints[0];
          currentPeer = endpoints[1];
        }
        currentPeer.setState(TcpEndpointState.established);
      }
      if (currentPeer.state === TcpEndpointState.synSent) currentPeer.setState(TcpEndpointState.established);
      currentEndpoint.setState(TcpEndpointState.established);
    }
  }

  if (isFin) currentEndpoint.setState(TcpEndpointState.closed);
  if (isRst) currentEndpoint.setState(TcpEndpointState.reset);

  if (currentEndpoint.state === TcpEndpointState.inactive) {
    const isEarlyAck = !isOriginator && segment.payloadLength === 0 && currentPeer.state === TcpEndpointState.synSent;
    if (isEarlyAck) {
      // Some stacks ACK a SYN before sending their SYN-ACK, which does not make a partial connection.
    } else if (isAck && currentPeer.state === TcpEndpointState.established) {
      // The SYN was missed but the SYN-ACK and this ACK establish the connection.
      currentEndpoint.setState(TcpEndpointState.established);
    } else {
      currentEndpoint.setState(TcpEndpointState.partial);
    }
  }
  return isFin || isRst;
}

/** Mark the side closed and schedule removal once the close is complete, as Zeek's ConnectionClosed does. */
function closeEndpoint(flow: FlowState, endpoint: TcpEndpoint, peer: TcpEndpoint, timeouts: FlowTimeouts): void {
  if (endpoint.didClose) return;
  endpoint.didClose = true;
  const isCloseComplete =
    endpoint.state === TcpEndpointState.reset || peer.didClose || peer.state === TcpEndpointState.inactive;
  if (isCloseComplete) flow.closeDeadlineUs = flow.lastTimeUs + timeouts.tcpCloseUs;
}

/** Return Zeek's conn_state for a TCP flow from its two endpoint states. */
export function getTcpConnectionState(flow: FlowState): ConnectionState {
  const endpoints = flow.tcpEndpoints;
  if (endpoints === null) return 'OTH';
  const [originator, responder] = endpoints;
  const os = originator.state;
  const rs = responder.state;
  const isOriginatorInactive = os === TcpEndpointState.inactive || os === TcpEndpointState.partial;
  const isResponderInactive = rs === TcpEndpointState.inactive || rs === TcpEndpointState.partial;

  if (rs === TcpEndpointState.reset) {
    const isBothSizesZero = originator.getPayloadSize(responder) === 0 && responder.getPayloadSize(originator) === 0;
    if (
      os === TcpEndpointState.synSent ||
      os === TcpEndpointState.synAckSent ||
      (os === TcpEndpointState.reset && isBothSizesZero)
    ) {
      return 'REJ';
    }
    return isOriginatorInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === TcpEndpointState.reset) {
    if (!isResponderInactive) return 'RSTO';
    return /^\^?S[^HAFGIQ]*R/.test(flow.history) ? 'RSTOS0' : 'OTH';
  }
  if (rs === TcpEndpointState.closed && os === TcpEndpointState.closed) return 'SF';
  if (os === TcpEndpointState.closed) return isResponderInactive ? 'SH' : 'S2';
  if (rs === TcpEndpointState.closed) return isOriginatorInactive ? 'SHR' : 'S3';
  if (os === TcpEndpointState.synSent && rs === TcpEndpointState.inactive) return 'S0';
  if (os === TcpEndpointState.established && rs === TcpEndpointState.established) return 'S1';
  return 'OTH';
}
