/**
 * Bounded, deterministic fuzzing of reader -> decoder -> flow table: a few
 * thousand mutated captures must neither throw, hang nor report more packets
 * than their bytes can hold. `npm run fuzz` runs the same loop for longer.
 */
import { describe, expect, it } from 'vitest';
import { findCaptureLayout } from './capture-layout';
import { loadFuzzCorpus } from './fuzz-corpus';
import { runPipeline } from './fuzz-pipeline';
import { buildFuzzInput, runFuzz, type FuzzFailure } from './fuzz-runner';
import { mutate } from './mutators';
import { Prng } from './prng';
import { buildSeedCaptures } from './seed-captures';
import { findPublicCaptures } from '../conformance/public-captures';

/** Run seed of the bounded test; change it only together with the expectations below. */
const TEST_SEED = 20_261_204;

function describeFailure(failure: FuzzFailure): string {
  return `${failure.kind} at iteration ${failure.iteration} (seed ${TEST_SEED}, ${failure.seedName}, chunk ${failure.chunkSize}, ${failure.mutations.join(' | ')}): ${failure.message.split('\n')[0] ?? ''}`;
}

describe('fuzz seeds', () => {
  const seeds = buildSeedCaptures();

  it('layout finds every built record', () => {
    for (const seed of seeds) {
      expect(findCaptureLayout(seed.bytes).recordOffsets, seed.name).toEqual(seed.recordOffsets);
    }
  });

  it('pipeline reads every built packet', () => {
    // Ethernet seeds hold 15 frames; null/loopback keeps the 11 IPv4 ones; mixed pcapng adds 4 raw-IP packets.
    const expected: Record<string, number> = {
      'ethernet-le-us.pcap': 15,
      'ethernet-be-ns.pcap': 15,
      'null-le-us.pcap': 11,
      'mixed-le.pcapng': 19,
      'ethernet-be.pcapng': 15,
    };
    for (const seed of seeds) {
      const outcome = runPipeline(seed.bytes, 7);
      expect({
        name: seed.name,
        packets: outcome.packets,
        warnings: outcome.warnings,
        violations: outcome.violations,
      }).toEqual({
        name: seed.name,
        packets: expected[seed.name],
        warnings: 0,
        violations: [],
      });
      expect(outcome.flows, seed.name).toBeGreaterThan(0);
    }
  });
});

describe('mutators', () => {
  const corpus = loadFuzzCorpus({ isPublicIncluded: false, maxSeedBytes: 64 * 1024 });

  it('replay one iteration exactly', () => {
    const first = buildFuzzInput(corpus, TEST_SEED, 1234);
    const again = buildFuzzInput(corpus, TEST_SEED, 1234);
    expect(again.mutations).toEqual(first.mutations);
    expect(Buffer.from(again.bytes).equals(Buffer.from(first.bytes))).toBe(true);
  });

  it('length-field mutation sets a boundary value', () => {
    const seed = corpus.find((entry) => entry.name === 'built/ethernet-le-us.pcap');
    if (seed === undefined) throw new Error('built/ethernet-le-us.pcap missing from the corpus');
    const prng = new Prng(7);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const mutation = mutate('length-field', seed.bytes, seed, seed, prng);
      seen.add(mutation.description.replace(/ at \d+ = .*/, ''));
      expect(mutation.bytes.length).toBe(seed.bytes.length);
    }
    // Every kind of length field of an Ethernet pcap gets hit.
    expect([...seen].sort()).toEqual([
      'IPv4 header length',
      'IPv4 total length',
      'IPv6 payload length',
      'TCP data offset',
      'UDP length',
      'pcap captured length',
      'pcap original length',
      'pcap snaplen',
    ]);
  });
});

describe('fuzz pipeline', () => {
  it('survives 10000 mutated built captures', () => {
    const seeds = loadFuzzCorpus({ isPublicIncluded: false, maxSeedBytes: 64 * 1024 });
    const report = runFuzz({ seeds, seed: TEST_SEED, iterations: 10_000, slowMillis: 2000, slowMillisPerKilobyte: 2 });
    expect(report.failures.map(describeFailure)).toEqual([]);
    expect(report.iterations).toBe(10_000);
    // Most mutants still parse: the loop reaches the decoder and flow table, not only the magic check.
    expect(report.packets).toBeGreaterThan(10_000);
  });

  it.skipIf(findPublicCaptures() === null)('survives 3000 mutated public captures', () => {
    const seeds = loadFuzzCorpus({ isPublicIncluded: true, maxSeedBytes: 64 * 1024 }).filter((seed) =>
      seed.name.startsWith('public/'),
    );
    const report = runFuzz({ seeds, seed: TEST_SEED, iterations: 3000, slowMillis: 2000, slowMillisPerKilobyte: 2 });
    expect(report.failures.map(describeFailure)).toEqual([]);
    expect(report.iterations).toBe(3000);
  });
});
