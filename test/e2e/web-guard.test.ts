// Web mode refuses requests without the token, with a wrong token, with a foreign Host
// (DNS rebinding) or a foreign Origin — for pages and for the WebSocket upgrade.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { openEngine } from '../../electron/engine/open.ts';
import type { Engine } from '../../electron/engine/engine.ts';
import { startWebServer, parseListen, type WebServer } from '../../electron/web/server.ts';
import { WS_PATH } from '../../electron/common/contract.ts';
import { testDirs, type TestDirs } from '../helpers/rootfs.ts';
import { ensureRendererBuilt } from '../helpers/browser.ts';

let dirs: TestDirs, engine: Engine, web: WebServer;

function req(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port: web.port, path, method, headers: { host: `127.0.0.1:${web.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    r.on('error', reject);
    r.end();
  });
}

function upgrade(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port: web.port, path: WS_PATH, headers: {
      host: `127.0.0.1:${web.port}`, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers,
    } });
    r.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode!); });
    r.on('response', (res) => { res.resume(); resolve(res.statusCode!); });
    r.on('error', reject);
    r.end();
  });
}

describe('web mode guard', () => {
  before(async () => {
    ensureRendererBuilt();
    dirs = testDirs('pier-web-');
    engine = await openEngine({ root: dirs.root, runroot: dirs.runroot });
    web = await startWebServer(engine, { listen: '127.0.0.1:0' });
  });
  after(async () => { await web.close(); await engine.close(); dirs.cleanup(); });

  test('prints a loopback URL with a random token', () => {
    assert.match(web.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    assert.deepEqual(parseListen('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
    assert.throws(() => parseListen('8080'), /HOST:PORT/);
  });

  test('without the token: 401 and nothing else', async () => {
    for (const p of ['/', '/index.html', '/assets/x.js', '/?token=wrong', `/?token=${web.token}x`]) {
      const r = await req(p);
      assert.equal(r.status, 401, p);
      assert.equal(r.body, '401 Unauthorized\n');
      assert.equal(r.headers['set-cookie'], undefined);
    }
    assert.equal((await req('/', { cookie: 'pier_token=nope' })).status, 401);
  });

  test('the token URL sets an HttpOnly cookie and drops the token from the address', async () => {
    const r = await req(`/?token=${web.token}`);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/');
    assert.match(String(r.headers['set-cookie']), /^pier_token=[^;]+; HttpOnly; SameSite=Strict; Path=\/$/);
    const page = await req('/', { cookie: `pier_token=${web.token}` });
    assert.equal(page.status, 200);
    assert.match(page.body, /<div id="root">/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
  });

  test('foreign Host (DNS rebinding) and foreign Origin are refused even with the token', async () => {
    const cookie = `pier_token=${web.token}`;
    assert.equal((await req('/', { cookie, host: `evil.example:${web.port}` })).status, 403);
    assert.equal((await req(`/?token=${web.token}`, { host: `attacker.test:${web.port}` })).status, 403);
    assert.equal((await req('/', { cookie, origin: 'http://evil.example' })).status, 403);
    assert.equal((await req('/', { cookie, origin: `http://127.0.0.1:${web.port + 1}` })).status, 403);
    assert.equal((await req('/', { cookie, origin: `http://localhost:${web.port}` })).status, 200);
  });

  test('the WebSocket needs the cookie and a same-origin Origin', async () => {
    const origin = `http://127.0.0.1:${web.port}`;
    assert.equal(await upgrade({ origin }), 401);
    assert.equal(await upgrade({ origin, cookie: 'pier_token=bad' }), 401);
    assert.equal(await upgrade({ origin: 'http://evil.example', cookie: `pier_token=${web.token}` }), 403);
    assert.equal(await upgrade({ origin, cookie: `pier_token=${web.token}`, host: `rebind.example:${web.port}` }), 403);
    assert.equal(await upgrade({ origin, cookie: `pier_token=${web.token}` }), 101);
  });

  test('paths outside the renderer are not served', async () => {
    const cookie = `pier_token=${web.token}`;
    const r = await req('/../../package.json', { cookie });
    assert.equal(r.status, 200);
    assert.match(r.body, /<div id="root">/, 'falls back to index.html, never a file outside out/renderer');
    const enc = await req('/%2e%2e/%2e%2e/package.json', { cookie });
    assert.doesNotMatch(enc.body, /"name": "pier"/);
  });
});
