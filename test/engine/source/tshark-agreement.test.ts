/**
 * Checks the byte-built sample captures against tshark, an independent
 * reader, so a shared misreading of the format by the builder and the parser
 * cannot pass unnoticed. Skips where tshark is not installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSamplePcap, buildTwoSections } from './sample-captures';
import { collectCapture } from './collect-capture';

const hasTshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;
const directory = mkdtempSync(join(tmpdir(), 'tideline-tshark-'));

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/**
 * Runs tshark over the file and returns one "time len caplen [interface]" row per packet.
 * tshark also lists Custom and systemd journal blocks as frames, so pcapng rows without an interface id are dropped.
 */
function readWithTshark(path: string, hasInterfaceIds: boolean): string[] {
  const fields = ['frame.time_epoch', 'frame.len', 'frame.cap_len', ...(hasInterfaceIds ? ['frame.interface_id'] : [])];
  const output = spawnSync('tshark', ['-r', path, '-T', 'fields', ...fields.flatMap((field) => ['-e', field])], {
    encoding: 'utf8',
  });
  const rows = output.stdout
    .trim()
    .split('\n')
    .map((line) => line.split('\t'));
  return rows.filter((cells) => !hasInterfaceIds || cells[3] !== '').map((cells) => cells.join(' '));
}

function formatEpoch(timestampUs: number, nanosecondRemainder: number): string {
  const seconds = Math.floor(timestampUs / 1e6);
  const nanoseconds = (timestampUs - seconds * 1e6) * 1000 + nanosecondRemainder;
  return `${seconds}.${String(nanoseconds).padStart(9, '0')}`;
}

describe.skipIf(!hasTshark)('agreement with tshark', () => {
  const samples = [
    { name: 'two-sections.pcapng', bytes: buildTwoSections().build(), hasInterfaceIds: true },
    { name: 'big-endian-ns.pcap', bytes: buildSamplePcap(), hasInterfaceIds: false },
  ];

  for (const sample of samples) {
    it(`reads ${sample.name} as tshark does`, () => {
      const path = join(directory, sample.name);
      writeFileSync(path, sample.bytes);
      const ours = collectCapture(sample.bytes).packets.map((packet) =>
        [
          packet.isTimestampMissing ? '' : formatEpoch(packet.timestampUs, packet.timestampNsRemainder),
          packet.originalLength,
          packet.capturedLength,
          ...(sample.hasInterfaceIds ? [packet.interfaceId] : []),
        ].join(' '),
      );
      const theirs = readWithTshark(path, sample.hasInterfaceIds);

      expect(ours.length).toBeGreaterThan(0);
      expect(ours).toEqual(theirs);
    });
  }
});
