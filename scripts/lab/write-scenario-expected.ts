/**
 * Write test/fixtures/scenarios/<name>.expected.json for every scenario
 * capture: the alerts the detectors raise with the scenario's settings
 * (<name>.settings.json when present, else the defaults), reduced to the
 * fields the scenario test compares. Review the diff after re-recording:
 * the file is a record of what the detectors found, checked by the
 * hand-written assertions in test/engine/detectors/scenarios.test.ts.
 *
 *   npx tsx scripts/lab/write-scenario-expected.ts [NAME...]
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectCapture } from '../../src/main/engine/detectors/detect-capture';
import { parseDetectionSettings } from '../../src/main/engine/detectors/detection-settings';
import { summarizeAlertForFixture } from '../../test/engine/detectors/scenario-expectation';

const directory = join(import.meta.dirname, '../../test/fixtures/scenarios');
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
  const { alerts } = await detectCapture(join(directory, `${name}.pcap`), settings);
  const expected = { capture: `${name}.pcap`, alerts: alerts.map(summarizeAlertForFixture) };
  writeFileSync(join(directory, `${name}.expected.json`), `${JSON.stringify(expected, null, 2)}\n`);
  process.stdout.write(`${name}: ${alerts.length} alerts\n`);
}
