/** The Open Recent list, newest first, optionally kept in a JSON file. */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { maxRecentCaptures, type RecentCapture } from '../../shared/domain/settings';

export class RecentCaptures {
  private entries: RecentCapture[] = [];
  private readonly filePath: string | null;

  /** `filePath` null keeps the list in memory only (as `tideline serve` does). */
  constructor(filePath: string | null) {
    this.filePath = filePath;
    this.entries = filePath === null ? [] : readEntries(filePath);
  }

  list(): RecentCapture[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  /** Move `path` to the top (adding it if new) and drop entries past the limit. Returns the new list. */
  add(path: string, openedAtMs = Date.now()): RecentCapture[] {
    this.entries = [{ path, openedAtMs }, ...this.entries.filter((entry) => entry.path !== path)].slice(
      0,
      maxRecentCaptures,
    );
    this.save();
    return this.list();
  }

  clear(): RecentCapture[] {
    this.entries = [];
    this.save();
    return [];
  }

  private save(): void {
    if (this.filePath === null) return;
    mkdirSync(dirname(this.filePath), { recursive: true });
    const temporary = `${this.filePath}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.entries, null, 2));
    renameSync(temporary, this.filePath);
  }
}

/** Entries from the file; a missing or damaged file gives an empty list, since the list is a convenience. */
function readEntries(filePath: string): RecentCapture[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(filePath, 'utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter(
      (entry): entry is RecentCapture =>
        typeof entry === 'object' &&
        entry !== null &&
        typeof (entry as RecentCapture).path === 'string' &&
        typeof (entry as RecentCapture).openedAtMs === 'number',
    )
    .slice(0, maxRecentCaptures);
}
