#!/usr/bin/env node
// Launcher for the bundled command line; `npm install` builds it through `prepare`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = fileURLToPath(new URL('../out/cli/tideline.mjs', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write(`tideline: ${entry} is missing. Run "npm install" or "npm run build:cli" in the repository first.\n`);
  process.exit(1);
}
await import(pathToFileURL(entry).href);
