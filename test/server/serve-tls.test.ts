import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { servedOrigins } from '../../src/main/server/serve-server';
import { startServe, type ServeSession } from '../../src/main/server/start-serve';

describe('servedOrigins', () => {
  it('lists loopback spellings', () => {
    expect(servedOrigins('http', '127.0.0.1', 8080)).toEqual([
      'http://127.0.0.1:8080',
      'http://localhost:8080',
      'http://[::1]:8080',
    ]);
  });

  it('lists the machine name and interfaces for a wildcard bind', () => {
    expect(servedOrigins('https', '0.0.0.0', 8443, [], ['127.0.0.1', '192.0.2.7', 'fe80::1'], 'analyst-box')).toEqual([
      'https://analyst-box:8443',
      'https://127.0.0.1:8443',
      'https://192.0.2.7:8443',
      'https://[fe80::1]:8443',
    ]);
  });

  it('keeps a specific address and extra origins', () => {
    expect(servedOrigins('https', '192.0.2.7', 8443, ['https://nta.example.org'])).toEqual([
      'https://192.0.2.7:8443',
      'https://nta.example.org',
    ]);
  });
});

/** Make a self-signed certificate for 127.0.0.1 with openssl; null when openssl is missing. */
function makeCertificate(): { cert: Buffer; key: Buffer } | null {
  const directory = mkdtempSync(join(tmpdir(), 'tideline-tls-'));
  const certPath = join(directory, 'cert.pem');
  const keyPath = join(directory, 'key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { stdio: 'ignore' },
    );
  } catch {
    return null;
  }
  return { cert: readFileSync(certPath), key: readFileSync(keyPath) };
}

const certificate = makeCertificate();

// NOTE: skipped where openssl is not installed, since the test needs a certificate to serve.
describe.skipIf(certificate === null)('serve over TLS', () => {
  let session: ServeSession;

  beforeAll(async () => {
    const rendererRoot = mkdtempSync(join(tmpdir(), 'tideline-renderer-'));
    writeFileSync(join(rendererRoot, 'index.html'), '<!doctype html><title>Tideline</title>');
    session = await startServe({
      rendererRoot,
      host: '127.0.0.1',
      port: 0,
      version: 'test',
      tls: certificate ?? undefined,
    });
  });

  afterAll(async () => {
    await session.close();
  });

  it('prints an https URL and sends a wss CSP', async () => {
    expect(session.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/\?token=/);
    const policy = await new Promise<string>((resolve, reject) => {
      request(`${session.server.origin}/`, { ca: certificate?.cert }, (response) => {
        response.resume();
        resolve(String(response.headers['content-security-policy']));
      })
        .on('error', reject)
        .end();
    });
    expect(policy).toContain(`wss://127.0.0.1:${session.server.port}`);
  });

  it('answers requests over wss', async () => {
    const socket = new WebSocket(`wss://127.0.0.1:${session.server.port}/ws?token=${session.token}`, {
      origin: session.server.origin,
      ca: certificate?.cert,
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const response = new Promise<unknown>((resolve) =>
      socket.once('message', (data) => resolve(JSON.parse((data as Buffer).toString('utf8')))),
    );
    socket.send(JSON.stringify({ type: 'request', id: 7, name: 'settings.get', argument: {} }));
    expect(await response).toEqual({
      type: 'response',
      id: 7,
      result: { ok: true, value: { timeZone: 'utc', theme: 'system' } },
    });
    socket.close();
  });
});
