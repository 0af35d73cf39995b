/**
 * Write test/fixtures/scenarios-proto/<name>.expected.json for every
 * protocol scenario capture: the protocol detectors' alerts with the
 * scenario's settings (<name>.settings.json, detection settings, when
 * present), reduced to the fields the scenario test compares. Review the
 * diff after re-recording.
 *
 *   npx tsx scripts/lab/scenarios-proto/write-expected.ts [NAME...]
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDetectionSettings } from '../../../src/main/engine/detectors/detection-settings';
import { detectProtocolCapture } from '../../../src/main/engine/detectors/protocol/detect-protocol-capture';
import { summarizeAlertForFixture } from '../../../test/engine/detectors/scenario-expectation';

const directory = join(import.meta.dirname, '../../../test/fixtures/scenarios-proto');
const requested = process.argv.slice(2);
const names = readdirSync(directory)
  .filter((file) => file.endsWith('.pcap'))
  .map((file) => file.slice(0, -'.pcap'.length))
  .filter((name) => requested.length === 0 || requested.includes(name));

for (const name of names) {
  const settingsPath = join(directory, `${name}.settings.json`);
  const settings = parseDetectionSettings(
    existsSync(settingsPath) ? JSON.parse(readFileSync(settingsPath, 'utf8')) : {},
  );
  const alerts = await detectProtocolCapture(join(directory, `${name}.pcap`), settings);
  const expected = { capture: `${name}.pcap`, alerts: alerts.map(summarizeAlertForFixture) };
  writeFileSync(join(directory, `${name}.expected.json`), `${JSON.stringify(expected, null, 2)}\n`);
  process.stdout.write(`${name}: ${alerts.length} alerts\n`);
}
