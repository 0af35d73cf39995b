/** Location of the window's page, and the check that a URL is that page. */
import { pathToFileURL } from 'node:url';

export type RendererLocation = { kind: 'file'; indexPath: string } | { kind: 'dev-server'; url: string };

/** Choose the electron-vite dev server in development (ELECTRON_RENDERER_URL), else the built index.html. */
export function resolveRendererLocation(
  indexPath: string,
  devServerUrl: string | undefined,
  isPackaged: boolean,
): RendererLocation {
  if (!isPackaged && devServerUrl !== undefined && devServerUrl !== '')
    return { kind: 'dev-server', url: devServerUrl };
  return { kind: 'file', indexPath };
}

/**
 * True when `url` is our page: the same file (query and fragment ignored)
 * or the same dev-server origin. `file:` URLs have an opaque origin, so the
 * file case compares the path itself.
 */
export function isRendererUrl(url: string, location: RendererLocation): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (location.kind === 'dev-server') return parsed.origin === new URL(location.url).origin;
  const expected = pathToFileURL(location.indexPath);
  return parsed.protocol === 'file:' && parsed.host === expected.host && parsed.pathname === expected.pathname;
}
