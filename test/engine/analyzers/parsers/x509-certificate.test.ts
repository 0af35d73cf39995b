import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseX509Certificate } from '../../../../src/main/engine/analyzers/parsers/x509-certificate';
import { toZeekX509Record } from '../../../../src/main/engine/analyzers/parsers/zeek-tls-records';
import { ascii, hex, type Bytes } from './bytes';

/** Encodes a DER element with a short, 1-byte or 2-byte long length. */
function der(tag: number, content: Bytes): Bytes {
  if (content.length < 128) return [tag, content.length, ...content];
  if (content.length < 256) return [tag, 0x81, content.length, ...content];
  return [tag, 0x82, content.length >> 8, content.length & 0xff, ...content];
}
const sequence = (...parts: Bytes[]): Bytes => der(0x30, parts.flat());
const oid = (hexText: string): Bytes => der(0x06, hex(hexText));
/** One RDN holding one attribute, its value a PrintableString (0x13) or UTF8String (0x0c). */
const rdn = (oidHex: string, value: string, tag = 0x13): Bytes =>
  der(0x31, sequence(oid(oidHex), der(tag, [...Buffer.from(value, 'utf8')])));

const OID_CN = '550403';
const OID_O = '55040a';
const OID_C = '550406';
const SHA256_WITH_RSA = sequence(oid('2a864886f70d01010b'), [0x05, 0x00]);
const RSA_ENCRYPTION = sequence(oid('2a864886f70d010101'), [0x05, 0x00]);

/** Builds a v3 certificate with a 1024-bit RSA key, SANs, basicConstraints and a key identifier. Its signature is not valid. */
function buildCertificate(options: { issuerCn: string; subjectCn: string; isCa: boolean }): Bytes {
  const issuer = sequence(rdn(OID_C, 'US'), rdn(OID_O, 'Example, Inc.'), rdn(OID_CN, options.issuerCn, 0x0c));
  const subject = sequence(rdn(OID_C, 'US'), rdn(OID_O, 'Example, Inc.'), rdn(OID_CN, options.subjectCn, 0x0c));
  const modulus = [0x00, 0xc3, ...new Array<number>(127).fill(0x11)]; // 128 significant bytes, top bits 11: 1024 bits
  const publicKey = sequence(
    RSA_ENCRYPTION,
    der(0x03, [0x00, ...sequence(der(0x02, modulus), der(0x02, [0x01, 0x00, 0x01]))]),
  );
  const subjectAltName = sequence(
    der(0x82, ascii('www.example.com')), // dNSName
    der(0x82, ascii('*.example.com')),
    der(0x87, [192, 0, 2, 7]), // iPAddress
    der(0x87, [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1]),
    der(0x81, ascii('admin@example.com')), // rfc822Name
    der(0x86, ascii('https://example.com/')), // uniformResourceIdentifier
  );
  const basicConstraints = options.isCa ? sequence(der(0x01, [0xff]), der(0x02, [0x00])) : sequence();
  const extensions = der(
    0xa3,
    sequence(
      sequence(oid('551d11'), der(0x04, subjectAltName)), // subjectAltName
      sequence(oid('551d13'), der(0x01, [0xff]), der(0x04, basicConstraints)), // basicConstraints, critical
      sequence(oid('551d0e'), der(0x04, der(0x04, [1, 2, 3, 4]))), // subjectKeyIdentifier
    ),
  );
  const tbs = sequence(
    der(0xa0, der(0x02, [0x02])), // version v3
    der(0x02, [0x00, 0x99, 0xfa, 0x01]), // serial with a sign-padding zero byte
    SHA256_WITH_RSA,
    issuer,
    sequence(der(0x17, ascii('110503000000Z')), der(0x18, ascii('20500630235959Z'))), // UTCTime, GeneralizedTime
    subject,
    publicKey,
    extensions,
  );
  return sequence(tbs, SHA256_WITH_RSA, der(0x03, [0x00, 1, 2, 3]));
}

describe('parseX509Certificate', () => {
  const der = new Uint8Array(buildCertificate({ issuerCn: 'Example CA', subjectCn: 'www.example.com', isCa: false }));
  const record = parseX509Certificate(der);

  it('reads names, serial and validity', () => {
    expect(record.problem).toBeNull();
    expect(record.version).toBe(3);
    expect(record.serialHex).toBe('99FA01');
    // RFC 2253 order (last RDN first) with the comma in O escaped.
    expect(record.subject).toBe('CN=www.example.com,O=Example\\, Inc.,C=US');
    expect(record.issuer).toBe('CN=Example CA,O=Example\\, Inc.,C=US');
    expect(record.notValidBeforeUs).toBe(Date.UTC(2011, 4, 3) * 1000);
    expect(record.notValidAfterUs).toBe(Date.UTC(2050, 5, 30, 23, 59, 59) * 1000);
  });

  it('reads key, algorithms, SANs and constraints', () => {
    expect(record.keyAlgorithm).toBe('rsaEncryption');
    expect(record.signatureAlgorithm).toBe('sha256WithRSAEncryption');
    expect(record.keyType).toBe('rsa');
    expect(record.keyLengthBits).toBe(1024);
    expect(record.exponent).toBe('65537');
    expect(record.sanDns).toEqual(['www.example.com', '*.example.com']);
    expect(record.sanIp).toEqual(['192.0.2.7', '2001:db8::1']);
    expect(record.sanEmail).toEqual(['admin@example.com']);
    expect(record.sanUri).toEqual(['https://example.com/']);
    expect(record.isCa).toBe(false);
    expect(record.pathLength).toBeNull();
    expect(record.isSelfSigned).toBe(false);
  });

  it('hashes the DER bytes', () => {
    expect(record.sha256).toBe(createHash('sha256').update(der).digest('hex'));
    expect(record.sha1).toBe(createHash('sha1').update(der).digest('hex'));
  });

  it('flags a self-signed CA', () => {
    const ca = parseX509Certificate(
      new Uint8Array(buildCertificate({ issuerCn: 'Root', subjectCn: 'Root', isCa: true })),
    );
    expect(ca.isSelfSigned).toBe(true);
    expect(ca.isCa).toBe(true);
    expect(ca.pathLength).toBe(0);
  });

  it('maps to an x509.log row', () => {
    const row = toZeekX509Record(5, record, true, false);
    expect(row.fingerprint).toBe(record.sha256);
    expect(row['certificate.serial']).toBe('99FA01');
    expect(row['san.dns']).toEqual(['www.example.com', '*.example.com']);
    expect(row['certificate.curve']).toBeNull();
    expect(row['basic_constraints.ca']).toBe(false);
    expect(row.host_cert).toBe(true);
  });

  it('keeps fields read before a cut', () => {
    for (let end = 0; end < der.length; end++) {
      const partial = parseX509Certificate(der.subarray(0, end));
      expect(partial.problem).not.toBeNull();
    }
  });
});
