/**
 * Rewrite the timestamps of a classic pcap file (microsecond or nanosecond,
 * either byte order) so behaviour recorded in minutes reads as hours:
 *
 *   new time = START + (old time - first packet time) * STRETCH
 *
 * Packet bytes and order are unchanged, so flows, histories and byte counts
 * stay as recorded; only gaps grow (round-trip times too: a 1 ms RTT
 * stretched 60 times reads as 60 ms).
 *
 *   npx tsx scripts/lab/rewrite-pcap-times.ts IN.pcap OUT.pcap --stretch 60 [--start 2025-12-02T02:00:00Z]
 *
 * Without --start the first packet keeps its time. Exits 2 on bad
 * arguments, 1 on a file that is not a classic pcap or is cut short.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface RewriteOptions {
  stretch: number;
  /** New time of the first packet, microseconds since the epoch; null keeps it. */
  startUs: number | null;
}

/**
 * Return a rewritten copy of `file`. Throws an Error naming the byte offset
 * when the header or a record is cut short or the magic number is unknown.
 */
export function rewritePcapTimes(file: Uint8Array, options: RewriteOptions): Uint8Array {
  if (file.length < 24) throw new Error(`pcap header needs 24 bytes, found ${file.length}`);
  const out = new Uint8Array(file);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const magicLittle = view.getUint32(0, true);
  let isLittle: boolean;
  let unitsPerSecond: number;
  if (magicLittle === 0xa1b2c3d4 || magicLittle === 0xa1b23c4d) {
    isLittle = true;
    unitsPerSecond = magicLittle === 0xa1b2c3d4 ? 1_000_000 : 1_000_000_000;
  } else {
    const magicBig = view.getUint32(0, false);
    if (magicBig !== 0xa1b2c3d4 && magicBig !== 0xa1b23c4d) {
      throw new Error(`offset 0: expected a classic pcap magic number, found 0x${magicLittle.toString(16)}`);
    }
    isLittle = false;
    unitsPerSecond = magicBig === 0xa1b2c3d4 ? 1_000_000 : 1_000_000_000;
  }

  let firstUs: number | null = null;
  let offset = 24;
  while (offset < out.length) {
    if (offset + 16 > out.length)
      throw new Error(`offset ${offset}: record header needs 16 bytes, found ${out.length - offset}`);
    const seconds = view.getUint32(offset, isLittle);
    const fraction = view.getUint32(offset + 4, isLittle);
    const capturedLength = view.getUint32(offset + 8, isLittle);
    if (offset + 16 + capturedLength > out.length) {
      throw new Error(
        `offset ${offset}: record claims ${capturedLength} bytes, only ${out.length - offset - 16} remain`,
      );
    }
    const timeUs = seconds * 1_000_000 + Math.floor((fraction * 1_000_000) / unitsPerSecond);
    if (firstUs === null) firstUs = timeUs;
    const newUs = Math.round((options.startUs ?? firstUs) + (timeUs - firstUs) * options.stretch);
    const newSeconds = Math.floor(newUs / 1_000_000);
    const newFraction = ((newUs % 1_000_000) * unitsPerSecond) / 1_000_000;
    view.setUint32(offset, newSeconds, isLittle);
    view.setUint32(offset + 4, newFraction, isLittle);
    offset += 16 + capturedLength;
  }
  return out;
}

function main(argv: string[]): number {
  const [input, output, ...rest] = argv;
  let stretch = 1;
  let startUs: number | null = null;
  for (let i = 0; i < rest.length; i += 2) {
    const value = rest[i + 1];
    if (rest[i] === '--stretch' && value !== undefined && Number(value) > 0) stretch = Number(value);
    else if (rest[i] === '--start' && value !== undefined && !Number.isNaN(Date.parse(value)))
      startUs = Date.parse(value) * 1000;
    else {
      process.stderr.write(
        `rewrite-pcap-times: unexpected argument "${rest[i]}" (expected --stretch N or --start ISO-TIME)\n`,
      );
      return 2;
    }
  }
  if (input === undefined || output === undefined) {
    process.stderr.write('usage: rewrite-pcap-times.ts IN.pcap OUT.pcap [--stretch N] [--start ISO-TIME]\n');
    return 2;
  }
  try {
    writeFileSync(output, rewritePcapTimes(readFileSync(input), { stretch, startUs }));
  } catch (error) {
    process.stderr.write(`rewrite-pcap-times: ${input}: ${(error as Error).message}\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  process.exitCode = main(process.argv.slice(2));
}
