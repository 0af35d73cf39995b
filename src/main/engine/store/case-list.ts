/** The start screen's list of cases, with their size on disk. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaseListEntry } from '../../../shared/domain/case';
import { CaseStore, getFolderSizeBytes, readManifest } from './case-store';

/**
 * Cases under `casesFolder`, newest first. A folder whose manifest cannot be
 * read is left out; one whose database cannot be opened (another process
 * holds it) is listed with `marker: null`.
 */
export async function listCases(casesFolder: string): Promise<CaseListEntry[]> {
  const entries = await readdir(casesFolder, { withFileTypes: true }).catch(() => []);
  const cases: CaseListEntry[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const folder = join(casesFolder, entry.name);
    const manifest = await readManifest(folder).catch(() => null);
    if (manifest === null) continue;
    const store = await CaseStore.open(folder).catch(() => null);
    const marker = store?.marker ?? null;
    await store?.close();
    cases.push({
      id: manifest.id,
      name: manifest.name,
      folder,
      createdUs: manifest.createdUs,
      sizeBytes: await getFolderSizeBytes(folder),
      sources: manifest.sources,
      marker,
    });
  }
  return cases.sort((a, b) => b.createdUs - a.createdUs);
}
