/**
 * Generates the deterministic benchmark capture, or finds it in the cache.
 *
 *   npx tsx bench/generate-capture.ts [--size 1GiB] [--seed 1] [--variant mix|flow-heavy]
 *                                     [--format pcap|pcapng] [--out FILE]
 *
 * Without --out the capture goes to .bench/ under a name made of variant,
 * seed, size and format, and an existing file of that name is reused. The
 * generator's summary (packets, conversations by kind) sits beside it as
 * FILE.json.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GeneratedCaptureFormat } from './generator/capture-writer';
import { CAPTURE_VARIANTS, generateCapture, type CaptureVariant, type GenerationSummary } from './generator/traffic-mix';

/** The repository's .bench folder, ignored by git. */
export const BENCH_CACHE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '.bench');

export interface CaptureRequest {
  seed: number;
  sizeBytes: number;
  variant: CaptureVariant;
  format: GeneratedCaptureFormat;
}

export interface CachedCapture {
  path: string;
  summary: GenerationSummary;
  /** True when this call wrote the file, false when it was found in the cache. */
  isNew: boolean;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** Parses "1GiB", "128MiB", "500MB" or a plain byte count; throws on anything else. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match === null ? undefined : SIZE_UNITS[match[2]!.toLowerCase()];
  if (match === null || unit === undefined) {
    throw new Error(`Invalid size "${text}": expected a number with an optional unit B, KB, MB, GB, KiB, MiB or GiB, e.g. 1GiB.`);
  }
  return Math.round(Number(match[1]) * unit);
}

/** Formats a byte count the way sizes are given on the command line, e.g. "128MiB". */
export function formatSize(bytes: number): string {
  if (bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3}GiB`;
  if (bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}MiB`;
  return `${bytes}B`;
}

export function cachedCapturePath(request: CaptureRequest): string {
  return join(BENCH_CACHE_DIR, `capture-${request.variant}-seed${request.seed}-${formatSize(request.sizeBytes)}.${request.format}`);
}

/** Returns the cached capture for `request`, generating it first when missing. */
export function ensureCapture(request: CaptureRequest): CachedCapture {
  const path = cachedCapturePath(request);
  const summaryPath = `${path}.json`;
  if (existsSync(path) && existsSync(summaryPath)) {
    return { path, summary: JSON.parse(readFileSync(summaryPath, 'utf8')) as GenerationSummary, isNew: false };
  }

  // Write under a temporary name, so an interrupted run leaves no file that looks complete.
  mkdirSync(BENCH_CACHE_DIR, { recursive: true });
  const partialPath = `${path}.partial`;
  const summary = generateCapture({ path: partialPath, ...request });
  renameSync(partialPath, path);
  writeFileSync(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  return { path, summary, isNew: true };
}

function readOption(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`Option ${name} needs a value.`);
  return value;
}

function main(args: string[]): void {
  const variant = (readOption(args, '--variant') ?? 'mix') as CaptureVariant;
  if (!CAPTURE_VARIANTS.includes(variant)) throw new Error(`Invalid --variant "${variant}": expected ${CAPTURE_VARIANTS.join(' or ')}.`);
  const format = (readOption(args, '--format') ?? 'pcap') as GeneratedCaptureFormat;
  if (format !== 'pcap' && format !== 'pcapng') throw new Error(`Invalid --format "${String(format)}": expected pcap or pcapng.`);
  const seed = Number(readOption(args, '--seed') ?? '1');
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`Invalid --seed: expected an integer from 0 to 4294967295.`);
  const request: CaptureRequest = { seed, sizeBytes: parseSize(readOption(args, '--size') ?? '1GiB'), variant, format };

  const started = performance.now();
  const out = readOption(args, '--out');
  if (out !== undefined) {
    const summary = generateCapture({ path: out, ...request });
    process.stdout.write(`${out}: ${summary.packets} packets, ${summary.fileBytes} bytes in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    return;
  }
  const capture = ensureCapture(request);
  const verb = capture.isNew ? 'generated' : 'found in cache';
  process.stdout.write(`${capture.path}: ${capture.summary.packets} packets, ${capture.summary.fileBytes} bytes, ${verb} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
