/** Alerts for the problems the reader and decoders counted, so the analyst sees what was not analyzed. */
import type { Alert } from '../../../shared/domain/alert';
import type { CaptureSummary, ProblemTally } from '../../../shared/domain/capture-summary';

/**
 * One alert per problem code in `summary.fileProblems` and
 * `summary.decodeProblems`, with the first examples as evidence.
 *
 * NOTE: a tally keeps packet numbers, not times, so the alert spans the whole
 * capture; the timeline marks it at the capture's first packet.
 */
export function alertsForProblems(summary: CaptureSummary): Alert[] {
  const firstUs = summary.firstUs ?? 0;
  const lastUs = summary.lastUs ?? firstUs;
  return [
    ...summary.fileProblems.map((tally) => alertForTally(tally, 'file', firstUs, lastUs)),
    ...summary.decodeProblems.map((tally) => alertForTally(tally, 'packet', firstUs, lastUs)),
  ];
}

function alertForTally(tally: ProblemTally, scope: 'file' | 'packet', firstUs: number, lastUs: number): Alert {
  const first = tally.examples[0];
  const where =
    first === undefined
      ? ''
      : ` The first is ${first.packetNumber === null ? 'between packets' : `in packet ${first.packetNumber}`} at byte offset ${first.fileOffset}: ${first.message}.`;
  const unit = scope === 'file' ? 'places in the file' : 'packets';
  const reason =
    scope === 'file'
      ? `The capture file has ${tally.count} structural problem${tally.count === 1 ? '' : 's'} of kind "${tally.code}"; records around them may be missing from the analysis.${where}`
      : `${tally.count} packet${tally.count === 1 ? '' : 's'} could not be fully decoded (${tally.code}); their flows may lack bytes or be missing.${where}`;
  return {
    id: `${scope === 'file' ? 'file-problem' : 'decode-problem'}:${tally.code}`,
    detector: 'decode-problems',
    severity: scope === 'file' ? 'low' : 'info',
    score: Math.min(30, 5 + Math.round(Math.log10(tally.count + 1) * 8)),
    title: scope === 'file' ? `Capture file problem: ${tally.code}` : `Undecoded packets: ${tally.code}`,
    reason,
    measurements: [{ name: `${unit} with this problem`, value: tally.count, threshold: 1, unit }],
    mitreTechnique: null,
    firstUs,
    lastUs,
    hosts: [],
    evidence: {
      flowUids: [],
      packetNumbers: tally.examples.flatMap((example) => (example.packetNumber === null ? [] : [example.packetNumber])),
      isTruncated: tally.examples.length < tally.count,
    },
  };
}
