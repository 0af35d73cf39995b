/**
 * The `<capture>.expected.json` golden files next to the lab captures:
 * tshark's counts merged with the hand-written reasoning of
 * fixture-reasoning.ts.
 */
import { basename } from 'node:path';
import { FIXTURE_REASONING, type FlowReasoning } from './fixture-reasoning';
import { readTsharkCaptureFacts, type TsharkCaptureFacts, type TsharkFlow } from './tshark-flows';

export type ExpectedFlow = TsharkFlow & FlowReasoning;

export interface CaptureExpectation extends Omit<TsharkCaptureFacts, 'flows'> {
  capture: string;
  scenario: string;
  flows: ExpectedFlow[];
}

/** Build the expectation of one capture. Throws when the capture has no reasoning or a different flow count. */
export function buildExpectation(capturePath: string): CaptureExpectation {
  const capture = basename(capturePath);
  const reasoning = FIXTURE_REASONING[capture];
  if (reasoning === undefined) {
    throw new Error(`${capture}: no entry in scripts/lab/fixture-reasoning.ts; add its scenario and flows there`);
  }
  const facts = readTsharkCaptureFacts(capturePath);
  if (facts.flows.length !== reasoning.flows.length) {
    throw new Error(
      `${capture}: tshark finds ${facts.flows.length} flows, fixture-reasoning.ts describes ${reasoning.flows.length}`,
    );
  }
  const flows = facts.flows.map((flow, index) => ({ ...flow, ...(reasoning.flows[index] as FlowReasoning) }));
  return { capture, scenario: reasoning.scenario, ...facts, flows };
}

const CONN_LOG_FIELDS = [
  'ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration',
  'orig_bytes', 'resp_bytes', 'conn_state', 'local_orig', 'local_resp', 'missed_bytes', 'history',
  'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'tunnel_parents', 'ip_proto', 'community_id',
];

function formatSeconds(microseconds: number): string {
  return `${Math.floor(microseconds / 1_000_000)}.${String(microseconds % 1_000_000).padStart(6, '0')}`;
}

/**
 * Render the conn.log Zeek would write for the expected flows: Zeek's TSV
 * columns plus community_id, with the unset field "-" for duration and byte
 * counts of a zero-length connection as Zeek leaves them. The uid column is
 * "-" because Zeek draws uids at random; local_orig/local_resp are "-" as with
 * Zeek's default empty Site::local_nets.
 */
export function formatExpectedConnLog(expectation: CaptureExpectation): string {
  const rows = expectation.flows.map((flow) => {
    const durationUs = flow.durationUs;
    const hasDuration = durationUs > 0;
    return [
      formatSeconds(flow.startUs), '-', flow.originatorAddress, flow.originatorPort, flow.responderAddress,
      flow.responderPort, flow.transport, flow.service ?? '-', hasDuration ? formatSeconds(durationUs) : '-',
      hasDuration ? flow.originatorBytes : '-', hasDuration ? flow.responderBytes : '-', flow.connectionState,
      '-', '-', 0, flow.history === '' ? '-' : flow.history, flow.originatorPackets, flow.originatorIpBytes,
      flow.responderPackets, flow.responderIpBytes, '-', flow.ipProtocol, flow.communityId,
    ].join('\t');
  });
  const header = ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn'];
  return [...header, `#fields\t${CONN_LOG_FIELDS.join('\t')}`, ...rows, ''].join('\n');
}
