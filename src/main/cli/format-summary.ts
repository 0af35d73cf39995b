import { join } from 'node:path';
import type { CaptureSummary, ProblemTally } from '../../shared/domain/capture-summary';

/** Render a capture summary as the plain text `tideline analyze` prints. */
export function formatCaptureSummary(summary: CaptureSummary): string {
  const lines: string[] = [];
  lines.push(`capture: ${summary.path} (${summary.format}${summary.isCompressed ? ', gzip' : ''}, ${summary.fileBytes} bytes)`);
  lines.push(`packets: ${summary.packets}  captured bytes: ${summary.capturedBytes}  wire bytes: ${summary.wireBytes}`);
  lines.push(`flows: ${summary.flows}`);
  if (summary.firstUs !== null && summary.lastUs !== null) {
    lines.push(`time span: ${formatUtc(summary.firstUs)} to ${formatUtc(summary.lastUs)} UTC (${((summary.lastUs - summary.firstUs) / 1e6).toFixed(6)} s)`);
  } else {
    lines.push('time span: none (no packets)');
  }
  const linkTypes = summary.linkTypes.map((entry) => `${entry.name} (${entry.linkType}): ${entry.packets}`).join(', ');
  lines.push(`link types: ${linkTypes === '' ? 'none' : linkTypes}`);
  lines.push(...formatTallies('file problems', summary.fileProblems));
  lines.push(...formatTallies('decode problems', summary.decodeProblems));
  if (summary.isCancelled) lines.push('analysis cancelled before the end of the file');
  return `${lines.join('\n')}\n`;
}

function formatTallies(title: string, tallies: ProblemTally[]): string[] {
  if (tallies.length === 0) return [`${title}: none`];
  const lines = [`${title}:`];
  for (const tally of tallies) {
    lines.push(`  ${tally.code}: ${tally.count}`);
    for (const example of tally.examples) {
      const where = example.packetNumber === null ? `byte offset ${example.fileOffset}` : `packet ${example.packetNumber} at byte offset ${example.fileOffset}`;
      lines.push(`    ${where}: ${example.message}`);
    }
  }
  return lines;
}

function formatUtc(us: number): string {
  const date = new Date(Math.floor(us / 1000));
  // Timestamps beyond the year 275760 cannot be shown as a date; print seconds instead.
  if (Number.isNaN(date.getTime())) return `${(us / 1e6).toFixed(6)} s after the epoch`;
  const iso = date.toISOString();
  return `${iso.slice(0, 19).replace('T', ' ')}.${String(us % 1_000_000).padStart(6, '0')}`;
}

/** "1 record", "2 records". */
export function formatCount(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Files `analyze` and `capture` wrote, for the lines under the summary. */
export interface WrittenOutputs {
  directory: string;
  format: 'zeek' | 'json';
  /** conn.log rows written. */
  connFlows: number;
  /** conn.log rows before --filter; equal to connFlows without a filter. */
  connFlowsBeforeFilter: number;
  /** The --filter expression, or null. */
  displayFilter: string | null;
  /** Records per analyzer log that was written ("dns" → 12). */
  analyzerLogCounts: Record<string, number>;
  /** Rows of notice.log (0: not written, as in Zeek). */
  notices: number;
  alerts: number;
}

/** List each file written with its path and count, and for a filtered conn.log how many flows matched. */
export function formatWrittenOutputs(outputs: WrittenOutputs): string {
  const path = (name: string): string => join(outputs.directory, name);
  const formatName = outputs.format === 'json' ? 'Zeek JSON lines' : 'Zeek TSV';
  const flows =
    outputs.displayFilter === null
      ? formatCount(outputs.connFlows, 'flow')
      : `${outputs.connFlows} of ${formatCount(outputs.connFlowsBeforeFilter, 'flow')} match the filter ` +
        `'${outputs.displayFilter}'`;
  const lines = [`conn.log: ${path('conn.log')} (${flows}, ${formatName})`];
  for (const [name, count] of Object.entries(outputs.analyzerLogCounts)) {
    lines.push(`${name}.log: ${path(`${name}.log`)} (${formatCount(count, 'record')})`);
  }
  if (outputs.notices > 0) lines.push(`notice.log: ${path('notice.log')} (${formatCount(outputs.notices, 'notice')})`);
  lines.push(`alerts.jsonl: ${path('alerts.jsonl')} (${formatCount(outputs.alerts, 'alert')})`);
  return `${lines.join('\n')}\n`;
}

/** Format a usage error: the message (with its caret for a filter) and where the options are described. */
export function formatUsageError(command: string, error: string): string {
  return `tideline ${command}: ${error}\nRun "tideline ${command} --help" for the options.\n`;
}
