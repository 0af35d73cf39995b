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

  it('finds the CryptoWall check-ins', async () => {
    // NOTE: three HTTP POSTs to one host are too few for a beacon score (20 connections minimum); the check-in detector judges the requests.
    const alerts = await detect('chrissanders-packets/cryptowall4_c2.pcapng');
    expect(alerts.map((alert) => alert.detector)).toEqual(['http-checkin']);
    const [checkin] = alerts;
    expect(checkin?.title).toBe('Scripted HTTP check-ins from 192.168.122.145 to homealldaylong.com/76N1Lm.php');
    expect(checkin?.hosts).toEqual(['192.168.122.145', '184.170.149.44']);
    expect(checkin?.mitreTechnique).toBe('T1071.001');
    expect(checkin?.score).toBe(93);
    expect(checkin?.severity).toBe('high');
    expect(checkin?.evidence.flowUids).toHaveLength(3);
    // tshark: each request line starts in frame 4, 20 and 150 (the requests complete in 6, 22 and 152).
    for (const packet of [4, 20, 150]) expect(checkin?.evidence.packetNumbers).toContain(packet);
    expect(checkin?.reason).toContain(
      '/76N1Lm.php?n=x4tk7t4jo6, /76N1Lm.php?g=9m822y31lxud7aj, /76N1Lm.php?i=ttfkjb668o38k1z',
    );
    expect(checkin?.measurements.find((m) => m.name === 'median request body')?.value).toBe(132);
  });

  it('raises no check-in on the other public HTTP POSTs', async () => {
    // Every other public capture with an HTTP POST: a form with Referer, an OCSP request, browsing with cookies,
    // an antivirus statistics upload, a stealer on a public client address, a POST on a lossy stream.
    for (const name of [
      'zeek/http__http-post-large.pcap',
      'pcapplusplus/ExamplesTest__many-protocols.pcap',
      'pcapplusplus/Pcap++Test__PcapExamples__example.pcap',
      'zeek/tunnels__Teredo.pcap',
      'suricata-verify/http-mime-truncated__input.pcap',
      'pcapplusplus/Pcap++Test__PcapExamples__unidirectional_tcp_stream_with_missing_packet.pcap',
      'zeek/wikipedia.pcap',
    ]) {
      const alerts = byDetector(await detect(name), 'http-checkin');
      expect(alerts.map((alert) => `${name}: ${alert.title}`)).toEqual([]);
    }
  });
});
