/**
 * The page's Content-Security-Policy, sent as a response header by the
 * Electron app and by `tideline serve` (the HTML carries a matching meta tag).
 * It starts from `default-src 'none'` and allows only what the built
 * renderer loads: its own scripts, styles, fonts and images, images from
 * `data:`/`blob:` URLs (chart PNG export), and, in serve mode, the WebSocket.
 */

/** Build the policy; `webSocketOrigins` are the `ws://`/`wss://` origins the page may connect to. */
export function buildContentSecurityPolicy(webSocketOrigins: readonly string[] = []): string {
  const connectSources = webSocketOrigins.length === 0 ? ["'none'"] : ["'self'", ...webSocketOrigins];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connectSources.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
