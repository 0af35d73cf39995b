import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it, vi } from 'vitest';

import { requestNames } from '../../src/shared/contract';

/** Everything the main process did to the mocked Electron, for the assertions below. */
const recorded = vi.hoisted(() => ({
  appHandlers: new Map<string, (...args: unknown[]) => void>(),
  ipcChannels: [] as string[],
  windows: [] as {
    options: { webPreferences: Record<string, unknown> };
    contents: FakeContents;
    loadedFile: string | null;
  }[],
  children: [] as FakeChild[],
  menus: [] as unknown[],
  errorBoxes: [] as string[][],
}));

interface FakeContents {
  id: number;
  handlers: Map<string, (...args: unknown[]) => void>;
  posted: unknown[][];
  sent: unknown[][];
}

interface FakeChild {
  path: string;
  pid: number;
  messages: unknown[][];
  handlers: Map<string, (...args: unknown[]) => void>;
}

vi.mock('electron', () => {
  let nextContentsId = 1;
  class BrowserWindow {
    webContents: FakeContents & { on: unknown; postMessage: unknown; send: unknown };
    constructor(options: { webPreferences: Record<string, unknown> }) {
      const contents: FakeContents = { id: nextContentsId++, handlers: new Map(), posted: [], sent: [] };
      this.webContents = Object.assign(contents, {
        on: (name: string, handler: (...args: unknown[]) => void) => contents.handlers.set(name, handler),
        postMessage: (...args: unknown[]) => contents.posted.push(args),
        send: (...args: unknown[]) => contents.sent.push(args),
      });
      recorded.windows.push({ options, contents, loadedFile: null });
    }
    static getFocusedWindow = () => null;
    on = () => this;
    once = () => this;
    show = () => undefined;
    isMinimized = () => false;
    restore = () => undefined;
    focus = () => undefined;
    isDestroyed = () => false;
    loadFile = (file: string) => {
      const window = recorded.windows.find((entry) => entry.contents === this.webContents);
      if (window !== undefined) window.loadedFile = file;
      return Promise.resolve();
    };
    loadURL = () => Promise.resolve();
  }
  class MessageChannelMain {
    port1 = { name: 'engine-end' };
    port2 = { name: 'page-end' };
  }
  let nextPid = 1000;
  return {
    app: {
      isPackaged: true,
      requestSingleInstanceLock: () => true,
      on: (name: string, handler: (...args: unknown[]) => void) => recorded.appHandlers.set(name, handler),
      whenReady: () => Promise.resolve(),
      getPath: () => mkdtempSync(join(tmpdir(), 'tideline-user-data-')),
      getVersion: () => '1.2.3',
      addRecentDocument: () => undefined,
      clearRecentDocuments: () => undefined,
      quit: () => undefined,
      exit: () => undefined,
    },
    BrowserWindow,
    MessageChannelMain,
    ipcMain: { handle: (channel: string) => recorded.ipcChannels.push(channel) },
    Menu: {
      buildFromTemplate: (template: unknown) => template,
      setApplicationMenu: (menu: unknown) => recorded.menus.push(menu),
    },
    dialog: {
      showErrorBox: (...args: string[]) => recorded.errorBoxes.push(args),
      showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }),
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: () => undefined },
        setPermissionRequestHandler: () => undefined,
        setPermissionCheckHandler: () => undefined,
      },
    },
    shell: { openExternal: () => Promise.resolve() },
    utilityProcess: {
      fork: (path: string) => {
        const child: FakeChild = { path, pid: nextPid++, messages: [], handlers: new Map() };
        recorded.children.push(child);
        return {
          pid: child.pid,
          postMessage: (...args: unknown[]) => child.messages.push(args),
          on: (name: string, handler: (...args: unknown[]) => void) => child.handlers.set(name, handler),
          once: (name: string, handler: (...args: unknown[]) => void) => child.handlers.set(name, handler),
          kill: () => true,
        };
      },
    },
  };
});

const capturePath = join(mkdtempSync(join(tmpdir(), 'tideline-argv-')), 'start.pcapng');
const secondPath = join(mkdtempSync(join(tmpdir(), 'tideline-argv-')), 'second.pcap');

beforeAll(async () => {
  writeFileSync(capturePath, '');
  writeFileSync(secondPath, '');
  process.argv = ['/opt/Tideline/tideline', capturePath];
  await import('../../src/main/app/main');
  await vi.waitFor(() => expect(recorded.windows).toHaveLength(1));
});

function requestsSentTo(child: FakeChild): { name: string; argument: unknown }[] {
  return child.messages
    .map(([message]) => message as { type: string; name: string; argument: unknown })
    .filter((message) => message.type === 'request');
}

describe('Electron main process', () => {
  it('opens one hardened window on the built page', () => {
    const [window] = recorded.windows;
    expect(window?.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(String(window?.options.webPreferences.preload)).toMatch(/preload[/\\]index\.cjs$/);
    expect(window?.loadedFile).toMatch(/renderer[/\\]index\.html$/);
  });

  it('registers one IPC channel per request', () => {
    expect([...recorded.ipcChannels].sort()).toEqual(requestNames.map((name) => `tideline:${name}`).sort());
  });

  it('starts the engine as a utility process', () => {
    expect(recorded.children).toHaveLength(1);
    expect(recorded.children[0]?.path).toMatch(/engine-process\.js$/);
  });

  it('opens the command-line capture once the engine is ready', () => {
    const child = recorded.children[0] as FakeChild;
    expect(requestsSentTo(child)).toEqual([]);
    child.handlers.get('message')?.({ type: 'ready' });
    expect(requestsSentTo(child)).toMatchObject([{ name: 'capture.open', argument: { path: capturePath } }]);
  });

  it('hands the page and the engine an event port', () => {
    const child = recorded.children[0] as FakeChild;
    const contents = recorded.windows[0]?.contents as FakeContents;
    contents.handlers.get('did-finish-load')?.();
    const attach = child.messages.filter(([message]) => (message as { type: string }).type === 'attach-event-port');
    expect(attach.at(-1)).toEqual([{ type: 'attach-event-port' }, [{ name: 'engine-end' }]]);
    expect(contents.posted.at(-1)).toEqual(['tideline:event-port', null, [{ name: 'page-end' }]]);
  });

  it('opens a path from a second instance', () => {
    const child = recorded.children[0] as FakeChild;
    recorded.appHandlers.get('second-instance')?.(
      {},
      ['/opt/Tideline/tideline', 'second.pcap'],
      join(secondPath, '..'),
    );
    expect(requestsSentTo(child).at(-1)).toMatchObject({ name: 'capture.open', argument: { path: secondPath } });
  });

  it('reports an engine crash to the page and restarts', async () => {
    const child = recorded.children[0] as FakeChild;
    child.handlers.get('exit')?.(134);
    const contents = recorded.windows[0]?.contents as FakeContents;
    expect(contents.sent.at(-1)).toMatchObject([
      'tideline:host-event',
      { type: 'event', name: 'engine.crashed', payload: { exitCode: 134, restartCount: 1 } },
    ]);
    await vi.waitFor(() => expect(recorded.children).toHaveLength(2), { timeout: 3_000 });
  });
});
