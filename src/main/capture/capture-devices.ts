/** The interface list for the picker and for `tideline capture --list-interfaces`. */
import { readFileSync } from 'node:fs';

import type { CaptureAddon, NativeDevice, NativeDeviceAddress } from './capture-addon';

/** libpcap PCAP_IF_* flag bits (pcap/pcap.h, libpcap 1.9 and later for wireless and connection status). */
export const PCAP_INTERFACE_FLAG = {
  LOOPBACK: 0x01,
  UP: 0x02,
  RUNNING: 0x04,
  WIRELESS: 0x08,
  CONNECTION_STATUS_MASK: 0x30,
} as const;

export type ConnectionStatus = 'unknown' | 'connected' | 'disconnected' | 'not-applicable';

const CONNECTION_STATUS_BY_BITS: Record<number, ConnectionStatus> = {
  0x00: 'unknown',
  0x10: 'connected',
  0x20: 'disconnected',
  0x30: 'not-applicable',
};

export interface CaptureDevice {
  name: string;
  description: string | null;
  isUp: boolean;
  isRunning: boolean;
  isLoopback: boolean;
  isWireless: boolean;
  connectionStatus: ConnectionStatus;
  addresses: NativeDeviceAddress[];
  /** True for the interface that carries the default route; the picker preselects it. */
  isDefaultRoute: boolean;
  /** libpcap's raw flag bits, kept for flags this type does not name. */
  flags: number;
}

/** Convert one pcap_findalldevs entry. */
export function describeCaptureDevice(device: NativeDevice, defaultRouteInterface: string | null): CaptureDevice {
  return {
    name: device.name,
    description: device.description,
    isUp: (device.flags & PCAP_INTERFACE_FLAG.UP) !== 0,
    isRunning: (device.flags & PCAP_INTERFACE_FLAG.RUNNING) !== 0,
    isLoopback: (device.flags & PCAP_INTERFACE_FLAG.LOOPBACK) !== 0,
    isWireless: (device.flags & PCAP_INTERFACE_FLAG.WIRELESS) !== 0,
    connectionStatus: CONNECTION_STATUS_BY_BITS[device.flags & PCAP_INTERFACE_FLAG.CONNECTION_STATUS_MASK] ?? 'unknown',
    addresses: device.addresses,
    isDefaultRoute: defaultRouteInterface !== null && device.name === defaultRouteInterface,
    flags: device.flags,
  };
}

/**
 * List capture devices with the default-route interface marked. Throws the
 * addon's Error (code 'device-list-failed') when libpcap cannot list them.
 */
export function listCaptureDevices(
  addon: CaptureAddon,
  defaultRouteInterface: string | null = findDefaultRouteInterface(),
): CaptureDevice[] {
  const devices = addon.listDevices().map((device) => describeCaptureDevice(device, defaultRouteInterface));
  if (defaultRouteInterface === null || !devices.some((device) => device.isDefaultRoute)) {
    // Without a route table, prefer the first running, non-loopback interface with an IP address.
    const fallback = devices.find(
      (device) =>
        device.isUp &&
        device.isRunning &&
        !device.isLoopback &&
        device.addresses.some((address) => address.family !== 'link'),
    );
    if (fallback !== undefined) fallback.isDefaultRoute = true;
  }
  return devices;
}

/**
 * Name of the interface of the IPv4 default route from /proc/net/route, or
 * of the IPv6 one from /proc/net/ipv6_route; null elsewhere or when none.
 * NOTE: macOS and Windows have no such file, so there the fallback in
 * listCaptureDevices picks the interface; reading their routing table
 * (route get default, GetBestInterface) would make the choice exact.
 */
export function findDefaultRouteInterface(readText: (path: string) => string | null = readTextOrNull): string | null {
  const ipv4Routes = readText('/proc/net/route');
  if (ipv4Routes !== null) {
    const found = parseIpv4DefaultRoute(ipv4Routes);
    if (found !== null) return found;
  }
  const ipv6Routes = readText('/proc/net/ipv6_route');
  return ipv6Routes === null ? null : parseIpv6DefaultRoute(ipv6Routes);
}

/** Return the interface of the lowest-metric 0.0.0.0/0 route in /proc/net/route text, or null. */
export function parseIpv4DefaultRoute(text: string): string | null {
  let best: { name: string; metric: number } | null = null;
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // Iface Destination Gateway Flags RefCnt Use Metric Mask ...; flag 0x1 is RTF_UP.
    if (fields.length < 8 || fields[1] !== '00000000' || fields[7] !== '00000000') continue;
    if ((Number.parseInt(fields[3] ?? '0', 16) & 0x1) === 0) continue;
    const metric = Number.parseInt(fields[6] ?? '0', 10);
    if (best === null || metric < best.metric) best = { name: fields[0] ?? '', metric };
  }
  return best?.name ?? null;
}

/** Return the interface of the lowest-metric ::/0 route in /proc/net/ipv6_route text, skipping loopback, or null. */
export function parseIpv6DefaultRoute(text: string): string | null {
  let best: { name: string; metric: number } | null = null;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // destination, prefix length, source, source length, next hop, metric, refcount, use, flags, interface.
    if (fields.length < 10 || !/^0{32}$/.test(fields[0] ?? '') || fields[1] !== '00') continue;
    const name = fields[9] ?? '';
    if (name === 'lo') continue;
    const metric = Number.parseInt(fields[5] ?? '0', 16);
    if (best === null || metric < best.metric) best = { name, metric };
  }
  return best?.name ?? null;
}

function readTextOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
