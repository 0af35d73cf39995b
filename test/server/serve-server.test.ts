import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startServe, type ServeSession } from '../../src/main/server/start-serve';
import { connect } from './serve-client';
import { scanCaptureFacts, writeScanCapture } from './scan-capture';

let session: ServeSession;
let webSocketBase: string;

beforeAll(async () => {
  const rendererRoot = mkdtempSync(join(tmpdir(), 'tideline-renderer-'));
  writeFileSync(join(rendererRoot, 'index.html'), '<!doctype html><title>Tideline</title>');
  writeFileSync(join(rendererRoot, 'app.js'), 'console.log("app");');
  writeFileSync(join(tmpdir(), 'tideline-outside.js'), 'secret');
  // No Wireshark here, whatever the machine has installed, so app.info is the same everywhere.
  session = await startServe({ rendererRoot, host: '127.0.0.1', port: 0, version: 'test', findWireshark: () => null });
  webSocketBase = `ws://127.0.0.1:${session.server.port}/ws`;
});

afterAll(async () => {
  await session.close();
});

describe('serve HTTP', () => {
  it('serves index.html with a strict CSP', async () => {
    const response = await fetch(`${session.server.origin}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Tideline</title>');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/^default-src 'none'; /);
    expect(policy).toContain(`connect-src 'self' ws://127.0.0.1:${session.server.port}`);
    expect(policy).not.toContain('unsafe-eval');
    // Chromium ignores an IPv6 literal in a CSP source list and logs an error, so none is listed.
    expect(policy).not.toContain('[::1]');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses paths outside the renderer', async () => {
    const response = await fetch(`${session.server.origin}/..%2ftideline-outside.js`);
    expect(response.status).toBe(404);
  });

  it('prints a URL with a long random token', () => {
    expect(session.server.url).toBe(`http://127.0.0.1:${session.server.port}/?token=${session.token}`);
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('serve WebSocket', () => {
  it('rejects a missing token', async () => {
    await expect(connect(webSocketBase, session.server.origin)).rejects.toThrow('refused with status 401');
  });

  it('rejects a wrong token', async () => {
    const wrong = session.token.replace(/^./, (first) => (first === 'A' ? 'B' : 'A'));
    await expect(connect(`${webSocketBase}?token=${wrong}`, session.server.origin)).rejects.toThrow(
      'refused with status 401',
    );
  });

  it('rejects a foreign origin', async () => {
    await expect(connect(`${webSocketBase}?token=${session.token}`, 'http://evil.example')).rejects.toThrow(
      'refused with status 403',
    );
  });

  it('rejects a missing origin', async () => {
    await expect(connect(`${webSocketBase}?token=${session.token}`, undefined)).rejects.toThrow(
      'refused with status 403',
    );
  });

  it('accepts localhost as the same loopback origin', async () => {
    const client = await connect(`${webSocketBase}?token=${session.token}`, `http://localhost:${session.server.port}`);
    client.close();
  });

  it('answers a malformed request with invalid-argument', async () => {
    const client = await connect(`${webSocketBase}?token=${session.token}`, session.server.origin);
    const result = await client.request('flows.query', {
      captureId: 'x',
      offset: 0,
      limit: 0,
      sort: { column: 'uid', direction: 'up' },
      filter: {},
    });
    client.close();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid-argument');
    expect(result.error.details.field).toBe('limit');
    expect(result.error.details.issues).toHaveLength(2);
  });

  it('answers host requests itself', async () => {
    const client = await connect(`${webSocketBase}?token=${session.token}`, session.server.origin);
    const info = await client.request('app.info');
    const dialog = await client.request('dialog.openCapture');
    client.close();
    expect(info).toEqual({ ok: true, value: { mode: 'serve', version: 'test', canShowFileDialog: false, canOpenInWireshark: false } });
    expect(dialog).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('loads a capture and streams its events', async () => {
    const path = writeScanCapture();
    const client = await connect(`${webSocketBase}?token=${session.token}`, session.server.origin);
    const done = client.waitForEvent('capture.done');
    const opened = await client.request('capture.open', { path });
    expect(opened.ok).toBe(true);
    const captureId = (opened.ok ? opened.value : {}) as { captureId: string };
    const doneEvent = await done;
    expect(doneEvent.payload).toMatchObject({
      summary: { packets: scanCaptureFacts.packets, flows: scanCaptureFacts.flows },
    });

    const page = await client.request('flows.query', {
      captureId: captureId.captureId,
      offset: 0,
      limit: 100,
      sort: { column: 'startUs', direction: 'ascending' },
      filter: { hosts: [scanCaptureFacts.victim] },
    });
    expect(page).toMatchObject({ ok: true, value: { total: scanCaptureFacts.scannedPorts } });

    const alerts = await client.request('alerts.list', { captureId: captureId.captureId, filter: {} });
    expect(alerts.ok).toBe(true);
    const list = (alerts.ok ? alerts.value : {}) as {
      alerts: { detector: string; hosts: string[]; evidence: { flowUids: string[] } }[];
    };
    const scan = list.alerts.find((alert) => alert.detector === 'port-scan');
    expect(scan?.hosts[0]).toBe(scanCaptureFacts.scanner);
    expect(scan?.evidence.flowUids).toHaveLength(scanCaptureFacts.scannedPorts);

    const recent = await client.request('recent.list');
    expect(recent).toMatchObject({ ok: true, value: [{ path }] });
    const names = client.events.map((event) => event.name);
    expect(names).toContain('capture.started');
    expect(names).toContain('capture.progress');
    client.close();
  });
});
