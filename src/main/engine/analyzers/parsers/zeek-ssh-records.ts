/** ssh.log rows (Zeek base scripts) and the columns of the hassh package. */
import type { SshSessionRecord } from '../../../../shared/domain/records-ssh';
import {
  createConnectionColumns,
  ZEEK_CONNECTION_FIELDS,
  type ZeekConnectionIdentity,
  type ZeekField,
  type ZeekRow,
} from './zeek-row';

export const SSH_LOG_FIELDS: readonly ZeekField[] = [
  ...ZEEK_CONNECTION_FIELDS,
  ['version', 'count'],
  ['auth_success', 'bool'],
  ['auth_attempts', 'count'],
  ['direction', 'enum'],
  ['client', 'string'],
  ['server', 'string'],
  ['cipher_alg', 'string'],
  ['mac_alg', 'string'],
  ['compression_alg', 'string'],
  ['kex_alg', 'string'],
  ['host_key_alg', 'string'],
  ['host_key_fingerprint', 'string'],
];

/** Columns the hassh Zeek package (salesforce/hassh) adds to ssh.log. */
export const SSH_LOG_PACKAGE_FIELDS: readonly ZeekField[] = [
  ['hassh', 'string'],
  ['hasshServer', 'string'],
  ['hasshAlgorithms', 'string'],
  ['hasshServerAlgorithms', 'string'],
];

/**
 * Builds an ssh.log row. auth_success and auth_attempts come from Zeek's
 * segment-size heuristic, so they are as reliable as Zeek's.
 * NOTE: direction needs Zeek's local-network setting and stays unset.
 */
export function toZeekSshRecord(identity: ZeekConnectionIdentity, session: SshSessionRecord): ZeekRow {
  return {
    ...createConnectionColumns(identity),
    version: session.version,
    auth_success: session.authSuccess,
    auth_attempts: session.authAttempts,
    direction: null,
    client: session.clientBanner,
    server: session.serverBanner,
    cipher_alg: session.cipherAlgorithm,
    mac_alg: session.macAlgorithm,
    compression_alg: session.compressionAlgorithm,
    kex_alg: session.kexAlgorithm,
    host_key_alg: session.hostKeyAlgorithm,
    host_key_fingerprint: session.hostKeyFingerprint,
    hassh: session.hassh,
    hasshServer: session.hasshServer,
    hasshAlgorithms: session.hasshAlgorithms,
    hasshServerAlgorithms: session.hasshServerAlgorithms,
  };
}
