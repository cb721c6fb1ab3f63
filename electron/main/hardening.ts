// App-wide web-contents policy: no navigation away, no new windows (vetted external links
// open in the browser), no webviews, every permission denied but the clipboard for the app itself.
import { app, session, shell, type WebContents } from 'electron';
import { isAllowedDownload, isAllowedNavigation, permissionDecision, safeExternalUrl } from './core/security';

export function openExternalIfSafe(url: string): boolean {
  const safe = safeExternalUrl(url);
  if (!safe) return false;
  void shell.openExternal(safe);
  return true;
}

export function hardenSessions(origins: () => readonly string[]): void {
  const s = session.defaultSession;
  s.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(permissionDecision(permission, { url: details.requestingUrl, mainFrame: details.isMainFrame }, origins())));
  s.setPermissionCheckHandler((_wc, permission, requestingOrigin, details) =>
    permissionDecision(permission, { url: requestingOrigin || details.requestingUrl, mainFrame: details.isMainFrame }, origins()));
  s.setDevicePermissionHandler(() => false);
  s.setDisplayMediaRequestHandler((_req, callback) => callback({}));
  s.on('will-download', (e, item) => { if (!isAllowedDownload(item.getURL(), origins())) e.preventDefault(); });
}

export function hardenWebContents(origins: () => readonly string[]): void {
  app.on('web-contents-created', (_e, wc: WebContents) => {
    wc.on('will-navigate', (event) => {
      if (isAllowedNavigation(event.url, origins())) return;
      event.preventDefault();
      openExternalIfSafe(event.url);
    });
    wc.on('will-redirect', (event) => {
      if (!isAllowedNavigation(event.url, origins())) event.preventDefault();
    });
    wc.on('will-attach-webview', (event) => event.preventDefault());
    wc.setWindowOpenHandler(({ url }) => {
      openExternalIfSafe(url);
      return { action: 'deny' };
    });
  });
}
