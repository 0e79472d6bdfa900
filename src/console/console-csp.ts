/** A Host header we are willing to repeat in a header value: a host name or address and a port. */
const SAFE_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The console's Content-Security-Policy: scripts, styles, fonts and API calls from this origin only;
 * images also as `data:` (the QR codes the API returns are base64 PNGs); the WebSocket at this
 * host (`'self'` covers ws: in CSP 3 browsers, the explicit ws:/wss: origins cover the others).
 * No inline script, no eval, no framing, no plugins.
 */
export function consoleCsp(host: string | undefined): string {
  const sockets = host && SAFE_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
