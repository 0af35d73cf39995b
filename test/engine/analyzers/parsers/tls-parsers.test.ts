import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildJa3String, buildJa4 } from '../../../../src/main/engine/analyzers/parsers/tls-fingerprints';
import { parseClientHello, parseServerHello } from '../../../../src/main/engine/analyzers/parsers/tls-hello';
import { TlsStreamParser, type TlsEvent } from '../../../../src/main/engine/analyzers/parsers/tls-stream-parser';
import { TlsSessionBuilder } from '../../../../src/main/engine/analyzers/parsers/tls-session';
import { toZeekSslRecord } from '../../../../src/main/engine/analyzers/parsers/zeek-tls-records';
import { parseX509Certificate } from '../../../../src/main/engine/analyzers/parsers/x509-certificate';
import { CertificateLog, StreamSessionParser } from '../../../../src/main/engine/analyzers/session-parsers';
import { ascii, clientHello, extension, tlsRecord, u16, u24, zeros, type Bytes } from './bytes';

// Cipher suites and extensions of the JA4 example in FoxIO-LLC/ja4
// technical_details/JA4.md (JA4_ro: original order), which states
// JA4 = t13d1516h2_8daaf6152771_e5627efa2ab1.
const JA4_CIPHERS = [
  0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f,
  0x0035,
];
const JA4_SIGNATURE_ALGORITHMS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];

function buildJa4ExampleHello(): Bytes {
  const extensions = [
    ...extension(0x0000, [...u16(14), 0, ...u16(11), ...ascii('example.com')]), // server_name
    ...extension(0x0033, []), // key_share (content irrelevant to JA4)
    ...extension(0x000d, [...u16(16), ...JA4_SIGNATURE_ALGORITHMS.flatMap(u16)]), // signature_algorithms
    ...extension(0x0023, []),
    ...extension(0x000b, [1, 0]), // ec_point_formats: uncompressed
    ...extension(0xff01, [0]),
    ...extension(0x000a, [...u16(6), ...u16(0x1a1a), ...u16(0x001d), ...u16(0x0017)]), // supported_groups with GREASE first
    ...extension(0x001b, []),
    ...extension(0x4469, []),
    ...extension(0x0012, []),
    ...extension(0x002d, []),
    ...extension(0x0010, [...u16(12), 2, ...ascii('h2'), 8, ...ascii('http/1.1')]), // ALPN h2, http/1.1
    ...extension(0x0005, []),
    ...extension(0x002b, [4, ...u16(0x0304), ...u16(0x0303)]), // supported_versions
    ...extension(0x0017, []),
    ...extension(0x0015, []),
  ];
  return clientHello({ ciphers: [0x0a0a, ...JA4_CIPHERS], extensions });
}

describe('TLS fingerprints', () => {
  it('hashes the JA3 README example', () => {
    // salesforce/ja3 README: this string hashes to ada70206e40642a3e4461f35503241d5.
    const ja3 = buildJa3String({
      legacyVersion: 769,
      cipherSuites: [47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4],
      extensions: [0, 10, 11],
      supportedGroups: [23, 24, 25],
      pointFormats: [0],
    });
    expect(ja3).toBe('769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0');
    expect(createHash('md5').update(ja3).digest('hex')).toBe('ada70206e40642a3e4461f35503241d5');
  });

  it('reproduces the JA4 spec example', () => {
    const hello = buildJa4ExampleHello();
    const result = parseClientHello(new Uint8Array(hello.slice(4)));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.ja4).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
    expect(result.value.serverName).toBe('example.com');
    expect(result.value.alpnProtocols).toEqual(['h2', 'http/1.1']);
    expect(result.value.offeredVersions).toEqual([0x0304, 0x0303]);
    expect(result.value.cipherSuites[0]).toBe(0x0a0a);
    // JA3 drops the GREASE cipher and group.
    expect(result.value.ja3.split(',')[1]!.startsWith('4865-')).toBe(true);
    expect(result.value.ja3.split(',')[3]).toBe('29-23');
  });

  it('uses hex digits for a non-alphanumeric ALPN', () => {
    const ja4 = buildJa4(
      {
        legacyVersion: 0x0303,
        supportedVersions: [],
        cipherSuites: [],
        extensions: [],
        alpnProtocols: [new Uint8Array([0xab, 0xcd])],
        signatureAlgorithms: [],
        hasServerName: false,
      },
      'q',
    );
    expect(ja4).toBe('q12i0000ad_000000000000_000000000000');
  });
});

describe('ServerHello', () => {
  it('takes the version from supported_versions', () => {
    const body = [
      ...u16(0x0303), // legacy_version
      ...zeros(32), // random
      0, // empty session id
      ...u16(0x1301), // cipher
      0, // compression
      ...u16(14),
      ...extension(0x002b, u16(0x0304)), // supported_versions: TLS 1.3
      ...extension(0x0033, [...u16(0x001d), ...u16(0)]), // key_share x25519 (empty key)
    ];
    const result = parseServerHello(new Uint8Array(body));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.version).toBe(0x0304);
    expect(result.value.keyShareGroup).toBe(0x001d);
    expect(result.value.ja3s).toBe('771,4865,43-51');
  });
});

function collectEvents(chunks: Bytes[], isFromOriginator = true): TlsEvent[] {
  const events: TlsEvent[] = [];
  const parser = new TlsStreamParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(isFromOriginator, new Uint8Array(chunk));
  parser.end();
  return events;
}

describe('TlsStreamParser', () => {
  const hello = buildJa4ExampleHello();

  it('reassembles a hello fed a byte at a time', () => {
    const stream = tlsRecord(22, hello);
    const events = collectEvents(stream.map((byte) => [byte]));
    const kinds = events.map((event) => event.kind);
    expect(kinds).toEqual(['handshake', 'client-hello']);
  });

  it('joins a handshake message split over two records', () => {
    const cut = 50;
    const events = collectEvents([[...tlsRecord(22, hello.slice(0, cut)), ...tlsRecord(22, hello.slice(cut))]]);
    const helloEvent = events.find((event) => event.kind === 'client-hello');
    expect(helloEvent?.kind).toBe('client-hello');
    if (helloEvent?.kind !== 'client-hello') return;
    expect(helloEvent.hello.serverName).toBe('example.com');
  });

  it('builds history and session fields', () => {
    const builder = new TlsSessionBuilder();
    const parser = new TlsStreamParser(builder.addEvent);
    parser.push(true, new Uint8Array(tlsRecord(22, clientHello({ ciphers: [0x002f], extensions: [] }))));
    const serverHello = [...u16(0x0303), ...zeros(32), 0, ...u16(0x002f), 0];
    const certificateList = [...u24(3 + 4), ...u24(4), 0x30, 0x02, 0x05, 0x00]; // one 4-byte "certificate"
    parser.push(
      false,
      new Uint8Array([
        ...tlsRecord(22, [2, ...u24(serverHello.length), ...serverHello]),
        ...tlsRecord(22, [11, ...u24(certificateList.length), ...certificateList, 14, 0, 0, 0]),
        ...tlsRecord(20, [1]),
      ]),
    );
    parser.push(
      true,
      new Uint8Array([...tlsRecord(22, [16, 0, 0, 0]), ...tlsRecord(20, [1]), ...tlsRecord(22, [1, 2, 3])]),
    );
    const row = toZeekSslRecord(
      {
        timestampUs: 1,
        uid: 'C1',
        originatorAddress: '10.0.0.1',
        originatorPort: 5,
        responderAddress: '10.0.0.2',
        responderPort: 443,
      },
      builder.record,
    );
    expect(row.version).toBe('TLSv12');
    expect(row.cipher).toBe('TLS_RSA_WITH_AES_128_CBC_SHA');
    expect(row.ssl_history).toBe('CsxniGI');
    expect(row.established).toBe(true);
    expect((row.cert_chain_fps as string[]).length).toBe(1);
    expect(row.client_cert_chain_fps).toEqual([]);
  });

  it('keeps the number of the packet that completed the server Certificate message', () => {
    const session = new StreamSessionParser('tls');
    session.push(true, new Uint8Array(tlsRecord(22, clientHello({ ciphers: [0x002f], extensions: [] }))), 4);
    const serverHello = [...u16(0x0303), ...zeros(32), 0, ...u16(0x002f), 0];
    const certificateList = [...u24(3 + 4), ...u24(4), 0x30, 0x02, 0x05, 0x00];
    const flight = [
      ...tlsRecord(22, [2, ...u24(serverHello.length), ...serverHello]),
      ...tlsRecord(22, [11, ...u24(certificateList.length), ...certificateList]),
      ...tlsRecord(22, [14, 0, 0, 0]),
    ];
    // Packet 6 ends inside the Certificate message (3 bytes before its end); packet 7 completes it.
    const certificateEnd = flight.length - 9;
    session.push(false, new Uint8Array(flight.slice(0, certificateEnd - 3)), 6);
    session.push(false, new Uint8Array(flight.slice(certificateEnd - 3)), 7);
    const rows: Record<string, unknown>[] = [];
    const identity = {
      timestampUs: 1,
      uid: 'C1',
      originatorAddress: '10.0.0.1',
      originatorPort: 5,
      responderAddress: '10.0.0.2',
      responderPort: 443,
    };
    session.finish(identity, { onSsl: (row) => rows.push(row) }, new CertificateLog({}));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.cert_packet).toBe(7);
    // The ClientHello came whole in packet 4.
    expect(rows[0]?.client_hello_packet).toBe(4);
    // Without packet numbers (or without a chain) the row has no cert_packet.
    const builder = new TlsSessionBuilder();
    new TlsStreamParser(builder.addEvent).push(false, new Uint8Array(flight));
    expect(builder.record.serverCertificatePacketNumber).toBeUndefined();
    expect('cert_packet' in toZeekSslRecord(identity, builder.record)).toBe(false);
    expect('client_hello_packet' in toZeekSslRecord(identity, builder.record)).toBe(false);
  });

  it('is done with a direction after its first encrypted record', () => {
    const events: TlsEvent[] = [];
    const parser = new TlsStreamParser((event) => events.push(event));
    parser.push(true, new Uint8Array(tlsRecord(22, hello)));
    expect(parser.isDone(true)).toBe(false);
    // Application data, then the start of a second record cut off: nothing to report for it.
    parser.push(true, new Uint8Array([...tlsRecord(23, [9, 9, 9]), 23, 3, 3, 0, 40, 1]));
    expect(parser.isDone(true)).toBe(true);
    expect(parser.isDone(false)).toBe(false);
    parser.end();
    expect(events.map((event) => event.kind)).toEqual(['handshake', 'client-hello', 'encrypted-data']);
  });

  it('reports a split encrypted record once complete', () => {
    const events: TlsEvent[] = [];
    const parser = new TlsStreamParser((event) => events.push(event));
    // A 3,000-byte application_data record in 1,000-byte segments, after the ClientHello.
    const record = new Uint8Array(tlsRecord(23, zeros(3000)));
    parser.push(true, new Uint8Array(tlsRecord(22, hello)));
    parser.push(true, record.subarray(0, 1000));
    parser.push(true, record.subarray(1000, 2000));
    expect(parser.isDone(true)).toBe(false);
    expect(events.at(-1)?.kind).toBe('client-hello');
    parser.push(true, record.subarray(2000));
    expect(parser.isDone(true)).toBe(true);
    const encrypted = events.at(-1);
    expect(encrypted).toMatchObject({ kind: 'encrypted-data', contentType: 23, streamOffset: 5 + hello.length });
  });

  it('counts every byte of a cut record', () => {
    const events: TlsEvent[] = [];
    const parser = new TlsStreamParser((event) => events.push(event));
    const record = new Uint8Array(tlsRecord(23, zeros(3000)));
    parser.push(false, record.subarray(0, 1000));
    parser.push(false, record.subarray(1000, 2400));
    parser.end();
    expect(events.map((event) => event.kind)).toEqual(['problem']);
    expect(events[0]).toMatchObject({ message: 'connection ended inside a TLS record (2400 bytes held)', streamOffset: 0 });
  });

  it('keeps offsets after a split record', () => {
    const events: TlsEvent[] = [];
    const parser = new TlsStreamParser((event) => events.push(event));
    // The server's ChangeCipherSpec arrives split, then an alert record follows it in the same segment.
    const stream = new Uint8Array([...tlsRecord(20, [1]), ...tlsRecord(21, [2, 40])]);
    parser.push(false, stream.subarray(0, 3));
    parser.push(false, stream.subarray(3));
    expect(events.map((event) => [event.kind, event.streamOffset])).toEqual([
      ['change-cipher-spec', 0],
      ['encrypted-data', 6],
    ]);
  });

  it('stops at a non-TLS header', () => {
    const events = collectEvents([ascii('GET / HTTP/1.1\r\n')]);
    expect(events.map((event) => event.kind)).toEqual(['problem']);
  });
});

/** Inputs that must neither throw nor hang; each is fed whole and as every prefix. */
const TLS_HOSTILE: [rule: string, bytes: Bytes][] = [
  ['record length over the 18437-byte cap', [22, 3, 3, 0xff, 0xff]],
  ['handshake length 2^24-1 in a small record', tlsRecord(22, [1, 0xff, 0xff, 0xff])],
  ['cipher list longer than the body', tlsRecord(22, [1, ...u24(40), ...u16(0x0303), ...zeros(32), 0, 0xff, 0xff])],
  ['session id length past the end', tlsRecord(22, [1, ...u24(35), ...u16(0x0303), ...zeros(32), 0xff])],
  [
    'extension length past the extensions block',
    tlsRecord(22, clientHello({ ciphers: [1], extensions: [0, 0, 0xff, 0xff] })),
  ],
  [
    'server_name list longer than the extension',
    tlsRecord(22, clientHello({ ciphers: [1], extensions: extension(0, [0xff, 0xff, 0]) })),
  ],
  [
    'ALPN entry longer than its list',
    tlsRecord(22, clientHello({ ciphers: [1], extensions: extension(16, [0, 3, 200, 1, 2]) })),
  ],
  ['certificate length larger than the list', tlsRecord(22, [11, ...u24(6), ...u24(3), ...u24(0xffffff)])],
  ['SSLv2 hello with a cipher length past the end', [0x80, 0x20, 1, 0, 2, 0xff, 0xff, 0, 0, 0, 16]],
  [
    'enormous supported_versions count',
    tlsRecord(22, clientHello({ ciphers: [1], extensions: extension(43, [255, ...zeros(4)]) })),
  ],
];

describe('TLS hostile input', () => {
  it.each(TLS_HOSTILE)('%s', (_rule, bytes) => {
    for (let end = 0; end <= bytes.length; end++) {
      expect(() => collectEvents([bytes.slice(0, end)])).not.toThrow();
      expect(() => collectEvents([bytes.slice(0, end)], false)).not.toThrow();
    }
  });

  it('parses every prefix of a hello body without throwing', () => {
    const body = buildJa4ExampleHello().slice(4);
    for (let end = 0; end < body.length; end++) {
      const result = parseClientHello(new Uint8Array(body.slice(0, end)));
      // A body cut inside the fixed part or an extension is a problem, never a throw.
      if (end < 38) expect(result.ok).toBe(false);
    }
  });
});

/** DER inputs for the X.509 reader: each must return a record with a problem, not throw. */
const DER_HOSTILE: [rule: string, bytes: Bytes][] = [
  ['empty input', []],
  ['length with 5 length bytes', [0x30, 0x85, 1, 0, 0, 0, 0]],
  ['indefinite length', [0x30, 0x80, 0, 0]],
  ['length 2^32-1', [0x30, 0x84, 0xff, 0xff, 0xff, 0xff]],
  ['inner SEQUENCE longer than outer', [0x30, 0x04, 0x30, 0x10, 0x02, 0x01]],
  ['high tag number', [0x3f, 0x81, 0x01, 0x00]],
  ['serial missing', [0x30, 0x04, 0x30, 0x02, 0x05, 0x00]],
  [
    'TBS with a bad version wrapper and OID arc overflow',
    [0x30, 0x10, 0x30, 0x0e, 0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01, 0x30, 0x03, 0x06, 0x01, 0xff],
  ],
];

describe('X.509 hostile input', () => {
  it.each(DER_HOSTILE)('%s', (_rule, bytes) => {
    for (let end = 0; end <= bytes.length; end++) {
      const record = parseX509Certificate(new Uint8Array(bytes.slice(0, end)));
      expect(record.problem).not.toBeNull();
      expect(record.sha256).toHaveLength(64);
    }
  });
});
