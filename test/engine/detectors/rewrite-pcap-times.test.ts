import { describe, expect, it } from 'vitest';
import { rewritePcapTimes } from '../../../scripts/lab/rewrite-pcap-times';

/** Build a little-endian pcap with one 4-byte packet per timestamp [seconds, microseconds]. */
function buildPcap(times: [number, number][], magic = 0xa1b2c3d4): Uint8Array {
  const bytes = new Uint8Array(24 + times.length * 20);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, magic, true); // magic
  view.setUint16(4, 2, true); // version 2.4
  view.setUint16(6, 4, true);
  view.setUint32(16, 65535, true); // snaplen
  view.setUint32(20, 1, true); // Ethernet
  times.forEach(([seconds, fraction], i) => {
    const offset = 24 + i * 20;
    view.setUint32(offset, seconds, true);
    view.setUint32(offset + 4, fraction, true);
    view.setUint32(offset + 8, 4, true); // captured length
    view.setUint32(offset + 12, 4, true); // original length
    view.setUint32(offset + 16, 0xdeadbeef, true); // packet bytes, unchanged by the rewrite
  });
  return bytes;
}

function readTimes(bytes: Uint8Array, count: number): [number, number][] {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return Array.from({ length: count }, (_, i) => [
    view.getUint32(24 + i * 20, true),
    view.getUint32(28 + i * 20, true),
  ]);
}

describe('rewritePcapTimes', () => {
  it('stretches gaps from the first packet and moves the start', () => {
    const input = buildPcap([
      [1000, 0],
      [1001, 500_000],
      [1003, 0],
    ]);
    // Start 2025-12-02T01:00:00Z = 1764637200 s; gaps 1.5 s and 3 s times 80 = 120 s and 240 s.
    const output = rewritePcapTimes(input, { stretch: 80, startUs: 1_764_637_200_000_000 });
    expect(readTimes(output, 3)).toEqual([
      [1_764_637_200, 0],
      [1_764_637_320, 0],
      [1_764_637_440, 0],
    ]);
    expect(output.subarray(40, 44)).toEqual(input.subarray(40, 44));
    expect(readTimes(input, 1)).toEqual([[1000, 0]]); // input untouched
  });

  it('keeps the first time without a start and handles nanosecond files', () => {
    const input = buildPcap(
      [
        [10, 250_000_000],
        [11, 0],
      ],
      0xa1b23c4d,
    );
    // 0.75 s gap times 2 = 1.5 s after 10.25 s = 11.75 s = 11 s + 750 000 000 ns.
    expect(readTimes(rewritePcapTimes(input, { stretch: 2, startUs: null }), 2)).toEqual([
      [10, 250_000_000],
      [11, 750_000_000],
    ]);
  });

  it('rejects a file that is not a classic pcap or is cut short', () => {
    expect(() => rewritePcapTimes(new Uint8Array(10), { stretch: 1, startUs: null })).toThrow(/24 bytes/);
    expect(() => rewritePcapTimes(new Uint8Array(24), { stretch: 1, startUs: null })).toThrow(/magic/);
    const cut = buildPcap([[1, 0]]).subarray(0, 40);
    expect(() => rewritePcapTimes(cut, { stretch: 1, startUs: null })).toThrow(/offset 24: record claims 4 bytes/);
  });
});
