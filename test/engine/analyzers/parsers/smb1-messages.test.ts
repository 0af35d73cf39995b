import { describe, expect, it } from 'vitest';
import { SmbStreamParser } from '../../../../src/main/engine/analyzers/parsers/smb-stream-parser';
import { readSmb1Blocks } from '../../../../src/main/engine/analyzers/parsers/smb1-messages';
import { toZeekSmbMappingRecord } from '../../../../src/main/engine/analyzers/parsers/zeek-smb-quic-records';
import { ascii, u16le, u32le, utf16le, zeros, type Bytes } from './bytes';

/** Builds the 32-byte SMB1 header (MS-CIFS 2.2.3.1) with Unicode strings (FLAGS2 0x8000). */
function smb1Header(
  command: number,
  options: { isReply?: boolean; status?: number; treeId?: number; multiplexId: number },
): Bytes {
  return [
    0xff,
    ...ascii('SMB'),
    command,
    ...u32le(options.status ?? 0),
    options.isReply ? 0x98 : 0x18, // Flags: reply bit 0x80
    ...u16le(0xc807), // Flags2: Unicode, NT status, extended security
    ...u16le(0),
    ...zeros(8),
    ...u16le(0), // PIDHigh, SecurityFeatures, Reserved
    ...u16le(options.treeId ?? 0),
    ...u16le(0x1234),
    ...u16le(0x0800), // TID, PIDLow, UID
    ...u16le(options.multiplexId),
  ];
}

const netbios = (message: Bytes): Bytes => [0, 0, (message.length >> 8) & 0xff, message.length & 0xff, ...message];

/** Wraps words and bytes as one block: WordCount, words, ByteCount, bytes. */
const block = (words: Bytes, bytes: Bytes): Bytes => [words.length / 2, ...words, ...u16le(bytes.length), ...bytes];

/** Builds an NTLMSSP AUTHENTICATE with OEM (non-Unicode) strings, so the flags word is 0. */
function ntlmAuthenticateOem(domain: string, user: string): Bytes {
  const fields = [[], [], ascii(domain), ascii(user), ascii('HOST'), []] as Bytes[];
  let offset = 64;
  const descriptors: Bytes = [];
  for (const field of fields) {
    descriptors.push(...u16le(field.length), ...u16le(field.length), ...u32le(offset));
    offset += field.length;
  }
  return [...ascii('NTLMSSP\0'), ...u32le(3), ...descriptors, ...u32le(0), ...fields.flat()];
}

describe('SMB1 parsing', () => {
  it('reads a session setup chained with a tree connect', () => {
    const blob = ntlmAuthenticateOem('LAB', 'bob');
    const header = smb1Header(0x73, { multiplexId: 5 });
    // SESSION_SETUP_ANDX (12 words): AndX -> TREE_CONNECT_ANDX at the offset computed below.
    const sessionBytes = blob;
    const sessionLength = 1 + 24 + 2 + sessionBytes.length;
    const treeOffset = 32 + sessionLength;
    const sessionWords = [
      0x75,
      0,
      ...u16le(treeOffset),
      ...u16le(4356),
      ...u16le(50),
      ...u16le(0),
      ...u32le(0),
      ...u16le(blob.length),
      ...u32le(0),
      ...u32le(0x800000d4),
    ];
    // TREE_CONNECT_ANDX (4 words): no further command, 1-byte password, then the Unicode path (aligned) and the service.
    const pathBytes = [
      0,
      ...((treeOffset + 1 + 8 + 2 + 1) % 2 === 1 ? [0] : []),
      ...utf16le('\\\\SRV\\C$'),
      0,
      0,
      ...ascii('?????'),
      0,
    ];
    const treeWords = [0xff, 0, ...u16le(0), ...u16le(0x0008), ...u16le(1)];
    const request = [...header, ...block(sessionWords, sessionBytes), ...block(treeWords, pathBytes)];

    // The reply chain: SESSION_SETUP_ANDX (4 words) then TREE_CONNECT_ANDX (7 words) with "A:" and "NTFS".
    const replyHeader = smb1Header(0x73, { isReply: true, treeId: 0x2001, multiplexId: 5 });
    const replySession = block([0x75, 0, ...u16le(32 + 1 + 8 + 2), ...u16le(0), ...u16le(0)], []);
    const replyTreeBytes = [
      ...ascii('A:'),
      0,
      ...((32 + replySession.length + 1 + 14 + 2 + 3) % 2 === 1 ? [0] : []),
      ...utf16le('NTFS'),
      0,
      0,
    ];
    const replyTree = block([0xff, 0, ...u16le(0), ...u16le(1), ...u32le(0x1f01ff), ...u32le(0)], replyTreeBytes);

    const parser = new SmbStreamParser();
    parser.push(true, new Uint8Array(netbios(request)));
    parser.push(false, new Uint8Array(netbios([...replyHeader, ...replySession, ...replyTree])));

    expect(readSmb1Blocks(new Uint8Array(request), 0x73).map((item) => item.command)).toEqual([0x73, 0x75]);
    const record = parser.record;
    expect(record.dialect).toBe('SMB1');
    expect(record.sessions.map((session) => [session.domain, session.userName, session.status])).toEqual([
      ['LAB', 'bob', 0],
    ]);
    expect(record.trees).toHaveLength(1);
    expect(record.trees[0]!.path).toBe('\\\\SRV\\C$');
    expect(record.trees[0]!.isAdminShare).toBe(true);
    expect(record.trees[0]!.service).toBe('A:');
    expect(record.trees[0]!.nativeFileSystem).toBe('NTFS');
    expect(record.trees[0]!.shareType).toBe('DISK');
    expect(record.trees[0]!.treeId).toBe(0x2001);
    const row = toZeekSmbMappingRecord(
      {
        timestampUs: 0,
        uid: 'C',
        originatorAddress: 'a',
        originatorPort: 1,
        responderAddress: 'b',
        responderPort: 445,
      },
      record.trees[0]!,
    );
    expect(row.service).toBe('A:');
    expect(row.native_file_system).toBe('NTFS');
  });

  it('reads an NT create and its reply', () => {
    const parser = new SmbStreamParser();
    const name = utf16le('\\svcctl');
    // NT_CREATE_ANDX (24 words): AndX, Reserved, NameLength, Flags, RootFID, DesiredAccess,
    // AllocationSize, ExtFileAttributes, ShareAccess, CreateDisposition (1 = FILE_OPEN), CreateOptions,
    // ImpersonationLevel, SecurityFlags; the name follows one pad byte for Unicode alignment.
    const words = [
      0xff,
      0,
      ...u16le(0),
      0,
      ...u16le(name.length),
      ...u32le(0),
      ...u32le(0),
      ...u32le(0x2019f),
      ...zeros(8),
      ...u32le(0),
      ...u32le(3),
      ...u32le(1),
      ...u32le(0),
      ...u32le(2),
      0,
    ];
    parser.push(
      true,
      new Uint8Array(
        netbios([...smb1Header(0xa2, { treeId: 7, multiplexId: 9 }), ...block(words, [0, ...name, 0, 0])]),
      ),
    );
    // Reply (34 words): AndX, OplockLevel, FID, CreateAction 1, four FILETIMEs, attributes, sizes, type, state, directory.
    const filetime = [...u32le(0x01d0f9f1), ...u32le(0x01cf8bd2)];
    const replyWords = [
      0xff,
      0,
      ...u16le(0),
      0,
      ...u16le(0x4000),
      ...u32le(1),
      ...filetime,
      ...filetime,
      ...filetime,
      ...filetime,
      ...u32le(0x80),
      ...zeros(8),
      ...u32le(4096),
      ...u32le(0),
      ...u16le(2),
      ...u16le(0),
      0,
    ];
    parser.push(
      false,
      new Uint8Array(
        netbios([...smb1Header(0xa2, { isReply: true, treeId: 7, multiplexId: 9 }), ...block(replyWords, [])]),
      ),
    );

    const file = parser.record.files[0]!;
    expect(file.name).toBe('\\svcctl');
    expect(file.disposition).toBe(1);
    expect(file.remoteExecutionPipe).toBe('svcctl'); // the tree connect was not seen, so IPC$ is assumed
    expect(file.status).toBe(0);
    expect(file.createAction).toBe(1);
    expect(file.sizeBytes).toBe(4096);
    expect(file.modifiedUs).toBe(1403191230689943);
  });
});

const SMB1_HOSTILE: [rule: string, bytes: Bytes][] = [
  [
    'AndX offset pointing backwards',
    netbios([...smb1Header(0x73, { multiplexId: 1 }), ...block([0x75, 0, ...u16le(10), ...zeros(18)], [])]),
  ],
  [
    'AndX offset pointing at itself',
    netbios([...smb1Header(0x75, { multiplexId: 1 }), ...block([0x75, 0, ...u16le(32), ...zeros(4)], [])]),
  ],
  ['byte count past the message', netbios([...smb1Header(0x75, { multiplexId: 1 }), 4, ...zeros(8), 0xff, 0xff])],
  [
    'password length past the bytes',
    netbios([...smb1Header(0x75, { multiplexId: 1 }), ...block([0xff, 0, 0, 0, 0, 0, 0xff, 0xff], [1, 2])]),
  ],
  [
    'security blob length past the bytes',
    netbios([
      ...smb1Header(0x73, { multiplexId: 1 }),
      ...block([0xff, 0, 0, 0, ...zeros(10), 0xff, 0xff, ...zeros(8)], [1]),
    ]),
  ],
];

describe('SMB1 hostile input', () => {
  it.each(SMB1_HOSTILE)('%s', (_rule, bytes) => {
    for (let end = 0; end <= bytes.length; end++) {
      const parser = new SmbStreamParser();
      expect(() => parser.push(true, new Uint8Array(bytes.slice(0, end)))).not.toThrow();
      expect(parser.record.sessions).toEqual([]);
    }
  });
});
