/** smb_mapping.log, smb_files.log, ntlm.log and quic.log rows (Zeek base scripts). */
import type { QuicConnectionRecord } from '../../../../shared/domain/records-quic';
import type { SmbFileRecord, SmbSessionRecord, SmbTreeRecord } from '../../../../shared/domain/records-smb';
import {
  createConnectionColumns,
  ZEEK_CONNECTION_FIELDS,
  type ZeekConnectionIdentity,
  type ZeekField,
  type ZeekRow,
} from './zeek-row';

export const SMB_MAPPING_LOG_FIELDS: readonly ZeekField[] = [
  ...ZEEK_CONNECTION_FIELDS,
  ['path', 'string'],
  ['service', 'string'],
  ['native_file_system', 'string'],
  ['share_type', 'string'],
];

export const SMB_FILES_LOG_FIELDS: readonly ZeekField[] = [
  ...ZEEK_CONNECTION_FIELDS,
  ['fuid', 'string'],
  ['action', 'enum'],
  ['path', 'string'],
  ['name', 'string'],
  ['size', 'count'],
  ['prev_name', 'string'],
  ['times.modified', 'time'],
  ['times.accessed', 'time'],
  ['times.created', 'time'],
  ['times.changed', 'time'],
];

export const NTLM_LOG_FIELDS: readonly ZeekField[] = [
  ...ZEEK_CONNECTION_FIELDS,
  ['username', 'string'],
  ['hostname', 'string'],
  ['domainname', 'string'],
  ['server_nb_computer_name', 'string'],
  ['server_dns_computer_name', 'string'],
  ['server_tree_name', 'string'],
  ['success', 'bool'],
];

export const QUIC_LOG_FIELDS: readonly ZeekField[] = [
  ...ZEEK_CONNECTION_FIELDS,
  ['version', 'string'],
  ['client_initial_dcid', 'string'],
  ['client_scid', 'string'],
  ['server_scid', 'string'],
  ['server_name', 'string'],
  ['client_protocol', 'string'],
  ['history', 'string'],
];

/**
 * Builds an smb_mapping.log row. Zeek fills service and native_file_system
 * only from SMB1 tree connects, so SMB2 rows leave them unset. ts is the time
 * of the tree connect request, as Zeek's network_time() when it saw the
 * request; the connection's start when that time is unknown.
 */
export function toZeekSmbMappingRecord(identity: ZeekConnectionIdentity, tree: SmbTreeRecord): ZeekRow {
  return {
    ...createConnectionColumns(identity),
    ts: tree.timestampUs ?? identity.timestampUs,
    path: tree.path,
    service: tree.service,
    native_file_system: tree.nativeFileSystem,
    share_type: tree.shareType,
  };
}

/**
 * Names the smb_files.log action of an open as Zeek 6 does, or returns null
 * for an open Zeek does not log. SMB1 opens are SMB::FILE_OPEN. An SMB2
 * open on a PIPE tree (an RPC pipe on IPC$) is SMB::PIPE_OPEN, which the
 * default SMB::logged_file_actions leave out, and one on a PRINT tree is
 * SMB::PRINT_OPEN.
 */
export function nameSmbOpenAction(dialect: string | null, shareType: string | null): string | null {
  if (dialect === 'SMB1') return 'SMB::FILE_OPEN';
  if (shareType === 'PIPE') return null;
  return shareType === 'PRINT' ? 'SMB::PRINT_OPEN' : 'SMB::FILE_OPEN';
}

/**
 * Builds an smb_files.log row for a successful open (action from
 * nameSmbOpenAction, SMB::FILE_OPEN by default).
 * Zeek writes "<share_root>" for an open of the share itself (empty name)
 * and its file id (fuid) only for files it extracted, so fuid stays unset.
 * ts is the time of the create request (the connection's start when unknown).
 */
export function toZeekSmbFilesRecord(identity: ZeekConnectionIdentity, file: SmbFileRecord, action = 'SMB::FILE_OPEN'): ZeekRow {
  return {
    ...createConnectionColumns(identity),
    ts: file.timestampUs ?? identity.timestampUs,
    fuid: null,
    action,
    path: file.treePath,
    name: file.name === '' ? '<share_root>' : file.name,
    size: file.sizeBytes,
    prev_name: null,
    'times.modified': file.modifiedUs,
    'times.accessed': file.accessedUs,
    'times.created': file.createdUs,
    'times.changed': file.changedUs,
  };
}

export function toZeekNtlmRecord(identity: ZeekConnectionIdentity, session: SmbSessionRecord): ZeekRow {
  return {
    ...createConnectionColumns(identity),
    username: session.userName === '' ? null : session.userName,
    hostname: session.workstation === '' ? null : session.workstation,
    domainname: session.domain === '' ? null : session.domain,
    server_nb_computer_name: session.serverNetbiosComputerName,
    server_dns_computer_name: session.serverDnsComputerName,
    server_tree_name: session.serverTreeName,
    success: session.status === null ? null : session.status === 0,
  };
}

/** Zeek's quic.log version text: "1", "quicv2", "draft-NN", else the hex value. */
export function nameQuicVersion(version: number): string {
  if (version === 1) return '1';
  if (version === 0x6b3343cf) return 'quicv2';
  if (version >>> 8 === 0xff0000) return `draft-${version & 0xff}`;
  return `0x${version.toString(16).padStart(8, '0')}`;
}

export function toZeekQuicRecord(identity: ZeekConnectionIdentity, connection: QuicConnectionRecord): ZeekRow {
  return {
    ...createConnectionColumns(identity),
    version: connection.version === null ? null : nameQuicVersion(connection.version),
    client_initial_dcid: connection.clientInitialDcidHex,
    client_scid: connection.clientScidHex === '' ? null : connection.clientScidHex,
    server_scid: connection.serverScidHex === '' ? null : connection.serverScidHex,
    server_name: connection.serverName,
    client_protocol: connection.alpnProtocols[0] ?? null,
    history: connection.history === '' ? null : connection.history,
  };
}
