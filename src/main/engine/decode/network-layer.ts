import {
  MAX_NETWORK_LAYERS,
  type DecodedPacket,
  type NetworkLayer,
  type TunnelKind,
} from './decoded-packet';
import { recordProblem } from './decode-problem';

/**
 * Return the next free NetworkLayer of `out`, reset and marked with how it
 * was reached, or null when all MAX_NETWORK_LAYERS are taken. The layer is
 * not counted until the caller increments `out.layerCount`, so a header that
 * fails its checks leaves no layer behind. A full table is a problem
 * ('tunnel-depth-exceeded') except for an ICMP quote, which is skipped quietly.
 */
export function beginNetworkLayer(
  out: DecodedPacket,
  offset: number,
  tunnel: TunnelKind,
  isIcmpQuote: boolean,
): NetworkLayer | null {
  if (out.layerCount >= MAX_NETWORK_LAYERS) {
    if (!isIcmpQuote) recordProblem(out, 'tunnel-depth-exceeded', offset, false);
    return null;
  }
  const layer = out.layers[out.layerCount];
  if (layer === undefined) return null;
  resetNetworkLayer(layer);
  layer.tunnel = tunnel;
  layer.isIcmpQuote = isIcmpQuote;
  return layer;
}

/** Zero every field of a reused layer. */
export function resetNetworkLayer(layer: NetworkLayer): void {
  layer.ipVersion = 0;
  layer.ipOffset = 0;
  layer.sourceAddressOffset = 0;
  layer.destinationAddressOffset = 0;
  layer.protocol = 0;
  layer.ipLength = 0;
  layer.hopLimit = 0;
  layer.isFragment = false;
  layer.fragmentOffset = 0;
  layer.hasMoreFragments = false;
  layer.fragmentId = 0;
  layer.isIpChecksumBad = false;
  layer.hasTransport = false;
  layer.transportOffset = 0;
  layer.sourcePort = 0;
  layer.destinationPort = 0;
  layer.tcpFlags = 0;
  layer.tcpSequence = 0;
  layer.tcpAcknowledgement = 0;
  layer.tcpWindow = 0;
  layer.icmpType = 0;
  layer.icmpCode = 0;
  layer.payloadOffset = 0;
  layer.payloadLength = 0;
  layer.claimedPayloadLength = 0;
  layer.tunnel = 'none';
  layer.isIcmpQuote = false;
}
