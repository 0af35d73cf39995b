// Entry of `npm run fuzz`: runs scripts/fuzz/run-fuzz.ts under tsx, passing the arguments on.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./fuzz/run-fuzz.ts', import.meta.url));
const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...process.argv.slice(2)], { stdio: 'inherit' });
if (result.error) {
  process.stderr.write(`run-fuzz: could not start node with tsx: ${result.error.message}\n`);
  process.exit(1);
}
process.exit(result.status ?? 1);
