import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/shared/domain/alert';
import { getNoticeName, getNoticePort, writeDetectionOutputs } from '../../../src/main/engine/output/notice-log';

const alert: Alert = {
  id: 'A0123456789abcdef',
  detector: 'brute-force',
  severity: 'medium',
  score: 55,
  title: 'Password guessing against 10.66.1.10:22 from 10.66.0.23',
  reason: 'reason\twith a tab',
  measurements: [{ name: 'short or failed sessions', value: 34, threshold: 30, unit: 'sessions' }],
  mitreTechnique: 'T1110',
  mitreTechniqueName: 'Brute Force',
  firstUs: 1_764_669_600_123_456,
  lastUs: 1_764_669_612_000_000,
  hosts: ['10.66.0.23', '10.66.1.10'],
  evidence: { flowUids: ['CAbc', 'CDef'], packetNumbers: [1, 2], isTruncated: false },
  key: '10.66.0.23>10.66.1.10:22',
};

describe('notice.log', () => {
  it('names notes after Zeek where Zeek has them', () => {
    expect(getNoticeName(alert)).toBe('SSH::Password_Guessing');
    expect(getNoticeName({ ...alert, key: '10.66.0.23>10.66.1.10:21' })).toBe('Tideline::Brute_Force');
    expect(getNoticeName({ ...alert, detector: 'port-scan' })).toBe('Scan::Port_Scan');
    expect(getNoticeName({ ...alert, detector: 'arp-spoofing' })).toBe('Tideline::Arp_Spoofing');
  });

  it('takes p only from keys that are an address:port', () => {
    const port = (detector: string, key: string): number | null => getNoticePort({ ...alert, detector, key });
    expect(port('brute-force', '10.66.0.23>10.66.1.10:22')).toBe(22);
    expect(port('brute-force', '2001:db8::23>2001:db8::10:3389')).toBe(3389);
    expect(port('address-scan', '10.66.0.23>:445')).toBe(445);
    expect(port('unusual-port', '10.66.0.23>10.66.1.10:8443/tcp ssh')).toBe(8443);
    expect(port('unrecognised-protocol-on-well-known-port', '10.66.0.23>10.66.1.10:53/udp unknown')).toBe(53);
    // A MAC, an IPv6 address and an address pair end in ":<hex>" but carry no port.
    expect(port('new-device', '02:00:0a:42:00:25')).toBeNull();
    expect(port('rare-destination', 'fe80::25')).toBeNull();
    expect(port('tls-oddity', '10.66.0.23>2001:db8::1:443')).toBeNull();
    expect(port('port-scan', '10.66.0.23>10.66.1.10')).toBeNull();
    expect(port('brute-force', '10.66.0.23>10.66.1.10:70000')).toBeNull();
    expect(getNoticePort({ ...alert, key: undefined })).toBeNull();
  });

  it('writes "-" for p on a New_Device notice keyed by its MAC', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tideline-notice-'));
    try {
      const device: Alert = { ...alert, detector: 'new-device', key: '02:00:0a:42:00:25', hosts: ['10.66.0.37'] };
      await writeDetectionOutputs(directory, [device], 'zeek', new Date(Date.UTC(2025, 11, 2, 10)));
      const lines = (await readFile(join(directory, 'notice.log'), 'utf8')).split('\n');
      const fields = lines[6]!.split('\t').slice(1);
      const row = lines[8]!.split('\t');
      expect(row[fields.indexOf('note')]).toBe('Tideline::New_Device');
      expect(row[fields.indexOf('p')]).toBe('-');
      expect(row[fields.indexOf('dst')]).toBe('-');
    } finally {
      await rm(directory, { recursive: true });
    }
  });

  it('writes Zeek TSV rows and alerts.jsonl', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tideline-notice-'));
    try {
      const counts = await writeDetectionOutputs(directory, [alert], 'zeek', new Date(Date.UTC(2025, 11, 2, 10)));
      expect(counts).toEqual({ notices: 1, alerts: 1 });
      const lines = (await readFile(join(directory, 'notice.log'), 'utf8')).split('\n');
      expect(lines[4]).toBe('#path\tnotice');
      expect(lines[5]).toBe('#open\t2025-12-02-10-00-00');
      const fields = lines[6]!.split('\t').slice(1);
      const row = lines[8]!.split('\t');
      const value = (name: string): string => row[fields.indexOf(name)]!;
      expect(value('ts')).toBe('1764669600.123456');
      expect(value('uid')).toBe('-'); // two flows: no single uid
      expect(value('note')).toBe('SSH::Password_Guessing');
      expect(value('src')).toBe('10.66.0.23');
      expect(value('dst')).toBe('10.66.1.10');
      expect(value('p')).toBe('22');
      expect(value('n')).toBe('34');
      expect(value('actions')).toBe('Notice::ACTION_LOG');
      expect(value('suppress_for')).toBe('3600.000000');
      expect(value('sub')).toBe(
        'reason\\x09with a tab [severity medium, score 55, T1110 Brute Force, alert A0123456789abcdef]',
      );
      const jsonl = (await readFile(join(directory, 'alerts.jsonl'), 'utf8')).trim().split('\n');
      expect(JSON.parse(jsonl[0]!)).toEqual(alert);
    } finally {
      await rm(directory, { recursive: true });
    }
  });

  it('writes no notice.log and an empty alerts.jsonl without alerts', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tideline-notice-'));
    try {
      expect(await writeDetectionOutputs(directory, [], 'json')).toEqual({ notices: 0, alerts: 0 });
      await expect(readFile(join(directory, 'notice.log'))).rejects.toThrow(/ENOENT/);
      expect(await readFile(join(directory, 'alerts.jsonl'), 'utf8')).toBe('');
    } finally {
      await rm(directory, { recursive: true });
    }
  });
});
