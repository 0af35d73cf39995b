/**
 * Runs tshark over a capture and returns selected fields per frame, for
 * tests that check generated captures against an independent dissector.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

/** Preferences that make tshark verify IPv4, TCP and UDP checksums, which it skips by default (ICMP and ICMPv6 it always checks). */
const CHECKSUM_PREFERENCES = ['ip.check_checksum:TRUE', 'tcp.check_checksum:TRUE', 'udp.check_checksum:TRUE'];

/** Returns one record per frame mapping each requested field to its text ('' when absent). */
export function readTsharkFields(path: string, fields: string[]): Array<Record<string, string>> {
  const args = ['-r', path, '-n', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const preference of CHECKSUM_PREFERENCES) args.push('-o', preference);
  for (const field of fields) args.push('-e', field);
  const output = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const values = line.split('\t');
      return Object.fromEntries(fields.map((field, index) => [field, values[index] ?? '']));
    });
}

/** Expands an IPv4 or IPv6 address in text form to lowercase hex without separators. */
export function addressToHex(text: string): string {
  if (text.includes('.')) return text.split('.').map((octet) => Number(octet).toString(16).padStart(2, '0')).join('');
  const [head = '', tail = ''] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = text.includes('::') && tail !== '' ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(text.includes('::') ? missing : 0).fill('0'), ...tailGroups];
  return groups.map((group) => group.padStart(4, '0')).join('');
}
