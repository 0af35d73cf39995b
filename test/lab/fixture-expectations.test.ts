/**
 * Checks the lab captures' expected files against tshark, so the counts the
 * engine tests compare with are recomputed rather than trusted.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildExpectation, formatExpectedConnLog } from '../../scripts/lab/fixture-expectation';
import { deriveHistoryLetters, isTsharkAvailable, readTsharkPackets } from '../../scripts/lab/tshark-flows';
import { LAB_CAPTURE_FOLDER, listLabCaptures, readLabFixtures } from './read-expectations';

const hasTshark = isTsharkAvailable();
const fixtures = readLabFixtures();

describe('lab fixture files', () => {
  it('pairs every capture with an expected file', () => {
    const names = listLabCaptures();
    expect(names.length).toBeGreaterThanOrEqual(12);
    for (const name of names) expect(existsSync(`${LAB_CAPTURE_FOLDER}/${name}.expected.json`), name).toBe(true);
  });

  it('has no expected file without its capture', () => {
    const captures = new Set(listLabCaptures());
    const orphans = readdirSync(LAB_CAPTURE_FOLDER)
      .filter((name) => name.endsWith('.expected.json') || name.endsWith('.conn.log'))
      .filter((name) => !captures.has(name.replace(/\.(expected\.json|conn\.log)$/, '')));
    expect(orphans).toEqual([]);
  });

  it('covers pcap, nanosecond pcap and pcapng', () => {
    const kinds = new Set(fixtures.map(({ expected }) => `${expected.format}/${expected.timestampPrecision}`));
    expect([...kinds].sort()).toEqual(['pcap/microsecond', 'pcap/nanosecond', 'pcapng/nanosecond']);
  });

  it.each(fixtures)('$name conn.log matches its expected file', ({ path, expected }) => {
    expect(readFileSync(`${path}.conn.log`, 'utf8')).toBe(formatExpectedConnLog(expected));
  });

  it.each(fixtures)('$name assigns every packet to one flow', ({ expected }) => {
    const flowPackets = expected.flows.reduce((sum, flow) => sum + flow.originatorPackets + flow.responderPackets, 0);
    expect(flowPackets).toBe(expected.packets);
    expect(expected.firstUs).toBe(Math.min(...expected.flows.map((flow) => flow.startUs)));
    expect(expected.lastUs).toBe(Math.max(...expected.flows.map((flow) => flow.endUs)));
  });
});

// NOTE: without tshark these checks are skipped; install Debian's tshark to run them.
describe.skipIf(!hasTshark)('lab fixtures against tshark', () => {
  it.each(fixtures)('$name matches tshark counts', ({ path, expected }) => {
    expect(buildExpectation(path)).toEqual(expected);
  });

  it.each(fixtures)('$name history agrees with the flags', ({ path, expected }) => {
    const packets = readTsharkPackets(path);
    for (const flow of expected.flows) {
      if (flow.transport === 'icmp') continue;
      const own = packets.filter(
        (packet) =>
          packet.ipProtocol === flow.ipProtocol &&
          ((packet.source === flow.originatorAddress && packet.sourcePort === flow.originatorPort &&
            packet.destination === flow.responderAddress && packet.destinationPort === flow.responderPort) ||
            (packet.source === flow.responderAddress && packet.sourcePort === flow.responderPort &&
              packet.destination === flow.originatorAddress && packet.destinationPort === flow.originatorPort)),
      );
      expect(deriveHistoryLetters(own, flow.originatorAddress), `${flow.transport} flow from ${flow.originatorAddress}`).toBe(
        flow.history,
      );
    }
  });
});
