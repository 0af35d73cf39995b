/**
 * Bundles the Tideline programs under test into .bench/ with esbuild, using
 * the same options as scripts/build-cli.mjs: the `tideline` command line
 * (src/main/cli/main.ts), the flows-only entry (bench/engine-flows-only.ts),
 * and the app's engine process with bench/open-case.ts, which drives it.
 * The benchmark keeps its own copies so a rebuild of out/ during a run cannot
 * change the program being measured.
 */
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface BundledSubjects {
  cliPath: string;
  flowsOnlyPath: string;
  /** bench/open-case.ts, which forks engine-process.mjs beside it. */
  openCasePath: string;
}

/** Bundles both programs and returns their paths; throws when esbuild reports an error. */
export async function bundleSubjects(): Promise<BundledSubjects> {
  const outputDirectory = join(REPOSITORY_ROOT, '.bench');
  const cliPath = join(outputDirectory, 'tideline-cli.mjs');
  const flowsOnlyPath = join(outputDirectory, 'engine-flows-only.mjs');
  const common = { bundle: true, platform: 'node', target: 'node20', format: 'esm', sourcemap: true, packages: 'external', logLevel: 'warning' } as const;
  // `serve` is loaded on demand and never runs here, so its module stays out of the bundle.
  await build({ ...common, entryPoints: [join(REPOSITORY_ROOT, 'src/main/cli/main.ts')], outfile: cliPath, external: ['./serve-command'] });
  await build({ ...common, entryPoints: [join(REPOSITORY_ROOT, 'bench/engine-flows-only.ts')], outfile: flowsOnlyPath });
  // The app's engine process, as scripts/build-cli.mjs bundles it, and the driver that opens a case with it.
  await build({ ...common, entryPoints: [join(REPOSITORY_ROOT, 'src/main/engine/host/engine-process.ts')], outfile: join(outputDirectory, 'engine-process.mjs') });
  const openCasePath = join(outputDirectory, 'open-case.mjs');
  await build({ ...common, entryPoints: [join(REPOSITORY_ROOT, 'bench/open-case.ts')], outfile: openCasePath });
  return { cliPath, flowsOnlyPath, openCasePath };
}
