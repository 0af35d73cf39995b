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
