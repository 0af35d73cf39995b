/**
 * The page's only door to the engine and the host. Stores call `useApi()`;
 * components never do. In the Electron app the preload's `window.tideline`
 * carries requests over IPC; under `tideline serve` a WebSocket does.
 */
import { preloadGlobalName, type TidelineApi } from '../../shared/contract';
import { buildWebSocketUrl, connectWebSocketApi, type ConnectionState } from './websocket-api';

/**
 * Extras the Electron preload may expose beside the contract's methods.
 * NOTE: drag and drop needs `getPathForFile` (Electron's webUtils); without
 * it, dropped files are rejected with a message naming File > Open instead.
 */
export interface PreloadExtras {
  getPathForFile?: (file: File) => string;
}

export type PageApi = TidelineApi & PreloadExtras;

export interface ApiConnection {
  api: PageApi;
  mode: 'desktop' | 'serve';
  onConnectionChange: (listener: (state: ConnectionState, reason: string) => void) => () => void;
}

let installed: ApiConnection | null = null;

/** Uses `connection` for every later `useApi()`; tests install a fake here. */
export function installApi(connection: ApiConnection): void {
  installed = connection;
}

/**
 * Returns the installed API, connecting on first use: the preload global when
 * present, else the WebSocket named by the page URL's token.
 * Throws when neither exists, since the page cannot work without one.
 */
export function useApi(): ApiConnection {
  if (installed) return installed;
  installed = connectFromPage();
  return installed;
}

function connectFromPage(): ApiConnection {
  const preloadApi = (window as unknown as Record<string, unknown>)[preloadGlobalName] as PageApi | undefined;
  if (preloadApi) {
    return { api: preloadApi, mode: 'desktop', onConnectionChange: () => () => undefined };
  }

  const url = buildWebSocketUrl(window.location.href);
  if (!url) {
    throw new Error(
      'No engine connection: this page has no Electron preload API and its URL has no ?token=. Open the URL that "tideline serve" printed.',
    );
  }
  const connection = connectWebSocketApi(url);
  return { api: connection.api, mode: 'serve', onConnectionChange: connection.onConnectionChange };
}

export type { ConnectionState };
