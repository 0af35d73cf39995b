/** Finds capture paths in a command line (start, second instance) so the app opens them. */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/** Extensions offered in the open dialog and registered as file associations. */
export const captureExtensions = ['pcap', 'pcapng', 'cap', 'gz'] as const;

/**
 * Find the last argument that names an existing regular file, resolved against
 * `workingDirectory`, or null. Flags (`--x`) and the executable and app
 * path (`skipCount` leading arguments) are skipped.
 */
export function findCapturePath(argv: readonly string[], skipCount: number, workingDirectory: string): string | null {
  const candidates = argv.slice(skipCount).filter((argument) => !argument.startsWith('-'));
  for (let index = candidates.length - 1; index >= 0; index -= 1) {
    const candidate = candidates[index] as string;
    const path = isAbsolute(candidate) ? candidate : resolve(workingDirectory, candidate);
    if (existsSync(path) && statSync(path).isFile()) return path;
  }
  return null;
}
