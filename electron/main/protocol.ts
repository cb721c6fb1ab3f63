// Serves the built renderer over pier://app/ (never file://), with the CSP as a header.
import { protocol, session } from 'electron';
import { readFile } from 'node:fs/promises';
import { APP_SCHEME, appResponseHeaders, contentSecurityPolicy, resolveAppFile } from './core/security';

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

export function serveRenderer(rendererDir: string, devServer?: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
    const file = resolveAppFile(rendererDir, request.url);
    if (!file) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: appResponseHeaders(file, devServer) });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
  if (devServer) {
    // the dev server's pages get the (relaxed) dev CSP as a header too
    const origin = new URL(devServer).origin;
    session.defaultSession.webRequest.onHeadersReceived({ urls: [`${origin}/*`] }, (details, cb) => {
      cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy(devServer)] } });
    });
  }
}
