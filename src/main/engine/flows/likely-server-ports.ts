/**
 * Well-known server ports standing in for Zeek's `likely_server_ports`.
 * When a flow's first packet comes from one of them (and the destination
 * port is not one), Zeek takes the sender for the responder and flips the
 * flow ("^" in history).
 */

// NOTE: Zeek builds its set from the protocol scripts it loads, so the set
// depends on the configuration. This list is the common server ports of
// Zeek's protocol analyzers, not a copy of any one configuration.
const TCP_SERVER_PORTS = [
  21, 22, 23, 25, 53, 80, 81, 88, 110, 139, 143, 443, 445, 502, 563, 585, 587, 614, 631, 636, 989, 990, 992, 993, 995,
  1080, 1443, 1723, 2811, 3128, 3306, 3389, 4222, 5060, 5223, 5432, 5900, 5901, 6379, 6666, 6667, 6668, 6669, 8000,
  8080, 8443, 8888, 9092, 20000, 27017,
];
const UDP_SERVER_PORTS = [
  53, 67, 69, 88, 123, 137, 161, 162, 514, 1812, 1813, 2123, 2152, 3544, 4789, 5060, 5353, 5355, 6081, 20000,
];

const tcpPorts = new Set(TCP_SERVER_PORTS);
const udpPorts = new Set(UDP_SERVER_PORTS);

export function isLikelyServerPort(protocol: number, port: number): boolean {
  if (protocol === 6) return tcpPorts.has(port);
  if (protocol === 17) return udpPorts.has(port);
  return false;
}
