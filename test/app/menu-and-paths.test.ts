import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it, vi } from 'vitest';

import { findCapturePath } from '../../src/main/app/capture-paths';
import { buildMenuTemplate } from '../../src/main/app/menu';
import { RecentCaptures } from '../../src/main/host-state/recent-captures';

vi.mock('electron', () => ({}));

type Item = { label?: string; role?: string; enabled?: boolean; click?: () => void; submenu?: Item[] };

describe('buildMenuTemplate', () => {
  const actions = { openDialog: vi.fn(), openPath: vi.fn(), clearRecent: vi.fn(), quit: vi.fn() };

  it('offers Open, Open Recent and Quit in File', () => {
    const template = buildMenuTemplate([{ path: '/data/a.pcap', openedAtMs: 1 }], actions, false) as Item[];
    const file = template[0]?.submenu ?? [];
    expect(file.map((item) => item.label)).toEqual(['&Open Capture…', 'Open &Recent', undefined, '&Quit']);
    const recent = file[1]?.submenu ?? [];
    recent[0]?.click?.();
    expect(actions.openPath).toHaveBeenCalledWith('/data/a.pcap');
    file[0]?.click?.();
    expect(actions.openDialog).toHaveBeenCalledTimes(1);
  });

  it('shows an empty Open Recent', () => {
    const template = buildMenuTemplate([], actions, false) as Item[];
    const recent = template[0]?.submenu?.[1]?.submenu ?? [];
    expect(recent[0]).toEqual({ label: 'No Recent Captures', enabled: false });
    expect(recent.at(-1)).toMatchObject({ label: 'Clear Recent', enabled: false });
  });

  it('adds the app menu on macOS', () => {
    expect((buildMenuTemplate([], actions, true) as Item[])[0]).toEqual({ role: 'appMenu' });
  });
});

describe('findCapturePath', () => {
  const directory = mkdtempSync(join(tmpdir(), 'tideline-argv-'));
  writeFileSync(join(directory, 'a.pcap'), '');

  it('finds a relative path from the working directory', () => {
    expect(findCapturePath(['/usr/bin/electron', '.', 'a.pcap'], 2, directory)).toBe(join(directory, 'a.pcap'));
  });

  it('skips flags and missing files', () => {
    expect(findCapturePath(['tideline', '--inspect', 'missing.pcap'], 1, directory)).toBeNull();
  });

  it('skips the app folder', () => {
    expect(findCapturePath(['/usr/bin/electron', directory], 2, directory)).toBeNull();
  });
});

describe('RecentCaptures', () => {
  it('moves a reopened path to the top and persists', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tideline-recent-')), 'recent.json');
    const recent = new RecentCaptures(file);
    recent.add('/a.pcap', 1);
    recent.add('/b.pcap', 2);
    recent.add('/a.pcap', 3);
    expect(new RecentCaptures(file).list()).toEqual([
      { path: '/a.pcap', openedAtMs: 3 },
      { path: '/b.pcap', openedAtMs: 2 },
    ]);
  });

  it('keeps at most ten entries', () => {
    const recent = new RecentCaptures(null);
    for (let index = 0; index < 12; index += 1) recent.add(`/${index}.pcap`, index);
    expect(recent.list()).toHaveLength(10);
    expect(recent.list()[0]?.path).toBe('/11.pcap');
  });
});
