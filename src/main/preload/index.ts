/**
 * Preload of the Tideline window (sandboxed, built as CommonJS). Exposes the
 * contract API as `window.tideline`, plus `getPathForFile` so that a capture
 * dropped on the window can be opened by its path.
 */
// Must stay the first import: it configures zod before the contract creates its schemas.
import './configure-zod';

import { contextBridge, ipcRenderer, webUtils } from 'electron';

import { preloadGlobalName } from '../../shared/contract/names';
import { buildPreloadApi, type PreloadIpc } from './build-api';

contextBridge.exposeInMainWorld(preloadGlobalName, {
  ...buildPreloadApi(ipcRenderer as unknown as PreloadIpc),
  // Sandboxed pages get no File.path since Electron 32; webUtils is the supported way to learn a dropped file's path.
  getPathForFile: (file: File): string => webUtils.getPathForFile(file),
});
