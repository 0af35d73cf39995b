/**
 * The analyzer captures recorded in a lab (scripts/lab/analyzers-record.sh):
 * curl to nginx over HTTP and HTTPS on 8443, ssh to an SSH stand-in on 8080,
 * dig to dnsmasq, and a DHCP exchange with dnsmasq. Each capture's logs must
 * equal its golden file, and where tshark is installed the golden values are
 * checked against tshark's reading of the same packets.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeAnalyzerCapture, type AnalyzerCaptureExpectation } from './analyzer-capture-expectation';

const folder = path.resolve(__dirname, '../../fixtures/analyzers');
const captures = ['analyzers-web.pcap', 'analyzers-dns.pcap', 'analyzers-dhcp.pcap'];

function readExpectation(name: string): AnalyzerCaptureExpectation {
  return JSON.parse(readFileSync(path.join(folder, `${name}.expected.json`), 'utf8')) as AnalyzerCaptureExpectation;
}

/** tshark's fields for every packet matching `filter`, one array per packet; null when tshark is missing. */
function readTsharkFields(name: string, filter: string, fields: string[]): string[][] | null {
  let output: string;
  try {
    output = execFileSync('tshark', ['-r', path.join(folder, name), '-Y', filter, '-T', 'fields', ...fields.flatMap((field) => ['-e', field])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return null;
  }
  return output.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
}

/** Column values of TSV rows by Zeek field name. */
function readColumn(rows: string[], columns: string[], name: string): string[] {
  const index = columns.indexOf(name);
  return rows.map((row) => row.split('\t')[index] ?? '');
}

const dnsColumns = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'trans_id', 'rtt', 'query', 'qclass', 'qclass_name', 'qtype', 'qtype_name', 'rcode'];
const httpColumns = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'trans_depth', 'method', 'host', 'uri'];

describe('analyzer lab captures', () => {
  it.each(captures)('%s matches its expected logs', async (name) => {
    const actual = await describeAnalyzerCapture(path.join(folder, name));
    expect(actual).toEqual(readExpectation(name));
  });

  it('identifies HTTPS on 8443 and SSH on 8080 from the payload', () => {
    const flows = readExpectation('analyzers-web.pcap').flows;
    expect(flows.find((flow) => flow.responderPort === 8443)).toMatchObject({ service: 'ssl', isServiceOnUnusualPort: false });
    expect(flows.find((flow) => flow.responderPort === 8080)).toMatchObject({ service: 'ssh', isServiceOnUnusualPort: true });
    expect(flows.filter((flow) => flow.responderPort === 80).map((flow) => flow.service)).toEqual(['http', 'http', 'http']);
  });

  it('logs every DNS question tshark sees, with its rcode', () => {
    const rows = readExpectation('analyzers-dns.pcap').logs.dns;
    const tshark = readTsharkFields('analyzers-dns.pcap', 'dns.flags.response == 1', ['dns.id', 'dns.qry.name', 'dns.qry.type', 'dns.flags.rcode']);
    if (tshark === null) return;
    const ours = rows.map((row) => {
      const [id, query, type, rcode] = ['trans_id', 'query', 'qtype', 'rcode'].map((column) => readColumn([row], dnsColumns, column)[0]);
      return [id, query, type, rcode].join(' ');
    });
    expect(ours.sort()).toEqual(tshark.map((fields) => [Number(fields[0]), ...fields.slice(1)].join(' ')).sort());
  });

  it('logs every HTTP request tshark sees', () => {
    const rows = readExpectation('analyzers-web.pcap').logs.http;
    const tshark = readTsharkFields('analyzers-web.pcap', 'http.request', ['http.request.method', 'http.host', 'http.request.uri']);
    if (tshark === null) return;
    // Zeek and Tideline log the URI with %XX escapes decoded.
    const expected = tshark.map(([method, host, uri]) => `${method} ${host} ${decodeURIComponent(uri ?? '')}`).sort();
    const ours = rows.map((row) => ['method', 'host', 'uri'].map((column) => readColumn([row], httpColumns, column)[0]).join(' ')).sort();
    expect(ours).toEqual(expected);
  });

  it('aggregates the DHCP exchange tshark sees', () => {
    const rows = readExpectation('analyzers-dhcp.pcap').logs.dhcp;
    expect(rows).toHaveLength(1);
    const columns = (rows[0] ?? '').split('\t');
    // msg_types, assigned_addr, mac, lease_time as Zeek orders them.
    expect(columns[13]).toBe('DISCOVER,OFFER,REQUEST,ACK');
    expect(columns[9]).toBe('10.66.1.51');
    expect(columns[4]).toBe('02:00:0a:42:01:32');
    expect(columns[10]).toBe('600.000000');
    const tshark = readTsharkFields('analyzers-dhcp.pcap', 'dhcp', ['dhcp.option.dhcp', 'dhcp.ip.your']);
    if (tshark === null) return;
    expect(tshark.map((fields) => fields[0])).toEqual(['1', '2', '3', '5']);
    expect(tshark[3]?.[1]).toBe(columns[9]);
  });
});
