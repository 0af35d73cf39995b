/** User settings and the Open Recent list. */
import { z } from 'zod';

export const timeZoneSettings = ['utc', 'local'] as const;
export const themeSettings = ['system', 'light', 'dark'] as const;

export const settingsSchema = z.strictObject({
  /** Zone used to show timestamps; captures store UTC microseconds either way. */
  timeZone: z.enum(timeZoneSettings),
  theme: z.enum(themeSettings),
});

export type Settings = z.infer<typeof settingsSchema>;

export const defaultSettings: Settings = { timeZone: 'utc', theme: 'system' };

export interface RecentCapture {
  path: string;
  /** Wall-clock time of the last open, milliseconds since the Unix epoch. */
  openedAtMs: number;
}

/** Entries kept in Open Recent. */
export const maxRecentCaptures = 10;
