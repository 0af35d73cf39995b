/**
 * Print the alerts the detectors raise on a capture, one line each, or the
 * whole alerts as JSON with --json. Optional settings file.
 *
 *   npx tsx scripts/lab/run-detections.ts FILE [SETTINGS.json] [--json]
 */
import { detectCapture } from '../../src/main/engine/detectors/detect-capture';
import { defaultDetectionSettings, loadDetectionSettings } from '../../src/main/engine/detectors/detection-settings';

const args = process.argv.slice(2).filter((arg) => arg !== '--json');
const isJson = process.argv.includes('--json');
const [file, settingsPath] = args;
if (file === undefined) {
  process.stderr.write('usage: run-detections.ts FILE [SETTINGS.json] [--json]\n');
  process.exit(2);
}
const settings = settingsPath === undefined ? defaultDetectionSettings : await loadDetectionSettings(settingsPath);
const { alerts, statistics } = await detectCapture(file, settings);
if (isJson) {
  process.stdout.write(`${JSON.stringify(alerts, null, 2)}\n`);
} else {
  for (const alert of alerts) {
    process.stdout.write(`${alert.severity}\t${alert.score}\t${alert.detector}\t${alert.title}\n\t${alert.reason}\n`);
  }
  process.stdout.write(`${alerts.length} alerts; ${statistics.flows} flows, ${statistics.packets} packets\n`);
}
