/**
 * "Open in Wireshark": find a `wireshark` executable on PATH and start it on
 * a capture file. The host process (Electron main or `tideline serve`) runs
 * this, so Wireshark opens on the machine that stores the file.
 *
 * NOTE: we spawn `wireshark FILE` rather than Electron's shell.openPath,
 * because the system's default application for .pcapng is not always
 * Wireshark, and the button promises Wireshark.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { fail, succeed, type Result } from '../../shared/errors';

/** Return the file names of the Wireshark executable on `platform`. */
function executableNames(platform: NodeJS.Platform): string[] {
  return platform === 'win32' ? ['Wireshark.exe', 'wireshark.exe'] : ['wireshark'];
}

/**
 * Stat `path`, or return undefined when it cannot be read: a PATH entry may be
 * a folder this user may not enter (EACCES), which is not an error here.
 */
function statQuietly(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** Return where installers put Wireshark outside PATH. */
function wellKnownLocations(platform: NodeJS.Platform): string[] {
  if (platform === 'darwin') return ['/Applications/Wireshark.app/Contents/MacOS/Wireshark'];
  if (platform === 'win32') return ['C:\\Program Files\\Wireshark\\Wireshark.exe'];
  return [];
}

function isExecutableFile(path: string, platform: NodeJS.Platform): boolean {
  const info = statQuietly(path);
  if (info === undefined || !info.isFile()) return false;
  if (platform === 'win32') return true;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Return the absolute path of the first `wireshark` executable in `pathVariable`
 * (a PATH value), then in the platform's install folder; null when none.
 * Relative PATH entries are skipped, so the current folder never supplies it.
 */
export function findWireshark(pathVariable: string | undefined, platform: NodeJS.Platform = process.platform): string | null {
  const folders = (pathVariable ?? '').split(platform === 'win32' ? ';' : delimiter).filter((folder) => isAbsolute(folder));
  for (const folder of folders) {
    for (const name of executableNames(platform)) {
      const candidate = join(folder, name);
      if (isExecutableFile(candidate, platform)) return candidate;
    }
  }
  for (const candidate of wellKnownLocations(platform)) if (isExecutableFile(candidate, platform)) return candidate;
  return null;
}

/** Capture file names Wireshark is asked to open. */
const capturePattern = /\.(pcap|pcapng|cap)(\.gz)?$/i;

export type SpawnDetached = (executable: string, args: string[]) => void;

const spawnDetached: SpawnDetached = (executable, args) => {
  const child = spawn(executable, args, { detached: true, stdio: 'ignore' });
  // A Wireshark that fails to start must not crash the host. The analyst gets no window and can retry.
  child.on('error', () => undefined);
  child.unref();
};

/**
 * Start `executable` on capture `path`. Refuses a relative path, a file that
 * does not exist and a name that is not a capture, so the request cannot be
 * used to run Wireshark on arbitrary files or with options.
 */
export function openInWireshark(
  executable: string,
  path: string,
  run: SpawnDetached = spawnDetached,
): Result<{ path: string }> {
  if (!isAbsolute(path)) return fail('invalid-argument', `Open in Wireshark needs an absolute path; got ${path}.`, { field: 'path' });
  if (!capturePattern.test(path)) {
    return fail('invalid-argument', `Open in Wireshark opens .pcap, .pcapng or .cap files; got ${path}.`, { field: 'path' });
  }
  const info = statQuietly(path);
  if (info === undefined || !info.isFile()) return fail('file-not-found', `${path} does not exist, so Wireshark cannot open it.`, { path });
  // "--" ends Wireshark's options, so a file name can never be read as one.
  run(executable, ['--', path]);
  return succeed({ path });
}

/** True when `host` (the address `tideline serve` binds) only takes connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}
