import { describe, expect, it, vi } from 'vitest';

import { checkSender, type SenderEvent } from '../../src/main/app/sender-check';
import { isRendererUrl, resolveRendererLocation, type RendererLocation } from '../../src/main/app/renderer-location';
import { createWindowOptions } from '../../src/main/app/window-options';
import {
  denyPermissions,
  installContentSecurityPolicy,
  isExternalLinkAllowed,
  lockDownContents,
} from '../../src/main/app/web-security';

vi.mock('electron', () => ({}));

const location: RendererLocation = {
  kind: 'file',
  indexPath: '/opt/tideline/resources/app.asar/out/renderer/index.html',
};
const pageUrl = 'file:///opt/tideline/resources/app.asar/out/renderer/index.html';

describe('createWindowOptions', () => {
  it('turns on isolation, sandbox and web security', () => {
    const preferences = createWindowOptions('/app/out/preload/index.cjs').webPreferences;
    expect(preferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

/** An IPC event from contents `id` whose sending frame is `frame` (the top frame unless `isSubframe`). */
function senderEvent(
  id: number,
  url: string,
  options: { isSubframe?: boolean; isFrameGone?: boolean } = {},
): SenderEvent {
  const mainFrame = { url, parent: null };
  const frame = options.isSubframe === true ? { url, parent: mainFrame } : mainFrame;
  return {
    sender: { id, mainFrame },
    senderFrame: options.isFrameGone === true ? null : frame,
  } as unknown as SenderEvent;
}

describe('checkSender', () => {
  const trusted = new Set([7]);

  it('accepts the top frame of our window at our page', () => {
    expect(checkSender(senderEvent(7, `${pageUrl}#/flows`), trusted, location)).toEqual({ isTrusted: true });
  });

  it.each([
    ['another window', senderEvent(8, pageUrl), 'sender is not a Tideline window'],
    ['a subframe', senderEvent(7, pageUrl, { isSubframe: true }), 'sender is not the top frame'],
    ['a destroyed frame', senderEvent(7, pageUrl, { isFrameGone: true }), 'sender frame is gone'],
    ['another file', senderEvent(7, 'file:///tmp/evil.html'), 'sender frame is not at the Tideline page'],
    ['a web page', senderEvent(7, 'https://example.com/'), 'sender frame is not at the Tideline page'],
  ])('refuses %s', (_case, event, reason) => {
    expect(checkSender(event, trusted, location)).toEqual({ isTrusted: false, reason });
  });

  it('matches the dev server by origin', () => {
    const devLocation = resolveRendererLocation('/x/index.html', 'http://localhost:5173', false);
    expect(isRendererUrl('http://localhost:5173/index.html', devLocation)).toBe(true);
    expect(isRendererUrl('http://localhost:5174/', devLocation)).toBe(false);
  });

  it('ignores the dev server in a packaged app', () => {
    expect(resolveRendererLocation('/x/index.html', 'http://localhost:5173', true)).toEqual({
      kind: 'file',
      indexPath: '/x/index.html',
    });
  });
});

describe('web security', () => {
  it('adds the CSP header to every response', () => {
    let listener: ((details: unknown, callback: (response: unknown) => void) => void) | undefined;
    installContentSecurityPolicy({
      webRequest: { onHeadersReceived: (handler: typeof listener) => (listener = handler) },
    } as never);
    const callback = vi.fn();
    listener?.({ responseHeaders: { 'Content-Type': ['text/html'] } }, callback);
    const headers = (callback.mock.calls[0]?.[0] as { responseHeaders: Record<string, string[]> }).responseHeaders;
    expect(headers['Content-Type']).toEqual(['text/html']);
    expect(headers['Content-Security-Policy']?.[0]).toMatch(/^default-src 'none'; script-src 'self'; /);
    expect(headers['Content-Security-Policy']?.[0]).toContain("connect-src 'none'");
  });

  it('denies permission requests and checks', () => {
    let requestHandler:
      ((contents: unknown, permission: string, callback: (isGranted: boolean) => void) => void) | undefined;
    let checkHandler: (() => boolean) | undefined;
    denyPermissions({
      setPermissionRequestHandler: (handler: typeof requestHandler) => (requestHandler = handler),
      setPermissionCheckHandler: (handler: typeof checkHandler) => (checkHandler = handler),
    } as never);
    const callback = vi.fn();
    requestHandler?.({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    expect(checkHandler?.()).toBe(false);
  });

  it('prevents navigation away and opens only https links outside', () => {
    const handlers = new Map<string, (event: { preventDefault(): void }, url: string) => void>();
    let openHandler: ((details: { url: string }) => { action: string }) | undefined;
    const openExternal = vi.fn(() => Promise.resolve());
    lockDownContents(
      {
        on: (name: string, handler: (event: { preventDefault(): void }, url: string) => void) =>
          handlers.set(name, handler),
        setWindowOpenHandler: (handler: typeof openHandler) => (openHandler = handler),
      } as never,
      location,
      openExternal,
    );

    const away = { preventDefault: vi.fn() };
    handlers.get('will-navigate')?.(away, 'https://example.com/');
    expect(away.preventDefault).toHaveBeenCalledTimes(1);
    const reload = { preventDefault: vi.fn() };
    handlers.get('will-navigate')?.(reload, pageUrl);
    expect(reload.preventDefault).not.toHaveBeenCalled();
    const webview = { preventDefault: vi.fn() };
    handlers.get('will-attach-webview')?.(webview, '');
    expect(webview.preventDefault).toHaveBeenCalledTimes(1);

    expect(openHandler?.({ url: 'https://zeek.org/' })).toEqual({ action: 'deny' });
    expect(openHandler?.({ url: 'http://zeek.org/' })).toEqual({ action: 'deny' });
    expect(openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://zeek.org/']]);
  });

  it.each([
    ['https://example.com/a', true],
    ['http://example.com/', false],
    ['javascript:alert(1)', false],
    ['not a url', false],
  ])('external link %s allowed is %s', (url, expected) => {
    expect(isExternalLinkAllowed(url)).toBe(expected);
  });
});
