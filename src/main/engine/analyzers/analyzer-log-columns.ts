/**
 * Column lists of the logs the application analyzers write, with Zeek's
 * field names, order and types (Zeek 6 base scripts: dns, http, dhcp,
 * weird). Fields Tideline does not compute are left unset ("-"), as Zeek
 * leaves an optional field it has no value for.
 */
import type { DhcpRecord, DnsRecord, HttpRecord, WeirdRecord } from '../../../shared/domain/records';
import type { ZeekFieldType, ZeekLogColumn } from '../output/zeek-log-writer';
import {
  QUIC_LOG_FIELDS,
  SMB_FILES_LOG_FIELDS,
  SMB_MAPPING_LOG_FIELDS,
  SSH_LOG_FIELDS,
  SSH_LOG_PACKAGE_FIELDS,
  SSL_LOG_FIELDS,
  SSL_LOG_PACKAGE_FIELDS,
  X509_LOG_FIELDS,
  type ZeekField,
  type ZeekRow,
} from './parsers';
import { getDnsClassName, getDnsOpcodeName, getDnsQueryTypeName, getDnsResponseCodeName } from './dns-message';

export const DNS_LOG_COLUMNS: readonly ZeekLogColumn<DnsRecord>[] = [
  { name: 'ts', type: 'time', read: (row) => row.timestampUs },
  { name: 'uid', type: 'string', read: (row) => row.uid },
  { name: 'id.orig_h', type: 'addr', read: (row) => row.originatorAddress },
  { name: 'id.orig_p', type: 'port', read: (row) => row.originatorPort },
  { name: 'id.resp_h', type: 'addr', read: (row) => row.responderAddress },
  { name: 'id.resp_p', type: 'port', read: (row) => row.responderPort },
  { name: 'proto', type: 'enum', read: (row) => row.transport },
  { name: 'trans_id', type: 'count', read: (row) => row.transactionId },
  { name: 'rtt', type: 'interval', read: (row) => row.roundTripUs },
  { name: 'query', type: 'string', read: (row) => row.query },
  { name: 'qclass', type: 'count', read: (row) => row.queryClass },
  { name: 'qclass_name', type: 'string', read: (row) => (row.queryClass === null ? null : getDnsClassName(row.queryClass)) },
  { name: 'qtype', type: 'count', read: (row) => row.queryType },
  { name: 'qtype_name', type: 'string', read: (row) => formatQueryTypeName(row) },
  { name: 'rcode', type: 'count', read: (row) => row.responseCode },
  { name: 'rcode_name', type: 'string', read: (row) => (row.responseCode === null ? null : getDnsResponseCodeName(row.responseCode)) },
  { name: 'AA', type: 'bool', read: (row) => row.isAuthoritative },
  { name: 'TC', type: 'bool', read: (row) => row.isTruncated },
  { name: 'RD', type: 'bool', read: (row) => row.isRecursionDesired },
  { name: 'RA', type: 'bool', read: (row) => row.isRecursionAvailable },
  { name: 'Z', type: 'count', read: (row) => row.z },
  { name: 'answers', type: 'vector[string]', read: (row) => (row.answers.length === 0 ? null : row.answers) },
  { name: 'TTLs', type: 'vector[interval]', read: (row) => (row.answerTtlsSeconds.length === 0 ? null : row.answerTtlsSeconds.map((ttl) => ttl * 1_000_000)) },
  { name: 'rejected', type: 'bool', read: (row) => row.isRejected },
  { name: 'opcode', type: 'count', read: (row) => row.opcode },
  { name: 'opcode_name', type: 'string', read: (row) => getDnsOpcodeName(row.opcode, row.variant === 'nbns') },
];

/** NetBIOS reuses type 33 (SRV in DNS) for its node status request, which Zeek names NBSTAT. */
function formatQueryTypeName(row: DnsRecord): string | null {
  if (row.queryType === null) return null;
  if (row.variant === 'nbns' && row.queryType === 33) return 'NBSTAT';
  return getDnsQueryTypeName(row.queryType);
}

export const HTTP_LOG_COLUMNS: readonly ZeekLogColumn<HttpRecord>[] = [
  { name: 'ts', type: 'time', read: (row) => row.timestampUs },
  { name: 'uid', type: 'string', read: (row) => row.uid },
  { name: 'id.orig_h', type: 'addr', read: (row) => row.originatorAddress },
  { name: 'id.orig_p', type: 'port', read: (row) => row.originatorPort },
  { name: 'id.resp_h', type: 'addr', read: (row) => row.responderAddress },
  { name: 'id.resp_p', type: 'port', read: (row) => row.responderPort },
  { name: 'trans_depth', type: 'count', read: (row) => row.transactionDepth },
  { name: 'method', type: 'string', read: (row) => row.method },
  { name: 'host', type: 'string', read: (row) => row.host },
  { name: 'uri', type: 'string', read: (row) => row.uri },
  { name: 'referrer', type: 'string', read: (row) => row.referrer },
  { name: 'version', type: 'string', read: (row) => row.version },
  { name: 'user_agent', type: 'string', read: (row) => row.userAgent },
  { name: 'origin', type: 'string', read: (row) => row.origin },
  { name: 'request_body_len', type: 'count', read: (row) => row.requestBodyBytes },
  { name: 'response_body_len', type: 'count', read: (row) => row.responseBodyBytes },
  { name: 'status_code', type: 'count', read: (row) => row.statusCode },
  { name: 'status_msg', type: 'string', read: (row) => row.statusMessage },
  { name: 'info_code', type: 'count', read: (row) => row.informationalCode },
  { name: 'info_msg', type: 'string', read: (row) => row.informationalMessage },
  { name: 'tags', type: 'set[enum]', read: () => [] as string[] },
  { name: 'username', type: 'string', read: (row) => row.username },
  { name: 'password', type: 'string', read: () => null },
  { name: 'proxied', type: 'set[string]', read: (row) => (row.proxied.length === 0 ? null : row.proxied) },
  { name: 'orig_fuids', type: 'vector[string]', read: () => null },
  { name: 'orig_filenames', type: 'vector[string]', read: () => null },
  { name: 'orig_mime_types', type: 'vector[string]', read: (row) => (row.requestMimeTypes.length === 0 ? null : row.requestMimeTypes) },
  { name: 'resp_fuids', type: 'vector[string]', read: () => null },
  { name: 'resp_filenames', type: 'vector[string]', read: () => null },
  { name: 'resp_mime_types', type: 'vector[string]', read: (row) => (row.responseMimeTypes.length === 0 ? null : row.responseMimeTypes) },
];

export const DHCP_LOG_COLUMNS: readonly ZeekLogColumn<DhcpRecord>[] = [
  { name: 'ts', type: 'time', read: (row) => row.timestampUs },
  { name: 'uids', type: 'set[string]', read: (row) => row.uids },
  { name: 'client_addr', type: 'addr', read: (row) => row.clientAddress },
  { name: 'server_addr', type: 'addr', read: (row) => row.serverAddress },
  { name: 'mac', type: 'string', read: (row) => row.clientMac },
  { name: 'host_name', type: 'string', read: (row) => row.hostName },
  { name: 'client_fqdn', type: 'string', read: (row) => row.clientFqdn },
  { name: 'domain', type: 'string', read: (row) => row.domain },
  { name: 'requested_addr', type: 'addr', read: (row) => row.requestedAddress },
  { name: 'assigned_addr', type: 'addr', read: (row) => row.assignedAddress },
  { name: 'lease_time', type: 'interval', read: (row) => (row.leaseTimeSeconds === null ? null : row.leaseTimeSeconds * 1_000_000) },
  { name: 'client_message', type: 'string', read: (row) => row.clientMessage },
  { name: 'server_message', type: 'string', read: (row) => row.serverMessage },
  { name: 'msg_types', type: 'vector[string]', read: (row) => row.messageTypes },
  { name: 'duration', type: 'interval', read: (row) => row.durationUs },
];

export const WEIRD_LOG_COLUMNS: readonly ZeekLogColumn<WeirdRecord>[] = [
  { name: 'ts', type: 'time', read: (row) => row.timestampUs },
  { name: 'uid', type: 'string', read: (row) => row.uid },
  { name: 'id.orig_h', type: 'addr', read: (row) => row.endpoints?.originatorAddress },
  { name: 'id.orig_p', type: 'port', read: (row) => row.endpoints?.originatorPort },
  { name: 'id.resp_h', type: 'addr', read: (row) => row.endpoints?.responderAddress },
  { name: 'id.resp_p', type: 'port', read: (row) => row.endpoints?.responderPort },
  { name: 'name', type: 'string', read: (row) => row.name },
  { name: 'addl', type: 'string', read: (row) => row.additional },
  { name: 'notice', type: 'bool', read: () => false },
  { name: 'peer', type: 'string', read: () => 'tideline' },
  { name: 'source', type: 'string', read: (row) => row.source },
];

/** Columns for rows keyed by Zeek field name, as the parsers' record mappers return them. */
function createRowColumns(fields: readonly ZeekField[]): readonly ZeekLogColumn<ZeekRow>[] {
  return fields.map(([name, type]) => ({ name, type: type as ZeekFieldType, read: (row: ZeekRow) => row[name] }));
}

/** ssl.log with the ja3, ja3s and ja4 columns that Zeek's ja3 and ja4 packages add. */
export const SSL_LOG_COLUMNS = createRowColumns([...SSL_LOG_FIELDS, ...SSL_LOG_PACKAGE_FIELDS]);
export const X509_LOG_COLUMNS = createRowColumns(X509_LOG_FIELDS);
/** ssh.log with the hassh columns of the hassh package. */
export const SSH_LOG_COLUMNS = createRowColumns([...SSH_LOG_FIELDS, ...SSH_LOG_PACKAGE_FIELDS]);
export const SMB_MAPPING_LOG_COLUMNS = createRowColumns(SMB_MAPPING_LOG_FIELDS);
export const SMB_FILES_LOG_COLUMNS = createRowColumns(SMB_FILES_LOG_FIELDS);
export const QUIC_LOG_COLUMNS = createRowColumns(QUIC_LOG_FIELDS);
