// Security policy of the shell (pure): webPreferences, CSP, sender validation,
// navigation, external links, app:// file resolution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  APP_ORIGIN, appResponseHeaders, isAllowedDownload, contentSecurityPolicy, isAllowedNavigation, isTrustedSender, permissionDecision,
  resolveAppFile, safeExternalUrl, secureWebPreferences, trustedOrigins,
} from '../../electron/main/core/security';

test('webPreferences: isolation, sandbox, no node, web security, no webview, explicit', () => {
  const p = secureWebPreferences('/app/out/preload/index.cjs');
  assert.equal(p.contextIsolation, true);
  assert.equal(p.sandbox, true);
  assert.equal(p.nodeIntegration, false);
  assert.equal(p.nodeIntegrationInWorker, false);
  assert.equal(p.nodeIntegrationInSubFrames, false);
  assert.equal(p.webSecurity, true);
  assert.equal(p.allowRunningInsecureContent, false);
  assert.equal(p.experimentalFeatures, false);
  assert.equal(p.webviewTag, false);
  assert.equal(p.navigateOnDragDrop, false);
  assert.equal(p.enableBlinkFeatures, undefined);
  assert.equal(p.devTools, false);
  assert.equal(secureWebPreferences('/p.cjs', { devTools: true }).devTools, true);
  assert.throws(() => secureWebPreferences('preload.cjs'), /absolute/);
});

test('CSP: production forbids inline/eval script and remote content', () => {
  const csp = contentSecurityPolicy();
  const d = Object.fromEntries(csp.split('; ').map((x) => { const [k, ...v] = x.split(' '); return [k, v.join(' ')]; }));
  assert.equal(d['default-src'], "'self'");
  assert.equal(d['script-src'], "'self'");
  assert.equal(d['object-src'], "'none'");
  assert.equal(d['frame-ancestors'], "'none'");
  assert.doesNotMatch(csp, /unsafe-eval|\*|http:|https:/);
  assert.doesNotMatch(d['script-src'], /unsafe-inline/);
  const dev = contentSecurityPolicy('http://localhost:5173/');
  assert.match(dev, /connect-src 'self' http:\/\/localhost:5173 ws:\/\/localhost:5173/);
  const h = appResponseHeaders('/x/index.html');
  assert.equal(h['Content-Type'], 'text/html; charset=utf-8');
  assert.equal(h['Content-Security-Policy'], csp);
  assert.equal(h['X-Content-Type-Options'], 'nosniff');
});

test('sender validation: top frame of the app origin only (URL parser, not startsWith)', () => {
  const o = trustedOrigins();
  assert.deepEqual(o, [APP_ORIGIN]);
  assert.equal(isTrustedSender({ url: 'pier://app/index.html' }, o), true);
  assert.equal(isTrustedSender({ url: 'pier://app/#/containers' }, o), true);
  assert.equal(isTrustedSender({ url: 'pier://app/index.html', parent: {} }, o), false, 'sub-frames refused');
  assert.equal(isTrustedSender(null, o), false, 'missing frame (navigated away) refused');
  assert.equal(isTrustedSender({ url: 'pier://app.evil.com/index.html' }, o), false);
  assert.equal(isTrustedSender({ url: 'pier://evil/app' }, o), false);
  assert.equal(isTrustedSender({ url: 'https://pier://app/' }, o), false);
  assert.equal(isTrustedSender({ url: 'file:///app/out/renderer/index.html' }, o), false);
  assert.equal(isTrustedSender({ url: 'http://localhost:5173/' }, o), false, 'dev server only in dev');
  assert.equal(isTrustedSender({ url: 'http://localhost:5173/' }, trustedOrigins('http://localhost:5173')), true);
  assert.equal(isTrustedSender({ url: 'http://localhost:51730/' }, trustedOrigins('http://localhost:5173')), false);
  assert.equal(isTrustedSender({ url: 'not a url' }, o), false);
});

test('navigation: only within the app; external links open only if http(s) without credentials', () => {
  const o = trustedOrigins();
  assert.equal(isAllowedNavigation('pier://app/index.html', o), true);
  assert.equal(isAllowedNavigation('https://example.com/', o), false);
  assert.equal(isAllowedNavigation('file:///etc/passwd', o), false);
  assert.equal(safeExternalUrl('https://docs.podman.io/en/latest/'), 'https://docs.podman.io/en/latest/');
  assert.equal(safeExternalUrl('http://example.com'), 'http://example.com/');
  for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'data:text/html,x', 'vscode://x', 'https://user:pw@example.com/', 'ms-msdt:/id', '']) {
    assert.equal(safeExternalUrl(bad), undefined, bad);
  }
});

test('app:// serves only files under the renderer output', () => {
  const root = '/opt/pier/out/renderer';
  assert.equal(resolveAppFile(root, 'pier://app/index.html'), path.join(root, 'index.html'));
  assert.equal(resolveAppFile(root, 'pier://app/'), path.join(root, 'index.html'));
  assert.equal(resolveAppFile(root, 'pier://app/containers/abc'), path.join(root, 'index.html'), 'client routes fall back');
  assert.equal(resolveAppFile(root, 'pier://app/assets/index-abc.js?v=1'), path.join(root, 'assets/index-abc.js'));
  for (const bad of ['pier://app/../../etc/passwd', 'pier://app/%2e%2e/%2e%2e/etc/passwd.txt', 'pier://app/a/..%2f..%2f..%2fetc%2fpasswd.txt', 'pier://app/x%00.js', 'pier://other/index.html', 'file:///etc/passwd', 'pier://app/%E0%A4%A.js', 'pier://app/..\\..\\x.js']) {
    const r = resolveAppFile(root, bad);
    assert.ok(r === undefined || r.startsWith(root + path.sep), `${bad} → ${r}`);
  }
  // encoded separators decode to a '..' segment: refused outright
  assert.equal(resolveAppFile(root, 'pier://app/a/..%2f..%2f..%2fetc%2fpasswd.txt'), undefined);
  // dot segments the URL parser itself removes stay inside the root
  assert.equal(resolveAppFile(root, 'pier://app/%2e%2e/%2e%2e/etc/passwd.txt'), path.join(root, 'etc/passwd.txt'));
});

test('downloads: only blob: URLs made by the app itself', () => {
  const o = trustedOrigins();
  assert.equal(isAllowedDownload('blob:pier://app/6f1c3a2e-0000-4000-8000-000000000000', o), true);
  for (const bad of ['https://example.com/x.sh', 'data:text/plain,hi', 'blob:https://evil.example/123', 'blob:null/123', 'blob:pier://app.evil/1', 'file:///etc/passwd', 'nonsense']) assert.equal(isAllowedDownload(bad, o), false, bad);
});

test('permissions: only the clipboard, only for the app\'s own top-level page', () => {
  const o = trustedOrigins();
  const app = { url: 'pier://app/index.html', mainFrame: true };
  for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'fileSystem', 'clipboard-write', 'anything']) {
    assert.equal(permissionDecision(p, app, o), false, p);
  }
  for (const p of ['clipboard-read', 'clipboard-sanitized-write']) {
    assert.equal(permissionDecision(p, app, o), true, p);
    assert.equal(permissionDecision(p, { url: 'pier://app' }, o), true, `${p} (check handler: origin only)`);
    for (const url of ['https://evil.example/', 'pier://app.evil/index.html', 'file:///tmp/x.html', 'data:text/html,x', '']) {
      assert.equal(permissionDecision(p, { url, mainFrame: true }, o), false, `${p} from ${url}`);
    }
    assert.equal(permissionDecision(p, { ...app, mainFrame: false }, o), false, `${p} from an iframe`);
  }
});
