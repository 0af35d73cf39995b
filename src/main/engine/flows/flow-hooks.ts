/**
 * Hooks through which application analyzers (DNS, HTTP, TLS, ...) see the
 * packets of each flow while the flow table counts them, and finish their
 * work before the flow's record leaves the table.
 *
 * Cost model: the flow table calls `onFlowPacket` once for every network
 * layer that joined a flow, in capture order. A tunnelled packet calls it
 * once for the outer flow and once for the inner one. Every call gets the
 * same event object, so nothing is allocated per packet:
 * - do not keep the event or `event.data` after the call returns; copy the
 *   few bytes you need (the packet bytes belong to the reader's chunk and
 *   are overwritten later);
 * - the payload of the layer is `event.data.subarray(layer.payloadOffset,
 *   layer.payloadOffset + layer.payloadLength)`, and `layer.claimedPayloadLength`
 *   says how much the headers claimed before the snaplen cut it;
 * - per-flow state goes in `flow.analyzerState` (one slot per flow: the
 *   analyzer that claims a flow first sets it; others leave a flow whose slot
 *   is taken alone, or share one object through a dispatcher);
 * - `flow.setService('dns')` adds to Zeek's comma-separated `service` field.
 *
 * `onFlowEnd` runs once per flow just before its FlowRecord is built (the
 * flow finished, timed out, was replaced by a reused TCP tuple, or was still
 * open at the end of the capture), so an analyzer can flush what it buffered,
 * set the service and write its own log rows keyed by `flow.uid`. After
 * `onFlowEnd` the handle is dropped by the table; do not keep it.
 *
 * Hooks must not throw: they run inside the per-packet loop.
 */
import type { NetworkLayer } from '../decode/decoded-packet';
import type { TransportName } from '../../../shared/domain/flow';

/** A flow as analyzers see it while it is in the flow table. */
export interface FlowHandle {
  /** Zeek-style uid, final from the flow's first packet. */
  readonly uid: string;
  readonly transport: TransportName;
  /** IP protocol number (6, 17, 1, 58, ...). */
  readonly protocol: number;
  readonly ipVersion: number;
  /** Ports, or ICMP type and counterpart type/code, as Zeek keys them. May swap when Zeek's rules flip the flow. */
  readonly originatorPort: number;
  readonly responderPort: number;
  /** Addresses as Zeek writes them; formatted on first use and cached. */
  readonly originatorAddressText: string;
  readonly responderAddressText: string;
  /** Timestamp of the flow's first packet, microseconds. */
  readonly startUs: number;
  /** Comma-separated services set so far, or null. */
  readonly service: string | null;
  /** Add `name` to the service list unless it is there already. */
  setService(name: string): void;
  /**
   * Swap the originator and responder: addresses, ports, packet and byte
   * counters, activity flags and TCP endpoint state. The key stays, so later
   * packets find the flow and are counted on the new sides. `history` keeps
   * its letters and gains '^', as Zeek's Connection::FlipRoles does. For an
   * analyzer that learns from the payload that the first sender was the
   * server (Zeek flips a flow whose first DNS message is a response). The
   * event being handled keeps its `isFromOriginator`; later events use the
   * new roles. Endpoint texts read before the call are stale after it.
   */
  flipRoles(): void;
  /** Free slot for an analyzer's per-flow state; undefined until set. */
  analyzerState: unknown;
}

/** One network layer that joined a flow. The table reuses this object for every call. */
export interface FlowPacketEvent {
  flow: FlowHandle;
  /** True when the layer's sender is the flow's originator (after any role flip this packet caused). */
  isFromOriginator: boolean;
  /** The decoded layer; its offsets point into `data`. */
  layer: NetworkLayer;
  /** Index of the layer in the packet (0 is the outermost). */
  layerIndex: number;
  /** The packet bytes, borrowed for the duration of the call. */
  data: Uint8Array;
  timestampUs: number;
  /** 1-based packet number in the capture. */
  packetNumber: number;
  /** True when this layer created the flow. */
  isNewFlow: boolean;
}

/** The hooks a flow table accepts; analyzeCapture passes its analyzers' hooks here. */
export interface FlowHooks {
  onFlowPacket?(event: FlowPacketEvent): void;
  onFlowEnd?(flow: FlowHandle): void;
}

/**
 * An application analyzer plugged into analyzeCapture. `onCaptureEnd` runs
 * after the last flow left the table.
 */
export interface FlowAnalyzer extends FlowHooks {
  onCaptureEnd?(): void;
}

/** Append `name` to a comma-separated service list unless it is already in it. */
export function addServiceName(current: string | null, name: string): string {
  if (current === null || current === '') return name;
  let start = 0;
  while (start <= current.length) {
    let end = current.indexOf(',', start);
    if (end < 0) end = current.length;
    if (end - start === name.length && current.startsWith(name, start)) return current;
    start = end + 1;
  }
  return `${current},${name}`;
}

/**
 * Combine several analyzers into one set of hooks, called in array order.
 * Returns empty hooks for no analyzers and the analyzer itself for one.
 */
export function combineFlowAnalyzers(analyzers: readonly FlowAnalyzer[]): FlowAnalyzer {
  if (analyzers.length === 0) return {};
  if (analyzers.length === 1 && analyzers[0] !== undefined) return analyzers[0];
  const packetHooks = analyzers.filter((analyzer) => analyzer.onFlowPacket !== undefined);
  const endHooks = analyzers.filter((analyzer) => analyzer.onFlowEnd !== undefined);
  const captureEndHooks = analyzers.filter((analyzer) => analyzer.onCaptureEnd !== undefined);
  const combined: FlowAnalyzer = {};
  if (packetHooks.length > 0) {
    combined.onFlowPacket = (event) => {
      for (let i = 0; i < packetHooks.length; i++) packetHooks[i]?.onFlowPacket?.(event);
    };
  }
  if (endHooks.length > 0) {
    combined.onFlowEnd = (flow) => {
      for (let i = 0; i < endHooks.length; i++) endHooks[i]?.onFlowEnd?.(flow);
    };
  }
  if (captureEndHooks.length > 0) {
    combined.onCaptureEnd = () => {
      for (const analyzer of captureEndHooks) analyzer.onCaptureEnd?.();
    };
  }
  return combined;
}
