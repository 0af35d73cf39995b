/**
 * ICMP "ports" as Zeek keys them: the originator port is the message type,
 * the responder port is the type of the matching reply for request/reply
 * pairs, or the message code for one-way messages (errors, redirects, ...).
 * The same pairs define Community ID's ICMP mapping.
 */

const ICMPV4_COUNTERPARTS: ReadonlyMap<number, number> = new Map([
  [8, 0], // echo request -> echo reply
  [0, 8],
  [13, 14], // timestamp
  [14, 13],
  [15, 16], // information
  [16, 15],
  [10, 9], // router solicitation -> router advertisement
  [9, 10],
  [17, 18], // address mask
  [18, 17],
]);

const ICMPV6_COUNTERPARTS: ReadonlyMap<number, number> = new Map([
  [128, 129], // echo request -> echo reply
  [129, 128],
  [133, 134], // router solicitation -> router advertisement
  [134, 133],
  [135, 136], // neighbor solicitation -> neighbor advertisement
  [136, 135],
  [130, 131], // MLD query -> MLD report
  [131, 130],
  [139, 140], // node information query -> response
  [140, 139],
  [144, 145], // home agent address discovery request -> reply
  [145, 144],
]);

/**
 * Return the counterpart type of an ICMP message, or -1 when the message is
 * one-way (the caller then uses the code as the responder port).
 */
export function getIcmpCounterpartType(isIcmpv6: boolean, icmpType: number): number {
  const counterpart = (isIcmpv6 ? ICMPV6_COUNTERPARTS : ICMPV4_COUNTERPARTS).get(icmpType);
  return counterpart ?? -1;
}
