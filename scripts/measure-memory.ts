/**
 * Measures the peak resident memory of `tideline analyze` on generated
 * captures of growing size, to show that memory follows the active flows and
 * not the file size.
 *
 *   npx tsx scripts/measure-memory.ts [--sizes 64,128,256,512,1024] [--dir DIR] [--no-build]
 *
 * Sizes are MiB. Captures come from scripts/steady-capture.ts (a steady
 * 1,000 sessions per second of capture time, two flows each) and are kept in
 * DIR (default .bench/memory) for the next run. Each one is analyzed once by
 * `node bin/tideline.mjs analyze` under `/usr/bin/time -f %M`, which reports
 * the peak resident set size in KiB. Prints a Markdown table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { writeSteadyCapture } from './steady-capture';

const MIB = 1024 * 1024;

interface Row {
  sizeMiB: number;
  fileBytes: number;
  packets: number;
  flows: number;
  peakRssKiB: number;
  seconds: number;
}

function readOption(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
}

function main(): void {
  const sizes = (readOption('--sizes') ?? '64,128,256,512,1024').split(',').map(Number);
  const directory = resolve(readOption('--dir') ?? '.bench/memory');
  mkdirSync(directory, { recursive: true });
  if (!existsSync('/usr/bin/time'))
    throw new Error('/usr/bin/time is missing: install it with "apt-get install -y time"');
  if (!process.argv.includes('--no-build')) {
    const build = spawnSync('npm', ['run', '--silent', 'build:cli'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build:cli failed');
  }

  const rows: Row[] = [];
  for (const sizeMiB of sizes) {
    const path = join(directory, `steady-${sizeMiB}MiB.pcap`);
    if (!existsSync(path) || statSync(path).size < sizeMiB * MIB) {
      process.stderr.write(`generating ${path}\n`);
      writeSteadyCapture(path, { targetBytes: sizeMiB * MIB });
    }
    const outputDirectory = join(directory, `steady-${sizeMiB}MiB.tideline`);
    rmSync(outputDirectory, { recursive: true, force: true });
    const started = performance.now();
    const run = spawnSync(
      '/usr/bin/time',
      ['-f', '%M', process.execPath, 'bin/tideline.mjs', 'analyze', path, '--out', outputDirectory],
      {
        encoding: 'utf8',
        maxBuffer: 64 * MIB,
      },
    );
    const seconds = (performance.now() - started) / 1000;
    if (run.status !== 0) throw new Error(`tideline analyze ${path} failed (${run.status}): ${run.stderr}`);
    const peakRssKiB = Number(run.stderr.trim().split('\n').at(-1));
    const packets = Number(/packets\D*([\d,]+)/i.exec(run.stdout)?.[1]?.replaceAll(',', '') ?? Number.NaN);
    const flows = Number(/\(([\d,]+) flows/.exec(run.stdout)?.[1]?.replaceAll(',', '') ?? Number.NaN);
    rows.push({ sizeMiB, fileBytes: statSync(path).size, packets, flows, peakRssKiB, seconds });
    process.stderr.write(`${sizeMiB} MiB: peak RSS ${(peakRssKiB / 1024).toFixed(0)} MiB in ${seconds.toFixed(1)} s\n`);
  }

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    `Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n\n`,
  );
  process.stdout.write('| capture | packets | flows | peak RSS | wall time |\n|---|---:|---:|---:|---:|\n');
  for (const row of rows) {
    process.stdout.write(
      `| ${row.sizeMiB} MiB | ${row.packets.toLocaleString('en-US')} | ${row.flows.toLocaleString('en-US')} | ` +
        `${(row.peakRssKiB / 1024).toFixed(0)} MiB | ${row.seconds.toFixed(1)} s |\n`,
    );
  }
}

main();
