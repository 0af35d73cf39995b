/** User settings, optionally kept in a JSON file; values that fail the schema fall back to defaults. */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { defaultSettings, settingsSchema, type Settings } from '../../shared/domain/settings';

export class SettingsStore {
  private current: Settings;
  private readonly filePath: string | null;

  /** `filePath` null keeps settings in memory only. */
  constructor(filePath: string | null) {
    this.filePath = filePath;
    this.current = filePath === null ? { ...defaultSettings } : readSettings(filePath);
  }

  get(): Settings {
    return { ...this.current };
  }

  /** Apply the given fields (already validated) and return all settings. */
  update(change: Partial<Settings>): Settings {
    this.current = { ...this.current, ...change };
    if (this.filePath !== null) {
      mkdirSync(dirname(this.filePath), { recursive: true });
      writeFileSync(`${this.filePath}.tmp`, JSON.stringify(this.current, null, 2));
      renameSync(`${this.filePath}.tmp`, this.filePath);
    }
    return this.get();
  }
}

function readSettings(filePath: string): Settings {
  try {
    const parsed = settingsSchema.partial().safeParse(JSON.parse(readFileSync(filePath, 'utf8')));
    return parsed.success ? { ...defaultSettings, ...parsed.data } : { ...defaultSettings };
  } catch {
    return { ...defaultSettings };
  }
}
