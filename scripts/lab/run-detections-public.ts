/**
 * Run the detectors with default settings over every capture listed in
 * ../shared/pcaps/public/MANIFEST.tsv and print, per detector and severity,
 * how many alerts they raised and on which captures. Used for the public
 * captures section of docs/detections.md. Exits 0 with a note when the
 * folder is absent, as in a fresh clone.
 *
 *   npx tsx scripts/lab/run-detections-public.ts [PUBLIC_DIR] [--json OUT.json]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Alert } from '../../src/shared/domain/alert';
import { detectCapture } from '../../src/main/engine/detectors/detect-capture';

const jsonIndex = process.argv.indexOf('--json');
const jsonPath = jsonIndex > 0 ? process.argv[jsonIndex + 1] : undefined;
const directory =
  process.argv[2] !== undefined && process.argv[2] !== '--json'
    ? process.argv[2]
    : join(import.meta.dirname, '../../../shared/pcaps/public');
const manifestPath = join(directory, 'MANIFEST.tsv');
if (!existsSync(manifestPath)) {
  process.stdout.write(`no public captures at ${directory} (MANIFEST.tsv missing); nothing to run\n`);
  process.exit(0);
}

const rows = readFileSync(manifestPath, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'));
const results: { path: string; alerts: Pick<Alert, 'detector' | 'severity' | 'score' | 'title'>[]; error?: string }[] =
  [];
for (const row of rows) {
  const [path = '', kind = ''] = row;
  if (kind !== 'capture') continue;
  try {
    const { alerts } = await detectCapture(join(directory, path));
    results.push({
      path,
      alerts: alerts.map(({ detector, severity, score, title }) => ({ detector, severity, score, title })),
    });
  } catch (error) {
    results.push({ path, alerts: [], error: (error as Error).message });
  }
}

const tally = new Map<string, { count: number; captures: Set<string>; bySeverity: Record<string, number> }>();
for (const result of results) {
  for (const alert of result.alerts) {
    let entry = tally.get(alert.detector);
    if (entry === undefined) {
      entry = { count: 0, captures: new Set(), bySeverity: {} };
      tally.set(alert.detector, entry);
    }
    entry.count++;
    entry.captures.add(result.path);
    entry.bySeverity[alert.severity] = (entry.bySeverity[alert.severity] ?? 0) + 1;
  }
}
process.stdout.write(`${results.length} captures, ${results.filter((r) => r.error !== undefined).length} unreadable\n`);
process.stdout.write('| detector | alerts | captures | by severity |\n|---|---|---|---|\n');
for (const [detector, entry] of [...tally].sort((a, b) => b[1].count - a[1].count)) {
  const severities = Object.entries(entry.bySeverity)
    .map(([severity, count]) => `${severity} ${count}`)
    .join(', ');
  process.stdout.write(`| ${detector} | ${entry.count} | ${entry.captures.size} | ${severities} |\n`);
}
if (jsonPath !== undefined) writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
