/**
 * Application-layer records that the engine's analyzers produce, each tied
 * to its flow by `uid`. Plain JSON-safe data (no bigint, Map or Date). Times
 * are integer microseconds since the Unix epoch, durations integer
 * microseconds, TTLs and lease times whole seconds.
 *
 * Field names follow the matching Zeek log (dns.log, http.log, dhcp.log,
 * weird.log) in meaning; the log writers map them back to Zeek's names.
 */

/** Originator and responder of the flow a record belongs to, as Zeek's `id` field. */
export interface ConnectionEndpoints {
  originatorAddress: string;
  originatorPort: number;
  responderAddress: string;
  responderPort: number;
}

/** One DNS query and its response, or an unanswered query, or a response without a query. */
export interface DnsRecord extends ConnectionEndpoints {
  /** Time of the query, or of the response when no query was seen. */
  timestampUs: number;
  uid: string;
  transport: 'udp' | 'tcp';
  /** 'dns', 'mdns' (UDP 5353), 'llmnr' (UDP 5355) or 'nbns' (NetBIOS name service, UDP 137). */
  variant: 'dns' | 'mdns' | 'llmnr' | 'nbns';
  transactionId: number;
  /** Query to response time, or null when either side is missing. */
  roundTripUs: number | null;
  /** First question's name, lower-cased as Zeek logs it; null when the message had no question. */
  query: string | null;
  queryClass: number | null;
  queryType: number | null;
  /** Response code, null when no response was seen. */
  responseCode: number | null;
  opcode: number;
  isAuthoritative: boolean;
  isTruncated: boolean;
  isRecursionDesired: boolean;
  isRecursionAvailable: boolean;
  /** The three-bit Z field (including the AD and CD bits, as Zeek counts it). */
  z: number;
  /** Answer-section data in order, as text (addresses, names, TXT strings). */
  answers: string[];
  /** TTL of each answer, seconds, parallel to `answers`. */
  answerTtlsSeconds: number[];
  /** True when the response carried an error code and no answers (Zeek's `rejected`). */
  isRejected: boolean;
  /** 1-based packet numbers of the query and the response, or null. */
  queryPacketNumber: number | null;
  responsePacketNumber: number | null;
  /** EDNS UDP payload size from an OPT record, or null without EDNS. */
  ednsUdpPayloadSize: number | null;
}

/** One HTTP/1.x request with its response, in the order they were sent on the connection. */
export interface HttpRecord extends ConnectionEndpoints {
  timestampUs: number;
  uid: string;
  /** 1-based position of the request on its connection (Zeek's trans_depth). */
  transactionDepth: number;
  method: string | null;
  host: string | null;
  /** Request target with %XX escapes decoded, as Zeek logs `uri`. */
  uri: string | null;
  /** Request target as sent. */
  originalUri: string | null;
  referrer: string | null;
  /** Version of the request, or of the response when there was no request ("1.1"). */
  version: string | null;
  userAgent: string | null;
  origin: string | null;
  requestBodyBytes: number;
  responseBodyBytes: number;
  statusCode: number | null;
  statusMessage: string | null;
  /** Last 1xx status seen before the final response. */
  informationalCode: number | null;
  informationalMessage: string | null;
  username: string | null;
  /** Media types from the Content-Type headers (not content sniffing, unlike Zeek). */
  requestMimeTypes: string[];
  responseMimeTypes: string[];
  /** Proxy headers seen in the request ("X-FORWARDED-FOR -> 10.0.0.1"), as Zeek's `proxied`. */
  proxied: string[];
  requestPacketNumber: number | null;
  responsePacketNumber: number | null;
  /** True when the request carried a Cookie header; not a Zeek http.log column (the detectors read it). */
  hasCookie?: boolean;
}

/** One DHCP exchange, aggregated by transaction id as Zeek's dhcp.log does. */
export interface DhcpRecord {
  /** Time of the first message of the exchange. */
  timestampUs: number;
  /** uids of every flow that carried a message of the exchange. */
  uids: string[];
  transactionId: number;
  clientAddress: string | null;
  serverAddress: string | null;
  /** Client hardware address, "aa:bb:cc:dd:ee:ff". */
  clientMac: string | null;
  hostName: string | null;
  clientFqdn: string | null;
  domain: string | null;
  requestedAddress: string | null;
  assignedAddress: string | null;
  leaseTimeSeconds: number | null;
  clientMessage: string | null;
  serverMessage: string | null;
  /** Message type names in order (DISCOVER, OFFER, REQUEST, ACK, ...). */
  messageTypes: string[];
  durationUs: number;
  vendorClass: string | null;
  serverIdentifier: string | null;
  /** Parameter request list option codes from the client. */
  requestedOptions: number[];
}

/** A protocol violation or unusual event, named with Zeek's weird names where Zeek has one. */
export interface WeirdRecord {
  timestampUs: number;
  /** Flow uid, or null for a weird without a flow. */
  uid: string | null;
  endpoints: ConnectionEndpoints | null;
  name: string;
  /** Extra detail (Zeek's `addl`), or null. */
  additional: string | null;
  /** The analyzer that raised it ("DNS", "HTTP", "TCP", ...). */
  source: string;
  packetNumber: number;
}

/** ICMP facts kept per ICMP flow. */
export interface IcmpSummary {
  uid: string;
  /** Type and code of the first message, with names ("echo-request", ...). */
  type: number;
  code: number;
  typeName: string;
  codeName: string | null;
  /** Echo request and reply messages seen and their largest payload. */
  echoMessages: number;
  echoPayloadMaxBytes: number;
  echoPayloadTotalBytes: number;
  /** Highest Shannon entropy of an echo payload of 32 bytes or more, bits per byte (0..8), or null. */
  echoPayloadMaxEntropyBitsPerByte: number | null;
  /** True when the payloads look like a tunnel (large or high-entropy echo data). */
  isTunnelSuspected: boolean;
}
