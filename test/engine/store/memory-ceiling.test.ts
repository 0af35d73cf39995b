/**
 * The engine's memory ceiling: how TIDELINE_MEMORY_CEILING is read, and that
 * a case made while a capture opens gets DuckDB's memory_limit from it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { CaseHost } from '../../../src/main/engine/host/case-host';
import {
  DEFAULT_MEMORY_CEILING_BYTES,
  getDatabaseMemoryBytes,
  readMemoryCeilingBytes,
} from '../../../src/main/engine/store/memory-ceiling';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const workFolder = mkdtempSync(join(tmpdir(), 'tideline-memory-ceiling-'));
afterAll(() => rmSync(workFolder, { recursive: true, force: true }));

describe('memory ceiling setting', () => {
  it.each([
    [undefined, 2 * GiB],
    ['', 2 * GiB],
    ['2GiB', 2 * GiB],
    ['1536MiB', 1536 * MiB],
    ['4 gib', 4 * GiB],
    ['3000000000', 3_000_000_000],
    ['1.5GiB', 1.5 * GiB],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(readMemoryCeilingBytes({ TIDELINE_MEMORY_CEILING: text })).toBe(bytes);
  });

  it.each(['lots', '2TB', '-1GiB', '100MiB', '0', 'GiB'])('rejects %j naming the variable', (text) => {
    expect(() => readMemoryCeilingBytes({ TIDELINE_MEMORY_CEILING: text })).toThrow(`TIDELINE_MEMORY_CEILING="${text}"`);
  });

  it('gives DuckDB an eighth of the ceiling, at least 64 MiB', () => {
    expect(DEFAULT_MEMORY_CEILING_BYTES).toBe(2 * GiB);
    expect(getDatabaseMemoryBytes(2 * GiB)).toBe(256 * MiB);
    expect(getDatabaseMemoryBytes(8 * GiB)).toBe(1 * GiB);
    expect(getDatabaseMemoryBytes(256 * MiB)).toBe(64 * MiB);
  });
});

describe('case memory limit', () => {
  it.each([
    [undefined, '256.0 MiB'],
    [1 * GiB, '128.0 MiB'],
    [4 * GiB, '512.0 MiB'],
  ])('follows a ceiling of %s bytes', async (ceiling, expected) => {
    const casesFolder = join(workFolder, String(ceiling));
    const host = new CaseHost({ casesFolder, emit: () => undefined, memoryCeilingBytes: ceiling });
    host.attachCapture('capture-1', resolve(import.meta.dirname, '../../fixtures/captures/tcp-refused.pcap'));
    await host.ingestFinished();
    const store = await host.storeOf('capture-1');
    if (!store.ok) throw new Error(store.error.message);
    const rows = await store.value.query("SELECT current_setting('memory_limit') AS value");
    expect(rows[0]?.value).toBe(expected);
    expect(store.value.manifest.settings.databaseMemoryBytes).toBe(getDatabaseMemoryBytes(ceiling ?? 2 * GiB));
    await host.detach();
  });
});
