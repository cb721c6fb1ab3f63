// Security policy of the desktop shell, as pure functions (unit-tested under plain Node):
// webPreferences, CSP, the app origin, IPC sender checks, navigation and external links,
// and which files the app:// protocol may serve.
import path from 'node:path';

/** The renderer is served from `pier://app/` (protocol.handle), never from file://. */
export const APP_SCHEME = 'pier';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** The subset of Electron's WebPreferences Pier sets (all explicit, none left to defaults). */
export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  webviewTag: false;
  navigateOnDragDrop: false;
  spellcheck: false;
  safeDialogs: true;
  disableBlinkFeatures: string;
  enableBlinkFeatures?: undefined;
  devTools: boolean;
}

export function secureWebPreferences(preload: string, opts: { devTools?: boolean } = {}): SecureWebPreferences {
  if (!path.isAbsolute(preload)) throw new Error(`preload must be an absolute path, got "${preload}"`);
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    disableBlinkFeatures: 'Auxclick',
    devTools: opts.devTools ?? false,
  };
}

/**
 * The page's Content-Security-Policy, sent as a header by the app:// handler.
 * Production: no inline script, no eval, no remote anything. xterm's WebGL renderer
 * needs nothing extra; inline styles are needed by React style props and xterm.
 * Dev: the vite dev server's origin and its websocket, and React refresh's inline preamble.
 */
export function contentSecurityPolicy(devServer?: string): string {
  if (!devServer) {
    return [
      "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
      "font-src 'self' data:", "connect-src 'self'", "worker-src 'self' blob:", "object-src 'none'", "base-uri 'none'",
      "form-action 'none'", "frame-ancestors 'none'", "frame-src 'none'",
    ].join('; ');
  }
  const o = new URL(devServer).origin;
  const ws = o.replace(/^http/, 'ws');
  return [
    `default-src 'self' ${o}`, `script-src 'self' ${o} 'unsafe-inline'`, `style-src 'self' ${o} 'unsafe-inline'`,
    `img-src 'self' ${o} data: blob:`, `font-src 'self' ${o} data:`, `connect-src 'self' ${o} ${ws}`, `worker-src 'self' ${o} blob:`,
    "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'", "frame-src 'none'",
  ].join('; ');
}

/** Origins whose frames may talk to main: the app origin, and the dev server in development. */
export function trustedOrigins(devServer?: string): string[] {
  const o = [APP_ORIGIN];
  if (devServer) o.push(new URL(devServer).origin);
  return o;
}

function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    // custom schemes have an opaque origin ("null") in WHATWG URL: rebuild it from the parts
    if (u.protocol === `${APP_SCHEME}:`) return u.host ? `${APP_SCHEME}://${u.host}` : undefined;
    return u.origin === 'null' ? undefined : u.origin;
  } catch {
    return undefined;
  }
}

export interface SenderFrame { url: string; /** null/undefined for the top frame */ parent?: unknown }

/**
 * Validates the sender of an IPC message: it must be a top-level frame (no iframes)
 * whose URL parses to one of the trusted origins (URL parser, never startsWith).
 */
export function isTrustedSender(frame: SenderFrame | null | undefined, origins: readonly string[]): boolean {
  if (!frame || frame.parent) return false;
  const o = originOf(frame.url);
  return !!o && origins.includes(o);
}

/** Navigation away from the app is always refused; reloading the app page itself is fine. */
export function isAllowedNavigation(url: string, origins: readonly string[]): boolean {
  const o = originOf(url);
  return !!o && origins.includes(o);
}

/**
 * External links open in the user's browser only when they are plain https (or http)
 * URLs to a named host, without credentials. Everything else (file:, javascript:, custom
 * schemes that launch local apps, smb://, data:) is refused.
 */
export function safeExternalUrl(url: string): string | undefined {
  let u: URL;
  try { u = new URL(url); } catch { return undefined; }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
  if (!u.hostname || u.username || u.password) return undefined;
  return u.toString();
}

/**
 * Maps an app:// request URL to a file under `root` (the built renderer), or undefined.
 * Only the app host; no traversal (`..`, encoded or not), no NUL, no absolute escapes.
 * `/` and unknown extension-less routes fall back to index.html (client-side routing).
 */
export function resolveAppFile(root: string, requestUrl: string): string | undefined {
  let u: URL;
  try { u = new URL(requestUrl); } catch { return undefined; }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return undefined;
  let rel: string;
  try { rel = decodeURIComponent(u.pathname); } catch { return undefined; }
  if (rel.includes('\0') || rel.includes('\\')) return undefined;
  if (rel.split('/').some((seg) => seg === '..')) return undefined;
  if (rel === '/' || rel === '') rel = '/index.html';
  else if (!path.posix.extname(rel)) rel = '/index.html';
  const base = path.resolve(root);
  const file = path.resolve(base, '.' + path.posix.normalize(rel));
  if (file !== base && !file.startsWith(base + path.sep)) return undefined;
  return file;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf', '.wasm': 'application/wasm',
  '.map': 'application/json', '.txt': 'text/plain; charset=utf-8',
};
export const mimeType = (file: string): string => MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';

/** Headers for every app:// response. */
export function appResponseHeaders(file: string, devServer?: string): Record<string, string> {
  return {
    'Content-Type': mimeType(file),
    'Content-Security-Policy': contentSecurityPolicy(devServer),
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
}

/**
 * Downloads: only blob: URLs the app itself created (e.g. "Download" of a container's logs),
 * which Electron then saves through its save dialog. Anything else (a remote URL, a data: URL
 * pushed by content) is cancelled.
 */
export function isAllowedDownload(url: string, origins: readonly string[]): boolean {
  let u: URL;
  try { u = new URL(url); } catch { return false; }
  if (u.protocol !== 'blob:') return false;
  const inner = originOf(u.pathname);
  return !!inner && origins.includes(inner);
}

/** Permissions the app's own page may have: the terminal's copy (Ctrl+Shift+C) and paste (Ctrl+Shift+V). */
const APP_PERMISSIONS = new Set(['clipboard-read', 'clipboard-sanitized-write']);

/**
 * Whether a permission request (or check) is granted: only the clipboard, and only to a
 * top-level frame of the app's own origin. Everything else (camera, notifications from the
 * page, geolocation, …) and every other origin is denied.
 */
export function permissionDecision(permission: string, requester: { url?: string; mainFrame?: boolean }, origins: readonly string[]): boolean {
  if (!APP_PERMISSIONS.has(permission) || requester.mainFrame === false) return false;
  const o = requester.url ? originOf(requester.url) : undefined;
  return !!o && origins.includes(o);
}
