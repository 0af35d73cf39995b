import { describe, expect, it } from 'vitest';
import { identifyTcpService, identifyUdpService } from '../../../src/main/engine/analyzers/service-identification';
import { parseDhcpMessage } from '../../../src/main/engine/analyzers/dhcp-message';
import { decodeZeekJsonString, escapeZeekString, formatZeekTsvValue, ZeekLogWriter } from '../../../src/main/engine/output/zeek-log-writer';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'latin1');

describe('identifyTcpService', () => {
  const cases: [string, Uint8Array, boolean, string | null][] = [
    ['HTTP request', bytes('GET / HTTP/1.1\r\n'), true, 'http'],
    ['HTTP response', bytes('HTTP/1.1 200 OK\r\n'), false, 'http'],
    ['TLS ClientHello record', Uint8Array.from([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00, 0xc4]), true, 'ssl'],
    ['SSH banner', bytes('SSH-2.0-OpenSSH_9.2\r\n'), false, 'ssh'],
    ['SMB2 over NetBIOS', Uint8Array.from([0, 0, 0, 0x40, 0xfe, 0x53, 0x4d, 0x42]), true, 'smb'],
    ['RDP connection request', Uint8Array.from([3, 0, 0, 19, 14, 0xe0, 0, 0, 0, 0, 0, 1, 0, 8, 0, 3, 0, 0, 0]), true, 'rdp'],
    ['SMTP greeting', bytes('220 mail.test ESMTP Postfix\r\n'), false, 'smtp'],
    ['FTP greeting', bytes('220 (vsFTPd 3.0.3)\r\n'), false, 'ftp'],
    ['bare 220 greeting waits for the client', bytes('220 welcome\r\n'), false, null],
    ['EHLO', bytes('EHLO client.test\r\n'), true, 'smtp'],
    ['POP3 greeting', bytes('+OK POP3 ready\r\n'), false, 'pop3'],
    ['IMAP greeting', bytes('* OK [CAPABILITY IMAP4rev1] ready\r\n'), false, 'imap'],
    ['DNS over TCP', Uint8Array.from([0, 29, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0, 0, 1, 0, 1]), true, 'dns'],
    ['random bytes', Uint8Array.from([0x9a, 0x11, 0x42, 0x07]), true, null],
  ];
  it.each(cases)('%s', (_name, payload, isFromOriginator, expected) => {
    expect(identifyTcpService(payload, isFromOriginator)).toBe(expected);
  });
});

describe('identifyUdpService', () => {
  it('recognises QUIC v1 Initial by its long header', () => {
    const packet = Uint8Array.from([0xc3, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0x44, 0xe0, ...new Array<number>(40).fill(0)]);
    expect(identifyUdpService(packet)).toBe('quic');
  });

  it('recognises an NTP v4 client packet', () => {
    expect(identifyUdpService(Uint8Array.from([0x23, 0, 6, 0x20, ...new Array<number>(44).fill(0)]))).toBe('ntp');
  });
});

/** A DHCPDISCOVER with hostname, requested address, client id and vendor class. */
function buildDiscover(): Uint8Array {
  const message = new Uint8Array(300);
  message.set([1, 1, 6, 0, 0xde, 0xad, 0xbe, 0xef], 0); // op, htype, hlen, hops, xid
  message.set([0x02, 0x42, 0x0a, 0x42, 0x00, 0x02], 28); // chaddr
  message.set([0x63, 0x82, 0x53, 0x63], 236); // magic cookie
  message.set([53, 1, 1, 12, 4, 0x68, 0x6f, 0x73, 0x74, 50, 4, 10, 66, 0, 9, 60, 3, 0x61, 0x62, 0x63, 61, 7, 1, 2, 0x42, 10, 66, 0, 2, 255], 240);
  return message;
}

describe('parseDhcpMessage', () => {
  it('decodes the options dhcp.log reports', () => {
    const { message, problem } = parseDhcpMessage(buildDiscover());
    expect(problem).toBeNull();
    expect(message).toMatchObject({
      transactionId: 0xdeadbeef, messageType: 1, hostName: 'host', requestedAddress: '10.66.0.9',
      vendorClass: 'abc', clientIdMac: '02:42:0a:42:00:02', clientHardwareAddress: '02:42:0a:42:00:02',
    });
  });

  it('reports an option that runs past the message', () => {
    const message = buildDiscover().subarray(0, 250);
    expect(parseDhcpMessage(message).problem).toBe('DHCP_option_truncated');
  });

  it('rejects every truncation before the options', () => {
    const full = buildDiscover();
    for (let length = 0; length < 240; length += 1) expect(parseDhcpMessage(full.subarray(0, length)).message).toBeNull();
  });
});

describe('Zeek log writer', () => {
  it('escapes tabs, backslashes, control bytes and markers', () => {
    expect(escapeZeekString('a\tb\\c\x01\xff')).toBe('a\\x09b\\\\c\\x01\\xff');
    expect(escapeZeekString('-')).toBe('\\x2d');
    expect(escapeZeekString('a,b', true)).toBe('a\\x2cb');
    // Unchanged text comes back as is; text before the first escape is kept.
    expect(escapeZeekString('www.example.com')).toBe('www.example.com');
    expect(escapeZeekString('a,b')).toBe('a,b');
    expect(escapeZeekString('name\x7f')).toBe('name\\x7f');
    expect(escapeZeekString('\u0394x')).toBe('\u0394x');
  });

  it('formats unset, empty and container values', () => {
    expect(formatZeekTsvValue('string', null)).toBe('-');
    expect(formatZeekTsvValue('string', '')).toBe('(empty)');
    expect(formatZeekTsvValue('set[string]', [])).toBe('(empty)');
    expect(formatZeekTsvValue('vector[interval]', [1_500_000, 60_000_000])).toBe('1.500000,60.000000');
    expect(formatZeekTsvValue('bool', true)).toBe('T');
  });

  it('writes a header, rows and close line only once a record arrives', () => {
    let text = '';
    let opened = 0;
    const writer = new ZeekLogWriter<{ name: string }>('demo', [{ name: 'name', type: 'string', read: (row) => row.name }], 'zeek', () => {
      opened++;
      return { write: (chunk) => (text += chunk), end: () => undefined };
    }, new Date(Date.UTC(2024, 0, 2, 3, 4, 5)));
    writer.close();
    expect(opened).toBe(0);
    writer.write({ name: 'x\ty' });
    writer.close(new Date(Date.UTC(2024, 0, 2, 3, 4, 6)));
    expect(text.split('\n')).toEqual([
      '#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tdemo',
      '#open\t2024-01-02-03-04-05', '#fields\tname', '#types\tstring', 'x\\x09y', '#close\t2024-01-02-03-04-06', '',
    ]);
  });

  it('writes JSON lines without unset fields', () => {
    let text = '';
    const writer = new ZeekLogWriter<{ a: string | null; t: number }>('demo', [
      { name: 'a', type: 'string', read: (row) => row.a },
      { name: 'ts', type: 'time', read: (row) => row.t },
    ], 'json', () => ({ write: (chunk) => (text += chunk), end: () => undefined }));
    writer.write({ a: null, t: 1_500_000 });
    writer.write({ a: 'caf\xc3\xa9\x01', t: 0 });
    // Zeek's JSON writer: once a byte is not a loggable UTF-8 character, every non-ASCII byte is escaped.
    expect(text).toBe('{"ts":1.5}\n{"a":"caf\\\\xc3\\\\xa9\\\\x01","ts":0}\n');
  });

  it.each([
    ['printable ASCII', 'GET /', 'GET /'],
    ['tab, newline and carriage return kept as characters', 'a\tb\nc\rd', 'a\tb\nc\rd'],
    ['valid UTF-8 kept', 'caf\xc3\xa9 \xe2\x82\xac', 'café €'],
    ['a control byte escaped', 'a\x01b', 'a\\x01b'],
    ['a tab kept before an escaped control byte', 'a\tb\x01', 'a\tb\\x01'],
    ['invalid UTF-8 escapes the valid characters too', '\xc3\xa9\xff', '\\xc3\\xa9\\xff'],
    ['a truncated sequence', 'x\xe2\x82', 'x\\xe2\\x82'],
    ['a C1 control in valid UTF-8', '\xc2\x85', '\\xc2\\x85'],
    ['a private-use character', '\xee\x80\x80', '\\xee\\x80\\x80'],
    ['DEL', 'a\x7f', 'a\\x7f'],
  ])('writes %s in JSON as Zeek does', (_name, bytes, expected) => {
    expect(decodeZeekJsonString(bytes)).toBe(expected);
  });
});
