import { createDecodedPacket, type DecodedPacket, type NetworkLayer } from '../../../src/main/engine/decode/decoded-packet';
import { decodePacket } from '../../../src/main/engine/decode/packet-decoder';
import type { Bytes } from './packet-bytes';

/** Decode `bytes` with a fresh DecodedPacket. */
export function decode(bytes: Bytes | Uint8Array, linkType: number): DecodedPacket {
  const out = createDecodedPacket();
  decodePacket(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes), linkType, out);
  return out;
}

/** Return layer `index`, failing the test when it is not counted. */
export function layerOf(out: DecodedPacket, index: number): NetworkLayer {
  const layer = out.layers[index];
  if (layer === undefined || index >= out.layerCount) {
    throw new Error(`expected layer ${index}, found ${out.layerCount} layer(s); problem ${String(out.problem)}`);
  }
  return layer;
}
