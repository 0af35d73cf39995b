/**
 * TLS handshake and X.509 certificate records, JSON-safe. Numbers are the
 * wire code points (versions, cipher suites, extensions, groups); names for
 * them are looked up when a log row is written. GREASE values (RFC 8701) are
 * kept here as sent and left out only of the fingerprints.
 */

export interface TlsClientHelloRecord {
  /** legacy_version of the ClientHello body, e.g. 0x0303. */
  legacyVersion: number;
  /** supported_versions (extension 43) in the order sent, or [legacyVersion] when absent. */
  offeredVersions: number[];
  cipherSuites: number[];
  /** Extension types in the order sent. */
  extensions: number[];
  /** First host_name entry of server_name (extension 0), or null. */
  serverName: string | null;
  /** ALPN protocol names (extension 16) in the order sent. */
  alpnProtocols: string[];
  /** supported_groups, formerly elliptic_curves (extension 10). */
  supportedGroups: number[];
  /** ec_point_formats (extension 11). */
  pointFormats: number[];
  /** signature_algorithms (extension 13) in the order sent. */
  signatureAlgorithms: number[];
  /** Lower-case hex of legacy_session_id; '' when empty. */
  sessionIdHex: string;
  /** True when the hello came in the SSLv2-compatible format (RFC 5246 appendix E.2). */
  isSslv2Format: boolean;
  /** JA3 string: version,ciphers,extensions,groups,point formats with GREASE removed. */
  ja3: string;
  /** MD5 of `ja3`, lower-case hex. */
  ja3Hash: string;
  /** JA4 fingerprint (FoxIO), e.g. t13d1516h2_8daaf6152771_e5627efa2ab1. */
  ja4: string;
}

export interface TlsServerHelloRecord {
  legacyVersion: number;
  /** Negotiated version: supported_versions (extension 43) when present, else legacyVersion. */
  version: number;
  cipherSuite: number;
  compressionMethod: number;
  extensions: number[];
  /** The one ALPN protocol the server chose, or null. */
  alpnProtocol: string | null;
  /** Group of the key_share extension (TLS 1.3), or null. */
  keyShareGroup: number | null;
  sessionIdHex: string;
  /** True for a TLS 1.3 HelloRetryRequest (the special random value of RFC 8446 section 4.1.3). */
  isHelloRetryRequest: boolean;
  /** True when the server accepted a pre-shared key (extension 41). */
  hasPreSharedKey: boolean;
  /** JA3S string: version,cipher,extensions. */
  ja3s: string;
  ja3sHash: string;
}

export interface X509CertificateRecord {
  /** SHA-256 of the DER bytes, lower-case hex; Zeek's x509 fingerprint. */
  sha256: string;
  sha1: string;
  /** X.509 version as numbered in the text form: 1, 2 or 3. */
  version: number;
  /** Serial number, upper-case hex without leading zero bytes, as OpenSSL prints it. */
  serialHex: string;
  /** Distinguished name in RFC 2253 order (most specific first), as Zeek writes it. */
  subject: string;
  issuer: string;
  notValidBeforeUs: number | null;
  notValidAfterUs: number | null;
  /** OpenSSL long name of the key algorithm, e.g. rsaEncryption, id-ecPublicKey, or the dotted OID. */
  keyAlgorithm: string;
  /** OpenSSL long name of the signature algorithm, e.g. sha256WithRSAEncryption. */
  signatureAlgorithm: string;
  /** 'rsa', 'dsa', 'ecdsa', 'ed25519', 'ed448', or null when unknown. */
  keyType: string | null;
  /** RSA/DSA modulus bits, or the curve's field size for EC keys; null when unknown. */
  keyLengthBits: number | null;
  /** RSA public exponent in decimal. */
  exponent: string | null;
  /** OpenSSL curve short name, e.g. prime256v1, secp384r1. */
  curve: string | null;
  sanDns: string[];
  sanUri: string[];
  sanEmail: string[];
  sanIp: string[];
  /** basicConstraints cA; null when the extension is absent. */
  isCa: boolean | null;
  pathLength: number | null;
  /** Issuer and subject names are byte-identical (and key identifiers agree when both are present). */
  isSelfSigned: boolean;
  /** Set when the DER could not be fully parsed; fields read before the problem are kept. */
  problem: string | null;
}

export interface TlsSessionRecord {
  client: TlsClientHelloRecord | null;
  server: TlsServerHelloRecord | null;
  /** Key exchange group: TLS 1.3 key_share, or the named curve of an ECDHE ServerKeyExchange. */
  curve: number | null;
  /** Zeek ssl_history letters, client-sent letters upper case. */
  history: string;
  /** Description code of the last unencrypted alert, or null. */
  lastAlert: number | null;
  isEstablished: boolean;
  isResumed: boolean;
  serverCertificates: X509CertificateRecord[];
  clientCertificates: X509CertificateRecord[];
  /** Certificates present in the chain beyond the per-chain cap, counted and not parsed. */
  skippedCertificates: number;
  /** Parse problems in order, capped; each names the direction and stream offset. */
  problems: string[];
  /** 1-based number of the packet that completed the server's Certificate handshake message; absent when unknown. */
  serverCertificatePacketNumber?: number;
  /** 1-based number of the packet that completed the ClientHello; absent when unknown. */
  clientHelloPacketNumber?: number;
}
