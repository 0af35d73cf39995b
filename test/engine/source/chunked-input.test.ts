import { describe, expect, it } from 'vitest';
import { pcapRecordOffsets } from '../../support/capture-writer';
import { buildSamplePcap, buildTwoSections, samplePcapOptions } from './sample-captures';
import { collectCapture, collectWithCuts, type CollectedCapture } from './collect-capture';

const CHUNK_SIZES = [1, 2, 3, 7, 64, 4096];

interface Sample {
  name: string;
  bytes: Uint8Array;
  /** Start of every file header, record and block. */
  boundaries: number[];
}

function buildSamples(): Sample[] {
  const pcapngBuilder = buildTwoSections();
  const pcapng = pcapngBuilder.build();
  const pcap = buildSamplePcap();
  const truncatedPcapng = pcapng.subarray(0, pcapng.length - 5);
  return [
    { name: 'pcapng', bytes: pcapng, boundaries: pcapngBuilder.blockOffsets },
    { name: 'pcap', bytes: pcap, boundaries: [0, ...pcapRecordOffsets(samplePcapOptions)] },
    { name: 'truncated pcapng', bytes: truncatedPcapng, boundaries: pcapngBuilder.blockOffsets },
  ];
}

/** Everything except the carried byte count, which must match too but is asserted separately. */
function comparable(result: CollectedCapture): unknown {
  return {
    packets: result.packets,
    warnings: result.warnings,
    interfaces: result.interfaces,
    names: result.names,
    comments: result.comments,
  };
}

describe('chunked input', () => {
  for (const sample of buildSamples()) {
    const whole = collectCapture(sample.bytes);

    it(`${sample.name} sample is not trivial`, () => {
      expect(whole.packets.length).toBeGreaterThanOrEqual(4);
      // Each sample also reports warnings or names, so chunked runs compare those too.
      expect(whole.warnings.length + whole.names.length).toBeGreaterThan(0);
    });

    for (const chunkSize of CHUNK_SIZES) {
      it(`${sample.name} in ${chunkSize}-byte chunks matches one chunk`, () => {
        const chunked = collectCapture(sample.bytes, chunkSize);
        expect(comparable(chunked)).toEqual(comparable(whole));
        expect(chunked.bytesConsumed).toBe(whole.bytesConsumed);
      });
    }

    it(`${sample.name} split around each boundary matches one chunk`, () => {
      for (const boundary of sample.boundaries) {
        for (const delta of [-1, 0, 1]) {
          const chunked = collectWithCuts(sample.bytes, [boundary + delta]);
          expect(comparable(chunked), `cut at ${boundary + delta}`).toEqual(comparable(whole));
        }
      }
    });

    it(`${sample.name} split at all boundaries at once matches one chunk`, () => {
      const cuts = sample.boundaries.flatMap((boundary) => [boundary - 1, boundary, boundary + 1]);
      const unique = [...new Set(cuts)].filter((cut) => cut > 0).sort((a, b) => a - b);
      expect(comparable(collectWithCuts(sample.bytes, unique))).toEqual(comparable(whole));
    });
  }

  it('truncated pcapng sample warns once', () => {
    const truncated = buildSamples()[2];
    const result = collectCapture(truncated?.bytes ?? new Uint8Array(0), 3);
    expect(result.warnings.map((warning) => warning.code)).toEqual(['truncated-file']);
  });
});
