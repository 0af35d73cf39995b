/**
 * Locates the public capture collection beside the repository and reads its
 * manifest and its per-capture tshark truth files.
 *
 * The collection lives outside the project (a fresh clone lacks it), so every
 * caller first checks `findPublicCaptures()` and skips when it returns null.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Folder of the shared material, `../shared` relative to the repository root. */
export const sharedRoot = path.resolve(repositoryRoot, '..', 'shared');

export interface PublicCaptures {
  /** Folder holding MANIFEST.tsv, the captures, truth/ and zeek/expected/. */
  root: string;
  captures: ManifestEntry[];
}

export interface ManifestEntry {
  /** Path relative to `root`, as MANIFEST.tsv lists it (also the key of accepted differences). */
  relativePath: string;
  absolutePath: string;
  sizeBytes: number;
  /** The manifest's format description, e.g. "pcap LE ts=us linktype=ether dlt=1". */
  format: string;
  /** tshark's verdict from the manifest: "ok" or a description of the damage. */
  tsharkVerdict: string;
}

/** Returns the public captures with kind == capture, or null when the shared folder is absent. */
export function findPublicCaptures(): PublicCaptures | null {
  const root = path.join(sharedRoot, 'pcaps', 'public');
  const manifestPath = path.join(root, 'MANIFEST.tsv');
  if (!existsSync(manifestPath)) return null;

  const lines = readFileSync(manifestPath, 'utf8').split('\n');
  const header = (lines[0] ?? '').split('\t');
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`${manifestPath}: column "${name}" missing from the header line`);
    return index;
  };
  const pathColumn = column('path');
  const kindColumn = column('kind');
  const sizeColumn = column('size');
  const formatColumn = column('format');
  const verdictColumn = column('tshark_verdict');

  const captures: ManifestEntry[] = [];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const cells = line.split('\t');
    if (cells[kindColumn] !== 'capture') continue;
    const relativePath = cells[pathColumn] ?? '';
    captures.push({
      relativePath,
      absolutePath: path.join(root, relativePath),
      sizeBytes: Number(cells[sizeColumn]),
      format: cells[formatColumn] ?? '',
      tsharkVerdict: cells[verdictColumn] ?? '',
    });
  }
  return { root, captures };
}

/** One table of a truth file: rows are arrays in the order of `columns`. */
export interface TruthTable {
  columns: string[];
  rows: (string | number | null)[][];
  total_rows: number;
  truncated: boolean;
  totals: Record<string, number>;
}

/** The fields of a tshark-truth/2 file that the conformance suite reads. */
export interface CaptureTruth {
  schema: string;
  file: string;
  packets: number;
  read_error: string[] | null;
  malformed_frames: { count: number; frames: number[] };
  flows: { ip: TruthTable; ipv6: TruthTable; tcp: TruthTable; udp: TruthTable };
}

/** Reads truth/<relativePath>.json; throws when it is missing, since every listed capture has one. */
export function readCaptureTruth(captures: PublicCaptures, relativePath: string): CaptureTruth {
  const truthPath = path.join(captures.root, 'truth', `${relativePath}.json`);
  const truth = JSON.parse(readFileSync(truthPath, 'utf8')) as CaptureTruth;
  if (truth.schema !== 'tshark-truth/2') {
    throw new Error(`${truthPath}: expected schema "tshark-truth/2", found "${String(truth.schema)}"`);
  }
  return truth;
}

/** Returns the rows of a truth table as objects keyed by column name. */
export function readTableRows(table: TruthTable): Record<string, string | number | null>[] {
  return table.rows.map((row) => {
    const record: Record<string, string | number | null> = {};
    table.columns.forEach((name, index) => {
      record[name] = row[index] ?? null;
    });
    return record;
  });
}
