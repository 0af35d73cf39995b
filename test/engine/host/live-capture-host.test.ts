import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { listAddonCandidates } from '../../../src/main/capture/capture-addon';
import { CaptureError } from '../../../src/main/capture/capture-error';
import { EngineService } from '../../../src/main/engine/host/engine-service';
import { getDefaultCapturesFolder } from '../../../src/main/engine/host/live-capture-host';
import type {
  EventName,
  EventPayload,
  FlowPage,
  LiveCaptureEnded,
  LiveCaptureStarted,
} from '../../../src/shared/contract';
import { createFakeCaptureAddon, type FakePacket } from '../../capture/fake-capture-addon';
import { ethernet, ipv4, tcp, toBytes, udp } from '../decode/packet-bytes';

const startSeconds = 1_760_000_000;

interface Emitted {
  name: EventName;
  payload: unknown;
}

function createService(options: Parameters<typeof createFakeCaptureAddon>[0] = {}) {
  const addon = createFakeCaptureAddon({
    devices: [
      {
        name: 'lo',
        description: null,
        flags: 0x07,
        addresses: [{ family: 'ipv4', address: '127.0.0.1', netmask: '255.0.0.0', broadcast: null, destination: null }],
      },
      {
        name: 'eth0',
        description: 'Uplink',
        flags: 0x12,
        addresses: [
          { family: 'ipv4', address: '10.0.0.5', netmask: '255.255.255.0', broadcast: '10.0.0.255', destination: null },
        ],
      },
    ],
    ...options,
  });
  const folder = mkdtempSync(join(tmpdir(), 'tideline-live-host-'));
  const emitted: Emitted[] = [];
  const service = new EngineService({
    analyze: () => Promise.reject(new Error('no file analysis in this test')),
    emit: <TName extends EventName>(name: TName, payload: EventPayload<TName>) => {
      emitted.push({ name, payload });
    },
    hashFile: () => Promise.resolve('0'.repeat(64)),
    liveCapture: {
      loadAddon: () => addon,
      capturesFolder: folder,
      defaultRouteInterface: 'eth0',
      counterIntervalMs: 20,
    },
  });
  return { addon, folder, emitted, service };
}

/** A TCP packet 10.0.0.5:40000 -> 10.0.0.9:80 (or back), 54 bytes plus `payloadBytes`. */
function tcpPacket(offsetMs: number, isReply: boolean, flags: number, payloadBytes = 0): FakePacket {
  const client = [10, 0, 0, 5];
  const server = [10, 0, 0, 9];
  const frame = ethernet(
    0x0800,
    ipv4({
      protocol: 6,
      source: isReply ? server : client,
      destination: isReply ? client : server,
      payload: tcp({
        sourcePort: isReply ? 80 : 40000,
        destinationPort: isReply ? 40000 : 80,
        flags,
        payload: new Array<number>(payloadBytes).fill(0x41),
      }),
    }),
  );
  return { seconds: startSeconds, fraction: offsetMs * 1_000_000, data: toBytes(frame) };
}

function dnsPacket(offsetMs: number): FakePacket {
  const frame = ethernet(
    0x0800,
    ipv4({
      protocol: 17,
      source: [10, 0, 0, 5],
      destination: [10, 0, 0, 53],
      payload: udp(5353, 53, [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    }),
  );
  return { seconds: startSeconds, fraction: offsetMs * 1_000_000, data: toBytes(frame) };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let round = 0; round < 200; round += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function start(service: EngineService, argument: Record<string, unknown> = {}): Promise<LiveCaptureStarted> {
  const result = await service.handle('capture.startLive', { device: 'eth0', ...argument });
  if (!result.ok) throw new Error(`startLive failed: ${result.error.message}`);
  return result.value as LiveCaptureStarted;
}

describe('live capture host', () => {
  it('lists interfaces with flags and the default route marked', async () => {
    const { service } = createService();
    const result = await service.handle('capture.listInterfaces', {});
    expect(result).toMatchObject({
      ok: true,
      value: [
        { name: 'lo', isLoopback: true, isUp: true, isRunning: true, isDefaultRoute: false },
        {
          name: 'eth0',
          description: 'Uplink',
          isLoopback: false,
          isUp: true,
          isRunning: false,
          isWireless: false,
          connectionStatus: 'connected',
          isDefaultRoute: true,
        },
      ],
    });
  });

  it('returns libpcap message for an invalid filter', async () => {
    const { service } = createService();
    expect(await service.handle('capture.validateFilter', { filter: 'tcp port 80' })).toEqual({
      ok: true,
      value: { message: null },
    });
    expect(await service.handle('capture.validateFilter', { filter: 'bogus and' })).toEqual({
      ok: true,
      value: { message: "can't parse filter expression: syntax error" },
    });
  });

  it('passes options to libpcap and writes under captures/', async () => {
    const { service, addon, folder } = createService();
    const started = await start(service, {
      filter: 'tcp',
      snaplen: 1500,
      promiscuous: false,
      bufferSizeBytes: 8_388_608,
    });
    const handle = addon.handles[0];
    expect(handle?.options).toMatchObject({
      snaplen: 1500,
      promiscuous: false,
      bufferSizeBytes: 8_388_608,
      immediate: true,
      nanosecond: true,
    });
    expect(handle?.filter).toBe('tcp');
    expect(started.folder.startsWith(folder)).toBe(true);
    expect(started.folder).toMatch(/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-eth0$/);
    expect(started.files).toEqual([join(started.folder, 'capture.pcapng')]);
    await service.handle('capture.stopLive', { captureId: started.captureId });
  });

  it('feeds flows to the views and counts packets', async () => {
    const { service, addon, emitted } = createService();
    const started = await start(service);
    const handle = addon.handles[0];
    if (handle === undefined) throw new Error('no handle');

    // A whole TCP connection (3 + 2 + 2 packets) and one DNS query.
    handle.deliver([
      tcpPacket(0, false, 0x02),
      tcpPacket(1, true, 0x12),
      tcpPacket(2, false, 0x10),
      tcpPacket(3, false, 0x18, 100),
      tcpPacket(4, true, 0x18, 300),
      dnsPacket(5),
    ]);
    await waitFor(() => emitted.some((event) => event.name === 'capture.batch'), 'a batch event');
    const page = await service.handle('flows.query', {
      captureId: started.captureId,
      offset: 0,
      limit: 10,
      sort: { column: 'startUs', direction: 'ascending' },
      filter: {},
    });
    expect(page.ok).toBe(true);
    const rows = (page as { value: FlowPage }).value.rows;
    expect(
      rows.map((flow) => [flow.transport, flow.responderPort, flow.originatorPackets, flow.responderPackets]),
    ).toEqual([
      ['tcp', 80, 3, 2],
      ['udp', 53, 1, 0],
    ]);
    expect(rows[0]?.startUs).toBe(startSeconds * 1_000_000);

    const counters = emitted.filter((event) => event.name === 'capture.liveCounters').at(-1)?.payload;
    expect(counters).toMatchObject({ captureId: started.captureId, packets: 6, isPaused: false });

    handle.deliver([tcpPacket(6, false, 0x11), tcpPacket(7, true, 0x11)]);
    const stopped = await service.handle('capture.stopLive', { captureId: started.captureId });
    expect(stopped).toMatchObject({
      ok: true,
      value: { reason: 'stopped', message: null, counters: { packets: 8, packetsWritten: 8 } },
    });
    expect(emitted.filter((event) => event.name === 'capture.liveEnded')).toHaveLength(1);

    // The file starts with a pcapng section header block.
    const file = readFileSync(started.files[0] ?? '');
    expect(file.readUInt32LE(0)).toBe(0x0a0d0d0a);
    await waitFor(() => emitted.some((event) => event.name === 'capture.done'), 'capture.done');
    expect(emitted.find((event) => event.name === 'capture.done')?.payload).toMatchObject({
      summary: { packets: 8, flows: 2 },
    });
  });

  it('fills the record tables from live traffic', async () => {
    const { service, addon, emitted } = createService();
    const started = await start(service);
    const handle = addon.handles[0];
    if (handle === undefined) throw new Error('no handle');

    const request = [...'GET /status HTTP/1.1\r\nHost: files.lab.example\r\nUser-Agent: live-test\r\n\r\n'].map((c) =>
      c.charCodeAt(0),
    );
    const withPayload = (packet: FakePacket, payload: number[]): FakePacket => {
      const frame = ethernet(
        0x0800,
        ipv4({
          protocol: 6,
          source: [10, 0, 0, 5],
          destination: [10, 0, 0, 9],
          payload: tcp({
            sourcePort: 40000,
            destinationPort: 80,
            flags: 0x18,
            sequence: 1001,
            acknowledgement: 1001,
            payload,
          }),
        }),
      );
      return { ...packet, data: toBytes(frame) };
    };
    handle.deliver([
      tcpPacket(0, false, 0x02),
      tcpPacket(1, true, 0x12),
      tcpPacket(2, false, 0x10),
      withPayload(tcpPacket(3, false, 0x18), request),
      tcpPacket(6, false, 0x11),
      tcpPacket(7, true, 0x11),
    ]);
    await waitFor(() => emitted.some((event) => event.name === 'capture.batch'), 'a batch event');
    await service.handle('capture.stopLive', { captureId: started.captureId });
    await waitFor(() => emitted.some((event) => event.name === 'capture.done'), 'capture.done');

    const page = await service.handle('records.query', {
      captureId: started.captureId,
      type: 'http',
      offset: 0,
      limit: 10,
      sort: { column: 'ts', direction: 'ascending' },
      filter: {},
    });
    expect(page.ok).toBe(true);
    const rows = (page as { value: { rows: Array<{ fields: Record<string, unknown> }> } }).value.rows;
    expect(
      rows.map((row) => [row.fields['method'], row.fields['host'], row.fields['uri'], row.fields['user_agent']]),
    ).toEqual([['GET', 'files.lab.example', '/status', 'live-test']]);
  });

  it('runs the link-layer detectors on live packets', async () => {
    const { service, addon, emitted } = createService();
    const started = await start(service);
    const handle = addon.handles[0];
    if (handle === undefined) throw new Error('no handle');

    // ARP replies claiming 10.0.0.1 from two MAC addresses: the second may be poisoning caches.
    const arpReply = (offsetMs: number, sender: number[]): FakePacket => {
      const arp = [0, 1, 8, 0, 6, 4, 0, 2, ...sender, 10, 0, 0, 1, 2, 0, 0, 0, 0, 5, 10, 0, 0, 5];
      const frame = ethernet(0x0806, arp, [2, 0, 0, 0, 0, 5], sender);
      return { seconds: startSeconds, fraction: offsetMs * 1_000_000, data: toBytes(frame) };
    };
    const gateway = [2, 0, 0, 0, 0, 1];
    const intruder = [2, 0, 0, 0, 0, 0x66];
    handle.deliver([arpReply(0, gateway), arpReply(10, intruder), arpReply(20, intruder)]);
    await waitFor(() => emitted.some((event) => event.name === 'capture.batch'), 'a batch event');
    await service.handle('capture.stopLive', { captureId: started.captureId });
    await waitFor(() => emitted.some((event) => event.name === 'capture.done'), 'capture.done');

    const list = await service.handle('alerts.list', { captureId: started.captureId, filter: {} });
    expect(list.ok).toBe(true);
    const alerts = (
      list as { value: { alerts: Array<{ detector: string; key: string; evidence: { packetNumbers: number[] } }> } }
    ).value.alerts;
    const spoofing = alerts.filter((alert) => alert.detector === 'arp-spoofing');
    expect(spoofing.map((alert) => [alert.key, alert.evidence.packetNumbers])).toEqual([['10.0.0.1', [1, 2, 3]]]);

    // An allow-list change rebuilds the detectors without the packets: the ARP sightings carry over.
    const listAlerts = async (): Promise<string[]> => {
      const result = await service.handle('alerts.list', { captureId: started.captureId, filter: {} });
      const value = (result as { value: { alerts: Array<{ detector: string; key: string }> } }).value;
      return value.alerts.map((alert) => `${alert.detector} ${alert.key}`);
    };
    const allowOther = { hosts: ['10.0.0.99'], networks: [], domains: [], pairs: [] };
    expect(
      await service.handle('alerts.setAllowList', { captureId: started.captureId, allowList: allowOther }),
    ).toMatchObject({ ok: true });
    expect(await listAlerts()).toContain('arp-spoofing 10.0.0.1');
    const allowGateway = { hosts: ['10.0.0.1'], networks: [], domains: [], pairs: [] };
    expect(
      await service.handle('alerts.setAllowList', { captureId: started.captureId, allowList: allowGateway }),
    ).toMatchObject({ ok: true });
    expect(await listAlerts()).not.toContain('arp-spoofing 10.0.0.1');
  });

  it('counts a burst in the first tick', async () => {
    const { service, addon, emitted } = createService();
    const started = await start(service);
    addon.handles[0]?.deliver([tcpPacket(0, false, 0x02), tcpPacket(1, true, 0x12), tcpPacket(2, false, 0x10)]);
    await waitFor(() => emitted.some((event) => event.name === 'capture.liveCounters'), 'a counter event');
    const first = emitted.find((event) => event.name === 'capture.liveCounters')?.payload as {
      packets: number;
      packetsPerSecond: number;
      bitsPerSecond: number;
    };
    expect(first.packets).toBe(3);
    expect(first.packetsPerSecond).toBeGreaterThan(0);
    expect(first.bitsPerSecond).toBeGreaterThan(0);
    await service.handle('capture.stopLive', { captureId: started.captureId });
  });

  it('keeps only the newest ring files', async () => {
    const { service, addon } = createService();
    const started = await start(service, { ringFileBytes: 65_536, ringFiles: 2 });
    expect(started.files).toEqual([]);
    const handle = addon.handles[0];
    if (handle === undefined) throw new Error('no handle');
    // 300 packets of 454 bytes (about 150 KB of blocks) fill at least three 64 KiB files.
    for (let batch = 0; batch < 6; batch += 1)
      handle.deliver(Array.from({ length: 50 }, (_, index) => tcpPacket(batch * 50 + index, false, 0x18, 400)));
    const stopped = await service.handle('capture.stopLive', { captureId: started.captureId });
    if (!stopped.ok) throw new Error(stopped.error.message);
    const ended = stopped.value as LiveCaptureEnded;
    expect(ended.counters.packets).toBe(300);
    expect(ended.files).toHaveLength(2);
    for (const file of ended.files) {
      expect(file.startsWith(started.folder)).toBe(true);
      expect(file).toMatch(/capture_\d{5}_\d{14}\.pcapng$/);
    }
  });

  it('pauses analysis but keeps writing', async () => {
    const { service, addon } = createService();
    const started = await start(service);
    const handle = addon.handles[0];
    if (handle === undefined) throw new Error('no handle');
    expect(await service.handle('capture.pauseLive', { captureId: started.captureId })).toEqual({
      ok: true,
      value: { isPaused: true },
    });
    handle.deliver([tcpPacket(0, false, 0x02), tcpPacket(1, true, 0x12)]);
    expect(await service.handle('capture.resumeLive', { captureId: started.captureId })).toEqual({
      ok: true,
      value: { isPaused: false },
    });
    handle.deliver([dnsPacket(2)]);
    const stopped = await service.handle('capture.stopLive', { captureId: started.captureId });
    expect(stopped).toMatchObject({
      ok: true,
      value: { counters: { packets: 3, packetsWritten: 3, packetsNotAnalyzed: 2 } },
    });
  });

  it('ends with a message when the interface goes down', async () => {
    const { service, addon, emitted } = createService();
    const started = await start(service);
    addon.handles[0]?.end('interface-down', 'The interface went down');
    await waitFor(() => emitted.some((event) => event.name === 'capture.liveEnded'), 'capture.liveEnded');
    expect(emitted.find((event) => event.name === 'capture.liveEnded')?.payload).toMatchObject({
      captureId: started.captureId,
      reason: 'interface-down',
      message: 'Capture on eth0 ended: The interface went down. The capture file was finalized.',
    });
    expect(await service.handle('capture.stopLive', { captureId: started.captureId })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });

  it('refuses a second capture while one runs', async () => {
    const { service } = createService();
    const started = await start(service);
    expect(await service.handle('capture.startLive', { device: 'lo' })).toMatchObject({
      ok: false,
      error: { code: 'unsupported', details: { captureCode: 'capture-running' } },
    });
    await service.handle('capture.stopLive', { captureId: started.captureId });
  });

  it.each([
    [
      'permission',
      { openError: { code: 'permission-denied', message: 'socket: Operation not permitted' } },
      'permission-denied',
      'capture-permission-denied',
    ],
    [
      'missing device',
      { openError: { code: 'no-such-device', message: 'No such device exists' } },
      'not-found',
      'no-such-device',
    ],
  ] as const)('maps the %s open error', async (_name, options, code, captureCode) => {
    const { service } = createService(options);
    const result = await service.handle('capture.startLive', { device: 'eth0' });
    expect(result).toMatchObject({ ok: false, error: { code, details: { captureCode, device: 'eth0' } } });
    if (captureCode === 'capture-permission-denied' && process.platform === 'linux') {
      expect(result.ok ? '' : result.error.message).toContain('setcap cap_net_raw,cap_net_admin=eip');
      expect(result.ok ? '' : result.error.message).not.toMatch(/run (it )?as root|sudo tideline/i);
    }
  });

  it('rejects an invalid filter at start with libpcap message', async () => {
    const { service } = createService();
    const result = await service.handle('capture.startLive', { device: 'eth0', filter: 'bogus' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument', details: { field: 'filter', captureCode: 'invalid-filter' } },
    });
    expect(result.ok ? '' : result.error.message).toContain("can't parse filter expression: syntax error");
  });

  it('says what to install when the addon is missing', async () => {
    const emitted: Emitted[] = [];
    const service = new EngineService({
      analyze: () => Promise.reject(new Error('unused')),
      emit: (name, payload) => emitted.push({ name, payload }),
      liveCapture: {
        loadAddon: () => {
          throw new CaptureError('capture-unavailable', 'Live capture is unavailable: install libpcap-dev');
        },
      },
    });
    expect(await service.handle('capture.listInterfaces', {})).toMatchObject({
      ok: false,
      error: { code: 'unsupported', message: 'Live capture is unavailable: install libpcap-dev' },
    });
  });

  it('requires both ring settings', async () => {
    const { service } = createService();
    expect(await service.handle('capture.startLive', { device: 'eth0', ringFiles: 4 })).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument', details: { field: 'ringFileBytes' } },
    });
  });

  it('puts captures in the data folder', () => {
    expect(getDefaultCapturesFolder('linux', { TIDELINE_DATA_DIR: '/srv/t' }, '/home/a')).toBe('/srv/t/captures');
    expect(getDefaultCapturesFolder('linux', {}, '/home/a')).toBe('/home/a/.local/share/tideline/captures');
    expect(getDefaultCapturesFolder('darwin', {}, '/Users/a')).toBe(
      '/Users/a/Library/Application Support/Tideline/captures',
    );
  });

  it('looks for the addon in the packaged resources first', () => {
    const candidates = listAddonCandidates('/opt/Tideline/resources');
    const packaged = join('/opt/Tideline/resources', 'native', 'tideline_capture.node');
    expect(candidates).toContain(packaged);
    expect(candidates.indexOf(packaged)).toBeLessThan(candidates.findIndex((path) => path.includes('build/Release')));
    expect(listAddonCandidates(undefined)).not.toContain(packaged);
  });
});
