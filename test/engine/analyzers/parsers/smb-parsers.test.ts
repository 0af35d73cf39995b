import { describe, expect, it } from 'vitest';
import { classifyShare, SmbStreamParser } from '../../../../src/main/engine/analyzers/parsers/smb-stream-parser';
import { findNtlmsspToken, parseNtlmAuthenticate } from '../../../../src/main/engine/analyzers/parsers/ntlmssp';
import {
  nameSmbOpenAction,
  toZeekNtlmRecord,
  toZeekSmbFilesRecord,
  toZeekSmbMappingRecord,
} from '../../../../src/main/engine/analyzers/parsers/zeek-smb-quic-records';
import { CertificateLog, StreamSessionParser, type SessionLogSinks } from '../../../../src/main/engine/analyzers/session-parsers';
import type { ZeekRow } from '../../../../src/main/engine/analyzers/parsers/zeek-row';
import { ascii, u16le, u32le, utf16le, zeros, type Bytes } from './bytes';

interface HeaderOptions {
  command: number;
  messageId: number;
  isResponse?: boolean;
  status?: number;
  treeId?: number;
  nextCommand?: number;
}

/** Builds the 64-byte SMB2 sync header (MS-SMB2 2.2.1.2). */
function smb2Header(options: HeaderOptions): Bytes {
  return [
    0xfe,
    ...ascii('SMB'), // ProtocolId
    ...u16le(64), // StructureSize
    ...u16le(1), // CreditCharge
    ...u32le(options.status ?? 0), // Status
    ...u16le(options.command),
    ...u16le(1), // Credits
    ...u32le(options.isResponse ? 1 : 0), // Flags: SERVER_TO_REDIR
    ...u32le(options.nextCommand ?? 0),
    ...u32le(options.messageId),
    0,
    0,
    0,
    0, // MessageId (64-bit)
    ...u32le(0), // Reserved (ProcessId)
    ...u32le(options.treeId ?? 0),
    ...zeros(8), // SessionId
    ...zeros(16), // Signature
  ];
}

/** NetBIOS session message: type 0 and a 24-bit length. */
const netbios = (message: Bytes): Bytes => [
  0,
  (message.length >> 16) & 0xff,
  (message.length >> 8) & 0xff,
  message.length & 0xff,
  ...message,
];

/** NTLMSSP AUTHENTICATE with Unicode domain, user and workstation (MS-NLMP 2.2.1.3). */
function ntlmAuthenticate(domain: string, user: string, workstation: string): Bytes {
  const fields = [[] as Bytes, [] as Bytes, utf16le(domain), utf16le(user), utf16le(workstation), [] as Bytes];
  let offset = 64 + 8; // fixed part: signature, type, six field descriptors, flags; then 8 bytes of version
  const descriptors: Bytes = [];
  for (const field of fields) {
    descriptors.push(...u16le(field.length), ...u16le(field.length), ...u32le(offset));
    offset += field.length;
  }
  return [...ascii('NTLMSSP\0'), ...u32le(3), ...descriptors, ...u32le(0x00000001), ...zeros(8), ...fields.flat()];
}

/** A DER element with a short or 2-byte long length. */
const der = (tag: number, content: Bytes): Bytes =>
  content.length < 128
    ? [tag, content.length, ...content]
    : [tag, 0x82, content.length >> 8, content.length & 0xff, ...content];

/** SPNEGO negTokenResp ([1]) whose responseToken ([2]) carries the NTLMSSP token (RFC 4178). */
const spnegoResponse = (token: Bytes): Bytes => der(0xa1, der(0x30, der(0xa2, der(0x04, token))));

function sessionSetupRequest(messageId: number, securityBuffer: Bytes): Bytes {
  const body = [
    ...u16le(25),
    0,
    1,
    ...u32le(0),
    ...u32le(0),
    ...u16le(64 + 24),
    ...u16le(securityBuffer.length),
    ...zeros(8),
  ];
  return [...smb2Header({ command: 1, messageId }), ...body, ...securityBuffer];
}

function treeConnectRequest(messageId: number, path: string): Bytes {
  const encoded = utf16le(path);
  return [
    ...smb2Header({ command: 3, messageId }),
    ...u16le(9),
    ...u16le(0),
    ...u16le(64 + 8),
    ...u16le(encoded.length),
    ...encoded,
  ];
}

function treeConnectResponse(messageId: number, treeId: number, shareType: number): Bytes {
  return [
    ...smb2Header({ command: 3, messageId, isResponse: true, treeId }),
    ...u16le(16),
    shareType,
    0,
    ...u32le(0),
    ...u32le(0),
    ...u32le(0x1f01ff),
  ];
}

function createRequest(messageId: number, treeId: number, name: string, nextCommand = 0): Bytes {
  const encoded = utf16le(name);
  const body = [
    ...u16le(57),
    0,
    0, // StructureSize, SecurityFlags, RequestedOplockLevel
    ...u32le(2),
    ...zeros(16), // ImpersonationLevel, SmbCreateFlags, Reserved
    ...u32le(0x12019f),
    ...u32le(0),
    ...u32le(3), // DesiredAccess, FileAttributes, ShareAccess
    ...u32le(1),
    ...u32le(0), // CreateDisposition FILE_OPEN, CreateOptions
    ...u16le(64 + 56),
    ...u16le(encoded.length),
    ...u32le(0),
    ...u32le(0), // NameOffset, NameLength, contexts
  ];
  const message = [...smb2Header({ command: 5, messageId, treeId, nextCommand }), ...body, ...encoded];
  while (nextCommand !== 0 && message.length < nextCommand) message.push(0);
  return message;
}

/** FILETIME 0x01cf8bd2_01d0f9f1: 100-ns units since 1601, 2014-06-19T15:20:30.6899441Z. */
const FILETIME_LOW = 0x01d0f9f1;
function createResponse(messageId: number, treeId: number, size: number): Bytes {
  const filetime = [...u32le(FILETIME_LOW), ...u32le(0x01cf8bd2)];
  return [
    ...smb2Header({ command: 5, messageId, isResponse: true, treeId }),
    ...u16le(89),
    0,
    0,
    ...u32le(1), // StructureSize, OplockLevel, Flags, CreateAction FILE_OPENED
    ...filetime,
    ...filetime,
    ...filetime,
    ...filetime, // Creation, LastAccess, LastWrite, Change
    ...u32le(4096),
    ...u32le(0),
    ...u32le(size),
    ...u32le(0), // AllocationSize, EndofFile
    ...u32le(0),
    ...u32le(0),
    ...zeros(16), // FileAttributes, Reserved2, FileId
  ];
}

const IDENTITY = {
  timestampUs: 0,
  uid: 'C',
  originatorAddress: '10.0.0.5',
  originatorPort: 50000,
  responderAddress: '10.0.0.9',
  responderPort: 445,
};

describe('NTLMSSP', () => {
  it('finds the token inside SPNEGO and reads the user', () => {
    const token = findNtlmsspToken(new Uint8Array(spnegoResponse(ntlmAuthenticate('CORP', 'alice', 'WS01'))));
    expect(token).not.toBeNull();
    expect(parseNtlmAuthenticate(token!)).toEqual({ userName: 'alice', domain: 'CORP', workstation: 'WS01' });
  });
});

describe('SmbStreamParser', () => {
  it('records session, tree connects and opens', () => {
    const parser = new SmbStreamParser();
    const requests = [
      ...netbios(sessionSetupRequest(1, spnegoResponse(ntlmAuthenticate('CORP', 'alice', 'WS01')))),
      ...netbios(treeConnectRequest(2, '\\\\FILESRV\\ADMIN$')),
      ...netbios(treeConnectRequest(3, '\\\\FILESRV\\IPC$')),
    ];
    // Fed a byte at a time so every frame boundary falls inside a push.
    for (const byte of requests) parser.push(true, new Uint8Array([byte]));
    parser.push(
      false,
      new Uint8Array([
        ...netbios([...smb2Header({ command: 1, messageId: 1, isResponse: true })]),
        ...netbios(treeConnectResponse(2, 7, 1)),
        ...netbios(treeConnectResponse(3, 8, 2)),
      ]),
    );

    // Compounded: two CREATEs in one NetBIOS message, the first padded to 8-byte alignment.
    const first = createRequest(4, 8, 'svcctl', 136);
    const second = createRequest(5, 7, 'Windows\\Temp\\x.exe');
    parser.push(true, new Uint8Array(netbios([...first, ...second])));
    parser.push(false, new Uint8Array([...netbios(createResponse(5, 7, 25940)), ...netbios(createResponse(4, 8, 0))]));

    const record = parser.record;
    expect(record.dialect).toBe('SMB2');
    expect(record.sessions.map((session) => [session.domain, session.userName, session.status])).toEqual([
      ['CORP', 'alice', 0],
    ]);
    expect(
      record.trees.map((tree) => [tree.path, tree.isAdminShare, tree.isIpcShare, tree.shareType, tree.treeId]),
    ).toEqual([
      ['\\\\FILESRV\\ADMIN$', true, false, 'DISK', 7],
      ['\\\\FILESRV\\IPC$', false, true, 'PIPE', 8],
    ]);
    expect(
      record.files.map((file) => [file.name, file.treePath, file.remoteExecutionPipe, file.status, file.sizeBytes]),
    ).toEqual([
      ['svcctl', '\\\\FILESRV\\IPC$', 'svcctl', 0, 0],
      ['Windows\\Temp\\x.exe', '\\\\FILESRV\\ADMIN$', null, 0, 25940],
    ]);

    const files = toZeekSmbFilesRecord(IDENTITY, record.files[1]!);
    expect(files.action).toBe('SMB::FILE_OPEN');
    expect(files.size).toBe(25940);
    expect(files['times.modified']).toBe(record.files[1]!.modifiedUs);
    expect(toZeekSmbMappingRecord(IDENTITY, record.trees[0]!).share_type).toBe('DISK');
    expect(toZeekNtlmRecord(IDENTITY, record.sessions[0]!).success).toBe(true);
  });

  it('stamps each tree and file with the time of the packet that completed its request', () => {
    const parser = new SmbStreamParser();
    const tree = netbios(treeConnectRequest(2, '\\\\FILESRV\\share'));
    // The tree connect request spans two packets: it is complete with the second, at 2_000_500 µs.
    parser.push(true, new Uint8Array(tree.slice(0, 20)), 2_000_000);
    parser.push(true, new Uint8Array(tree.slice(20)), 2_000_500);
    parser.push(false, new Uint8Array(netbios(treeConnectResponse(2, 7, 1))), 2_001_000);
    parser.push(true, new Uint8Array(netbios(createRequest(3, 7, 'a.txt'))), 3_000_000);
    parser.push(false, new Uint8Array(netbios(createResponse(3, 7, 10))), 3_500_000);
    const { trees, files } = parser.record;
    expect(trees.map((entry) => entry.timestampUs)).toEqual([2_000_500]);
    expect(files.map((entry) => entry.timestampUs)).toEqual([3_000_000]);
    expect(toZeekSmbMappingRecord(IDENTITY, trees[0]!).ts).toBe(2_000_500);
    expect(toZeekSmbFilesRecord(IDENTITY, files[0]!).ts).toBe(3_000_000);
    // Without a packet time (a caller that does not pass one) the row keeps the connection's start.
    const { timestampUs: _dropped, ...untimed } = files[0]!;
    expect(toZeekSmbFilesRecord(IDENTITY, untimed).ts).toBe(IDENTITY.timestampUs);
  });

  it('converts FILETIME to epoch microseconds', () => {
    const parser = new SmbStreamParser();
    parser.push(true, new Uint8Array(netbios(createRequest(9, 0, 'a.txt'))));
    parser.push(false, new Uint8Array(netbios(createResponse(9, 0, 1))));
    // Exactly 1403191230.6899441 s, but Zeek computes in doubles (FILETIME / 10^7 has a 1.9 µs
    // spacing near 1.3e10) and writes 1403191230.689943; the parser reproduces Zeek's value.
    expect(parser.record.files[0]!.modifiedUs).toBe(1403191230689943);
  });

  it('flags admin and IPC shares', () => {
    expect(classifyShare('\\\\h\\C$')).toEqual({ isAdminShare: true, isIpcShare: false });
    expect(classifyShare('\\\\h\\admin$')).toEqual({ isAdminShare: true, isIpcShare: false });
    expect(classifyShare('\\\\h\\IPC$')).toEqual({ isAdminShare: false, isIpcShare: true });
    expect(classifyShare('\\\\h\\share')).toEqual({ isAdminShare: false, isIpcShare: false });
  });

  it('recognises SMB1 negotiate and counts encrypted messages', () => {
    const parser = new SmbStreamParser();
    parser.push(true, new Uint8Array(netbios([0xff, ...ascii('SMB'), 0x72, ...zeros(27)])));
    parser.push(false, new Uint8Array(netbios([0xfd, ...ascii('SMB'), ...zeros(48)])));
    expect(parser.record.hasSmb1Negotiate).toBe(true);
    expect(parser.record.encryptedMessages).toBe(1);
  });
});

const SMB_HOSTILE: [rule: string, bytes: Bytes][] = [
  ['NextCommand past the message', netbios(createRequest(1, 0, 'a', 4000).slice(0, 130))],
  ['NextCommand smaller than a header', netbios(smb2Header({ command: 5, messageId: 1, nextCommand: 8 }))],
  [
    'tree path offset past the message',
    netbios([...smb2Header({ command: 3, messageId: 1 }), ...u16le(9), 0, 0, ...u16le(0xfff0), ...u16le(0xffff)]),
  ],
  ['create name length past the message', netbios([...createRequest(1, 0, 'abc').slice(0, 110), 0xff, 0xff])],
  [
    'security buffer with a DER length overflow',
    netbios(sessionSetupRequest(1, [0xa1, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30])),
  ],
  [
    'NTLMSSP field offset past the token',
    netbios(
      sessionSetupRequest(1, [...ascii('NTLMSSP\0'), ...u32le(3), ...u16le(10), ...u16le(10), ...u32le(0xfffffff0)]),
    ),
  ],
  ['deeply nested SPNEGO', netbios(sessionSetupRequest(1, Array.from({ length: 40 }, () => [0xa0, 0x7f]).flat()))],
];

describe('smb_files.log actions', () => {
  // Zeek 6 base/protocols/smb: SMB1 opens are FILE_OPEN; SMB2 opens take the tree's share type, and the
  // default SMB::logged_file_actions (FILE_OPEN, FILE_RENAME, FILE_DELETE, PRINT_OPEN, PRINT_CLOSE) drop PIPE_OPEN.
  it.each([
    ['SMB2', 'DISK', 'SMB::FILE_OPEN'],
    ['SMB2', 'PIPE', null],
    ['SMB2', 'PRINT', 'SMB::PRINT_OPEN'],
    ['SMB2', null, 'SMB::FILE_OPEN'],
    ['SMB1', 'PIPE', 'SMB::FILE_OPEN'],
    [null, 'PIPE', null],
  ] as const)('names a %s open on a %s tree %s', (dialect, shareType, action) => {
    expect(nameSmbOpenAction(dialect, shareType)).toBe(action);
  });

  it('writes no row for an SMB2 open of an RPC pipe on IPC$', () => {
    const session = new StreamSessionParser('smb');
    session.push(true, new Uint8Array([...netbios(treeConnectRequest(2, '\\\\FILESRV\\IPC$')), ...netbios(treeConnectRequest(3, '\\\\FILESRV\\projects'))]));
    session.push(false, new Uint8Array([...netbios(treeConnectResponse(2, 8, 2)), ...netbios(treeConnectResponse(3, 9, 1))]));
    session.push(true, new Uint8Array([...netbios(createRequest(4, 8, 'srvsvc')), ...netbios(createRequest(5, 9, 'budget.xlsx'))]));
    session.push(false, new Uint8Array([...netbios(createResponse(4, 8, 0)), ...netbios(createResponse(5, 9, 24000))]));
    const mapping: ZeekRow[] = [];
    const files: ZeekRow[] = [];
    const sinks: SessionLogSinks = { onSmbMapping: (row) => mapping.push(row), onSmbFiles: (row) => files.push(row) };
    session.finish(IDENTITY, sinks, new CertificateLog(sinks));
    expect(mapping.map((row) => [row.path, row.share_type])).toEqual([
      ['\\\\FILESRV\\IPC$', 'PIPE'],
      ['\\\\FILESRV\\projects', 'DISK'],
    ]);
    expect(files.map((row) => [row.action, row.path, row.name, row.size])).toEqual([
      ['SMB::FILE_OPEN', '\\\\FILESRV\\projects', 'budget.xlsx', 24000],
    ]);
  });
});

describe('SMB hostile input', () => {
  it.each(SMB_HOSTILE)('%s', (_rule, bytes) => {
    for (let end = 0; end <= bytes.length; end++) {
      const parser = new SmbStreamParser();
      expect(() => parser.push(true, new Uint8Array(bytes.slice(0, end)))).not.toThrow();
      expect(parser.record.sessions).toEqual([]);
      expect(parser.record.trees).toEqual([]);
    }
  });
});

describe('SMB large messages', () => {
  it('reads the header of a message over the 64 KiB cap', () => {
    const parser = new SmbStreamParser();
    // A CREATE whose compound partner starts past the kept 64 KiB prefix: the first member is
    // still read and the cut-off partner is skipped without a problem.
    const first = createRequest(1, 0, 'big.bin', 70_000);
    const message = netbios([
      ...first,
      ...new Array<number>(70_000 - first.length).fill(0),
      ...createRequest(2, 0, 'x'),
    ]);
    for (let offset = 0; offset < message.length; offset += 1460) {
      parser.push(true, new Uint8Array(message.slice(offset, offset + 1460)));
    }
    expect(parser.record.files.map((file) => file.name)).toEqual(['big.bin']);
    expect(parser.record.problems).toEqual([]);
  });
});
