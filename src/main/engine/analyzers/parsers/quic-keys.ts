/**
 * QUIC Initial packet protection (RFC 9001 section 5, RFC 9369 section 3.3):
 * keys derived from the client's first destination connection id, header
 * protection removal with an AES-128-ECB mask, and AES-128-GCM payload
 * decryption. Key derivation runs once per connection, not per packet.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

export const QUIC_VERSION = {
  v1: 0x00000001,
  v2: 0x6b3343cf,
  draft29: 0xff00001d,
} as const;

interface InitialParameters {
  salt: string;
  labelPrefix: string;
  /** Long-header packet type bits of an Initial: 0 in v1, 1 in v2. */
  initialType: number;
}

/** Initial salts: RFC 9001 section 5.2 (v1), RFC 9369 section 3.3.1 (v2), draft-ietf-quic-tls-29 (drafts 29-32). */
function selectInitialParameters(version: number): InitialParameters | null {
  if (version === QUIC_VERSION.v1)
    return { salt: '38762cf7f55934b34d179ae6a4c80cadccbb7f0a', labelPrefix: 'quic', initialType: 0 };
  if (version === QUIC_VERSION.v2)
    return { salt: '0dede3def700a6db819381be6e269dcbf9bd2ed9', labelPrefix: 'quicv2', initialType: 1 };
  if (version >= 0xff00001d && version <= 0xff000020)
    return { salt: 'afbfec289993d24c9e9786f19c6111e04390a899', labelPrefix: 'quic', initialType: 0 };
  return null;
}

export interface QuicPacketKeys {
  key: Buffer;
  iv: Buffer;
  headerProtection: Buffer;
}

export interface QuicInitialKeys {
  version: number;
  initialType: number;
  client: QuicPacketKeys;
  server: QuicPacketKeys;
}

/** HKDF-Expand-Label of TLS 1.3 (RFC 8446 section 7.1) with an empty context, for outputs up to 32 bytes. */
function expandLabel(secret: Buffer, label: string, length: number): Buffer {
  const fullLabel = Buffer.from('tls13 ' + label, 'latin1');
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, fullLabel.length]),
    fullLabel,
    Buffer.from([0, 1]),
  ]);
  // info ends with the empty context's length byte (0) and HKDF-Expand's first counter byte (1).
  return createHmac('sha256', secret).update(info).digest().subarray(0, length);
}

function derivePacketKeys(secret: Buffer, labelPrefix: string): QuicPacketKeys {
  return {
    key: expandLabel(secret, `${labelPrefix} key`, 16),
    iv: expandLabel(secret, `${labelPrefix} iv`, 12),
    headerProtection: expandLabel(secret, `${labelPrefix} hp`, 16),
  };
}

/** Derives both directions' Initial keys; null for a version without a known salt. */
export function deriveQuicInitialKeys(version: number, destinationConnectionId: Uint8Array): QuicInitialKeys | null {
  const parameters = selectInitialParameters(version);
  if (parameters === null) return null;
  const initialSecret = createHmac('sha256', Buffer.from(parameters.salt, 'hex'))
    .update(destinationConnectionId)
    .digest();
  return {
    version,
    initialType: parameters.initialType,
    client: derivePacketKeys(expandLabel(initialSecret, 'client in', 32), parameters.labelPrefix),
    server: derivePacketKeys(expandLabel(initialSecret, 'server in', 32), parameters.labelPrefix),
  };
}

/** Computes the 5-byte header protection mask: AES-128-ECB of the 16-byte sample (RFC 9001 section 5.4.3). */
export function computeHeaderProtectionMask(headerProtectionKey: Buffer, sample: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-128-ecb', headerProtectionKey, null);
  cipher.setAutoPadding(false);
  return cipher.update(sample).subarray(0, 5);
}

/**
 * Decrypts an AES-128-GCM payload whose last 16 bytes are the tag; returns
 * null when authentication fails. This is the one place that catches: Node
 * reports a bad tag by throwing from `final`, once per packet at most.
 */
export function openQuicPayload(
  keys: QuicPacketKeys,
  packetNumber: number,
  header: Uint8Array,
  sealed: Uint8Array,
): Buffer | null {
  if (sealed.length < 16) return null;
  const nonce = Buffer.from(keys.iv);
  let value = packetNumber;
  for (let i = 11; i >= 4 && value > 0; i--) {
    nonce[i]! ^= value & 0xff;
    value = Math.floor(value / 256);
  }
  const decipher = createDecipheriv('aes-128-gcm', keys.key, nonce);
  decipher.setAAD(header);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  const plaintext = decipher.update(sealed.subarray(0, sealed.length - 16));
  try {
    return Buffer.concat([plaintext, decipher.final()]);
  } catch {
    return null;
  }
}
