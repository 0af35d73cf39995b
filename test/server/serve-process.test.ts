import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { scanCaptureFacts, writeScanCapture } from './scan-capture';
import { connect } from './serve-client';

const cliEntry = new URL('../../src/main/cli/main.ts', import.meta.url).pathname;

describe('tideline serve process', () => {
  it('serves, opens FILE at start and stops on SIGTERM', async () => {
    const rendererRoot = mkdtempSync(join(tmpdir(), 'tideline-renderer-'));
    writeFileSync(join(rendererRoot, 'index.html'), '<!doctype html><title>Tideline</title>');
    const capture = writeScanCapture();
    const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, 'serve', capture, '--renderer', rendererRoot], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /Tideline is serving at (\S+)/.exec(output);
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      child.once('exit', () => reject(new Error(`serve exited early: ${output}`)));
    });
    const page = new URL(url);
    const token = page.searchParams.get('token') ?? '';
    expect(token).toHaveLength(43);

    const client = await connect(`ws://${page.host}/ws?token=${token}`, page.origin);
    const status = await (async () => {
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const result = await client.request('capture.status');
        if (result.ok && (result.value as { state?: string } | null)?.state === 'done') return result.value;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return null;
    })();
    expect(status).toMatchObject({ path: capture, state: 'done', summary: { packets: scanCaptureFacts.packets } });
    client.close();

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
