/** Synthetic analyzer observations for the protocol detector tests, every field set and overridable. */
import { parseDetectionSettings } from '../../../../src/main/engine/detectors/detection-settings';
import type { DetectorContext } from '../../../../src/main/engine/detectors/detector';
import { NetworkScope } from '../../../../src/main/engine/detectors/network-scope';
import type {
  CertificateObservation,
  DnsObservation,
  HttpObservation,
  SmbFileObservation,
  SmbTreeObservation,
  TlsObservation,
} from '../../../../src/main/engine/detectors/protocol/protocol-observation';

export function makeContext(input: unknown = {}): DetectorContext {
  const settings = parseDetectionSettings(input);
  return { settings, scope: new NetworkScope(settings) };
}

export function makeDns(overrides: Partial<DnsObservation> = {}): DnsObservation {
  return {
    kind: 'dns',
    uid: 'Cdns',
    timestampUs: 0,
    client: '10.66.0.5',
    server: '10.66.0.1',
    serverPort: 53,
    query: 'www.example.com',
    queryType: 1,
    responseCode: 0,
    answers: [],
    queryPacketNumber: 1,
    responsePacketNumber: 2,
    ...overrides,
  };
}

export function makeHttp(overrides: Partial<HttpObservation> = {}): HttpObservation {
  return {
    kind: 'http',
    uid: 'Chttp',
    timestampUs: 0,
    client: '10.66.0.5',
    server: '198.18.0.90',
    serverPort: 80,
    host: 'update.example.net',
    packetNumber: 4,
    method: 'POST',
    uri: '/gate.php',
    hasReferrer: false,
    hasCookie: false,
    userAgent: 'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)',
    requestBodyBytes: 130,
    requestMediaType: 'application/x-www-form-urlencoded',
    ...overrides,
  };
}

export function makeTls(overrides: Partial<TlsObservation> = {}): TlsObservation {
  return {
    kind: 'tls',
    uid: 'Ctls',
    timestampUs: 0,
    client: '10.66.0.5',
    server: '198.18.0.9',
    serverPort: 443,
    hasClientHello: true,
    serverName: 'www.example.com',
    ja3: 'ja3-common',
    ja4: null,
    certificateFingerprints: [],
    isEstablished: true,
    ...overrides,
  };
}

export function makeCertificate(overrides: Partial<CertificateObservation> = {}): CertificateObservation {
  return {
    kind: 'certificate',
    fingerprint: 'f1',
    subject: 'CN=www.example.com',
    issuer: 'CN=Example CA,O=Example',
    notValidBeforeUs: Date.UTC(2025, 0, 1) * 1000,
    notValidAfterUs: Date.UTC(2026, 11, 31) * 1000,
    isSelfSigned: false,
    ...overrides,
  };
}

export function makeSmbTree(overrides: Partial<SmbTreeObservation> = {}): SmbTreeObservation {
  return {
    kind: 'smb-tree',
    uid: 'Csmb',
    timestampUs: 0,
    client: '10.66.0.7',
    server: '10.66.0.20',
    serverPort: 445,
    path: '\\\\FS\\PROJECTS',
    shareType: 'DISK',
    ...overrides,
  };
}

export function makeSmbFile(overrides: Partial<SmbFileObservation> = {}): SmbFileObservation {
  return {
    kind: 'smb-file',
    uid: 'Csmb',
    timestampUs: 0,
    client: '10.66.0.7',
    server: '10.66.0.20',
    serverPort: 445,
    treePath: '\\\\FS\\PROJECTS',
    name: 'report.docx',
    isWrite: false,
    pipe: null,
    ...overrides,
  };
}

/** Deterministic base32-looking label of `length` characters (what iodine and dnscat2 put in names). */
export function makeEncodedLabel(random: () => number, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let label = '';
  for (let i = 0; i < length; i++) label += alphabet[Math.floor(random() * alphabet.length)];
  return label;
}
