/**
 * Protocol parsers for the analyzers. Each is pure: it reads borrowed bytes,
 * keeps only what it copies, never throws on traffic, and reports problems
 * in its record or events.
 *
 * TCP stream parsers: create one per connection, call `push(isFromOriginator,
 * bytes)` with each direction's in-order payload (the bytes are borrowed),
 * and `end()` when the connection closes.
 */

/** TLS: `new TlsStreamParser(builder.addEvent)` with a `TlsSessionBuilder`; read `builder.record` at the end. */
export { TlsStreamParser, type TlsEvent } from './tls-stream-parser';
export { TlsSessionBuilder } from './tls-session';
/** ClientHello/ServerHello bodies, for QUIC and for tests. */
export { parseClientHello, parseServerHello, parseSslv2ClientHello } from './tls-hello';
export { buildJa3String, buildJa3sString, buildJa4, isGreaseValue } from './tls-fingerprints';
/** One DER certificate to an x509.log-shaped record (TlsSessionBuilder calls it per certificate). */
export { parseX509Certificate } from './x509-certificate';
export {
  toZeekSslRecord,
  toZeekX509Record,
  SSL_LOG_FIELDS,
  SSL_LOG_PACKAGE_FIELDS,
  X509_LOG_FIELDS,
} from './zeek-tls-records';

/** SSH: `new SshStreamParser()`; `push` per direction; `record` contains banners, HASSH and algorithms. */
export { SshStreamParser } from './ssh-stream-parser';
export { toZeekSshRecord, SSH_LOG_FIELDS, SSH_LOG_PACKAGE_FIELDS } from './zeek-ssh-records';

/** SMB1 and SMB2/3 over TCP 445/139: `new SmbStreamParser()`, `push` per direction; `record` contains sessions (NTLMSSP), trees, files. */
export { SmbStreamParser, classifyShare, classifyRemoteExecutionPipe } from './smb-stream-parser';

/**
 * QUIC over UDP: one `QuicConnectionParser` per UDP connection, `pushDatagram(payload,
 * isFromOriginator)` per datagram; `record` contains version, SNI and ALPN. `parseQuicInitial`
 * handles a lone datagram.
 */
export { QuicConnectionParser, parseQuicInitial, parseQuicLongHeader } from './quic-initial';
export { deriveQuicInitialKeys } from './quic-keys';
export {
  toZeekSmbMappingRecord,
  toZeekSmbFilesRecord,
  nameSmbOpenAction,
  toZeekNtlmRecord,
  toZeekQuicRecord,
  SMB_MAPPING_LOG_FIELDS,
  SMB_FILES_LOG_FIELDS,
  NTLM_LOG_FIELDS,
  QUIC_LOG_FIELDS,
} from './zeek-smb-quic-records';
export type { ZeekRow, ZeekValue, ZeekField, ZeekConnectionIdentity } from './zeek-row';
