// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';

import App from '../../src/renderer/App.vue';
import { installApi } from '../../src/renderer/api';
import { usePacketsStore } from '../../src/renderer/stores/packets';
import { useSelectionStore } from '../../src/renderer/stores/selection';
import { FakeEngine, makeFlow, settle } from './fake-api';

let engine: FakeEngine;
let pinia: Pinia;

beforeEach(() => {
  localStorage.clear();
  pinia = createPinia();
  setActivePinia(pinia);
  engine = new FakeEngine();
  engine.flows = [makeFlow({ uid: 'C1' }), makeFlow({ uid: 'C2', originatorAddress: '10.0.0.9' })];
  installApi(engine.connection());
});

async function mountApp() {
  const wrapper = mount(App, { global: { plugins: [pinia] }, attachTo: document.body });
  await settle();
  return wrapper;
}

function press(key: string, options: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...options });
  window.dispatchEvent(event);
  return event;
}

/** Dispatches a drop of one file on the window. happy-dom's DragEvent ignores `dataTransfer` in its init, so it is set here. */
function dropFile(name: string): void {
  const dataTransfer = new DataTransfer();
  dataTransfer.items.add(new File(['x'], name));
  const event = new DragEvent('drop', { cancelable: true });
  Object.defineProperty(event, 'dataTransfer', { value: dataTransfer });
  window.dispatchEvent(event);
}

describe('App shell', () => {
  it('shows the open view until a capture starts', async () => {
    const wrapper = await mountApp();
    expect(wrapper.find('[aria-label="Open a capture"]').exists()).toBe(true);
    engine.emit('capture.started', { captureId: 'capture-1', path: '/captures/sample.pcapng' });
    await settle();
    expect(wrapper.find('[aria-label="Overview"]').exists()).toBe(true);
    expect(wrapper.find('.file-name').text()).toBe('sample.pcapng');
    wrapper.unmount();
  });

  it('opens a path typed in serve mode', async () => {
    const wrapper = await mountApp();
    await wrapper.find('#capture-path').setValue('/captures/office.pcapng');
    await wrapper.find('form').trigger('submit');
    await settle();
    expect(engine.requestsOf('captureOpen')).toEqual([{ path: '/captures/office.pcapng' }]);
    expect(engine.requestsOf('recentAdd')).toEqual([{ path: '/captures/office.pcapng' }]);
    wrapper.unmount();
  });

  it('switches views and clears the selection by keyboard', async () => {
    const wrapper = await mountApp();
    engine.emit('capture.started', { captureId: 'capture-1', path: '/captures/sample.pcapng' });
    await settle();

    press('4');
    await settle();
    expect(wrapper.find('[aria-label="Flows"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="flow-count"]').attributes('data-total')).toBe('2');

    press('5');
    await settle();
    expect(wrapper.find('[aria-label="Alerts"]').exists()).toBe(true);

    const selection = useSelectionStore();
    selection.toggleHost('10.0.0.9');
    press('Escape');
    expect(selection.hosts).toEqual([]);
    wrapper.unmount();
  });

  it('closes dialogs on Escape before clearing', async () => {
    const wrapper = await mountApp();
    engine.emit('capture.started', { captureId: 'capture-1', path: '/captures/sample.pcapng' });
    await settle();
    const selection = useSelectionStore();
    selection.toggleHost('10.0.0.9');
    const packets = usePacketsStore();
    await packets.openPackets(makeFlow({ uid: 'C1' }));
    await packets.follow(makeFlow({ uid: 'C1' }));
    expect([packets.isPacketViewOpen, packets.isFollowOpen]).toEqual([true, true]);

    press('Escape');
    expect([packets.isPacketViewOpen, packets.isFollowOpen]).toEqual([true, false]);
    press('Escape');
    expect(packets.isPacketViewOpen).toBe(false);
    expect(selection.hosts).toEqual(['10.0.0.9']);
    press('Escape');
    expect(selection.hosts).toEqual([]);
    wrapper.unmount();
  });

  it('shows the path field on Ctrl+O in serve mode', async () => {
    const wrapper = await mountApp();
    engine.emit('capture.started', { captureId: 'capture-1', path: '/captures/sample.pcapng' });
    await settle();
    const event = press('o', { ctrlKey: true });
    await settle();
    expect(event.defaultPrevented).toBe(true);
    expect(wrapper.find('#capture-path').exists()).toBe(true);
    wrapper.unmount();
  });

  it('leaves Ctrl+O to the menu in the desktop app', async () => {
    engine.mode = 'desktop';
    const wrapper = await mountApp();
    const event = press('o', { ctrlKey: true });
    await settle();
    expect(event.defaultPrevented).toBe(false);
    expect(engine.requestsOf('dialogOpenCapture')).toHaveLength(0);
    await wrapper.find('button.primary').trigger('click');
    await settle();
    expect(engine.requestsOf('dialogOpenCapture')).toHaveLength(1);
    wrapper.unmount();
  });

  it('opens a dropped file by its path from the preload', async () => {
    engine.mode = 'desktop';
    const connection = engine.connection();
    installApi({ ...connection, api: { ...connection.api, getPathForFile: (file: File) => `/drops/${file.name}` } });
    const wrapper = await mountApp();
    dropFile('dropped.pcapng');
    await settle();
    expect(engine.requestsOf('captureOpen')).toEqual([{ path: '/drops/dropped.pcapng' }]);
    wrapper.unmount();
  });

  it('explains that a browser cannot open a dropped file', async () => {
    const wrapper = await mountApp();
    dropFile('dropped.pcapng');
    await settle();
    expect(engine.requestsOf('captureOpen')).toEqual([]);
    expect(wrapper.text()).toContain('A browser does not reveal where "dropped.pcapng" is stored');
    wrapper.unmount();
  });

  it('lists the shortcuts in the help overlay', async () => {
    const wrapper = await mountApp();
    press('?');
    await settle();
    const help = wrapper.find('[aria-label="Keyboard shortcuts"][role="dialog"]');
    expect(help.exists()).toBe(true);
    expect(help.text()).toContain('Focus the quick filter');
    press('Escape');
    await settle();
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('applies the dark theme to the document', async () => {
    const wrapper = await mountApp();
    press('t');
    await settle();
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(engine.settings.theme).toBe('dark');
    wrapper.unmount();
  });
});
