import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertStateStore } from '../../../src/main/engine/detectors/alert-state-store';
import { parseDetectionSettings } from '../../../src/main/engine/detectors/detection-settings';
import { NetworkScope, parseAddress, parseNetwork } from '../../../src/main/engine/detectors/network-scope';
import { createPacketObservation, readIpv4, readMac } from '../../../src/main/engine/detectors/packet-observation';

describe('network scope', () => {
  it('parses IPv4 and compressed IPv6 addresses', () => {
    expect([...parseAddress('10.66.0.5')!]).toEqual([10, 66, 0, 5]);
    expect([...parseAddress('2001:db8::1')!]).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect([...parseAddress('::')!]).toEqual(new Array(16).fill(0));
  });

  it.each([
    ['10.66.0', 'three parts'],
    ['10.66.0.256', 'part above 255'],
    ['10.66.0.-1', 'sign'],
    ['1:2:3:4:5:6:7:8:9', 'nine IPv6 groups'],
    ['1::2::3', 'two "::"'],
    ['12345::', 'group of five digits'],
  ])('rejects %s (%s)', (text) => {
    expect(parseAddress(text)).toBeNull();
  });

  it('rejects bad networks with the reason', () => {
    expect(() => parseNetwork('10.0.0.0/33')).toThrow(/prefix length must be 0 to 32, found "33"/);
    expect(() => parseNetwork('fc00::/129')).toThrow(/0 to 128/);
    expect(() => parseNetwork('example.com/8')).toThrow(/expected an IPv4 or IPv6 address/);
  });

  it('classifies internal addresses by the configured networks', () => {
    const scope = new NetworkScope(parseDetectionSettings({}));
    expect(scope.isInternal('10.66.0.5')).toBe(true);
    expect(scope.isInternal('172.31.255.255')).toBe(true);
    expect(scope.isInternal('172.32.0.0')).toBe(false); // just past 172.16.0.0/12
    expect(scope.isInternal('fd00::1')).toBe(true);
    expect(scope.isInternal('198.18.0.9')).toBe(false);
    const custom = new NetworkScope(parseDetectionSettings({ internalNetworks: ['198.18.0.0/15'] }));
    expect(custom.isInternal('198.19.255.1')).toBe(true);
    expect(custom.isInternal('10.66.0.5')).toBe(false);
  });

  it('matches allow-listed domains by suffix, not by substring', () => {
    const scope = new NetworkScope(parseDetectionSettings({ allowList: { domains: ['example.org'] } }));
    scope.noteName('198.18.0.1', 'updates.example.org');
    scope.noteName('198.18.0.2', 'badexample.org');
    expect(scope.isHostAllowed('198.18.0.1')).toBe(true);
    expect(scope.isHostAllowed('198.18.0.2')).toBe(false);
  });
});

describe('packet observation reads', () => {
  const bytes = Uint8Array.from([0x02, 0x00, 0x0a, 0x42, 0x00, 0x21, 10, 66, 0, 1]);

  it('reads a MAC and an IPv4 address as integers', () => {
    expect(readMac(bytes, 0)).toBe(0x02000a420021);
    expect(readIpv4(bytes, 6)).toBe(0x0a420001);
  });

  it('reads MACs and addresses with the top bit set', () => {
    const high = Uint8Array.from([0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 224, 0, 0, 251]);
    expect(readMac(high, 0)).toBe(0xfffefdfcfbfa);
    expect(readIpv4(high, 6)).toBe(0xe00000fb);
    expect(readIpv4(high, 2)).toBe(0xfdfcfbfa);
  });

  it.each([
    ['MAC one byte short', () => readMac(bytes, 5)],
    ['MAC at a negative offset', () => readMac(bytes, -1)],
    ['IPv4 past the end', () => readIpv4(bytes, 7)],
  ])('returns 0 for %s', (_name, read) => {
    expect(read()).toBe(0);
  });

  it('starts an observation empty', () => {
    expect(createPacketObservation()).toMatchObject({ sourceMac: 0, arpOperation: 0, isDhcpServerReply: false });
  });
});

describe('alert state store', () => {
  it('saves verdicts and loads them back; open removes one', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tideline-state-'));
    try {
      const path = join(directory, 'alert-state.json');
      const store = new AlertStateStore(path);
      await store.load(); // a missing file is an empty store
      store.set('A0123456789abcdef', 'dismissed', 'lab printer', 1000);
      store.set('Afedcba9876543210', 'confirmed', '', 2000);
      store.set('A1111111111111111', 'confirmed', '', 3000);
      store.set('A1111111111111111', 'open');
      await store.save();
      const reloaded = new AlertStateStore(path);
      await reloaded.load();
      expect([...reloaded.statuses()]).toEqual([
        ['A0123456789abcdef', 'dismissed'],
        ['Afedcba9876543210', 'confirmed'],
      ]);
      expect(reloaded.get('A0123456789abcdef')).toEqual({
        status: 'dismissed',
        note: 'lab printer',
        changedAtMs: 1000,
      });
      const saved = JSON.parse(await readFile(path, 'utf8')) as { version: number };
      expect(saved.version).toBe(1);
    } finally {
      await rm(directory, { recursive: true });
    }
  });

  it('rejects bad status and bad JSON', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tideline-state-'));
    try {
      const path = join(directory, 'alert-state.json');
      await writeFile(
        path,
        JSON.stringify({ version: 1, verdicts: { A0123456789abcdef: { status: 'ignored', changedAtMs: 1 } } }),
      );
      await expect(new AlertStateStore(path).load()).rejects.toThrow(/field "verdicts.A0123456789abcdef.status"/);
      await writeFile(path, '{"version": 1,');
      await expect(new AlertStateStore(path).load()).rejects.toThrow(/alert-state.json: not valid JSON/);
    } finally {
      await rm(directory, { recursive: true });
    }
  });
});
