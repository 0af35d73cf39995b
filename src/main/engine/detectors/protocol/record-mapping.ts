/**
 * Builds the protocol detectors' inputs (protocol-observation.ts) from what
 * the analyzers emit: DNS and HTTP domain records, the Zeek rows of the
 * session parsers (ssl.log, x509.log, quic.log, smb_mapping.log,
 * smb_files.log), and the SMB domain records where a caller has them.
 * `createProtocolRecordSinks` returns analyzer sinks that do all of it.
 */
import type { DnsRecord, HttpRecord } from '../../../../shared/domain/records';
import type { SmbFileRecord, SmbTreeRecord } from '../../../../shared/domain/records-smb';
import type { ApplicationAnalyzerSinks } from '../../analyzers/application-analyzers';
import { classifyRemoteExecutionPipe } from '../../analyzers/parsers/smb-stream-parser';
import type { ZeekConnectionIdentity, ZeekRow, ZeekValue } from '../../analyzers/parsers/zeek-row';
import type {
  CertificateObservation,
  DnsObservation,
  HttpObservation,
  ObservedConnection,
  ProtocolObservation,
  QuicObservation,
  SmbFileObservation,
  SmbTreeObservation,
  TlsObservation,
} from './protocol-observation';

/** MS-SMB2 2.2.13 CreateDisposition values that create or replace data: SUPERSEDE 0, CREATE 2, OPEN_IF 3, OVERWRITE 4, OVERWRITE_IF 5. */
const writeDispositions = new Set([0, 2, 3, 4, 5]);

export function mapDnsRecord(record: DnsRecord): DnsObservation {
  return {
    kind: 'dns',
    uid: record.uid,
    timestampUs: record.timestampUs,
    client: record.originatorAddress,
    server: record.responderAddress,
    serverPort: record.responderPort,
    query: record.query,
    queryType: record.queryType,
    responseCode: record.responseCode,
    answers: record.answers,
    queryPacketNumber: record.queryPacketNumber,
    responsePacketNumber: record.responsePacketNumber,
  };
}

export function mapHttpRecord(record: HttpRecord): HttpObservation {
  return {
    kind: 'http',
    uid: record.uid,
    timestampUs: record.timestampUs,
    client: record.originatorAddress,
    server: record.responderAddress,
    serverPort: record.responderPort,
    host: normalizeHost(record.host),
    packetNumber: record.requestPacketNumber,
    method: record.method,
    uri: record.originalUri ?? record.uri,
    hasReferrer: record.referrer !== null && record.referrer !== '',
    hasCookie: record.hasCookie ?? null,
    userAgent: record.userAgent,
    requestBodyBytes: record.requestBodyBytes,
    requestMediaType: record.requestMimeTypes[0]?.toLowerCase() ?? null,
  };
}

/** Host header without port or trailing dot, lower case; null for an empty or IP-literal host. */
export function normalizeHost(host: string | null): string | null {
  if (host === null) return null;
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) return null;
  const colon = name.lastIndexOf(':');
  if (colon > 0) name = name.slice(0, colon);
  name = name.replace(/\.$/, '');
  if (name === '' || /^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return null;
  return name;
}

/** ssl.log row (with the ja3/ja4 package columns) to a TLS observation. */
export function mapSslRow(row: ZeekRow): TlsObservation {
  const ja3 = readText(row.ja3);
  const fingerprints = row.cert_chain_fps;
  return {
    kind: 'tls',
    ...readConnection(row),
    hasClientHello: ja3 !== null,
    serverName: normalizeHost(readText(row.server_name)),
    ja3,
    ja4: readText(row.ja4),
    certificateFingerprints: Array.isArray(fingerprints) ? (fingerprints as readonly string[]) : [],
    isEstablished: row.established === true,
    certificatePacketNumber: readNumber(row.cert_packet),
    clientHelloPacketNumber: readNumber(row.client_hello_packet),
  };
}

/** x509.log row to a certificate observation; self-signed means subject and issuer are the same name. */
export function mapX509Row(row: ZeekRow): CertificateObservation {
  const subject = readText(row['certificate.subject']) ?? '';
  const issuer = readText(row['certificate.issuer']) ?? '';
  return {
    kind: 'certificate',
    fingerprint: readText(row.fingerprint) ?? '',
    subject,
    issuer,
    notValidBeforeUs: readNumber(row['certificate.not_valid_before']),
    notValidAfterUs: readNumber(row['certificate.not_valid_after']),
    isSelfSigned: subject !== '' && subject === issuer,
  };
}

export function mapQuicRow(row: ZeekRow): QuicObservation {
  return { kind: 'quic', ...readConnection(row), serverName: normalizeHost(readText(row.server_name)) };
}

export function mapSmbMappingRow(row: ZeekRow): SmbTreeObservation {
  return {
    kind: 'smb-tree',
    ...readConnection(row),
    path: readText(row.path) ?? '',
    shareType: readText(row.share_type),
  };
}

/** smb_files.log row; the row does not carry the create disposition, so `isWrite` is null. */
export function mapSmbFilesRow(row: ZeekRow): SmbFileObservation {
  const treePath = readText(row.path);
  const rawName = readText(row.name) ?? '';
  const name = rawName === '<share_root>' ? '' : rawName;
  const isOnIpc = treePath === null || /\\IPC\$$/i.test(treePath);
  return {
    kind: 'smb-file',
    ...readConnection(row),
    treePath,
    name,
    isWrite: null,
    pipe: isOnIpc ? classifyRemoteExecutionPipe(name) : null,
  };
}

export function mapSmbTreeRecord(identity: ZeekConnectionIdentity, tree: SmbTreeRecord): SmbTreeObservation {
  return { kind: 'smb-tree', ...mapIdentity(identity), path: tree.path, shareType: tree.shareType };
}

export function mapSmbFileRecord(identity: ZeekConnectionIdentity, file: SmbFileRecord): SmbFileObservation {
  return {
    kind: 'smb-file',
    ...mapIdentity(identity),
    treePath: file.treePath,
    name: file.name,
    isWrite: writeDispositions.has(file.disposition) || file.createAction === 2 || file.createAction === 3,
    pipe: file.remoteExecutionPipe,
  };
}

/**
 * Analyzer sinks that turn every record the detectors read into an
 * observation for `feed`; `next` receives every record as well, so log
 * writers keep working.
 */
export function createProtocolRecordSinks(
  feed: (record: ProtocolObservation) => void,
  next: ApplicationAnalyzerSinks = {},
): ApplicationAnalyzerSinks {
  return {
    ...next,
    onDns(record) {
      next.onDns?.(record);
      feed(mapDnsRecord(record));
    },
    onHttp(record) {
      next.onHttp?.(record);
      feed(mapHttpRecord(record));
    },
    onSsl(row) {
      next.onSsl?.(row);
      feed(mapSslRow(row));
    },
    onX509(row) {
      next.onX509?.(row);
      feed(mapX509Row(row));
    },
    onQuic(row) {
      next.onQuic?.(row);
      feed(mapQuicRow(row));
    },
    onSmbMapping(row) {
      next.onSmbMapping?.(row);
      feed(mapSmbMappingRow(row));
    },
    onSmbFiles(row) {
      next.onSmbFiles?.(row);
      feed(mapSmbFilesRow(row));
    },
    onSmbPipeOpen(row) {
      next.onSmbPipeOpen?.(row);
      feed(mapSmbFilesRow(row));
    },
  };
}

function mapIdentity(identity: ZeekConnectionIdentity): ObservedConnection {
  return {
    uid: identity.uid,
    timestampUs: identity.timestampUs,
    client: identity.originatorAddress,
    server: identity.responderAddress,
    serverPort: identity.responderPort,
  };
}

function readConnection(row: ZeekRow): ObservedConnection {
  return {
    uid: readText(row.uid) ?? '',
    timestampUs: readNumber(row.ts) ?? 0,
    client: readText(row['id.orig_h']) ?? '',
    server: readText(row['id.resp_h']) ?? '',
    serverPort: readNumber(row['id.resp_p']) ?? 0,
  };
}

function readText(value: ZeekValue | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function readNumber(value: ZeekValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
