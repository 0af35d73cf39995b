/**
 * The privacy and storage settings of the next case through the engine
 * host: saved in the cases folder, read back by a new engine, and written
 * into the manifest of the next case made from the bundled sample.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { analyzeWithAnalyzers } from '../../../src/main/engine/host/analyze-with-analyzers';
import { NEW_CASE_SETTINGS_FILE } from '../../../src/main/engine/host/case-host';
import { EngineService } from '../../../src/main/engine/host/engine-service';
import type { CaseListEntry, CaseManifest } from '../../../src/shared/domain/case';

const samplePath = new URL('../../../assets/sample.pcapng', import.meta.url).pathname;
const dataFolder = mkdtempSync(join(tmpdir(), 'tideline-case-settings-'));
const casesFolder = join(dataFolder, 'cases');
const services: EngineService[] = [];
const MIB = 1024 * 1024;

afterAll(async () => {
  for (const service of services) {
    service.dispose();
    await service.cases?.detach();
  }
  rmSync(dataFolder, { recursive: true, force: true });
});

function makeService(): EngineService {
  const service = new EngineService({ analyze: analyzeWithAnalyzers, emit: () => undefined, casesFolder });
  services.push(service);
  return service;
}

async function call<T>(service: EngineService, name: string, argument: unknown): Promise<T> {
  const result = await service.handle(name, argument);
  if (!result.ok) throw new Error(`${name} failed: ${result.error.message}`);
  return result.value as T;
}

describe('next case settings', () => {
  it('starts from the defaults: payload kept, no cap', async () => {
    expect(await call(makeService(), 'cases.getSettings', {})).toEqual({ isPayloadKept: true, diskCapBytes: null });
  });

  it('saves a change and reads it back in a new engine', async () => {
    const changed = await call(makeService(), 'cases.setSettings', { isPayloadKept: false, diskCapBytes: 512 * MIB });
    expect(changed).toEqual({ isPayloadKept: false, diskCapBytes: 512 * MIB });
    expect(await call(makeService(), 'cases.getSettings', {})).toEqual({ isPayloadKept: false, diskCapBytes: 512 * MIB });
    expect(JSON.parse(readFileSync(join(casesFolder, NEW_CASE_SETTINGS_FILE), 'utf8'))).toEqual(changed);
  });

  it('rejects a cap under 16 MiB, naming the field', async () => {
    const result = await makeService().handle('cases.setSettings', { diskCapBytes: 15 * MIB });
    expect(result.ok ? null : result.error.code).toBe('invalid-argument');
    expect(result.ok ? null : result.error.details).toMatchObject({ field: 'diskCapBytes' });
  });

  it('writes the settings into the next case', async () => {
    const service = makeService();
    await call(service, 'cases.setSettings', { isPayloadKept: false, diskCapBytes: 64 * MIB });
    await call(service, 'capture.open', { path: samplePath });
    await service.currentSession?.finished;
    await service.cases?.ingestFinished();
    const cases = await call<CaseListEntry[]>(service, 'cases.list', {});
    expect(cases).toHaveLength(1);
    const manifest = JSON.parse(readFileSync(join(cases[0]!.folder, 'case.json'), 'utf8')) as CaseManifest;
    expect(manifest.settings).toMatchObject({ isPayloadKept: false, diskCapBytes: 64 * MIB });
    expect(cases[0]!.marker?.state).toBe('complete');
  }, 60_000);

  it('falls back to the defaults when the saved file is not JSON', async () => {
    writeFileSync(join(casesFolder, NEW_CASE_SETTINGS_FILE), '{ not json');
    expect(await call(makeService(), 'cases.getSettings', {})).toEqual({ isPayloadKept: true, diskCapBytes: null });
  });
});
