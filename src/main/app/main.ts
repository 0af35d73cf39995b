/**
 * Electron main process: one single-instance app with a hardened window,
 * menus, Open Recent, "open with", and the engine in a supervised
 * utilityProcess. Requests from the page arrive on per-request IPC channels,
 * where the sender is checked and the argument validated. Engine events
 * reach the page on a MessagePort whose two ends main hands to the engine
 * and the page.
 */
import { join } from 'node:path';

import { app, BrowserWindow, dialog, ipcMain, Menu, MessageChannelMain, session, shell } from 'electron';

import type { EventMessage } from '../../shared/contract/messages';
import { EngineSupervisor } from '../engine-supervisor/engine-supervisor';
import { getLogger } from '../engine/logging';
import { createHostHandlers } from '../host-state/host-handlers';
import { findWireshark, openInWireshark } from '../host-state/wireshark';
import { RecentCaptures } from '../host-state/recent-captures';
import { createRequestRouter, type RouteRequest } from '../host-state/request-router';
import { SettingsStore } from '../host-state/settings-store';
import { eventPortChannel, hostEventChannel } from '../preload/ipc-channels';
import { captureExtensions, findCapturePath } from './capture-paths';
import { registerRequestHandlers } from './ipc-host';
import { buildMenuTemplate } from './menu';
import { resolveRendererLocation, type RendererLocation } from './renderer-location';
import { acceptSender } from './sender-check';
import { spawnUtilityEngine, type UtilityEngineConnection } from './utility-engine';
import { createWindowOptions } from './window-options';
import { denyPermissions, installContentSecurityPolicy, lockDownContents } from './web-security';

const log = getLogger('app.main');
const isMac = process.platform === 'darwin';
/** Arguments before the user's own: the executable, and in development the app folder (`electron .`). */
const argvSkipCount = app.isPackaged ? 1 : 2;

const windows = new Set<BrowserWindow>();
const trustedContentsIds = new Set<number>();
let engine: UtilityEngineConnection | null = null;
let routeRequest: RouteRequest | null = null;
/** A path from "open with" or the command line that arrived before the app was ready. */
let pendingPath: string | null = findCapturePath(process.argv, argvSkipCount, process.cwd());

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const path = findCapturePath(argv, argvSkipCount, workingDirectory);
    focusWindow();
    if (path !== null) openCapture(path);
  });
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (routeRequest === null) pendingPath = path;
    else openCapture(path);
  });
  app.on('window-all-closed', () => {
    if (!isMac) app.quit();
  });
  app.whenReady().then(startApp, (error: unknown) => {
    log.fatal({ err: error }, 'app failed to start');
    app.exit(1);
  });
}

function startApp(): void {
  const location = resolveRendererLocation(
    join(import.meta.dirname, '../renderer/index.html'),
    process.env.ELECTRON_RENDERER_URL,
    app.isPackaged,
  );
  installContentSecurityPolicy(session.defaultSession);
  denyPermissions(session.defaultSession);
  app.on('web-contents-created', (_event, contents) =>
    lockDownContents(contents, location, (url) => shell.openExternal(url)),
  );

  const userData = app.getPath('userData');
  const recent = new RecentCaptures(join(userData, 'recent-captures.json'));
  const settings = new SettingsStore(join(userData, 'settings.json'));
  const supervisor = new EngineSupervisor({
    spawn: spawnUtilityEngine(join(import.meta.dirname, 'engine-process.js')),
    onEvent: forwardHostEvent,
    onReady: (connection) => {
      engine = connection as UtilityEngineConnection;
      for (const window of windows) attachEventPort(window);
    },
    log: getLogger('app.engine'),
  });

  const rebuildMenu = (): void => {
    const template = buildMenuTemplate(
      recent.list(),
      {
        openDialog: () => void chooseAndOpen(),
        openPath: openCapture,
        clearRecent: () => {
          recent.clear();
          app.clearRecentDocuments();
          rebuildMenu();
        },
        quit: () => app.quit(),
      },
      isMac,
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  };
  const wiresharkExecutable = findWireshark(process.env.PATH);
  const hostHandlers = createHostHandlers({
    recent,
    settings,
    info: { mode: 'desktop', version: app.getVersion(), canShowFileDialog: true },
    showOpenDialog: showOpenDialog,
    openInWireshark: wiresharkExecutable === null ? undefined : (path) => openInWireshark(wiresharkExecutable, path),
    onSettingsChanged: (value) => forwardHostEvent({ type: 'event', name: 'settings.changed', payload: value }),
  });
  routeRequest = createRequestRouter(hostHandlers, supervisor, (path) => {
    recent.add(path);
    app.addRecentDocument(path);
    rebuildMenu();
  });
  registerRequestHandlers(ipcMain, routeRequest, (event, channel) =>
    acceptSender(event, channel, trustedContentsIds, location),
  );

  app.on('before-quit', () => supervisor.stop());
  app.on('activate', () => {
    if (windows.size === 0) createWindow(location);
  });

  supervisor.start();
  rebuildMenu();
  createWindow(location);
  if (pendingPath !== null) openCapture(pendingPath);
  pendingPath = null;
}

function createWindow(location: RendererLocation): BrowserWindow {
  const window = new BrowserWindow(createWindowOptions(join(import.meta.dirname, '../preload/index.cjs')));
  const contentsId = window.webContents.id;
  windows.add(window);
  trustedContentsIds.add(contentsId);
  window.on('closed', () => {
    windows.delete(window);
    trustedContentsIds.delete(contentsId);
  });
  window.once('ready-to-show', () => window.show());
  // Every page load gets a fresh event port: the old one died with the old page.
  window.webContents.on('did-finish-load', () => attachEventPort(window));

  const load = location.kind === 'dev-server' ? window.loadURL(location.url) : window.loadFile(location.indexPath);
  load.catch((error: unknown) => log.error({ err: error }, 'window failed to load the page'));
  return window;
}

/** Give the engine and the page the two ends of a new MessageChannel for the engine's events. */
function attachEventPort(window: BrowserWindow): void {
  if (engine === null || window.isDestroyed()) return;
  const { port1, port2 } = new MessageChannelMain();
  engine.attachEventPort(port1);
  window.webContents.postMessage(eventPortChannel, null, [port2]);
}

/** Engine events reach the page on its port; the host's own events go over IPC to every window. */
function forwardHostEvent(message: EventMessage): void {
  if (!message.name.startsWith('engine.') && message.name !== 'settings.changed') return;
  if (message.name === 'engine.crashed') engine = null;
  for (const window of windows) if (!window.isDestroyed()) window.webContents.send(hostEventChannel, message);
}

function openCapture(path: string): void {
  if (routeRequest === null) {
    pendingPath = path;
    return;
  }
  void routeRequest('capture.open', { path }).then((result) => {
    if (result.ok) return;
    log.warn({ code: result.error.code }, 'opening a capture failed');
    dialog.showErrorBox('Cannot open capture', result.error.message);
  });
}

async function showOpenDialog(): Promise<string | null> {
  const window = BrowserWindow.getFocusedWindow() ?? [...windows][0];
  const options: Electron.OpenDialogOptions = {
    title: 'Open Capture',
    properties: ['openFile'],
    filters: [
      { name: 'Packet captures', extensions: [...captureExtensions] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const result =
    window === undefined ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(window, options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

async function chooseAndOpen(): Promise<void> {
  const path = await showOpenDialog();
  if (path !== null) openCapture(path);
}

function focusWindow(): void {
  const window = [...windows][0];
  if (window === undefined) return;
  if (window.isMinimized()) window.restore();
  window.focus();
}
