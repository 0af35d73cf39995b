/**
 * The same journey in the Electron app, where an Electron binary is
 * installed. `npm ci` with ELECTRON_SKIP_BINARY_DOWNLOAD=1 (as CI and
 * air-gapped machines run it) leaves the electron package without its
 * binary; the test then reports itself skipped with that reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { _electron as electron, test } from '@playwright/test';

import { runJourney } from './journey';
import { repositoryRoot, samplePath } from './sample-facts';

/**
 * Returns the Electron binary's path, or null with the reason it is unusable.
 * The electron package's main export is that path, but requiring it while
 * the binary is missing starts a download, so its path.txt is checked first
 * and `require('electron')` runs only once the binary is known to exist.
 */
function findElectronBinary(): { path: string | null; reason: string } {
  const require = createRequire(import.meta.url);
  let packageFolder: string;
  try {
    packageFolder = dirname(require.resolve('electron/package.json'));
  } catch {
    return { path: null, reason: 'the electron package is not installed' };
  }
  const pathFile = join(packageFolder, 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      path: null,
      reason: `the Electron binary was never downloaded (${pathFile} is missing; npm ci ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1 or offline)`,
    };
  }
  const distFolder = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageFolder, 'dist');
  const expected = join(distFolder, readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(expected)) return { path: null, reason: `the Electron binary ${expected} does not exist` };

  const path = require('electron') as unknown;
  if (typeof path !== 'string' || !existsSync(path)) {
    return { path: null, reason: `require('electron') returned ${String(path)}, which does not exist` };
  }
  return { path, reason: '' };
}

function findMainEntry(): string {
  const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { main?: string };
  return join(repositoryRoot, manifest.main ?? join('out', 'main', 'index.js'));
}

const binary = findElectronBinary();
// The list reporter does not print skip reasons, so say it where CI logs show it.
if (binary.path === null) console.warn(`Electron end-to-end test skipped: ${binary.reason}.`);

test('journey on the sample in the Electron app', async ({}, testInfo) => {
  test.skip(binary.path === null, `Electron end-to-end test skipped: ${binary.reason}.`);
  const mainEntry = findMainEntry();
  if (!existsSync(mainEntry)) throw new Error(`${mainEntry} is missing: run "npm run build" first.`);

  // --no-sandbox: Chromium's sandbox cannot start as root, which is how CI containers run.
  const app = await electron.launch({
    executablePath: binary.path ?? undefined,
    args: ['--no-sandbox', mainEntry, samplePath],
    cwd: repositoryRoot,
  });
  try {
    const page = await app.firstWindow();
    await page.setViewportSize({ width: 1440, height: 900 });
    await runJourney(page, testInfo, { isUpdatingDocs: false, isCheckingDownloads: false });
  } finally {
    await app.close();
  }
});
