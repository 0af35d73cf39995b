/**
 * The captures fuzzing starts from: the seeds built in code, the committed
 * fixtures under test/fixtures/captures/, and, when the shared folder is
 * present, the public captures up to a size limit.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { findPublicCaptures, repositoryRoot } from '../conformance/public-captures';
import { findCaptureLayout } from './capture-layout';
import type { FuzzSeed } from './mutators';
import { buildSeedCaptures } from './seed-captures';

export interface CorpusOptions {
  /** Include the public captures beside the repository when they exist. */
  isPublicIncluded: boolean;
  /** Leave out files larger than this, to keep iterations fast. */
  maxSeedBytes: number;
}

const CAPTURE_EXTENSIONS = ['.pcap', '.pcapng', '.cap'];

/** Copies into a plain Uint8Array: on a Buffer, `slice()` returns a view, and the mutators would change the seed. */
function toSeed(name: string, source: Uint8Array): FuzzSeed {
  const bytes = new Uint8Array(source);
  return { name, bytes, layout: findCaptureLayout(bytes) };
}

/** Returns the seeds in a fixed order, so a fuzz seed number picks the same inputs on every machine with the same files. */
export function loadFuzzCorpus(options: CorpusOptions): FuzzSeed[] {
  const seeds = buildSeedCaptures().map((capture) => toSeed(`built/${capture.name}`, capture.bytes));

  const fixtures = path.join(repositoryRoot, 'test', 'fixtures', 'captures');
  if (existsSync(fixtures)) {
    for (const name of readdirSync(fixtures).sort()) {
      const file = path.join(fixtures, name);
      if (!CAPTURE_EXTENSIONS.some((extension) => name.endsWith(extension))) continue;
      if (statSync(file).size > options.maxSeedBytes) continue;
      seeds.push(toSeed(`fixtures/${name}`, readFileSync(file)));
    }
  }

  const publicCaptures = options.isPublicIncluded ? findPublicCaptures() : null;
  for (const capture of publicCaptures?.captures ?? []) {
    if (capture.sizeBytes > options.maxSeedBytes || !existsSync(capture.absolutePath)) continue;
    seeds.push(toSeed(`public/${capture.relativePath}`, readFileSync(capture.absolutePath)));
  }
  return seeds;
}
