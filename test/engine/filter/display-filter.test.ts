import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordLookup, checkDisplayFilter, compileDisplayFilterToPredicate, compileDisplayFilterToSql, completeFilterField } from '../../../src/main/engine/filter/display-filter';
import { getAddressKey, getAddressKeyRange } from '../../../src/main/engine/filter/address-key';
import { ingestCaptureIntoCase } from '../../../src/main/engine/store/case-ingest';
import { queryCaseFlows, readAllCaseFlows, readCaseRecords } from '../../../src/main/engine/store/case-queries';
import { CaseStore } from '../../../src/main/engine/store/case-store';
import type { FlowRecord } from '../../../src/shared/domain/flow';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/captures');
const captures = readdirSync(FIXTURES).filter((name) => /\.pcapn?g?$/.test(name)).sort();
const workFolder = mkdtempSync(join(tmpdir(), 'tideline-filter-'));
let store: CaseStore;
let flows: FlowRecord[] = [];
let records: RecordLookup;
/** Flow uid to "capture#transport", the label the table below expects. */
const labels = new Map<string, string>();

beforeAll(async () => {
  store = await CaseStore.create({ casesFolder: workFolder, name: 'fixtures', sources: [] });
  for (const [sourceId, name] of captures.entries()) await ingestCaptureIntoCase(store, join(FIXTURES, name), { sourceId });
  flows = await readAllCaseFlows(store);
  records = new RecordLookup(await readCaseRecords(store));
  const rows = await store.query('SELECT DISTINCT flow_uid, source_id FROM packets WHERE flow_uid IS NOT NULL');
  const transportByUid = new Map(flows.map((flow) => [flow.uid, flow.transport]));
  for (const row of rows) {
    const uid = String(row.flow_uid);
    labels.set(uid, `${(captures[Number(row.source_id)] ?? '').replace(/\.pcapn?g?$/, '')}#${transportByUid.get(uid)}`);
  }
}, 60_000);
afterAll(async () => {
  await store.close();
  rmSync(workFolder, { recursive: true, force: true });
});

async function matchBothWays(filter: string): Promise<{ sql: string[]; memory: string[] }> {
  const page = await queryCaseFlows(store, { filter, limit: 1000 });
  if (!page.ok) throw new Error(`${filter}: ${page.error.message}`);
  const compiled = compileDisplayFilterToPredicate(filter, records);
  if (!compiled.ok) throw new Error(`${filter}: ${compiled.error.message}`);
  const label = (flow: FlowRecord): string => labels.get(flow.uid) ?? flow.uid;
  return { sql: page.value.rows.map(label).sort(), memory: flows.filter(compiled.predicate).map(label).sort() };
}

const TCP_HTTP = ['ipv6-tcp#tcp', 'tcp-http-fin#tcp', 'tcp-orig-abort-rst#tcp', 'tcp-server-reset-after-data#tcp', 'vlan-tcp#tcp'];
const ALL_TCP = [...TCP_HTTP, 'tcp-refused#tcp', 'tcp-syn-unanswered#tcp'].sort();

// Each filter with the flows it must select in the 13 fixture flows.
const cases: Array<[string, string[]]> = [
  ['ip.addr == 10.66.100.20', ['vlan-tcp#tcp']],
  ['ip.src == 198.51.100.20', ['icmp-port-unreachable#icmp']],
  ['ip.dst == 10.66.0.0/16', ['icmp-port-unreachable#icmp', 'vlan-tcp#tcp']],
  ['ip.addr == 10.66.100.0/24 || ipv6.addr == 2001:db8:51::/48', ['icmp-echo-ipv6#icmp', 'ipv6-tcp#tcp', 'vlan-tcp#tcp']],
  ['ipv6.src == 2001:db8:66:0:0:0:0:10 and icmp', ['icmp-echo-ipv6#icmp']],
  ['ip.addr != 198.51.100.20', ['vlan-tcp#tcp']],
  ['tcp.port in {8080 8081}', ['ipv6-tcp#tcp', 'tcp-orig-abort-rst#tcp', 'tcp-server-reset-after-data#tcp', 'vlan-tcp#tcp']],
  ['tcp.dstport in {80, 9000..9999}', ['tcp-http-fin#tcp', 'tcp-refused#tcp']],
  ['udp.port == 53', ['udp-dns#udp']],
  ['udp.srcport > 40000', ['udp-dns#udp', 'udp-one-way#udp']],
  ['conn_state == "REJ"', ['tcp-refused#tcp']],
  ['conn_state eq RSTO or conn_state eq RSTR', ['tcp-orig-abort-rst#tcp', 'tcp-server-reset-after-data#tcp']],
  ['service == "http"', TCP_HTTP],
  ['not service == "http" && tcp', ['tcp-refused#tcp', 'tcp-syn-unanswered#tcp']],
  ['!(tcp || udp)', ['icmp-echo-ipv4-nanosecond#icmp', 'icmp-echo-ipv6#icmp', 'icmp-port-unreachable#icmp']],
  ['orig_bytes > 80', ['icmp-echo-ipv4-nanosecond#icmp', 'icmp-echo-ipv6#icmp', 'tcp-http-fin#tcp']],
  ['resp_bytes >= 89 and resp_bytes <= 89', ['ipv6-tcp#tcp', 'tcp-orig-abort-rst#tcp', 'tcp-server-reset-after-data#tcp', 'vlan-tcp#tcp']],
  ['duration > 3', ['tcp-syn-unanswered#tcp']],
  // contains is case-sensitive, as in Wireshark: "Sr" and "ShADadr" have a lower-case r.
  ['history contains "R"', ['tcp-orig-abort-rst#tcp']],
  ['proto matches "^IC"', ['icmp-echo-ipv4-nanosecond#icmp', 'icmp-echo-ipv6#icmp', 'icmp-port-unreachable#icmp']],
  ['tcp', ALL_TCP],
  ['dns', ['udp-dns#udp']],
  ['dns.qry.name == "intranet.lab.example"', ['udp-dns#udp']],
  ['dns.qry.name contains "lab"', ['udp-dns#udp']],
  ['http.host == "lab.example"', ['ipv6-tcp#tcp', 'tcp-orig-abort-rst#tcp', 'tcp-server-reset-after-data#tcp', 'vlan-tcp#tcp']],
  ['http.request.uri matches "index\\\\.TXT$"', ['tcp-http-fin#tcp']],
  ['http.host != "lab.example"', ['tcp-http-fin#tcp']],
  ['http.request.method == GET && ipv6', ['ipv6-tcp#tcp']],
  ['tls.sni', []],
  ['not tls.sni matches "^cdn"', ['every flow']],
  ['dns.qry.name == "x\' OR 1=1 --"', []],
  ["conn_state == 'SF\" OR 1=1 --'", []],
  ['service == "http); DROP TABLE flows; --"', []],
];

describe('display filter over the fixture flows', () => {
  it('has the 13 fixture flows', () => {
    expect(flows.length).toBe(13);
  });

  it.each(cases)('%s', async (filter, expected) => {
    const { sql, memory } = await matchBothWays(filter);
    if (filter.startsWith('not tls.sni')) {
      // Every flow lacks an SNI, so the negated test keeps them all.
      expect(sql.length).toBe(13);
    } else {
      expect(sql).toEqual([...expected].sort());
    }
    expect(memory).toEqual(sql);
  });

  it('keeps the flows table after an injection attempt', async () => {
    const count = await store.query('SELECT count(*) AS n FROM flows');
    expect(count[0]?.n).toBe(13);
  });

  it('passes every literal as a parameter', () => {
    const compiled = compileDisplayFilterToSql('dns.qry.name == "x\' OR 1=1 --" || ip.addr == 10.0.0.0/8');
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    expect(compiled.condition.sql).not.toContain('OR 1=1');
    expect(compiled.condition.sql).not.toContain('10.0.0');
    expect(compiled.condition.parameters).toEqual([
      "x' OR 1=1 --",
      '00000000000000000000ffff0a000000', '00000000000000000000ffff0affffff',
      '00000000000000000000ffff0a000000', '00000000000000000000ffff0affffff',
    ]);
  });
});

describe('display filter errors', () => {
  // Each filter with the error's column, length and a word of its message.
  const errors: Array<[string, number, number, string]> = [
    ['', 0, 1, 'empty'],
    ['ip.adr == 1.2.3.4', 0, 6, 'Unknown field'],
    ['ip.addr ==', 10, 1, 'Expected a value'],
    ['ip.addr == 1.2.3', 11, 5, 'not an IP address'],
    ['ip.addr == 10.0.0.0/33', 11, 11, 'not an IP address'],
    ['ip.addr == fe80::1', 11, 7, 'use ipv6.addr'],
    ['ipv6.addr == 10.0.0.1', 13, 8, 'use ip.addr'],
    ['tcp.port == http', 12, 4, 'whole number'],
    ['tcp.port == 99999999999999999999', 12, 20, 'whole number'],
    ['duration > 1.2.3', 11, 5, 'a number'],
    ['(tcp.port == 80', 15, 1, 'close the "("'],
    ['tcp.port == 80)', 14, 1, 'Expected "and"'],
    ['tcp.port == 80 and', 18, 1, 'field name'],
    ['tcp.port in {80', 15, 1, 'in the set'],
    ['tcp.port in {}', 12, 1, 'empty'],
    ['tcp.port in 80', 12, 2, 'Expected "{"'],
    ['tcp.port in {90..80}', 13, 6, 'ends below'],
    ['service in {a..b}', 12, 4, 'numeric field'],
    ['dns.qry.name == "abc', 16, 4, 'not closed'],
    ['dns.qry.name == "a\\qb"', 18, 2, 'Unknown escape'],
    ['tcp.port contains "8"', 9, 8, 'text field'],
    ['tls.sni matches "(a"', 16, 4, 'Invalid regular expression'],
    ['tls.sni matches "a(?=b)"', 16, 8, 'Look-ahead'],
    ['http.host matches "(a)\\\\1"', 18, 8, 'Back-references'],
    ['tcp == 1', 4, 2, 'protocol'],
    ['ip.addr > 10.0.0.0/8', 10, 10, 'CIDR block cannot be ordered'],
    ['ip.addr == 1.2.3.4 $', 19, 1, 'Unexpected character'],
    ['== 1', 0, 2, 'field name'],
    ['not', 3, 1, 'field name'],
    ['('.repeat(70) + 'tcp' + ')'.repeat(70), 64, 1, 'nests deeper'],
  ];

  it.each(errors)('%s', (filter, column, length, words) => {
    const result = checkDisplayFilter(filter);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain(words);
    expect([result.error.column, result.error.length]).toEqual([column, length]);
  });

  it('accepts unquoted values, escapes and keyword case as Wireshark does', () => {
    for (const filter of ['conn_state == SF', 'dns.qry.name == "a\\x41\\u0042\\"\\\\"', 'TCP.port == 80', 'tcp.port EQ 80 AND udp', 'proto ~ "tc"', 'ip.addr == 0x0a']) {
      const expectsOk = !filter.startsWith('TCP.port') && !filter.startsWith('ip.addr == 0x');
      expect(checkDisplayFilter(filter).ok, filter).toBe(expectsOk);
    }
  });
});

describe('address keys', () => {
  it('maps IPv4 into ::ffff:0:0/96 and expands IPv6', () => {
    expect(getAddressKey('10.1.2.3')).toBe('00000000000000000000ffff0a010203');
    expect(getAddressKey('2001:db8::1')).toBe('20010db8000000000000000000000001');
    expect(getAddressKey('::ffff:10.1.2.3')).toBe('00000000000000000000ffff0a010203');
    expect(getAddressKey('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(getAddressKey('1::2::3')).toBeNull();
    expect(getAddressKey('256.0.0.1')).toBeNull();
  });

  it('gives CIDR blocks their first and last key', () => {
    expect(getAddressKeyRange('192.168.4.0/22')).toEqual({ low: '00000000000000000000ffffc0a80400', high: '00000000000000000000ffffc0a807ff', isIpv4: true });
    expect(getAddressKeyRange('fe80::/10')).toEqual({ low: 'fe800000000000000000000000000000', high: 'febfffffffffffffffffffffffffffff', isIpv4: false });
    expect(getAddressKeyRange('0.0.0.0/0')?.high).toBe('00000000000000000000ffffffffffff');
  });
});

describe('field completion', () => {
  it('lists fields by prefix, shortest first, with type and description', () => {
    expect(completeFilterField('ip.').map((field) => field.name)).toEqual(['ip.dst', 'ip.src', 'ip.addr']);
    expect(completeFilterField('tls.')[0]).toEqual({ name: 'tls.sni', type: 'string', description: 'Short name for tls.handshake.extensions_server_name' });
    expect(completeFilterField('CONN')).toEqual([{ name: 'conn_state', type: 'string', description: 'Zeek connection state (S0, SF, REJ, RSTO, ...)' }]);
    expect(completeFilterField('zz')).toEqual([]);
  });
});
