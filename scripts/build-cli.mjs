// Bundle the command-line entry into out/cli so `tideline` runs on plain Node,
// and the engine process beside it, which `tideline serve` forks.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
};

await build({ ...common, entryPoints: ['src/main/cli/main.ts'], outfile: 'out/cli/tideline.mjs' });
await build({ ...common, entryPoints: ['src/main/engine/host/engine-process.ts'], outfile: 'out/cli/engine-process.mjs' });
