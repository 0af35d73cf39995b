/** QUIC connection records from Initial packets (RFC 9000, RFC 9001), JSON-safe. */
import type { TlsClientHelloRecord, TlsServerHelloRecord } from './records-tls';

export interface QuicConnectionRecord {
  /** Version field of the first long-header packet, e.g. 1, 0x6b3343cf (v2), 0xff00001d (draft-29); null until seen. */
  version: number | null;
  /** Destination connection id of the client's first Initial, lower-case hex: the key derivation input. */
  clientInitialDcidHex: string | null;
  clientScidHex: string | null;
  serverScidHex: string | null;
  serverName: string | null;
  alpnProtocols: string[];
  clientHello: TlsClientHelloRecord | null;
  serverHello: TlsServerHelloRecord | null;
  /** Zeek quic.log history letters, client-sent upper case. */
  history: string;
  /** Versions a server offered in a Version Negotiation packet. */
  negotiatedVersions: number[];
  problems: string[];
}
