/**
 * Conformance of the application analyzers with the public captures: every
 * DNS question (name, type), HTTP request (method, host, URI) and TLS or QUIC
 * server name that tshark found must appear in our records, and dhcp.log must match Zeek's baseline
 * field by field (uids aside, which come from Zeek's own seed).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/main/engine/analyze-capture';
import { ApplicationAnalyzers } from '../../src/main/engine/analyzers/application-analyzers';
import { DHCP_LOG_COLUMNS } from '../../src/main/engine/analyzers/analyzer-log-columns';
import { formatZeekTsvValue } from '../../src/main/engine/output/zeek-log-writer';
import type { ZeekRow } from '../../src/main/engine/analyzers/parsers';
import type { DhcpRecord, DnsRecord, HttpRecord } from '../../src/shared/domain/records';
import { findPublicCaptures } from './public-captures';
import { acceptedAnalyzerDifferences, acceptedInEveryCapture } from './analyzers-accepted-differences';

const captures = findPublicCaptures();
const utf8Decoder = new TextDecoder('utf-8');

function normalizeName(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => letter.toLowerCase()).replace(/[^\x00-\x7f]+/g, '?');
}


interface TruthFile {
  tls_sni?: { items: { frame: number; proto?: string; sni?: unknown }[] };
  dns?: { items: { frame: number; qname?: unknown; qtype?: unknown; unaligned?: boolean }[] };
  http?: { items: { frame: number; method?: unknown; host?: unknown; uri?: unknown }[] };
}

async function analyze(file: string): Promise<{ dns: DnsRecord[]; http: HttpRecord[]; dhcp: DhcpRecord[]; serverNames: string[] }> {
  const out = { dns: [] as DnsRecord[], http: [] as HttpRecord[], dhcp: [] as DhcpRecord[], serverNames: [] as string[] };
  const addServerName = (row: ZeekRow): void => {
    const name = row.server_name;
    if (typeof name === 'string') out.serverNames.push(name);
  };
  const analyzers = new ApplicationAnalyzers({
    onDns: (record) => out.dns.push(record),
    onHttp: (record) => out.http.push(record),
    onDhcp: (record) => out.dhcp.push(record),
    onSsl: addServerName,
    onQuic: addServerName,
  });
  await analyzeCapture(file, { analyzers });
  return out;
}

describe.skipIf(captures === null)('analyzers against tshark truth', () => {
  const entries = (captures?.captures ?? []).filter((entry) => {
    const truthPath = path.join(captures?.root ?? '', 'truth', `${entry.relativePath}.json`);
    if (!existsSync(truthPath)) return false;
    const truth = JSON.parse(readFileSync(truthPath, 'utf8')) as TruthFile;
    return (truth.dns?.items.length ?? 0) > 0 || (truth.http?.items.length ?? 0) > 0 || (truth.tls_sni?.items.length ?? 0) > 0;
  });


  it.each(entries.map((entry) => [entry.relativePath, entry] as const))('%s', async (relativePath, entry) => {
    const truth = JSON.parse(readFileSync(path.join(captures?.root ?? '', 'truth', `${relativePath}.json`), 'utf8')) as TruthFile;
    const records = await analyze(entry.absolutePath);
    // tshark prints name bytes as UTF-8 with its own replacement of invalid sequences, and keeps
    // letter case; ours keep one byte per character, lower-cased as Zeek logs them. Both sides are
    // compared with ASCII letters lower-cased and each run of other non-ASCII text as one "?".
    const toTsharkText = (name: string | null): string => normalizeName(utf8Decoder.decode(Buffer.from(name ?? '', 'latin1')));
    const queries = new Set(records.dns.map((record) => `${toTsharkText(record.query)}/${record.queryType ?? ''}`));
    const queryNames = new Set(records.dns.map((record) => toTsharkText(record.query)));
    const requests = new Set(records.http.map((record) => `${record.method ?? ''} ${record.host ?? ''} ${record.originalUri ?? ''}`));
    const accepted = acceptedAnalyzerDifferences[relativePath] ?? [];

    const missing: string[] = [];
    for (const item of truth.dns?.items ?? []) {
      if (item.unaligned === true || typeof item.qname !== 'string') continue;
      const name = normalizeName(item.qname);
      const key = `${name}/${String(item.qtype)}`;
      // A response-only record carries the name but not the type (Zeek leaves qtype unset).
      if (!queries.has(key) && !queryNames.has(name)) missing.push(`dns frame ${item.frame}: ${key}`);
    }
    for (const item of truth.http?.items ?? []) {
      if (typeof item.method !== 'string' || typeof item.uri !== 'string') continue;
      const host = typeof item.host === 'string' ? (item.host.split(':')[0] ?? '') : '';
      const key = `${item.method} ${host} ${item.uri}`;
      if (!requests.has(key)) missing.push(`http frame ${item.frame}: ${key}`);
    }
    const serverNames = new Set(records.serverNames);
    for (const item of truth.tls_sni?.items ?? []) {
      if (typeof item.sni !== 'string') continue;
      if (!serverNames.has(item.sni)) missing.push(`${item.proto ?? 'tls'} frame ${item.frame}: SNI ${item.sni}`);
    }
    const unexplained = missing.filter(
      (line) => !accepted.some((difference) => line.startsWith(difference.item)) && !acceptedInEveryCapture.some((difference) => difference.pattern.test(line)),
    );
    expect(unexplained, `${relativePath}: tshark saw these, our logs lack them`).toEqual([]);
  });
});

describe.skipIf(captures === null)('dhcp.log against Zeek baselines', () => {
  const baselinePath = path.join(captures?.root ?? '', 'zeek', 'expected', 'dhcp__dhcp.pcap.scripts.base.protocols.dhcp.dhcp-all-msg-types.dhcp.log');

  it.skipIf(!existsSync(baselinePath))('zeek/dhcp__dhcp.pcap matches field by field', async () => {
    const rows = readFileSync(baselinePath, 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    const records = await analyze(path.join(captures?.root ?? '', 'zeek', 'dhcp__dhcp.pcap'));
    const ours = records.dhcp.map((record) =>
      DHCP_LOG_COLUMNS.filter((column) => column.name !== 'ts' && column.name !== 'uids').map((column) => formatZeekTsvValue(column.type, column.read(record))).join('\t'),
    );
    const theirs = rows.map((row) => row.split('\t').slice(2).join('\t'));
    expect(ours).toEqual(theirs);
  });
});
