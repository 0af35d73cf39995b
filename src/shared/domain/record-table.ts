/**
 * Analyzer records as the app's record tables show them: one row per Zeek
 * log line (dns.log, http.log, ssl.log, dhcp.log, smb_mapping.log,
 * smb_files.log, ssh.log, quic.log, weird.log, x509.log), keyed by Zeek's field names, with the
 * queries that page and filter them.
 */
import { z } from 'zod';

import { captureIdSchema, flowFilterSchema, queryLimits } from './query';

export const recordTypes = ['dns', 'http', 'tls', 'dhcp', 'smb_mapping', 'smb_files', 'ssh', 'quic', 'weird', 'x509'] as const;

export type RecordType = (typeof recordTypes)[number];

/** A field value as Zeek's logs type it: time and interval fields hold integer microseconds, sets and vectors a string array. */
export type RecordValue = string | number | boolean | null | readonly string[];

export interface RecordRow {
  type: RecordType;
  /** Time of the record (Zeek's `ts`), microseconds. */
  timestampUs: number;
  /** uids of the flows the record belongs to: one for most logs, several for a DHCP exchange. */
  uids: string[];
  /** The Zeek log line, keyed by Zeek's field names. */
  fields: Record<string, RecordValue>;
}

export interface RecordPage {
  total: number;
  offset: number;
  rows: RecordRow[];
}

/** Titles and the columns shown first for each record table (more fields appear in the row's detail). */
export const recordTables: Record<RecordType, { title: string; log: string; columns: readonly string[] }> = {
  dns: {
    title: 'DNS',
    log: 'dns.log',
    columns: ['ts', 'id.orig_h', 'id.resp_h', 'proto', 'query', 'qtype_name', 'rcode_name', 'answers', 'rtt'],
  },
  http: {
    title: 'HTTP',
    log: 'http.log',
    columns: ['ts', 'id.orig_h', 'id.resp_h', 'method', 'host', 'uri', 'status_code', 'user_agent', 'response_body_len'],
  },
  tls: {
    title: 'TLS',
    log: 'ssl.log',
    columns: ['ts', 'id.orig_h', 'id.resp_h', 'id.resp_p', 'version', 'server_name', 'cipher', 'ja3', 'established'],
  },
  dhcp: {
    title: 'DHCP',
    log: 'dhcp.log',
    columns: ['ts', 'client_addr', 'server_addr', 'mac', 'host_name', 'assigned_addr', 'lease_time', 'msg_types'],
  },
  smb_mapping: {
    title: 'SMB shares',
    log: 'smb_mapping.log',
    columns: ['ts', 'id.orig_h', 'id.resp_h', 'path', 'service', 'share_type'],
  },
  smb_files: {
    title: 'SMB files',
    log: 'smb_files.log',
    columns: ['ts', 'id.orig_h', 'id.resp_h', 'action', 'path', 'name', 'size'],
  },
  ssh: {
    title: 'SSH',
    log: 'ssh.log',
    columns: ['ts', 'id.orig_h', 'id.resp_h', 'id.resp_p', 'version', 'client', 'server', 'hassh', 'hasshServer'],
  },
  quic: {
    title: 'QUIC',
    log: 'quic.log',
    columns: ['ts', 'id.orig_h', 'id.resp_h', 'version', 'server_name', 'client_protocol'],
  },
  weird: {
    title: 'Weird',
    log: 'weird.log',
    columns: ['ts', 'uid', 'id.orig_h', 'id.resp_h', 'id.resp_p', 'name', 'addl', 'notice', 'source'],
  },
  x509: {
    title: 'x509',
    log: 'x509.log',
    columns: ['ts', 'fingerprint', 'certificate.subject', 'certificate.issuer', 'certificate.not_valid_after', 'san.dns'],
  },
};

export const recordQuerySchema = z.strictObject({
  captureId: captureIdSchema,
  type: z.enum(recordTypes),
  offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  limit: z.number().int().min(1).max(queryLimits.maxPageRows),
  /** A Zeek field name of the record type; rows without the field sort last. */
  sort: z.strictObject({
    column: z.string().min(1).max(64),
    direction: z.enum(['ascending', 'descending']),
  }),
  /** Time range on `ts`, hosts on the record's addresses, uids on its flows, text over every field. */
  filter: flowFilterSchema,
});

export type RecordQuery = z.infer<typeof recordQuerySchema>;
