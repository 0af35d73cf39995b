/** SSH handshake records (RFC 4253), JSON-safe. */

/** One side's SSH_MSG_KEXINIT name-lists, each in the order sent. */
export interface SshKexInitRecord {
  kexAlgorithms: string[];
  hostKeyAlgorithms: string[];
  encryptionClientToServer: string[];
  encryptionServerToClient: string[];
  macClientToServer: string[];
  macServerToClient: string[];
  compressionClientToServer: string[];
  compressionServerToClient: string[];
}

export interface SshSessionRecord {
  /** Identification line without CR LF, e.g. "SSH-2.0-OpenSSH_9.6"; null until seen. */
  clientBanner: string | null;
  serverBanner: string | null;
  /** Zeek's ssh.log version: 1 or 2, from both banners ("1.99" counts as 2); null until both are seen. */
  version: number | null;
  clientKexInit: SshKexInitRecord | null;
  serverKexInit: SshKexInitRecord | null;
  /** HASSH: MD5 of `hasshAlgorithms`, "kex;encryption;mac;compression" of the client's client-to-server lists. */
  hassh: string | null;
  hasshAlgorithms: string | null;
  /** HASSHServer: MD5 of the server's kex and server-to-client lists. */
  hasshServer: string | null;
  hasshServerAlgorithms: string | null;
  /** Negotiated algorithms: the first client choice the server also offers (RFC 4253 section 7.1). */
  kexAlgorithm: string | null;
  hostKeyAlgorithm: string | null;
  cipherAlgorithm: string | null;
  macAlgorithm: string | null;
  compressionAlgorithm: string | null;
  /** "SHA256:" and the unpadded base64 SHA-256 of the server host key blob, as ssh-keygen -l prints it. */
  hostKeyFingerprint: string | null;
  /** Zeek's inferred authentication result from encrypted segment sizes (SSH2 only); null until decided. */
  authSuccess: boolean | null;
  /** Authentication attempts Zeek's heuristic counted. */
  authAttempts: number;
  problems: string[];
}
