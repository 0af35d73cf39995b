import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../../src/main/engine/analyze-capture';
import { formatConnLogRow, isConnLogFlow } from '../../../src/main/engine/output/zeek-conn-log';
import type { FlowRecord } from '../../../src/shared/domain/flow';

const ZEEK_DIRECTORY = resolve(import.meta.dirname, '../../../../shared/pcaps/public/zeek');
const hasBaselines = existsSync(join(ZEEK_DIRECTORY, 'expected'));

// Columns compared: everything but ts (masked in the baselines), uid (random in Zeek) and service (no analyzers yet).
const COMPARED_COLUMNS = [2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21];

/**
 * Flows Tideline keeps that Zeek does not log, by capture. Teredo bubbles
 * (IPv6 next header 59, no payload) are tunnel signalling to Zeek, while
 * Tideline keeps them so that per-address-pair counts match tshark.
 */
const FLOWS_ZEEK_DOES_NOT_LOG: Record<string, (flow: FlowRecord) => boolean> = {
  'tunnels__Teredo.pcap': (flow) => flow.transport === 'unknown_transport' && flow.ipProtocol === 59,
};

function selectColumns(row: string): string {
  const columns = row.replace(/\n$/, '').split('\t');
  return COMPARED_COLUMNS.map((index) => columns[index] ?? '').join('\t');
}

function listBaselines(): Array<{ capture: string; log: string }> {
  if (!hasBaselines) return [];
  return readdirSync(join(ZEEK_DIRECTORY, 'expected'))
    .filter((name) => name.endsWith('.log') && name.includes('conn'))
    .map((name) => ({
      capture: name.replace(/(\.pcap(?:ng)?)\..*$/, '$1'),
      log: join(ZEEK_DIRECTORY, 'expected', name),
    }))
    .filter((entry) => existsSync(join(ZEEK_DIRECTORY, entry.capture)));
}

// NOTE: skipped when the public capture collection is absent, as in a fresh clone.
describe.skipIf(!hasBaselines)('conn.log against Zeek baselines', () => {
  for (const { capture, log } of listBaselines()) {
    const expectedRows = readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#') && line.split('\t').length > 20);
    if (expectedRows.length === 0) continue;

    it(`matches ${capture}`, async () => {
      const flows: FlowRecord[] = [];
      await analyzeCapture(join(ZEEK_DIRECTORY, capture), { onFlows: (batch) => flows.push(...batch) });
      const isUnlogged = FLOWS_ZEEK_DOES_NOT_LOG[capture] ?? (() => false);
      const ours = flows
        .filter((flow) => isConnLogFlow(flow) && !isUnlogged(flow))
        .map((flow) => selectColumns(formatConnLogRow(flow)))
        .sort();
      const theirs = expectedRows.map(selectColumns).sort();
      expect(ours).toEqual(theirs);
    });
  }
});
