/**
 * The narrow inputs the protocol-aware detectors read: one type per record
 * kind, holding only the fields they use. record-mapping.ts builds them from
 * the analyzers' records (src/shared/domain/records*.ts) and from the Zeek
 * rows the session parsers emit, so the detectors do not depend on either
 * shape. Times are microseconds since the epoch.
 */
import type { Detector } from '../detector';

/** The connection a record belongs to. */
export interface ObservedConnection {
  uid: string;
  timestampUs: number;
  client: string;
  server: string;
  serverPort: number;
}

export interface DnsObservation extends ObservedConnection {
  kind: 'dns';
  /** Lower-case question name, or null when the message had none. */
  query: string | null;
  queryType: number | null;
  responseCode: number | null;
  /** Answer data as text (addresses, names, TXT strings). */
  answers: readonly string[];
  queryPacketNumber: number | null;
  responsePacketNumber: number | null;
}

export interface HttpObservation extends ObservedConnection {
  kind: 'http';
  /** Host header without a port, lower case, or null. */
  host: string | null;
  packetNumber: number | null;
  /** Request method as sent ("POST"), or null for a response without a request. */
  method: string | null;
  /** Request target as sent, query string included. */
  uri: string | null;
  hasReferrer: boolean;
  /** True or false from the analyzer; null when the source does not say. */
  hasCookie: boolean | null;
  userAgent: string | null;
  requestBodyBytes: number;
  /** Media type of the request body (lower case, no parameters), or null. */
  requestMediaType: string | null;
}

export interface TlsObservation extends ObservedConnection {
  kind: 'tls';
  /** True when a ClientHello was parsed (JA3 present). */
  hasClientHello: boolean;
  serverName: string | null;
  ja3: string | null;
  ja4: string | null;
  /** SHA-256 of the server chain, host certificate first; empty without a chain. */
  certificateFingerprints: readonly string[];
  isEstablished: boolean;
  /** Packet that completed the server's Certificate message (ssl row's cert_packet); null or absent when unknown. */
  certificatePacketNumber?: number | null;
  /** Packet that completed the ClientHello (ssl row's client_hello_packet); null or absent when unknown. */
  clientHelloPacketNumber?: number | null;
}

export interface QuicObservation extends ObservedConnection {
  kind: 'quic';
  serverName: string | null;
}

export interface CertificateObservation {
  kind: 'certificate';
  /** SHA-256 of the DER, lower-case hex. */
  fingerprint: string;
  subject: string;
  issuer: string;
  notValidBeforeUs: number | null;
  notValidAfterUs: number | null;
  isSelfSigned: boolean;
}

export interface SmbTreeObservation extends ObservedConnection {
  kind: 'smb-tree';
  /** UNC path as requested, e.g. \\HOST\ADMIN$. */
  path: string;
  /** 'DISK', 'PIPE', 'PRINT' or null when unknown. */
  shareType: string | null;
}

export interface SmbFileObservation extends ObservedConnection {
  kind: 'smb-file';
  treePath: string | null;
  name: string;
  /** True for a create, overwrite or supersede; false for a plain open; null when the source does not say. */
  isWrite: boolean | null;
  /** Lower-case RPC pipe name opened on IPC$ (svcctl, atsvc, srvsvc, ...), else null. */
  pipe: string | null;
}

export type ProtocolObservation =
  | DnsObservation
  | HttpObservation
  | TlsObservation
  | QuicObservation
  | CertificateObservation
  | SmbTreeObservation
  | SmbFileObservation;

/** A detector that also reads analyzer records. */
export interface ProtocolDetector extends Detector {
  observeRecord?(record: ProtocolObservation): void;
}
