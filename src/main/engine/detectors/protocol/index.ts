/**
 * The protocol-aware detectors, which read analyzer records (DNS, HTTP,
 * TLS, QUIC, X.509, SMB) as well as flows. `createProtocolDetectors`
 * returns them with the flow index they share. Feed every flow to
 * `observeFlow` and every record to `observeRecord` of each, as the
 * detection engine does for flows.
 */
import type { DetectorContext } from '../detector';
import { type ProtocolDetectionSettings, defaultProtocolDetectionSettings } from '../protocol-settings';
import { DnsTunnelDetector } from './dns-tunnel-detector';
import { FlowIndex } from './flow-index';
import { HttpCheckinDetector } from './http-checkin-detector';
import { IcmpTunnelDetector } from './icmp-tunnel-detector';
import { NamedBeaconDetector } from './named-beacon-detector';
import { OffHoursNameDetector } from './off-hours-name-detector';
import type { ProtocolDetector } from './protocol-observation';
import { SmbLateralDetector } from './smb-lateral-detector';
import { TlsOddityDetector } from './tls-oddity-detector';
import { UnusualPortDetector } from './unusual-port-detector';

export type { ProtocolDetector, ProtocolObservation } from './protocol-observation';
export { createProtocolRecordSinks } from './record-mapping';

/**
 * The eight protocol detectors, preceded by the flow index they read
 * (name "protocol-flow-index", which raises nothing and must stay enabled).
 * Detectors named in `context.settings.disabledDetectors` are left out.
 */
export function createProtocolDetectors(
  context: DetectorContext,
  settings: ProtocolDetectionSettings = defaultProtocolDetectionSettings,
): ProtocolDetector[] {
  const flows = new FlowIndex(settings.limits.maxIndexedFlows);
  const detectors: ProtocolDetector[] = [
    flows,
    new NamedBeaconDetector(context, settings, flows),
    new DnsTunnelDetector(context, settings, flows),
    new IcmpTunnelDetector(context, settings),
    new UnusualPortDetector(context, settings),
    new SmbLateralDetector(context, settings, flows),
    new TlsOddityDetector(context, settings, flows),
    new OffHoursNameDetector(context, flows),
    new HttpCheckinDetector(context, settings, flows),
  ];
  const disabled = new Set(context.settings.disabledDetectors);
  return detectors.filter((detector) => detector === flows || !disabled.has(detector.name));
}
