/** Run-time lists of request and event names with their API method names. */
import { events } from './events';
import { requests } from './requests';
import type { EventName, ListenerName, MethodName, RequestName } from './types';

export const requestNames = Object.keys(requests) as RequestName[];
export const eventNames = Object.keys(events) as EventName[];

/** `capture.open` -> `captureOpen`. */
export function methodNameOf<TName extends RequestName>(name: TName): MethodName<TName> {
  const [area = '', verb = ''] = name.split('.');
  return `${area}${verb.charAt(0).toUpperCase()}${verb.slice(1)}` as MethodName<TName>;
}

/** `capture.progress` -> `onCaptureProgress`. */
export function listenerNameOf<TName extends EventName>(name: TName): ListenerName<TName> {
  const method = methodNameOf(name as unknown as RequestName) as string;
  return `on${method.charAt(0).toUpperCase()}${method.slice(1)}` as ListenerName<TName>;
}

/** Name of the global that the preload exposes in the page (`window.tideline`). */
export const preloadGlobalName = 'tideline';
