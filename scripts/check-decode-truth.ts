/**
 * Compare the packet decoder's per-address-pair counts with the tshark truth
 * of the public captures: every non-quoted IP layer counts one frame and its
 * IP length, as tshark's `conv,ip` and `conv,ipv6` tables do.
 *
 * Usage: npx tsx scripts/check-decode-truth.ts [../shared/pcaps/public] [--verbose]
 * Prints one line per capture that disagrees. Reads pcap and pcapng with its
 * own minimal record iterator so that it does not depend on the readers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createDecodedPacket } from '../src/main/engine/decode/decoded-packet';
import { formatIpv4, formatIpv6 } from '../src/main/engine/decode/format-address';
import { decodePacket } from '../src/main/engine/decode/packet-decoder';

interface PairCount {
  frames: number;
  ipBytes: number;
}

/** Call `onPacket` for every packet of a pcap or pcapng file. */
function forEachPacket(bytes: Uint8Array, onPacket: (data: Uint8Array, linkType: number) => void): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic === 0x0a0d0d0a) {
    forEachPcapngPacket(bytes, view, onPacket);
    return;
  }
  const isLittle = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  const linkType = view.getUint32(20, isLittle) & 0xffff;
  let offset = 24;
  while (offset + 16 <= bytes.length) {
    const captured = view.getUint32(offset + 8, isLittle);
    if (offset + 16 + captured > bytes.length) break;
    onPacket(bytes.subarray(offset + 16, offset + 16 + captured), linkType);
    offset += 16 + captured;
  }
}

function forEachPcapngPacket(
  bytes: Uint8Array,
  view: DataView,
  onPacket: (data: Uint8Array, linkType: number) => void,
): void {
  let isLittle = true;
  let linkTypes: number[] = [];
  let offset = 0;
  while (offset + 12 <= bytes.length) {
    const type = view.getUint32(offset, isLittle);
    if (type === 0x0a0d0d0a) {
      isLittle = view.getUint32(offset + 8, true) === 0x1a2b3c4d;
      linkTypes = [];
    }
    const length = view.getUint32(offset + 4, isLittle);
    if (length < 12 || offset + length > bytes.length) break;
    if (type === 1) linkTypes.push(view.getUint16(offset + 8, isLittle));
    if (type === 6) {
      const interfaceId = view.getUint32(offset + 8, isLittle);
      const captured = view.getUint32(offset + 20, isLittle);
      onPacket(bytes.subarray(offset + 28, offset + 28 + captured), linkTypes[interfaceId] ?? -1);
    }
    if (type === 3) {
      const captured = Math.min(length - 16, bytes.length);
      onPacket(bytes.subarray(offset + 12, offset + 12 + captured), linkTypes[0] ?? -1);
    }
    offset += length;
  }
}

function countCapture(path: string): Map<string, PairCount> {
  let bytes: Uint8Array = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const out = createDecodedPacket();
  const pairs = new Map<string, PairCount>();
  forEachPacket(bytes, (data, linkType) => {
    decodePacket(data, linkType, out);
    for (let i = 0; i < out.layerCount; i++) {
      const layer = out.layers[i];
      if (layer === undefined || layer.isIcmpQuote) continue;
      const format = layer.ipVersion === 4 ? formatIpv4 : formatIpv6;
      const a = format(data, layer.sourceAddressOffset);
      const b = format(data, layer.destinationAddressOffset);
      const key = `${layer.ipVersion} ${a < b ? a : b} ${a < b ? b : a}`;
      const count = pairs.get(key) ?? { frames: 0, ipBytes: 0 };
      count.frames++;
      count.ipBytes += layer.ipLength;
      pairs.set(key, count);
    }
  });
  return pairs;
}

type TruthRow = [string, string, number, number, number, number, number, number];

function readTruth(path: string): { pairs: Map<string, PairCount>; isCut: boolean } | null {
  const truth = JSON.parse(readFileSync(path, 'utf8')) as {
    read_error?: string | null;
    flows?: Record<string, { rows: TruthRow[]; truncated: boolean }>;
  };
  if (truth.flows === undefined || (truth.read_error ?? null) !== null) return null;
  // A table cut at the row cap lists only some pairs: compare those only.
  const isCut = truth.flows['ip']?.truncated === true || truth.flows['ipv6']?.truncated === true;
  const pairs = new Map<string, PairCount>();
  for (const [table, version] of [['ip', 4], ['ipv6', 6]] as const) {
    for (const row of truth.flows[table]?.rows ?? []) {
      const [a, b, framesAb, , framesBa, , ipBytesAb, ipBytesBa] = row;
      const key = `${version} ${a < b ? a : b} ${a < b ? b : a}`;
      const count = pairs.get(key) ?? { frames: 0, ipBytes: 0 };
      count.frames += framesAb + framesBa;
      count.ipBytes += ipBytesAb + ipBytesBa;
      pairs.set(key, count);
    }
  }
  return { pairs, isCut };
}

export interface TruthComparison {
  /** Captures compared: those with a truth file that tshark could read. */
  checkedCount: number;
  /** Per capture path, one line per address pair whose frames or IP bytes differ. */
  differences: Map<string, string[]>;
}

/**
 * Decode every capture listed in `<root>/MANIFEST.tsv` that has a truth
 * file and compare its per-address-pair frames and IP bytes with tshark's.
 */
export function compareCapturesWithTruth(root: string): TruthComparison {
  const comparison: TruthComparison = { checkedCount: 0, differences: new Map() };
  for (const line of readFileSync(join(root, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1)) {
    const [path, kind] = line.split('\t');
    if (path === undefined || kind !== 'capture') continue;
    const truthPath = join(root, 'truth', `${path}.json`);
    if (!existsSync(truthPath)) continue;
    const truth = readTruth(truthPath);
    if (truth === null) continue;
    const expected = truth.pairs;
    const found = countCapture(join(root, path));
    comparison.checkedCount++;

    const differences: string[] = [];
    for (const key of truth.isCut ? expected.keys() : new Set([...expected.keys(), ...found.keys()])) {
      const e = expected.get(key) ?? { frames: 0, ipBytes: 0 };
      const f = found.get(key) ?? { frames: 0, ipBytes: 0 };
      if (e.frames !== f.frames || e.ipBytes !== f.ipBytes) {
        differences.push(`${key}: expected ${e.frames} frames/${e.ipBytes} bytes, found ${f.frames}/${f.ipBytes}`);
      }
    }
    if (differences.length > 0) comparison.differences.set(path, differences);
  }
  return comparison;
}

function main(): void {
  const root = process.argv[2] ?? resolve(import.meta.dirname, '../../shared/pcaps/public');
  const isVerbose = process.argv.includes('--verbose');
  if (!existsSync(join(root, 'MANIFEST.tsv'))) {
    console.log(`skipped: ${root}/MANIFEST.tsv not found`);
    return;
  }
  const comparison = compareCapturesWithTruth(root);
  for (const [path, differences] of comparison.differences) {
    console.log(`${path}: ${differences.length} pair(s) differ`);
    for (const difference of differences.slice(0, isVerbose ? 20 : 3)) console.log(`  ${difference}`);
  }
  console.log(`${comparison.checkedCount} captures checked, ${comparison.differences.size} disagree`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
