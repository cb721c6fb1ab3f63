// Engine choice in the desktop app (issue 13). Pure: the choice, its label, the tray's Engine
// submenu, the root refusal. Adapter tier: the BUILT main process under the recording fake
// electron, connected to a real `pier serve` over its socket (the RPC contract, as web mode):
// status shown, containers and events from the socket, a terminal session streamed, the switch
// saved and the app relaunched. As root the app refuses to start and says how to reach the
// system engine (a separate process: the main module runs once per process).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtMainSkipReason, mainJs, repoRoot } from '../helpers/electron-build';
import { testDirs, type TestDirs } from '../helpers/rootfs';
import { choiceFromArg, choiceLabel, parseChoice, rootRefusal, socketOf, SYSTEM_SOCKET } from '../../electron/main/core/engine-choice';
import { buildTrayMenu, findItem } from '../../electron/main/core/tray-menu';
import { parseShellArgs } from '../../electron/main/core/args';
import { loadChoice, saveChoice } from '../../electron/main/engine-choice-file';

test('choice: parsed and validated; invalid saved choices fall back to this app\'s engine with the reason', () => {
  assert.deepEqual(parseChoice(undefined), { choice: { kind: 'local' } });
  assert.deepEqual(parseChoice({ kind: 'socket', path: '/run/x.sock' }), { choice: { kind: 'socket', path: '/run/x.sock' } });
  const bad = parseChoice({ kind: 'socket', path: 'relative.sock' });
  assert.deepEqual(bad.choice, { kind: 'local' });
  assert.match(bad.problem!, /ignored the saved engine choice \(path: must be an absolute path\)/);
  assert.match(parseChoice({ kind: 'tcp' }).problem!, /ignored/);
  assert.deepEqual(choiceFromArg('system'), { kind: 'system' });
  assert.deepEqual(choiceFromArg('/tmp/p.sock'), { kind: 'socket', path: '/tmp/p.sock' });
  assert.throws(() => choiceFromArg('tcp://x'), /--engine tcp:\/\/x: use local, system or an absolute socket path/);
  assert.equal(parseShellArgs(['--engine', 'system']).engine, 'system');
  assert.equal(parseShellArgs([], { PIER_ENGINE: '/a.sock' }).engine, '/a.sock');
});

test('choice: socket and label; the app hosts only its own engine, and only where it can', () => {
  const own = { socket: '/run/user/1000/pier/docker.sock', inProcess: false };
  assert.equal(socketOf({ kind: 'local' }, own), own.socket);
  assert.equal(socketOf({ kind: 'local' }, { ...own, inProcess: true }), undefined);
  assert.equal(socketOf({ kind: 'system' }, own), SYSTEM_SOCKET);
  assert.equal(socketOf({ kind: 'socket', path: '/x.sock' }, own), '/x.sock');
  assert.equal(choiceLabel({ kind: 'local' }, true), 'Rootless engine (this app)');
  assert.equal(choiceLabel({ kind: 'system' }, true), 'System engine (/run/pier/docker.sock)');
  assert.equal(choiceLabel({ kind: 'socket', path: '/x.sock' }, false), 'Engine at /x.sock');
});

test('tray: an Engine submenu shows the current engine and offers the others', () => {
  const items = buildTrayMenu([], { engine: { label: 'System engine (/run/pier/docker.sock)', choice: { kind: 'system' } } });
  const eng = findItem(items, 'engine')!;
  assert.equal(eng.label, 'Engine: System engine (/run/pier/docker.sock)');
  assert.deepEqual(findItem(items, 'engine:system'), { id: 'engine:system', label: '✓ System engine (/run/pier/docker.sock)', enabled: false, action: { kind: 'engine', choice: { kind: 'system' } } });
  assert.deepEqual(findItem(items, 'engine:local')!.action, { kind: 'engine', choice: { kind: 'local' } });
  assert.equal(findItem(items, 'engine:local')!.enabled, true);
  assert.deepEqual(findItem(items, 'engine:socket')!.action, { kind: 'engine', choice: 'other' });
  assert.equal(findItem(buildTrayMenu([]), 'engine'), undefined);
});

test('root refusal names the sandbox, the user, the system engine and the web UI', () => {
  const m = rootRefusal();
  for (const s of ['sandbox', 'normal user', 'pier serve', 'systemctl enable --now pier', 'usermod -aG pier', '/run/pier/docker.sock', 'npx pier serve --web']) assert.ok(m.includes(s), s);
});

test('saved choice: atomic file, round trip, unreadable file reported', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pier-ec-'));
  try {
    assert.deepEqual(await loadChoice(dir), { choice: { kind: 'local' } });
    await saveChoice(dir, { kind: 'socket', path: '/tmp/s.sock' });
    assert.deepEqual(await loadChoice(dir), { choice: { kind: 'socket', path: '/tmp/s.sock' } });
    await assert.rejects(saveChoice(dir, { kind: 'socket', path: 'rel' } as never));
    assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'engine.json'), 'utf8')), { kind: 'socket', path: '/tmp/s.sock' });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

const SKIP = builtMainSkipReason() ?? (process.getuid?.() !== 0 ? 'needs root (a real engine with containers)' : undefined);

test('as root the app does not start: console and window say why and how to reach the system engine', { skip: SKIP }, () => {
  const hook = pathToFileURL(path.join(repoRoot, 'test/electron/fake-electron-hook.mjs')).href;
  const boot = `import { register } from 'node:module'; register(${JSON.stringify(hook)}); const E = await import('electron'); `
    + `await import(${JSON.stringify(pathToFileURL(mainJs).href)}); await new Promise((r) => setTimeout(r, 500)); `
    + 'console.log(JSON.stringify({ calls: E.calls.filter((c) => c[0] === "showErrorBox" || c[0] === "exit"), windows: E.BrowserWindow.all.length }));';
  const env = { ...process.env };
  delete env.PIER_E2E;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', boot], { env, encoding: 'utf8', timeout: 60_000 });
  assert.match(r.stderr, /pier: Pier's window does not run as root: Chromium's sandbox refuses it/);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { calls: unknown[][]; windows: number };
  assert.equal(out.windows, 0);
  assert.deepEqual(out.calls.map((c) => c[0]), ['showErrorBox', 'exit']);
  assert.equal(out.calls[0][1], 'Pier cannot run as root');
  assert.match(String(out.calls[0][2]), /system engine/);
  assert.deepEqual(out.calls[1], ['exit', 1]);
});

let E: any, P: any, dirs: TestDirs, userData = '', srv: ChildProcess | undefined, sock = '';
const trusted = { url: 'pier://app/index.html', parent: null };
async function waitFor<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 15_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const wc = () => E.BrowserWindow.all[0].webContents;
const invoke = async (ch: string, params: unknown) => {
  const env = await E.ipcMain.invoke(ch, trusted, wc(), params);
  if (!env.ok) throw Object.assign(new Error(env.error.message), { code: env.error.code });
  return env.result;
};

before(async () => {
  if (SKIP) return;
  dirs = testDirs('pier-fe-');
  userData = mkdtempSync(path.join(os.tmpdir(), 'pier-fe-ud-'));
  sock = path.join(dirs.base, 'engine.sock');
  srv = spawn(process.execPath, [path.join(repoRoot, 'bin/pier.js'), 'serve', '--root', dirs.root, '--runroot', dirs.runroot, '--socket', sock], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  srv.stdout!.on('data', (d) => { out += d; });
  srv.stderr!.on('data', (d) => { out += d; });
  await waitFor(() => /engine ready/.test(out), 60_000, `pier serve:\n${out}`);
  const { buildTestImages } = await import('../../scripts/build-test-images');
  const load = spawnSync('docker', ['load', '-i', (await buildTestImages()).dockerArchive], { env: { ...process.env, DOCKER_HOST: `unix://${sock}` }, encoding: 'utf8' });
  assert.equal(load.status, 0, load.stderr);
  Object.assign(process.env, { PIER_E2E: '1', PIER_ENGINE: sock, PIER_USER_DATA: userData, PIER_FAKE_APP_PATH: repoRoot });
  register(new URL('../electron/fake-electron-hook.mjs', import.meta.url));
  E = await import('electron' as string);
  await import(mainJs);
  P = await waitFor(() => (globalThis as any).__pier, 30_000, 'the main process');
});

after(async () => {
  if (SKIP) return;
  if (srv && srv.exitCode === null) { const e = new Promise((r) => srv!.once('exit', r)); srv.kill('SIGTERM'); await e; }
  dirs?.cleanup();
  rmSync(userData, { recursive: true, force: true });
});

test('another engine\'s socket: status, containers, events and a terminal over RPC; the app hosts nothing', { skip: SKIP }, async () => {
  assert.equal(P.host.error, undefined, P.host.error);
  assert.equal(P.host.engine, undefined, 'no in-process engine');
  const info = await invoke('shell:info', {});
  assert.equal(info.engine.ok, true);
  assert.equal(info.engine.label, `Engine at ${sock}`);
  assert.deepEqual(info.engine.choice, { kind: 'socket', path: sock });
  assert.equal(info.engine.root, dirs.root);
  assert.equal(findItem(P.tray.template, 'engine')?.label, `Engine: Engine at ${sock}`);

  const c = await invoke('rpc:containers.create', { name: `fe-${process.pid}`, image: 'pier-test/busybox', cmd: ['sh'], tty: true, openStdin: true });
  await invoke('rpc:containers.start', { id: c.id });
  await waitFor(() => findItem(P.tray.template, 'counts')?.label?.startsWith('1 running'), 15_000, 'the tray to count the container');
  const s = await invoke('rpc:sessions.attach', { id: c.id, rows: 24, cols: 80 });
  await invoke('rpc:sessions.watch', { session: s.id });
  await invoke('rpc:sessions.write', { session: s.id, data: 'echo from-$((40+2))\r' });
  const output = () => (wc().sent as unknown[][]).filter((m) => m[0] === 'push:message')
    .map((m) => m[1] as { t?: string; kind?: string; payload?: { session?: string; data?: Uint8Array } })
    .map((p) => (p.t === 'stream' && p.kind === 'session' && p.payload?.session === s.id && p.payload?.data ? Buffer.from(p.payload.data).toString() : ''))
    .join('');
  await waitFor(() => output().includes('from-42'), 15_000, 'the terminal output through the socket');
  await invoke('rpc:containers.remove', { id: c.id, force: true });
  await waitFor(() => findItem(P.tray.template, 'counts')?.label?.startsWith('0 running'), 15_000, 'the tray to drop it');
});

test('switching engines saves the choice and relaunches the app', { skip: SKIP }, async () => {
  await assert.rejects(invoke('shell:set-engine', { choice: { kind: 'socket', path: 'relative' } }), /must be an absolute path/);
  await invoke('shell:set-engine', { choice: { kind: 'system' } });
  assert.deepEqual(JSON.parse(readFileSync(path.join(userData, 'engine.json'), 'utf8')), { kind: 'system' });
  assert.ok(E.app.relaunched, 'relaunch requested');
  assert.ok(E.app.quitCalls > 0, 'quit requested');
  assert.ok(existsSync(sock), 'the other engine keeps serving');
});
