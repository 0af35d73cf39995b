import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareCapturesWithTruth } from '../../../scripts/check-decode-truth';

const PUBLIC_CAPTURES = '/work/shared/pcaps/public';
const hasCaptures = existsSync(`${PUBLIC_CAPTURES}/MANIFEST.tsv`);

if (!hasCaptures) {
  console.warn(`skipping decoder conformance: ${PUBLIC_CAPTURES}/MANIFEST.tsv not found (public captures are not part of the repository)`);
}

describe.skipIf(!hasCaptures)('public captures', () => {
  it('match tshark IP pair counts', () => {
    const comparison = compareCapturesWithTruth(PUBLIC_CAPTURES);
    expect(comparison.checkedCount).toBeGreaterThan(100);
    expect(Object.fromEntries(comparison.differences)).toEqual({});
  }, 60_000);
});
