/**
 * The protocol detectors on public captures that hold such behaviour. They
 * live outside the repository, so each test skips with a message when the
 * folder is absent.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../../src/shared/domain/alert';
import { detectProtocolCapture } from '../../../../src/main/engine/detectors/protocol/detect-protocol-capture';

const publicDirectory = fileURLToPath(new URL('../../../../../shared/pcaps/public/', import.meta.url));
const hasPublic = existsSync(publicDirectory);
if (!hasPublic)
  console.warn(`public captures not found at ${publicDirectory}: protocol detector checks on them are skipped`);

async function detect(name: string): Promise<Alert[]> {
  return detectProtocolCapture(publicDirectory + name);
}

function byDetector(alerts: Alert[], detector: string): Alert[] {
  return alerts.filter((alert) => alert.detector === detector);
}

describe.skipIf(!hasPublic)('protocol detectors on public captures', () => {
  it('finds the iodine DNS tunnel', async () => {
    const alerts = await detect('elastic-examples/dns-tunnel-iodine.pcap');
    const [tunnel] = byDetector(alerts, 'dns-tunnel');
    expect(tunnel?.hosts[0]).toBe('10.0.2.30');
    expect(tunnel?.title).toBe('DNS tunnelling from 10.0.2.30 via pirate.sea');
    expect(tunnel?.measurements.find((m) => m.name === 'queries')?.value).toBe(222);
    expect(tunnel?.measurements.find((m) => m.name === 'distinct subdomains in busiest window')?.value).toBe(222);
    expect(tunnel?.measurements.find((m) => m.name === 'share of TXT/NULL/CNAME queries')?.value).toBe(1);
    expect(tunnel?.evidence.packetNumbers.slice(0, 2)).toEqual([1, 2]);
  });

  it('finds the DNS tunnel of Suricata bug 1158', async () => {
    const alerts = await detect('suricata-verify/dns__bug-1158__input.pcap');
    const tunnels = byDetector(alerts, 'dns-tunnel');
    expect(tunnels.map((alert) => alert.title)).toEqual(['DNS tunnelling from 10.30.28.90 via tunnel.com']);
    expect(tunnels[0]?.measurements.find((m) => m.name === 'queries')?.value).toBe(80);
  });

  it('finds AT job scheduling over SMB', async () => {
    const alerts = await detect('suricata-verify/smb2-04__20171220_smb_at_schedule.pcap');
    const [execution] = byDetector(alerts, 'smb-remote-execution');
    expect(execution?.hosts).toEqual(['192.168.10.31', '192.168.10.30']);
    expect(execution?.mitreTechnique).toBe('T1053.005');
    expect(execution?.reason).toContain('atsvc');
    expect(execution?.evidence.flowUids).toHaveLength(1);
  });

  it('raises no tunnel or beacon on ordinary browsing', async () => {
    for (const name of ['zeek/wikipedia.pcap', 'pcapplusplus/Pcap++Test__PcapExamples__example.pcap']) {
      const alerts = await detect(name);
      const noisy = alerts.filter((alert) => /tunnel|beacon|smb|off-hours/.test(alert.detector));
      expect(noisy.map((alert) => `${name}: ${alert.title}`)).toEqual([]);
    }
  });

  it('raises nothing on the CryptoWall check-ins', async () => {
    // NOTE: three HTTP POSTs to one host are too few for a beacon score (20 connections minimum), as for the pair beacon detector.
    const alerts = await detect('chrissanders-packets/cryptowall4_c2.pcapng');
    expect(alerts).toEqual([]);
  });
});
