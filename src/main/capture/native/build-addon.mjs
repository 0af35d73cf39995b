#!/usr/bin/env node
// Build the libpcap addon with node-gyp. Live capture is optional, so a failed
// build prints what to install and exits 0 unless --strict is given; saved
// captures open without the addon.
//
//   node src/main/capture/native/build-addon.mjs [--strict]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDirectory = dirname(fileURLToPath(import.meta.url));
const isStrict = process.argv.includes('--strict');
const require = createRequire(import.meta.url);

const INSTALL_HINTS = {
  linux:
    'install the libpcap development files (Debian/Ubuntu: sudo apt-get install libpcap-dev; Fedora: sudo dnf install libpcap-devel) and a C++ compiler (build-essential / gcc-c++)',
  darwin: 'install the Xcode command line tools (xcode-select --install), which include libpcap',
  win32:
    'install Npcap (https://npcap.com) and unpack the Npcap SDK, then set NPCAP_SDK to its folder; Visual Studio Build Tools with C++ are also needed',
};

let nodeGyp;
try {
  nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  finish('node-gyp is not installed (it is a devDependency; run npm install in the repository)');
}

// Node ships its headers beside the binary in official builds; using them avoids a download from nodejs.org.
const arguments_ = [nodeGyp, 'rebuild', '-C', nativeDirectory];
const nodeDirectory = dirname(dirname(process.execPath));
if (existsSync(join(nodeDirectory, 'include', 'node', 'node_api.h'))) arguments_.push(`--nodedir=${nodeDirectory}`);

const result = spawnSync(process.execPath, arguments_, { stdio: 'inherit' });
if (result.status !== 0) finish(`node-gyp exited with status ${result.status ?? result.signal}`);
process.stdout.write(
  `live capture addon built: ${join(nativeDirectory, 'build', 'Release', 'tideline_capture.node')}\n`,
);

function finish(reason) {
  const hint = INSTALL_HINTS[process.platform] ?? 'install libpcap and its development headers';
  process.stderr.write(
    `\nThe live capture addon was not built (${reason}).\n` +
      `Saved captures still open. To enable live capture, ${hint}, then run: npm run build:capture\n\n`,
  );
  process.exit(isStrict ? 1 : 0);
}
