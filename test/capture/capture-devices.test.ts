import { describe, expect, it } from 'vitest';

import { findDefaultRouteInterface, listCaptureDevices, parseIpv4DefaultRoute, parseIpv6DefaultRoute } from '../../src/main/capture/capture-devices';
import { createFakeCaptureAddon } from './fake-capture-addon';

const IPV4_ROUTES = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
wlan0\t00000000\t0102A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0
`;
const IPV6_ROUTES = `00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 wlan0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200 lo
`;

describe('default route', () => {
  it('picks the lowest IPv4 metric', () => {
    expect(parseIpv4DefaultRoute(IPV4_ROUTES)).toBe('eth0');
  });

  it('ignores routes that are down', () => {
    expect(parseIpv4DefaultRoute(IPV4_ROUTES.replace(/0003\t0\t0\t100/, '0002\t0\t0\t100'))).toBe('wlan0');
  });

  it('falls back to IPv6 without loopback', () => {
    expect(parseIpv6DefaultRoute(IPV6_ROUTES)).toBe('wlan0');
    const read = (path: string): string | null => (path === '/proc/net/route' ? IPV4_ROUTES.split('\n')[0] ?? '' : IPV6_ROUTES);
    expect(findDefaultRouteInterface(read)).toBe('wlan0');
  });

  it('returns null without route files', () => {
    expect(findDefaultRouteInterface(() => null)).toBeNull();
  });
});

describe('listCaptureDevices', () => {
  const addon = createFakeCaptureAddon({
    devices: [
      { name: 'lo', description: null, flags: 0x01 | 0x02 | 0x04 | 0x30, addresses: [{ family: 'ipv4', address: '127.0.0.1', netmask: '255.0.0.0', broadcast: null, destination: null }] },
      { name: 'wlan0', description: 'Wi-Fi', flags: 0x02 | 0x04 | 0x08 | 0x10, addresses: [{ family: 'ipv4', address: '10.66.0.5', netmask: '255.255.0.0', broadcast: null, destination: null }] },
      { name: 'eth1', description: null, flags: 0x02 | 0x20, addresses: [] },
    ],
  });

  it('decodes every flag', () => {
    const [lo, wlan, eth] = listCaptureDevices(addon, 'wlan0');
    expect(lo).toMatchObject({ isLoopback: true, isUp: true, isRunning: true, isWireless: false, connectionStatus: 'not-applicable', isDefaultRoute: false });
    expect(wlan).toMatchObject({ isLoopback: false, isWireless: true, connectionStatus: 'connected', isDefaultRoute: true, description: 'Wi-Fi' });
    expect(eth).toMatchObject({ isUp: true, isRunning: false, connectionStatus: 'disconnected', isDefaultRoute: false, flags: 0x22 });
  });

  it('falls back to a running interface with an address', () => {
    const devices = listCaptureDevices(addon, null);
    expect(devices.filter((device) => device.isDefaultRoute).map((device) => device.name)).toEqual(['wlan0']);
  });
});
