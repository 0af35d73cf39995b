/** The application menu: File (Open, Open Recent, Quit), Edit, View, Help. */
import type { MenuItemConstructorOptions } from 'electron';

import type { RecentCapture } from '../../shared/domain/settings';

export interface MenuActions {
  openDialog(): void;
  openPath(path: string): void;
  clearRecent(): void;
  quit(): void;
}

/** Build the menu template; `isMac` adds the app menu macOS expects. */
export function buildMenuTemplate(
  recent: readonly RecentCapture[],
  actions: MenuActions,
  isMac: boolean,
): MenuItemConstructorOptions[] {
  const recentItems: MenuItemConstructorOptions[] =
    recent.length === 0
      ? [{ label: 'No Recent Captures', enabled: false }]
      : recent.map((entry) => ({ label: entry.path, click: () => actions.openPath(entry.path) }));

  const fileMenu: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: '&Open Capture…', accelerator: 'CmdOrCtrl+O', click: () => actions.openDialog() },
      {
        label: 'Open &Recent',
        submenu: [
          ...recentItems,
          { type: 'separator' },
          { label: 'Clear Recent', enabled: recent.length > 0, click: () => actions.clearRecent() },
        ],
      },
      { type: 'separator' },
      isMac ? { role: 'close' } : { label: '&Quit', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() },
    ],
  };

  return [
    ...(isMac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    fileMenu,
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
}
