/**
 * "Open in Wireshark": finding the executable on a fake PATH, the checks on
 * the file to open, the arguments Wireshark gets, and what app.info returns.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { createHostHandlers } from '../../src/main/host-state/host-handlers';
import { RecentCaptures } from '../../src/main/host-state/recent-captures';
import { SettingsStore } from '../../src/main/host-state/settings-store';
import { findWireshark, isLoopbackHost, openInWireshark } from '../../src/main/host-state/wireshark';

const folder = mkdtempSync(join(tmpdir(), 'tideline-wireshark-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function makeFile(path: string, mode: number): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, mode);
  return path;
}

const empty = join(folder, 'empty');
mkdirSync(empty);
makeFile(join(folder, 'plain', 'wireshark'), 0o644);
const first = makeFile(join(folder, 'first', 'wireshark'), 0o755);
const second = makeFile(join(folder, 'second', 'wireshark'), 0o755);
const capture = join(folder, 'evidence.pcapng');
writeFileSync(capture, new Uint8Array([0x0a, 0x0d, 0x0d, 0x0a]));

describe('findWireshark', () => {
  it.each([
    ['no PATH', undefined, null],
    ['a PATH without wireshark', empty, null],
    ['a wireshark file that is not executable', join(folder, 'plain'), null],
    ['the first executable in PATH order', [empty, join(folder, 'plain'), join(folder, 'first'), join(folder, 'second')].join(delimiter), first],
    ['a relative PATH entry, skipped', ['first', join(folder, 'second')].join(delimiter), second],
    // A PATH entry that is a file makes stat fail with ENOTDIR, as a folder this user may not enter fails with EACCES.
    ['past an unreadable PATH entry', [capture, join(folder, 'second')].join(delimiter), second],
  ])('finds %s', (_label, pathVariable, found) => {
    expect(findWireshark(pathVariable, 'linux')).toBe(found);
  });

  it('skips a folder named wireshark', () => {
    mkdirSync(join(folder, 'dir', 'wireshark'), { recursive: true });
    expect(findWireshark(join(folder, 'dir'), 'linux')).toBeNull();
  });
});

describe('openInWireshark', () => {
  it('starts the executable with the file after "--"', () => {
    const calls: Array<[string, string[]]> = [];
    const result = openInWireshark(first, capture, (executable, args) => calls.push([executable, args]));
    expect(result).toEqual({ ok: true, value: { path: capture } });
    expect(calls).toEqual([[first, ['--', capture]]]);
  });

  it.each([
    ['relative/evidence.pcapng', 'invalid-argument'],
    [join(folder, 'notes.txt'), 'invalid-argument'],
    [join(folder, '-k.pcap'), 'file-not-found'],
    [join(folder, 'missing.pcap.gz'), 'file-not-found'],
  ])('refuses %s with %s and starts nothing', (path, code) => {
    const calls: string[][] = [];
    const result = openInWireshark(first, path, (_executable, args) => calls.push(args));
    expect(result.ok ? null : result.error.code).toBe(code);
    expect(calls).toEqual([]);
  });
});

describe('app.info and app.openInWireshark', () => {
  const info = { mode: 'desktop' as const, version: '1.0.0', canShowFileDialog: true };
  const base = { recent: new RecentCaptures(null), settings: new SettingsStore(null), info };

  it('offers Wireshark only when the host can open it', async () => {
    const without = createHostHandlers(base);
    expect(await without['app.info']({})).toEqual({ ok: true, value: { ...info, canOpenInWireshark: false } });
    const refused = await without['app.openInWireshark']({ path: capture });
    expect(refused.ok ? null : refused.error.code).toBe('unsupported');

    const opened: string[] = [];
    const withWireshark = createHostHandlers({
      ...base,
      openInWireshark: (path) => openInWireshark(first, path, (_executable, args) => opened.push(args[1] ?? '')),
    });
    expect(await withWireshark['app.info']({})).toEqual({ ok: true, value: { ...info, canOpenInWireshark: true } });
    expect(await withWireshark['app.openInWireshark']({ path: capture })).toEqual({ ok: true, value: { path: capture } });
    expect(opened).toEqual([capture]);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.0.2.7', false],
    ['tideline.lab.example', false],
  ])('serve bound to %s is on the same machine as the browser: %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
