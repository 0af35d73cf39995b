/**
 * Prints how Tideline's flows differ from tshark's truth and Zeek's conn.log
 * baselines on the public captures, one table per capture.
 *
 *   npx tsx scripts/conformance-report.ts                 every capture
 *   npx tsx scripts/conformance-report.ts q-in-q teredo   captures whose path contains a word
 *   options: --accepted  also list differences the allow-list explains
 *            --limit N   at most N rows per capture (default 40)
 *            --json      one JSON object per capture instead of tables
 */
import { compareWithTruth } from '../test/conformance/compare-truth';
import { findAcceptance, type ConformanceDifference } from '../test/conformance/conformance-difference';
import { findPublicCaptures, readCaptureTruth, sharedRoot } from '../test/conformance/public-captures';
import { analyzeForConformance } from '../test/conformance/run-analysis';
import { compareWithConnBaseline, findConnBaselines } from '../test/conformance/zeek-baselines';

interface Options {
  filters: string[];
  showAccepted: boolean;
  limit: number;
  isJson: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { filters: [], showAccepted: false, limit: 40, isJson: false };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i] ?? '';
    if (argument === '--accepted') options.showAccepted = true;
    else if (argument === '--json') options.isJson = true;
    else if (argument === '--limit') options.limit = Number(argv[++i]);
    else if (argument.startsWith('--'))
      throw new Error(`unknown option ${argument}; expected --accepted, --limit N or --json`);
    else options.filters.push(argument.toLowerCase());
  }
  if (!Number.isInteger(options.limit) || options.limit < 1) throw new Error('--limit expects a positive integer');
  return options;
}

/** Pads each column to its widest cell. */
function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const publicCaptures = findPublicCaptures();
  if (publicCaptures === null) {
    process.stderr.write(`conformance-report: no public captures at ${sharedRoot}/pcaps/public; nothing to compare.\n`);
    process.exitCode = 2;
    return;
  }
  const baselines = findConnBaselines(publicCaptures);
  const selected = publicCaptures.captures.filter(
    (capture) =>
      options.filters.length === 0 || options.filters.some((word) => capture.relativePath.toLowerCase().includes(word)),
  );

  const failing: string[] = [];
  for (const capture of selected) {
    const truth = readCaptureTruth(publicCaptures, capture.relativePath);
    const started = performance.now();
    const outcome = await analyzeForConformance(capture.absolutePath);
    const elapsedMs = performance.now() - started;

    const differences: ConformanceDifference[] = compareWithTruth(capture.relativePath, truth, outcome);
    for (const baseline of baselines.get(capture.relativePath) ?? [])
      differences.push(...compareWithConnBaseline(baseline, outcome.flows));
    const rows = differences.map((difference) => ({ difference, acceptance: findAcceptance(difference) }));
    const unexplained = rows.filter((row) => row.acceptance === undefined);
    if (unexplained.length > 0) failing.push(`${capture.relativePath} (${unexplained.length})`);

    if (options.isJson) {
      process.stdout.write(
        `${JSON.stringify({ capture: capture.relativePath, flows: outcome.flows.length, error: outcome.error?.message ?? null, elapsedMs: Math.round(elapsedMs), differences: rows.map((row) => ({ ...row.difference, acceptedBecause: row.acceptance?.reason ?? null })) })}\n`,
      );
      continue;
    }

    const status = unexplained.length === 0 ? 'PASS' : 'FAIL';
    const packets = outcome.summary === null ? 'no summary' : `${outcome.summary.packets} packets`;
    const error = outcome.error === null ? '' : `, error: ${outcome.error.message}`;
    process.stdout.write(
      `\n${status} ${capture.relativePath}: ${packets} (tshark ${truth.packets}), ${outcome.flows.length} flows, ${differences.length} differences (${differences.length - unexplained.length} accepted), ${elapsedMs.toFixed(0)} ms${error}\n`,
    );
    const shown = (options.showAccepted ? rows : unexplained).slice(0, options.limit);
    if (shown.length === 0) continue;
    const tableRows = shown.map(({ difference, acceptance }) => [
      `${difference.reference} ${difference.table}`,
      difference.key,
      difference.field,
      String(difference.expected),
      String(difference.found),
      acceptance === undefined ? '' : `accepted: ${acceptance.reason}`,
    ]);
    process.stdout.write(
      `${formatTable(['reference', 'pair / flow (direction)', 'field', 'expected', 'found', ''], tableRows)}\n`,
    );
    const hidden = (options.showAccepted ? rows : unexplained).length - shown.length;
    if (hidden > 0) process.stdout.write(`... ${hidden} more (use --limit)\n`);
  }

  if (!options.isJson) {
    process.stdout.write(`\n${selected.length - failing.length} of ${selected.length} captures conform.\n`);
    if (failing.length > 0) process.stdout.write(`Failing: ${failing.join(', ')}\n`);
  }
  process.exitCode = failing.length === 0 ? 0 : 1;
}

await main();
