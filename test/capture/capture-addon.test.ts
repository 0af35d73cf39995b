import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { loadCaptureAddonFrom } from '../../src/main/capture/capture-addon';
import { CaptureError } from '../../src/main/capture/capture-error';
import { describeCaptureInstall, describeCapturePermissionFix } from '../../src/main/capture/permission-advice';

const folder = mkdtempSync(join(tmpdir(), 'tlcap-addon-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function catchError(run: () => unknown): CaptureError {
  try {
    run();
  } catch (error) {
    if (error instanceof CaptureError) return error;
    throw error;
  }
  throw new Error('expected a CaptureError');
}

describe('loadCaptureAddonFrom', () => {
  it('names the Debian and Fedora packages when nothing is built', () => {
    const error = catchError(() => loadCaptureAddonFrom([join(folder, 'missing.node')], 'linux'));
    expect(error.code).toBe('capture-unavailable');
    expect(error.message).toContain('libpcap-dev');
    expect(error.message).toContain('libpcap-devel');
    expect(error.message).toContain('npm run build:capture');
    expect(error.message).toContain(join(folder, 'missing.node'));
  });

  it('names Xcode tools on macOS and Npcap on Windows', () => {
    expect(catchError(() => loadCaptureAddonFrom([], 'darwin')).message).toContain('xcode-select --install');
    expect(catchError(() => loadCaptureAddonFrom([], 'win32')).message).toContain('Npcap');
    expect(catchError(() => loadCaptureAddonFrom([], 'win32')).message).toContain('SDK');
  });

  it('reports a file that is no addon', () => {
    const path = join(folder, 'broken.node');
    writeFileSync(path, 'not a shared object');
    const error = catchError(() => loadCaptureAddonFrom([path], 'linux'));
    expect(error.code).toBe('capture-unavailable');
    expect(error.message).toContain(`${path} failed to load`);
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('permission advice', () => {
  it('gives setcap on Linux, never root', () => {
    const text = describeCapturePermissionFix('linux', '/usr/bin/node');
    expect(text).toContain('sudo setcap cap_net_raw,cap_net_admin=eip $(readlink -f /usr/bin/node)');
    expect(text).not.toMatch(/run (it |tideline )?as root/i);
  });

  it('quotes a path with spaces', () => {
    expect(describeCapturePermissionFix('linux', '/opt/My App/tideline')).toContain("$(readlink -f '/opt/My App/tideline')");
  });

  it('gives ChmodBPF on macOS and Npcap on Windows', () => {
    expect(describeCapturePermissionFix('darwin', '/x')).toContain('ChmodBPF');
    expect(describeCapturePermissionFix('darwin', '/x')).toContain('access_bpf');
    expect(describeCapturePermissionFix('win32', 'C:/x.exe')).toContain('Npcap');
  });

  it('names the install per platform', () => {
    expect(describeCaptureInstall('linux')).toContain('libpcap-dev');
    expect(describeCaptureInstall('darwin')).toContain('Xcode');
  });
});
