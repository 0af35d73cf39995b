import { describe, expect, it } from 'vitest';

import { parseServeArguments, runServeCommand } from '../../src/main/cli/serve-command';

describe('parseServeArguments', () => {
  it('binds loopback by default', () => {
    const parsed = parseServeArguments(['capture.pcap']);
    expect(parsed).toMatchObject({ kind: 'arguments', arguments: { host: '127.0.0.1', port: 0, tlsCertPath: null } });
    expect(parsed.kind).toBe('arguments');
    if (parsed.kind !== 'arguments') return;
    expect(parsed.arguments.file).toMatch(/\/capture\.pcap$/);
  });

  it('refuses a non-loopback address without TLS', () => {
    const parsed = parseServeArguments(['--host', '0.0.0.0']);
    expect(parsed.kind).toBe('invalid');
    if (parsed.kind !== 'invalid') return;
    expect(parsed.message).toMatch(/^refusing to listen on 0\.0\.0\.0 without TLS/);
  });

  it('accepts a non-loopback address with TLS', () => {
    expect(parseServeArguments(['--host', '0.0.0.0', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'])).toMatchObject({
      kind: 'arguments',
      arguments: { host: '0.0.0.0', tlsCertPath: 'c.pem' },
    });
  });

  it('requires certificate and key together', () => {
    expect(parseServeArguments(['--tls-cert', 'c.pem'])).toEqual({
      kind: 'invalid',
      message: '--tls-cert and --tls-key must be given together',
    });
  });

  it.each([['1.5'], ['65536'], ['http']])('rejects port %s', (port) => {
    const parsed = parseServeArguments(['--port', port]);
    expect(parsed.kind).toBe('invalid');
    if (parsed.kind !== 'invalid') return;
    expect(parsed.message).toMatch(/^--port must be an integer from 0 to 65535/);
  });
});

describe('--allow-origin', () => {
  it('accepts an origin', () => {
    expect(
      parseServeArguments([
        '--allow-origin',
        'https://nta.example.org',
        '--allow-origin',
        'https://nta.example.org:8443/',
      ]),
    ).toMatchObject({
      kind: 'arguments',
      arguments: { extraOrigins: ['https://nta.example.org', 'https://nta.example.org:8443'] },
    });
  });

  it.each([['nta.example.org'], ['https://nta.example.org/app'], ['file:///tmp/x']])('rejects %s', (origin) => {
    const parsed = parseServeArguments(['--allow-origin', origin]);
    expect(parsed.kind).toBe('invalid');
    if (parsed.kind !== 'invalid') return;
    expect(parsed.message).toMatch(/^--allow-origin must be an origin/);
  });
});

describe('runServeCommand', () => {
  it('exits 2 for a non-loopback host without TLS', async () => {
    expect(await runServeCommand(['--host', '192.0.2.10'])).toBe(2);
  });
});
