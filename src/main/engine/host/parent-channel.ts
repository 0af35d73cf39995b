/**
 * The engine process's link to the process that started it: Electron's
 * `process.parentPort` in a utilityProcess, or Node's IPC channel
 * (`process.send`) under `child_process.fork`. This is the only place that
 * knows the difference.
 */
/// <reference types="electron" />

/** A port the engine posts events to, other than its parent (the page's MessagePort in the app). */
export interface EventPort {
  postMessage(message: unknown): void;
  close(): void;
  onClose(listener: () => void): void;
}

export interface ParentChannel {
  readonly kind: 'electron-utility' | 'node-fork';
  post(message: unknown): void;
  /** `ports` contains the MessagePorts sent along (Electron only; always empty under fork). */
  onMessage(listener: (message: unknown, ports: EventPort[]) => void): void;
}

/** Connect to the parent of this process. Returns null when it was started without one (a plain `node` run). */
export function connectToParent(): ParentChannel | null {
  // Electron adds parentPort to `process` in a utilityProcess only; its types declare it on every process.
  const parentPort = (process as { parentPort?: Electron.ParentPort }).parentPort;
  if (parentPort !== undefined) return wrapElectronParentPort(parentPort);
  if (typeof process.send === 'function') return wrapNodeChannel();
  return null;
}

function wrapElectronParentPort(parentPort: Electron.ParentPort): ParentChannel {
  return {
    kind: 'electron-utility',
    post: (message) => parentPort.postMessage(message),
    onMessage: (listener) => {
      parentPort.on('message', (event) => listener(event.data, event.ports.map(wrapMessagePortMain)));
    },
  };
}

function wrapMessagePortMain(port: Electron.MessagePortMain): EventPort {
  port.start();
  return {
    postMessage: (message) => port.postMessage(message),
    close: () => port.close(),
    onClose: (listener) => {
      port.on('close', listener);
    },
  };
}

function wrapNodeChannel(): ParentChannel {
  return {
    kind: 'node-fork',
    post: (message) => {
      // A parent that exited leaves the channel closed; there is no one left to tell.
      if (process.connected) process.send?.(message);
    },
    onMessage: (listener) => {
      process.on('message', (message) => listener(message, []));
    },
  };
}
