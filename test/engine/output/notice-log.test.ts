import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/shared/domain/alert';
import { getNoticeName, writeDetectionOutputs } from '../../../src/main/engine/output/notice-log';

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
