/**
 * Reads every public capture in ../shared/pcaps/public (beside the repository) and compares packet
 * counts and first/last timestamps with the tshark truth files beside them.
 * The folder is not part of the repository, so the test skips without it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCaptureFile } from '../../../src/main/engine/source/read-capture-file';
import type { CaptureFileWarning } from '../../../src/main/engine/source/packet-record';

const PUBLIC_ROOT = resolve(import.meta.dirname, '../../../../shared/pcaps/public');
const MANIFEST_PATH = join(PUBLIC_ROOT, 'MANIFEST.tsv');
const hasPublicCaptures = existsSync(MANIFEST_PATH);

interface TruthFile {
  packets: number | null;
  first_ts: string | null;
  last_ts: string | null;
  read_error: string[] | null;
}

function listCaptures(): string[] {
  const [header, ...rows] = readFileSync(MANIFEST_PATH, 'utf8').trim().split('\n');
  const columns = (header ?? '').split('\t');
  const pathColumn = columns.indexOf('path');
  const kindColumn = columns.indexOf('kind');
  return rows
    .map((row) => row.split('\t'))
    .filter((cells) => cells[kindColumn] === 'capture')
    .map((cells) => cells[pathColumn] ?? '');
}

/** Formats a timestamp as tshark's epoch text: seconds, a dot, nine digits. */
function formatEpochNanoseconds(timestampUs: number, nanosecondRemainder: number): string {
  const seconds = Math.floor(timestampUs / 1e6);
  const nanoseconds = (timestampUs - seconds * 1e6) * 1000 + nanosecondRemainder;
  return `${seconds}.${String(nanoseconds).padStart(9, '0')}`;
}

interface CaptureSummaryForTest {
  packets: number;
  /** First and last packet that carries a timestamp, as tshark's first_ts and last_ts count them. */
  first: string | null;
  last: string | null;
  warnings: CaptureFileWarning[];
}

async function readSummary(path: string): Promise<CaptureSummaryForTest> {
  const summary: CaptureSummaryForTest = { packets: 0, first: null, last: null, warnings: [] };
  let lastUs: number | null = null;
  let lastNs = 0;
  await readCaptureFile(path, {
    onPacket(record) {
      summary.packets += 1;
      if (record.isTimestampMissing === true) {
        return;
      }
      if (summary.first === null) {
        summary.first = formatEpochNanoseconds(record.timestampUs, record.timestampNsRemainder);
      }
      lastUs = record.timestampUs;
      lastNs = record.timestampNsRemainder;
    },
    onWarning(warning) {
      summary.warnings.push(warning);
    },
  });
  summary.last = lastUs === null ? null : formatEpochNanoseconds(lastUs, lastNs);
  return summary;
}

/**
 * Captures where Tideline and tshark 4.0 disagree on purpose, with what
 * Tideline must produce instead.
 */
const KNOWN_DISAGREEMENTS: Record<string, { reason: string; check(summary: CaptureSummaryForTest): void }> = {
  // Only Custom Blocks, which tshark lists as frames; they hold no packets.
  'pcapng-test-generator/le__basic__test017.pcapng': {
    reason: 'tshark counts 4 Custom Blocks as frames',
    check(summary) {
      expect(summary.packets).toBe(0);
      expect(summary.warnings).toEqual([]);
    },
  },
  // Timestamps near 2^64 microseconds cannot be exact in a number; the reader warns instead.
  'pcapplusplus/Pcap++Test__PcapExamples__pcapng-example.pcapng': {
    reason: 'timestamps past 2^53 microseconds',
    check(summary) {
      expect(summary.packets).toBe(159);
      expect(summary.warnings.every((warning) => warning.code === 'invalid-timestamp')).toBe(true);
      expect(summary.warnings.length).toBeGreaterThan(0);
    },
  },
  // ts_usec 1000000 and 2147483648: tshark 4.0 wraps the second to .000000 in 32-bit arithmetic; Tideline adds the excess seconds and warns.
  'tcpdump/timestamp_invalid_micro.pcap': {
    reason: 'microsecond field of 1e6 or more',
    check(summary) {
      expect(summary.first).toBe('1418145369.999999000');
      expect(summary.last).toBe('1418147517.483648000');
      expect(summary.warnings.map((warning) => [warning.code, warning.packetNumber])).toEqual([
        ['invalid-timestamp', 2],
        ['invalid-timestamp', 3],
      ]);
    },
  },
};

describe.skipIf(!hasPublicCaptures)('public captures against tshark', () => {
  const captures = hasPublicCaptures ? listCaptures() : [];

  it('lists captures', () => {
    expect(captures.length).toBeGreaterThan(0);
  });

  for (const capture of captures) {
    it(`reads ${capture}`, async () => {
      const truth = JSON.parse(readFileSync(join(PUBLIC_ROOT, 'truth', `${capture}.json`), 'utf8')) as TruthFile;
      const summary = await readSummary(join(PUBLIC_ROOT, capture));

      const disagreement = KNOWN_DISAGREEMENTS[capture];
      if (disagreement !== undefined) {
        disagreement.check(summary);
        return;
      }
      if (truth.read_error !== null) {
        // tshark stopped at damage; Tideline must read at least what tshark read.
        expect(summary.packets).toBeGreaterThanOrEqual(truth.packets ?? 0);
        return;
      }
      expect(summary.packets).toBe(truth.packets);
      expect(summary.first).toBe(truth.first_ts);
      expect(summary.last).toBe(truth.last_ts);
    });
  }
});

if (!hasPublicCaptures) {
  describe('public captures against tshark', () => {
    it.skip(`needs ${MANIFEST_PATH}, which is absent: the public capture set lives outside the repository`, () =>
      undefined);
  });
}
