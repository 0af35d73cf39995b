import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareCapturesWithTruth } from '../../../scripts/check-decode-truth';

const PUBLIC_CAPTURES = resolve(import.meta.dirname, '../../../../shared/pcaps/public');
const hasCaptures = existsSync(`${PUBLIC_CAPTURES}/MANIFEST.tsv`);

/**
 * Captures where tshark is known to decode less than Tideline; the
 * conformance suite lists each difference with its frames.
 */
const TSHARK_DECODES_LESS: Record<string, string> = {
  'zeek/tunnels__Teredo.pcap': 'Teredo on port 32900 (frames 29-57), which tshark 4.0 decodes on port 3544 only',
};

if (!hasCaptures) {
  console.warn(`skipping decoder conformance: ${PUBLIC_CAPTURES}/MANIFEST.tsv not found (public captures are not part of the repository)`);
}

describe.skipIf(!hasCaptures)('public captures', () => {
  it('match tshark IP pair counts', () => {
    const comparison = compareCapturesWithTruth(PUBLIC_CAPTURES);
    expect(comparison.checkedCount).toBeGreaterThan(100);
    for (const capture of Object.keys(TSHARK_DECODES_LESS)) {
      expect(comparison.differences.has(capture), `${capture} is expected to differ`).toBe(true);
      comparison.differences.delete(capture);
    }
    expect(Object.fromEntries(comparison.differences)).toEqual({});
  }, 60_000);
});
