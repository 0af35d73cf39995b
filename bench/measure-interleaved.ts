/**
 * A/B timing of flows-only bundles against the C ceiling, for changes to the
 * engine's hot path. Each round runs every bundle and `.bench/flow-ceiling`
 * once, in an order that rotates by one each round, so slow drift of a
 * shared machine spreads over all of them. Prints, per program, the median,
 * min and max of wall time and of CPU time (user plus system, from GNU time),
 * and the ceiling's median over the program's median.
 *
 *   npx tsx bench/measure-interleaved.ts CAPTURE [--rounds 5] BUNDLE.mjs...
 *
 * A bundle is bench/engine-flows-only.ts built with esbuild and the options
 * of scripts/build-cli.mjs (see bundle-subjects.ts), one per version of the
 * code; keep the old one under another name before rebuilding. Needs
 * /usr/bin/time (Debian package `time`) and a compiled .bench/flow-ceiling
 * (bench/run.ts builds it).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { basename } from 'node:path';

interface Subject {
  name: string;
  argv: string[];
  wallSeconds: number[];
  cpuSeconds: number[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function describe(values: number[]): string {
  return `median ${median(values).toFixed(2)} s (min ${Math.min(...values).toFixed(2)}, max ${Math.max(...values).toFixed(2)})`;
}

/** Run one program under GNU time. Returns its wall and CPU seconds, and throws when it fails. */
function timeProgram(subject: Subject): { wall: number; cpu: number } {
  const result = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', ...subject.argv], { encoding: 'utf8' });
  const match = /TIME (\S+) (\S+) (\S+)/.exec(result.stderr ?? '');
  if (result.status !== 0 || match === null) {
    throw new Error(`${subject.name} failed with status ${result.status}: ${result.stderr ?? result.error?.message}`);
  }
  return { wall: Number(match[1]), cpu: Number(match[2]) + Number(match[3]) };
}

function main(args: string[]): void {
  const roundsIndex = args.indexOf('--rounds');
  const rounds = roundsIndex < 0 ? 5 : Number(args[roundsIndex + 1]);
  const positional = args.filter((argument, index) => !argument.startsWith('--') && index !== roundsIndex + 1);
  const [capture, ...bundles] = positional;
  if (capture === undefined || bundles.length === 0 || !(rounds > 0)) {
    throw new Error('Usage: npx tsx bench/measure-interleaved.ts CAPTURE [--rounds 5] BUNDLE.mjs...');
  }

  const subjects: Subject[] = [
    ...bundles.map((bundle) => ({ name: basename(bundle), argv: ['node', bundle, capture], wallSeconds: [], cpuSeconds: [] })),
    { name: 'flow-ceiling', argv: ['.bench/flow-ceiling', capture], wallSeconds: [], cpuSeconds: [] },
  ];
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    loads.push(loadavg()[0] ?? 0);
    for (let step = 0; step < subjects.length; step++) {
      const subject = subjects[(step + round) % subjects.length] as Subject;
      const { wall, cpu } = timeProgram(subject);
      subject.wallSeconds.push(wall);
      subject.cpuSeconds.push(cpu);
    }
  }

  const ceiling = subjects[subjects.length - 1] as Subject;
  for (const subject of subjects) {
    const wallRatio = median(ceiling.wallSeconds) / median(subject.wallSeconds);
    const cpuRatio = median(ceiling.cpuSeconds) / median(subject.cpuSeconds);
    process.stdout.write(
      `${subject.name}: wall ${describe(subject.wallSeconds)}, ratio ${wallRatio.toFixed(2)}; cpu ${describe(subject.cpuSeconds)}, ratio ${cpuRatio.toFixed(2)}\n`,
    );
  }
  process.stdout.write(`load average (1 min) at each round: ${loads.map((load) => load.toFixed(2)).join(' ')}\n`);
}

main(process.argv.slice(2));
