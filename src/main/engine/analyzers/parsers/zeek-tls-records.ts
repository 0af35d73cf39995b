/**
 * ssl.log and x509.log rows (Zeek 6/7 base scripts) from TLS session records.
 * See zeek-row.ts for how values map to Zeek types.
 */
import type { TlsSessionRecord, X509CertificateRecord } from '../../../../shared/domain/records-tls';
import {
  ZEEK_CONNECTION_FIELDS,
  type ZeekConnectionIdentity,
  type ZeekField,
  type ZeekRow,
} from './zeek-row';
import { nameTlsAlert, nameTlsCipherSuite, nameTlsGroup, nameTlsVersion } from './tls-names';

export const SSL_LOG_FIELDS: readonly ZeekField[] = [
  ...ZEEK_CONNECTION_FIELDS,
  ['version', 'string'],
  ['cipher', 'string'],
  ['curve', 'string'],
  ['server_name', 'string'],
  ['resumed', 'bool'],
  ['last_alert', 'string'],
  ['next_protocol', 'string'],
  ['established', 'bool'],
  ['ssl_history', 'string'],
  ['cert_chain_fps', 'vector[string]'],
  ['client_cert_chain_fps', 'vector[string]'],
  ['sni_matches_cert', 'bool'],
];

/** Columns the ja3 (salesforce) and ja4 (FoxIO) Zeek packages add to ssl.log. */
export const SSL_LOG_PACKAGE_FIELDS: readonly ZeekField[] = [
  ['ja3', 'string'],
  ['ja3s', 'string'],
  ['ja4', 'string'],
];

export const X509_LOG_FIELDS: readonly ZeekField[] = [
  ['ts', 'time'],
  ['fingerprint', 'string'],
  ['certificate.version', 'count'],
  ['certificate.serial', 'string'],
  ['certificate.subject', 'string'],
  ['certificate.issuer', 'string'],
  ['certificate.not_valid_before', 'time'],
  ['certificate.not_valid_after', 'time'],
  ['certificate.key_alg', 'string'],
  ['certificate.sig_alg', 'string'],
  ['certificate.key_type', 'string'],
  ['certificate.key_length', 'count'],
  ['certificate.exponent', 'string'],
  ['certificate.curve', 'string'],
  ['san.dns', 'vector[string]'],
  ['san.uri', 'vector[string]'],
  ['san.email', 'vector[string]'],
  ['san.ip', 'vector[addr]'],
  ['basic_constraints.ca', 'bool'],
  ['basic_constraints.path_len', 'count'],
  ['host_cert', 'bool'],
  ['client_cert', 'bool'],
];

/** Matches a host name against a certificate name, with a '*' allowed as the whole leftmost label (RFC 6125 section 6.4.3). */
function matchesCertificateName(hostName: string, certificateName: string): boolean {
  const host = hostName.toLowerCase();
  const pattern = certificateName.toLowerCase();
  if (!pattern.startsWith('*.')) return host === pattern;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot) === pattern.slice(1);
}

function commonNameOf(subject: string): string | null {
  const match = /(?:^|,)CN=((?:[^,\\]|\\.)*)/.exec(subject);
  return match === null ? null : match[1]!.replace(/\\(.)/g, '$1');
}

/** Checks the SNI against the host certificate's DNS SANs, or its CN when it has none. Returns null when either is missing. */
export function doesServerNameMatchCertificate(
  serverName: string | null,
  certificate: X509CertificateRecord | undefined,
): boolean | null {
  if (serverName === null || certificate === undefined) return null;
  const names = certificate.sanDns.length > 0 ? certificate.sanDns : [commonNameOf(certificate.subject) ?? ''];
  return names.some((name) => name !== '' && matchesCertificateName(serverName, name));
}

/**
 * Builds an ssl.log row. Zeek fills cert_chain_fps and client_cert_chain_fps
 * only once a server chain was seen, so both stay unset without one.
 * `cert_packet` and `client_hello_packet` are the packets that completed the
 * server's Certificate message and the ClientHello, kept for alert evidence.
 * They are not Zeek columns, so ssl.log leaves them out, and the row has each
 * only when it is known.
 */
export function toZeekSslRecord(identity: ZeekConnectionIdentity, session: TlsSessionRecord): ZeekRow {
  const server = session.server;
  const hasChain = session.serverCertificates.length > 0;
  const serverName = session.client?.serverName ?? null;
  // Written out rather than spread from createConnectionColumns: with the spreads this function
  // took 2 to 4% of the engine's main thread in profiles.
  const row: ZeekRow = {
    ts: identity.timestampUs,
    uid: identity.uid,
    'id.orig_h': identity.originatorAddress,
    'id.orig_p': identity.originatorPort,
    'id.resp_h': identity.responderAddress,
    'id.resp_p': identity.responderPort,
    version: server === null ? null : nameTlsVersion(server.version),
    cipher: server === null ? null : nameTlsCipherSuite(server.cipherSuite),
    curve: session.curve === null ? null : nameTlsGroup(session.curve),
    server_name: serverName,
    resumed: session.isResumed,
    last_alert: session.lastAlert === null ? null : nameTlsAlert(session.lastAlert),
    next_protocol: server?.alpnProtocol ?? null,
    established: session.isEstablished,
    ssl_history: session.history === '' ? null : session.history,
    cert_chain_fps: hasChain ? session.serverCertificates.map((certificate) => certificate.sha256) : null,
    client_cert_chain_fps: hasChain ? session.clientCertificates.map((certificate) => certificate.sha256) : null,
    sni_matches_cert: doesServerNameMatchCertificate(serverName, session.serverCertificates[0]),
    ja3: session.client?.ja3Hash ?? null,
    ja3s: server?.ja3sHash ?? null,
    ja4: session.client?.ja4 ?? null,
  };
  if (session.serverCertificatePacketNumber !== undefined) row['cert_packet'] = session.serverCertificatePacketNumber;
  if (session.clientHelloPacketNumber !== undefined) row['client_hello_packet'] = session.clientHelloPacketNumber;
  return row;
}

/**
 * Builds an x509.log row. `isHostCertificate` is true for the first
 * certificate of a server chain, `isClientCertificate` for a client's chain.
 */
export function toZeekX509Record(
  timestampUs: number,
  certificate: X509CertificateRecord,
  isHostCertificate: boolean,
  isClientCertificate: boolean,
): ZeekRow {
  const orNull = (values: string[]): string[] | null => (values.length === 0 ? null : values);
  return {
    ts: timestampUs,
    fingerprint: certificate.sha256,
    'certificate.version': certificate.version,
    'certificate.serial': certificate.serialHex,
    'certificate.subject': certificate.subject,
    'certificate.issuer': certificate.issuer,
    'certificate.not_valid_before': certificate.notValidBeforeUs,
    'certificate.not_valid_after': certificate.notValidAfterUs,
    'certificate.key_alg': certificate.keyAlgorithm,
    'certificate.sig_alg': certificate.signatureAlgorithm,
    'certificate.key_type': certificate.keyType,
    'certificate.key_length': certificate.keyLengthBits,
    'certificate.exponent': certificate.exponent,
    'certificate.curve': certificate.curve,
    'san.dns': orNull(certificate.sanDns),
    'san.uri': orNull(certificate.sanUri),
    'san.email': orNull(certificate.sanEmail),
    'san.ip': orNull(certificate.sanIp),
    'basic_constraints.ca': certificate.isCa,
    'basic_constraints.path_len': certificate.pathLength,
    host_cert: isHostCertificate,
    client_cert: isClientCertificate,
  };
}
