/**
 * The platform's fix for "this process may not capture". The message never
 * suggests running as root. It names the capability, group or driver that grants capture.
 *
 * `executablePath` is the binary that needs the permission: node for the
 * command line, the packaged app's binary for the desktop app.
 */
export function describeCapturePermissionFix(platform: NodeJS.Platform, executablePath: string): string {
  if (platform === 'linux') {
    return (
      `Grant packet capture to ${executablePath} once with: ` +
      `sudo setcap cap_net_raw,cap_net_admin=eip $(readlink -f ${quoteForShell(executablePath)}) ` +
      '(for the packaged app, run it on the app binary instead). Running Tideline as root is not needed.'
    );
  }
  if (platform === 'darwin') {
    return (
      'Allow access to /dev/bpf*: install the ChmodBPF launch daemon that comes with Wireshark ' +
      '(or run "sudo dseditgroup -o edit -a $USER -t user access_bpf" once it is installed), then log out and in again.'
    );
  }
  if (platform === 'win32') {
    return 'Install Npcap from https://npcap.com. If it was installed with "Restrict Npcap driver\'s access to Administrators only", reinstall it without that option.';
  }
  return 'Give this user read access to the packet capture device of this system; running Tideline as root is not needed.';
}

/** Name the packages that provide libpcap and its headers for building the capture addon. */
export function describeCaptureInstall(platform: NodeJS.Platform): string {
  if (platform === 'linux')
    return 'install libpcap-dev (Debian/Ubuntu) or libpcap-devel (Fedora/RHEL) and a C++ compiler';
  if (platform === 'darwin')
    return 'install the Xcode command line tools (xcode-select --install), which include libpcap';
  if (platform === 'win32') return 'install Npcap (https://npcap.com) and its SDK, and set NPCAP_SDK to the SDK folder';
  return 'install libpcap and its development headers';
}

function quoteForShell(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}
