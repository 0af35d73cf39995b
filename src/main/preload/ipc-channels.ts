/** IPC channel names shared by the preload and the main process. */

/** `ipcRenderer.invoke` channel of one request: `tideline:capture.open`. */
export function requestChannelOf(name: string): string {
  return `tideline:${name}`;
}

/** Main -> page: carries the MessagePort on which the engine posts its events. */
export const eventPortChannel = 'tideline:event-port';

/** Main -> page: events of the host itself (engine.crashed, engine.restarted, settings.changed). */
export const hostEventChannel = 'tideline:host-event';
