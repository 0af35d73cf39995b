/**
 * Prints the functions with the most self time in a V8 CPU profile, as
 * written by `node --cpu-prof`, with source positions mapped back through
 * the bundle's source map when one sits beside it.
 *
 *   npx tsx bench/summarize-profile.ts PROFILE.cpuprofile [--top 15]
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  functionName: string;
  location: string;
  selfShare: number;
}

const sourceMaps = new Map<string, SourceMap | null>();

function loadSourceMap(url: string): SourceMap | null {
  if (!sourceMaps.has(url)) {
    const path = url.startsWith('file://') ? fileURLToPath(url) : url;
    const mapPath = `${path}.map`;
    sourceMaps.set(url, existsSync(mapPath) ? new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8')) as SourceMapPayload) : null);
  }
  return sourceMaps.get(url)!;
}

function describeLocation(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') return '(native)';
  const map = loadSourceMap(frame.url);
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
  if (entry !== undefined && 'originalSource' in entry && entry.originalSource !== undefined) {
    return `${entry.originalSource.replace(/^.*?\/src\//, 'src/')}:${entry.originalLine + 1}`;
  }
  return `${frame.url.replace(/^.*\//, '')}:${frame.lineNumber + 1}`;
}

/** Returns functions by share of samples spent in their own code, largest first. */
export function summarizeProfile(profile: CpuProfile, top: number): HotSpot[] {
  const totals = new Map<string, HotSpot>();
  const totalHits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const functionName = node.callFrame.functionName === '' ? '(anonymous)' : node.callFrame.functionName;
    const location = describeLocation(node.callFrame);
    const key = `${functionName} ${location}`;
    const spot = totals.get(key) ?? { functionName, location, selfShare: 0 };
    spot.selfShare += hits / totalHits;
    totals.set(key, spot);
  }
  return [...totals.values()].sort((a, b) => b.selfShare - a.selfShare).slice(0, top);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [path] = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
  if (path === undefined) throw new Error('Missing profile path: npx tsx bench/summarize-profile.ts PROFILE.cpuprofile [--top 15]');
  const topIndex = process.argv.indexOf('--top');
  const top = topIndex < 0 ? 15 : Number(process.argv[topIndex + 1]);
  for (const spot of summarizeProfile(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, top)) {
    process.stdout.write(`${(spot.selfShare * 100).toFixed(1).padStart(5)}%  ${spot.functionName}  ${spot.location}\n`);
  }
}
