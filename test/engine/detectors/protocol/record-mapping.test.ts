/** Mapping of analyzer records and Zeek rows to the protocol detectors' inputs. */
import { describe, expect, it } from 'vitest';
import {
  mapSmbFileRecord,
  mapSmbFilesRow,
  mapSslRow,
  mapX509Row,
  normalizeHost,
} from '../../../../src/main/engine/detectors/protocol/record-mapping';

const connection = {
  ts: 1_764_583_200_000_000,
  uid: 'CabcDEF',
  'id.orig_h': '10.66.0.5',
  'id.orig_p': 50000,
  'id.resp_h': '198.18.0.9',
  'id.resp_p': 443,
};

describe('record mapping', () => {
  it('normalizes HTTP hosts', () => {
    expect(normalizeHost('WWW.Example.com:8080')).toBe('www.example.com');
    expect(normalizeHost('example.com.')).toBe('example.com');
    expect(normalizeHost('198.18.0.9:80')).toBeNull();
    expect(normalizeHost('[2001:db8::1]:443')).toBeNull();
    expect(normalizeHost('')).toBeNull();
    expect(normalizeHost(null)).toBeNull();
  });

  it('maps an ssl.log row', () => {
    const tls = mapSslRow({
      ...connection,
      server_name: 'C2.Example.net',
      ja3: 'aa11',
      ja4: 't13d1516h2_x_y',
      cert_chain_fps: ['f1', 'f2'],
      established: true,
      cert_packet: 1155,
      client_hello_packet: 1149,
    });
    expect(tls).toEqual({
      kind: 'tls',
      uid: 'CabcDEF',
      timestampUs: 1_764_583_200_000_000,
      client: '10.66.0.5',
      server: '198.18.0.9',
      serverPort: 443,
      hasClientHello: true,
      serverName: 'c2.example.net',
      ja3: 'aa11',
      ja4: 't13d1516h2_x_y',
      certificateFingerprints: ['f1', 'f2'],
      isEstablished: true,
      certificatePacketNumber: 1155,
      clientHelloPacketNumber: 1149,
    });
    expect(mapSslRow({ ...connection, server_name: null, ja3: null, cert_chain_fps: null }).hasClientHello).toBe(false);
    expect(mapSslRow({ ...connection }).certificatePacketNumber).toBeNull();
  });

  it('marks a certificate self-signed by its names', () => {
    const row = {
      fingerprint: 'f1',
      'certificate.subject': 'CN=lab',
      'certificate.issuer': 'CN=lab',
      'certificate.not_valid_after': 5,
    };
    expect(mapX509Row(row)).toMatchObject({ isSelfSigned: true, notValidAfterUs: 5, notValidBeforeUs: null });
    expect(mapX509Row({ ...row, 'certificate.issuer': 'CN=Lab CA' }).isSelfSigned).toBe(false);
  });

  it('classifies SMB pipes and share roots', () => {
    const pipe = mapSmbFilesRow({ ...connection, path: '\\\\WS30\\IPC$', name: 'svcctl' });
    expect(pipe).toMatchObject({ kind: 'smb-file', pipe: 'svcctl', isWrite: null, treePath: '\\\\WS30\\IPC$' });
    expect(mapSmbFilesRow({ ...connection, path: '\\\\WS30\\C$', name: '<share_root>' })).toMatchObject({
      name: '',
      pipe: null,
    });
    // A file named like a pipe on a disk share is a file.
    expect(mapSmbFilesRow({ ...connection, path: '\\\\WS30\\DATA', name: 'svcctl' }).pipe).toBeNull();
  });

  it('reads writes from the create disposition', () => {
    const identity = {
      timestampUs: 1,
      uid: 'C1',
      originatorAddress: '10.66.0.7',
      originatorPort: 50000,
      responderAddress: '10.66.0.30',
      responderPort: 445,
    };
    const file = {
      treePath: '\\\\WS30\\ADMIN$',
      name: 'x.exe',
      disposition: 5,
      status: 0,
      createAction: 2,
      sizeBytes: 0,
      modifiedUs: null,
      accessedUs: null,
      createdUs: null,
      changedUs: null,
      remoteExecutionPipe: null,
    };
    expect(mapSmbFileRecord(identity, file).isWrite).toBe(true);
    // FILE_OPEN (1) with action "opened" (1) reads only.
    expect(mapSmbFileRecord(identity, { ...file, disposition: 1, createAction: 1 }).isWrite).toBe(false);
  });
});
