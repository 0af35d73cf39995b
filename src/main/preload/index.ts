/**
 * Preload of the Tideline window (sandboxed, built as CommonJS). Exposes the
 * contract API as `window.tideline` and nothing else.
 */
import { contextBridge, ipcRenderer } from 'electron';

import { preloadGlobalName } from '../../shared/contract/names';
import { buildPreloadApi, type PreloadIpc } from './build-api';

contextBridge.exposeInMainWorld(preloadGlobalName, buildPreloadApi(ipcRenderer as unknown as PreloadIpc));
