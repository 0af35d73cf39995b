/**
 * Compiles the C ceiling program into .bench/flow-ceiling with
 * `cc -O2 -o ... flow-ceiling.c -lpcap`, again only when the source is newer
 * than the binary.
 *
 *   npx tsx bench/ceiling/build-ceiling.ts
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE_PATH = join(dirname(fileURLToPath(import.meta.url)), 'flow-ceiling.c');
const BINARY_PATH = resolve(dirname(SOURCE_PATH), '..', '..', '.bench', 'flow-ceiling');

/** The compiler flags, also quoted in docs/benchmarks.md. */
export const CEILING_COMPILE_ARGUMENTS = ['-O2', '-Wall', '-Wextra', '-o', BINARY_PATH, SOURCE_PATH, '-lpcap'];

/** Returns the path of the compiled program, compiling it first when missing or stale; throws when cc fails. */
export function buildFlowCeiling(): string {
  if (existsSync(BINARY_PATH) && statSync(BINARY_PATH).mtimeMs >= statSync(SOURCE_PATH).mtimeMs) return BINARY_PATH;
  mkdirSync(dirname(BINARY_PATH), { recursive: true });
  try {
    execFileSync('cc', CEILING_COMPILE_ARGUMENTS, { stdio: ['ignore', 'inherit', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`Compiling ${SOURCE_PATH} failed (is libpcap-dev installed?): ${stderr.trim()}`, { cause: error });
  }
  return BINARY_PATH;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${buildFlowCeiling()}\n`);
}
