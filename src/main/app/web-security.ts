/**
 * Session and window hardening: the CSP response header, denied
 * permissions, denied navigation and new windows (https links open in the
 * system browser), no webviews.
 */
import type { OnHeadersReceivedListenerDetails, HeadersReceivedResponse, Session, WebContents } from 'electron';

import { getLogger } from '../engine/logging';
import { buildContentSecurityPolicy } from '../security/content-security-policy';
import { isRendererUrl, type RendererLocation } from './renderer-location';

const log = getLogger('app.security');

/** Add the CSP header to every response of the session (file pages and the dev server alike). */
export function installContentSecurityPolicy(session: Pick<Session, 'webRequest'>): void {
  const policy = buildContentSecurityPolicy();
  session.webRequest.onHeadersReceived(
    (details: OnHeadersReceivedListenerDetails, callback: (response: HeadersReceivedResponse) => void) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] } });
    },
  );
}

/** Deny every permission request and check (camera, notifications, clipboard, ...). */
export function denyPermissions(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>,
): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log.warn({ permission }, 'permission request denied');
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
}

/** True for a URL that may open in the system browser: it parses and is https. */
export function isExternalLinkAllowed(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Keep `contents` on our page: navigation away is prevented, window.open is
 * denied (https links go to `openExternal`), webviews are never attached.
 */
export function lockDownContents(
  contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  location: RendererLocation,
  openExternal: (url: string) => Promise<void>,
): void {
  contents.on('will-navigate', (event, url) => {
    if (isRendererUrl(url, location)) return;
    event.preventDefault();
    log.warn({ reason: 'navigation away from the Tideline page' }, 'navigation denied');
  });
  contents.on('will-redirect', (event, url) => {
    if (isRendererUrl(url, location)) return;
    event.preventDefault();
    log.warn({ reason: 'redirect away from the Tideline page' }, 'navigation denied');
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('webview denied');
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url)) void openExternal(url);
    else log.warn({ reason: 'not an https link' }, 'window.open denied');
    return { action: 'deny' };
  });
}
