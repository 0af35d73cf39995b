import { describe, expect, it } from 'vitest';
import { formatConnLogHeader, formatConnLogJsonLine, formatConnLogRow } from '../../../src/main/engine/output/zeek-conn-log';
import type { FlowRecord } from '../../../src/shared/domain/flow';

const flow: FlowRecord = {
  uid: 'CAbcdefghijklmnopq', communityId: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
  startUs: 1128727435633408, endUs: 1128727437184201, durationUs: 1550793,
  firstPacketNumber: 1, lastPacketNumber: 21,
  originatorAddress: '141.42.64.125', originatorPort: 56730, responderAddress: '125.190.109.199', responderPort: 80,
  transport: 'tcp', ipProtocol: 6, vlan: null, innerVlan: null, service: null,
  originatorBytes: 98, responderBytes: 9417, missedBytes: 0, originatorPackets: 11, responderPackets: 10,
  originatorIpBytes: 670, responderIpBytes: 9945, originatorPayloadBytes: 98, responderPayloadBytes: 9417,
  connectionState: 'SF', history: '^hADdFaf', tunnelParents: [], isFinished: true,
  isOriginatorLocal: false, isResponderLocal: false,
};

describe('conn.log writer', () => {
  it('writes a Zeek TSV row', () => {
    expect(formatConnLogRow(flow)).toBe(
      '1128727435.633408\tCAbcdefghijklmnopq\t141.42.64.125\t56730\t125.190.109.199\t80\ttcp\t-\t1.550793\t98\t9417\tSF\tF\tF\t0\t^hADdFaf\t11\t670\t10\t9945\t-\t6\t1:LQU9qZlK+B5F3KDmev6m5PMibrg=\n',
    );
  });

  it('leaves duration and bytes unset for zero duration', () => {
    const columns = formatConnLogRow({ ...flow, durationUs: 0 }).split('\t');
    expect(columns.slice(8, 11)).toEqual(['-', '-', '-']);
  });

  it('keeps commas in service and joins tunnel parents', () => {
    const columns = formatConnLogRow({ ...flow, service: 'ssl,http', tunnelParents: ['CAAA', 'CBBB'] }).split('\t');
    expect(columns[7]).toBe('ssl,http');
    expect(columns[20]).toBe('CAAA,CBBB');
  });

  it('escapes tabs in string values', () => {
    const columns = formatConnLogRow({ ...flow, service: 'a\tb' }).split('\t');
    expect(columns[7]).toBe('a\\x09b');
  });

  it('writes Zeek JSON with unset fields left out', () => {
    const record = JSON.parse(formatConnLogJsonLine({ ...flow, durationUs: 0 })) as Record<string, unknown>;
    expect(record.ts).toBe(1128727435.633408);
    expect(record['id.orig_h']).toBe('141.42.64.125');
    expect(record['id.resp_p']).toBe(80);
    expect('duration' in record).toBe(false);
    expect('service' in record).toBe(false);
    expect(record.local_orig).toBe(false);
    expect(record.history).toBe('^hADdFaf');
  });

  it('writes the header fields and types', () => {
    const lines = formatConnLogHeader(new Date(Date.UTC(2024, 0, 2, 3, 4, 5))).split('\n');
    expect(lines[0]).toBe('#separator \\x09');
    expect(lines[5]).toBe('#open\t2024-01-02-03-04-05');
    expect(lines[6]?.split('\t').length).toBe(24);
    expect(lines[7]?.split('\t')[21]).toBe('set[string]');
  });
});
