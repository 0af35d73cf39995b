import type { DecodedPacket, TunnelKind } from './decoded-packet';
import { recordProblem } from './decode-problem';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';
import { decodeEthernet } from './link-ethernet';

const MPLS_LABEL_LENGTH = 4;
const MPLS_BOTTOM_OF_STACK = 0x01;
/** Pseudowire control word (RFC 4385) before an Ethernet frame carried over MPLS. */
const MPLS_CONTROL_WORD_LENGTH = 4;

/**
 * Walk an MPLS label stack at `offset` to the entry with bottom-of-stack
 * set, then guess the payload from its first nibble: 4 is IPv4, 6 is IPv6,
 * 0 is an Ethernet pseudowire behind a control word. A stack that runs to
 * the end without bottom-of-stack reports 'truncated-mpls'.
 */
export function decodeMpls(
  data: Uint8Array,
  offset: number,
  end: number,
  out: DecodedPacket,
  tunnel: TunnelKind,
): void {
  let position = offset;
  for (;;) {
    if (end - position < MPLS_LABEL_LENGTH) {
      recordProblem(out, 'truncated-mpls', position, true);
      return;
    }
    if (out.layerCount === 0) out.mplsLabelCount++;
    const isBottom = ((data[position + 2] as number) & MPLS_BOTTOM_OF_STACK) !== 0;
    position += MPLS_LABEL_LENGTH;
    if (isBottom) break;
  }

  if (end - position < 1) {
    recordProblem(out, 'truncated-mpls', position, true);
    return;
  }
  const nibble = (data[position] as number) >> 4;
  if (nibble === 4) {
    decodeIpv4(data, position, end, out, tunnel, false);
  } else if (nibble === 6) {
    decodeIpv6(data, position, end, out, tunnel, false);
  } else if (nibble === 0 && end - position >= MPLS_CONTROL_WORD_LENGTH) {
    // NOTE: a nibble of 0 is taken as a control word followed by Ethernet, so
    // an Ethernet pseudowire without a control word is not recognised.
    decodeEthernet(data, position + MPLS_CONTROL_WORD_LENGTH, end, out, tunnel);
  }
}
