/**
 * Conformance over the public captures: Tideline's flows against tshark's
 * per-pair and per-flow counts and against Zeek's conn.log baselines.
 * A difference passes only when test/conformance/accepted-differences.ts
 * explains it. Run `npx tsx scripts/conformance-report.ts` for a table.
 */
import { describe, expect, it } from 'vitest';
import { findAcceptance, formatDifference, type ConformanceDifference } from './conformance-difference';
import { compareWithTruth } from './compare-truth';
import { findPublicCaptures, readCaptureTruth, sharedRoot } from './public-captures';
import { analyzeForConformance } from './run-analysis';
import { compareWithConnBaseline, findConnBaselines, type ConnBaseline } from './zeek-baselines';
import { acceptedDifferences } from './accepted-differences';

const publicCaptures = findPublicCaptures();
const captures = publicCaptures?.captures ?? [];
const connBaselines = publicCaptures === null ? new Map<string, ConnBaseline[]>() : findConnBaselines(publicCaptures);

if (publicCaptures === null) {
  console.warn(
    `conformance: skipped, the public captures are not at ${sharedRoot}/pcaps/public (a fresh clone has no ../shared).`,
  );
}

/** Accepted differences met so far, to find allow-list entries that no longer match anything. */
const usedAcceptances = new Set<unknown>();
let comparedCaptures = 0;

describe.skipIf(publicCaptures === null)('public captures against tshark and Zeek', () => {
  it.each(captures.map((capture) => [capture.relativePath, capture] as const))('%s', async (_name, capture) => {
    if (publicCaptures === null) return;
    const truth = readCaptureTruth(publicCaptures, capture.relativePath);
    const outcome = await analyzeForConformance(capture.absolutePath);

    const differences: ConformanceDifference[] = compareWithTruth(capture.relativePath, truth, outcome);
    for (const baseline of connBaselines.get(capture.relativePath) ?? []) {
      differences.push(...compareWithConnBaseline(baseline, outcome.flows));
    }

    comparedCaptures++;
    for (const difference of differences) usedAcceptances.add(findAcceptance(difference));
    const unexplained = differences.filter((difference) => findAcceptance(difference) === undefined);
    expect(unexplained.map(formatDifference)).toEqual([]);
  });

  it('allow-list names only listed captures', () => {
    const listed = new Set(captures.map((capture) => capture.relativePath));
    const unknown = acceptedDifferences.filter((entry) => !listed.has(entry.capture)).map((entry) => entry.capture);
    expect(unknown).toEqual([]);
  });

  // Runs after the per-capture tests; an entry nothing matches any more should leave the list and the doc.
  it('uses every accepted difference', (context) => {
    if (comparedCaptures !== captures.length) context.skip();
    const unused = acceptedDifferences
      .filter((entry) => !usedAcceptances.has(entry))
      .map((entry) => `${entry.capture} ${entry.table} ${entry.key ?? ''} ${entry.field}`);
    expect(unused).toEqual([]);
  });

  it('finds the conn.log baselines', () => {
    const withRows = [...connBaselines.values()].flat().filter((baseline) => baseline.skipReason === null);
    expect(withRows.length).toBeGreaterThanOrEqual(10);
  });
});
