// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';

import { fail, type LiveCaptureDevice } from '../../src/shared/contract';
import { installApi } from '../../src/renderer/api';
import App from '../../src/renderer/App.vue';
import InterfacePicker from '../../src/renderer/components/capture/InterfacePicker.vue';
import LiveCounters from '../../src/renderer/components/capture/LiveCounters.vue';
import { useCaptureStore } from '../../src/renderer/stores/capture';
import { maxRateSamples, useLiveCaptureStore } from '../../src/renderer/stores/live-capture';
import CaptureView from '../../src/renderer/views/CaptureView.vue';
import { FakeEngine, makeFlow, settle, zeroLiveCounters } from './fake-api';

function makeDevice(overrides: Partial<LiveCaptureDevice> & { name: string }): LiveCaptureDevice {
  return {
    description: null,
    isUp: true,
    isRunning: true,
    isLoopback: false,
    isWireless: false,
    connectionStatus: 'connected',
    addresses: [],
    isDefaultRoute: false,
    flags: 0x16,
    ...overrides,
  };
}

let engine: FakeEngine;
let pinia: Pinia;

beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  engine = new FakeEngine();
  engine.captureId = 'live-1';
  engine.devices = [
    makeDevice({
      name: 'lo',
      isLoopback: true,
      connectionStatus: 'not-applicable',
      addresses: [{ family: 'ipv4', address: '127.0.0.1', netmask: null, broadcast: null, destination: null }],
    }),
    makeDevice({
      name: 'wlan0',
      description: 'Wi-Fi',
      isWireless: true,
      isDefaultRoute: true,
      addresses: [{ family: 'ipv4', address: '192.168.1.20', netmask: null, broadcast: null, destination: null }],
    }),
    makeDevice({ name: 'eth1', isUp: false, isRunning: false, connectionStatus: 'disconnected' }),
  ];
  installApi(engine.connection());
});

describe('live capture store', () => {
  it('preselects the default-route interface', async () => {
    const live = useLiveCaptureStore();
    await live.loadDevices();
    expect(live.devices.map((device) => device.name)).toEqual(['lo', 'wlan0', 'eth1']);
    expect(live.selectedDevice).toBe('wlan0');
  });

  it('keeps the analyst choice across a refresh', async () => {
    const live = useLiveCaptureStore();
    await live.loadDevices();
    live.selectDevice('lo');
    await live.loadDevices();
    expect(live.selectedDevice).toBe('lo');
  });

  it('does not start with an invalid filter', async () => {
    const live = useLiveCaptureStore();
    await live.loadDevices();
    live.updateForm({ filter: 'bogus port' });
    expect(await live.start()).toBe(false);
    expect(live.filterMessage).toBe('syntax error in filter expression');
    expect(live.phase).toBe('idle');
    expect(engine.requestsOf('captureStartLive')).toEqual([]);
    // Editing the filter clears the old message until the next check.
    live.updateForm({ filter: 'tcp port 80' });
    expect(live.filterMessage).toBeUndefined();
  });

  it('sends the options in bytes', async () => {
    const live = useLiveCaptureStore();
    await live.loadDevices();
    live.updateForm({
      filter: ' tcp port 80 ',
      promiscuous: false,
      snaplen: 9000,
      bufferSizeMiB: 8,
      isHeadersOnly: true,
      isRingEnabled: true,
      ringFileMiB: 2,
      ringFiles: 5,
    });
    expect(await live.start()).toBe(true);
    expect(engine.requestsOf('captureStartLive')).toEqual([
      {
        device: 'wlan0',
        filter: 'tcp port 80',
        promiscuous: false,
        snaplen: 9000,
        isHeadersOnly: true,
        bufferSizeBytes: 8_388_608,
        ringFileBytes: 2_097_152,
        ringFiles: 5,
      },
    ]);
    expect(live.phase).toBe('running');
    expect(live.captureId).toBe('live-1');
  });

  it('shows the permission fix and stays idle', async () => {
    const live = useLiveCaptureStore();
    await live.loadDevices();
    engine.liveStartResult = fail(
      'permission-denied',
      'This process may not capture on wlan0. Grant packet capture with setcap.',
      {
        captureCode: 'capture-permission-denied',
      },
    );
    expect(await live.start()).toBe(false);
    expect(live.isPermissionError).toBe(true);
    expect(live.startError?.message).toContain('setcap');
    expect(live.phase).toBe('idle');
  });

  it('collects counters and holds the strip while reading', async () => {
    const live = useLiveCaptureStore();
    await live.loadDevices();
    await live.start();
    for (let index = 1; index <= 3; index += 1) {
      engine.emit('capture.liveCounters', {
        ...zeroLiveCounters(),
        captureId: 'live-1',
        device: 'wlan0',
        isPaused: false,
        packets: index * 10,
        packetsPerSecond: index * 40,
        elapsedMs: index * 250,
      });
    }
    // Counters of another capture are ignored.
    engine.emit('capture.liveCounters', {
      ...zeroLiveCounters(),
      captureId: 'other',
      device: 'wlan0',
      isPaused: false,
      packets: 999,
    });
    expect(live.counters?.packets).toBe(30);
    expect(live.rateSamples.map((sample) => sample.packetsPerSecond)).toEqual([40, 80, 120]);

    live.setFollowing(false);
    engine.emit('capture.liveCounters', {
      ...zeroLiveCounters(),
      captureId: 'live-1',
      device: 'wlan0',
      isPaused: false,
      packetsPerSecond: 7,
    });
    expect(live.visibleSamples).toHaveLength(3);
    expect(live.rateSamples).toHaveLength(4);
    live.setFollowing(true);
    expect(live.visibleSamples).toHaveLength(4);
  });

  it('shows Capturing in the status bar', async () => {
    localStorage.clear();
    const wrapper = mount(App, { global: { plugins: [pinia] }, attachTo: document.body });
    await settle();
    const live = useLiveCaptureStore();
    await live.loadDevices();
    await live.start();
    engine.emit('capture.started', { captureId: 'live-1', path: 'wlan0' });
    engine.emit('capture.liveCounters', { ...zeroLiveCounters(), captureId: 'live-1', device: 'wlan0', isPaused: false, packets: 1234 });
    await settle();
    expect(useCaptureStore().phase).toBe('loading');
    expect(wrapper.find('[data-testid="status-phase"]').text()).toBe('Capturing');
    expect(wrapper.find('[data-testid="status-packets"]').text()).toBe('1,234 packets');
    expect(wrapper.find('.status-bar').text()).not.toContain('Loading');

    await live.stop();
    await settle();
    expect(wrapper.find('[data-testid="status-phase"]').text()).not.toBe('Capturing');
    wrapper.unmount();
  });

  it('keeps at most two minutes of rate samples', async () => {
    const live = useLiveCaptureStore();
    await live.loadDevices();
    await live.start();
    for (let index = 0; index < maxRateSamples + 10; index += 1)
      engine.emit('capture.liveCounters', {
        ...zeroLiveCounters(),
        captureId: 'live-1',
        device: 'wlan0',
        isPaused: false,
        elapsedMs: index,
      });
    expect(live.rateSamples).toHaveLength(maxRateSamples);
    expect(live.rateSamples[0]?.elapsedMs).toBe(10);
  });

  it('pauses, resumes and stops', async () => {
    const live = useLiveCaptureStore();
    await live.loadDevices();
    await live.start();
    await live.pause();
    expect(live.isPaused).toBe(true);
    await live.resume();
    expect(live.isPaused).toBe(false);
    await live.stop();
    expect(live.phase).toBe('ended');
    expect(live.endReason).toBe('stopped');
    expect(engine.requestsOf('captureStopLive')).toEqual([{ captureId: 'live-1' }]);
  });

  it('ends with the message when the interface goes down', async () => {
    const live = useLiveCaptureStore();
    await live.loadDevices();
    await live.start();
    engine.emit('capture.liveEnded', {
      captureId: 'live-1',
      reason: 'interface-down',
      message: 'Capture on wlan0 ended: The interface went down. The capture file was finalized.',
      files: ['/data/captures/live/capture.pcapng'],
      counters: { ...zeroLiveCounters(), packets: 12 },
    });
    expect(live.phase).toBe('ended');
    expect(live.isRunning).toBe(false);
    expect(live.endMessage).toContain('went down');
    expect(live.counters?.packets).toBe(12);
  });

  it('reports a missing addon in the interface list', async () => {
    engine.devices = [];
    const connection = engine.connection();
    connection.api.captureListInterfaces = () =>
      Promise.resolve(
        fail('unsupported', 'Live capture is unavailable: install libpcap-dev, then run "npm run build:capture".'),
      );
    installApi(connection);
    const live = useLiveCaptureStore();
    await live.loadDevices();
    expect(live.devicesError?.code).toBe('unsupported');
    expect(live.selectedDevice).toBeNull();
  });
});

describe('live capture components', () => {
  it('shows flags, addresses and the default route', () => {
    const wrapper = mount(InterfacePicker, {
      props: { devices: engine.devices, selected: 'wlan0', isDisabled: false },
    });
    const rows = wrapper.findAll('tbody tr');
    expect(rows.map((row) => row.findAll('.flag').map((flag) => flag.text()))).toEqual([
      ['up', 'running', 'loopback'],
      ['up', 'running', 'wireless', 'connected'],
      ['down', 'disconnected'],
    ]);
    expect(rows[1]?.text()).toContain('default route');
    expect(rows[1]?.text()).toContain('Wi-Fi');
    expect(rows[1]?.find('.addresses').text()).toBe('192.168.1.20');
    expect(rows[1]?.classes()).toContain('selected');
  });

  it('emits the picked interface', async () => {
    const wrapper = mount(InterfacePicker, {
      props: { devices: engine.devices, selected: 'wlan0', isDisabled: false },
    });
    await wrapper.findAll('tbody tr')[0]?.trigger('click');
    expect(wrapper.emitted('select')).toEqual([['lo']]);
  });

  it('shows counters and flags drops', () => {
    const wrapper = mount(LiveCounters, {
      props: {
        counters: {
          ...zeroLiveCounters(),
          packets: 12_345,
          bytes: 2_048,
          droppedByKernel: 17,
          droppedByInterface: 0,
          packetsPerSecond: 250.4,
          bitsPerSecond: 12_300_000,
          elapsedMs: 3_725_000,
        },
      },
    });
    const value = (key: string) => wrapper.find(`[data-counter="${key}"] dd`);
    expect(value('kernel-drops').text()).toBe('17');
    expect(value('kernel-drops').classes()).toContain('error-text');
    expect(value('interface-drops').text()).toBe('0');
    expect(value('interface-drops').classes()).not.toContain('error-text');
    expect(value('bit-rate').text()).toBe('12.3 Mbit/s');
    expect(value('packet-rate').text()).toBe('250');
    expect(value('elapsed').text()).toBe('01:02:05');
  });

  it('runs a capture from the view and lists its flows', async () => {
    engine.flows = [
      makeFlow({ uid: 'C1', startUs: 1_700_000_000_000_000, responderPort: 8080 }),
      makeFlow({ uid: 'C2', startUs: 1_700_000_001_000_000, responderPort: 8080, isFinished: false }),
    ];
    const wrapper = mount(CaptureView, { global: { plugins: [pinia] } });
    await settle();
    expect(wrapper.find('input[value="wlan0"]').element).toHaveProperty('checked', true);

    await wrapper.find('button.primary').trigger('click');
    await settle();
    expect(wrapper.find('[data-testid="live-status"]').text()).toBe('Capturing on wlan0');
    expect(wrapper.find('[data-testid="live-folder"]').text()).toBe('/data/captures/live');

    // The engine reports the live capture as the loaded one; the flows store fills from it.
    await useCaptureStore().initialize();
    engine.emit('capture.started', { captureId: 'live-1', path: '/data/captures/live/capture.pcapng' });
    const { useFlowsStore } = await import('../../src/renderer/stores/flows');
    await useFlowsStore().refresh();
    await settle();
    const uids = wrapper.findAll('[aria-label="Live flows"] tbody tr').map((row) => row.attributes('data-uid'));
    expect(uids).toEqual(['C2', 'C1']);
    expect(wrapper.find('[aria-label="Live flows"] tbody tr').text()).toContain('open');

    await wrapper
      .findAll('button')
      .find((button) => button.text() === 'Stop')
      ?.trigger('click');
    await settle();
    expect(wrapper.find('[data-testid="live-status"]').attributes('data-phase')).toBe('ended');
  });

  it('shows the permission message in the view', async () => {
    engine.liveStartResult = fail(
      'permission-denied',
      'This process may not capture on wlan0 (socket: Operation not permitted). Grant packet capture with sudo setcap cap_net_raw,cap_net_admin=eip.',
      {
        captureCode: 'capture-permission-denied',
      },
    );
    const wrapper = mount(CaptureView, { global: { plugins: [pinia] } });
    await settle();
    await wrapper.find('button.primary').trigger('click');
    await settle();
    const error = wrapper.find('[data-testid="live-error"]');
    expect(error.text()).toContain('No permission to capture');
    expect(error.text()).toContain('setcap cap_net_raw,cap_net_admin=eip');
    expect(error.text()).toContain('Saved captures still open');
  });
});

describe('holding the live timeline', () => {
  it('skips timeline redraws while held and catches up on follow', async () => {
    const { useTimelineStore } = await import('../../src/renderer/stores/timeline');
    const capture = useCaptureStore();
    await capture.initialize();
    useTimelineStore().watchSources();
    const live = useLiveCaptureStore();
    await live.loadDevices();
    await live.start();
    engine.emit('capture.started', { captureId: 'live-1', path: '/data/captures/live/capture.pcapng' });
    await settle();
    const batch = { captureId: 'live-1', packets: 10, flows: 1, alerts: 0, newFlows: 1 };
    engine.emit('capture.batch', batch);
    await settle();
    const before = engine.requestsOf('aggregatesTimeline').length;

    live.setFollowing(false);
    engine.emit('capture.batch', { ...batch, packets: 20 });
    engine.emit('capture.batch', { ...batch, packets: 30 });
    await settle();
    expect(engine.requestsOf('aggregatesTimeline')).toHaveLength(before);

    live.setFollowing(true);
    await settle();
    expect(engine.requestsOf('aggregatesTimeline')).toHaveLength(before + 1);
  });
});

describe('a page opened mid-capture', () => {
  it('adopts the running capture from its counters', async () => {
    const live = useLiveCaptureStore();
    live.initialize();
    engine.emit('capture.liveCounters', {
      ...zeroLiveCounters(),
      captureId: 'live-9',
      device: 'eth0',
      isPaused: true,
      packets: 42,
    });
    expect(live.phase).toBe('running');
    expect(live.captureId).toBe('live-9');
    expect(live.device).toBe('eth0');
    expect(live.isPaused).toBe(true);
    expect(live.counters?.packets).toBe(42);
    await live.stop();
    expect(engine.requestsOf('captureStopLive')).toEqual([{ captureId: 'live-9' }]);
  });
});
